"""Reads for incident imports: batches the actor may see, and what a check or load needs."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.core.errors import NotFound
from steadyhand.imports.models import ImportBatch, ImportKind

ACTION = "incident.import"


def incident_batch_list_visible(*, actor: Actor, limit: int = 20) -> QuerySet[ImportBatch]:
    """The latest incident import batches of the actor's agency, without file contents."""
    return (
        ImportBatch.objects.filter(visible_q(actor, ACTION), kind=ImportKind.INCIDENTS)
        .defer("content", "errors", "plan")
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def incident_batch_get_visible(*, actor: Actor, batch_id: int) -> ImportBatch:
    """Fetch and authorise in one step: missing and not-allowed look the same."""
    batch = (
        ImportBatch.objects.filter(
            pk=batch_id, agency_id=actor.agency_id, kind=ImportKind.INCIDENTS
        )
        .select_related("job", "created_by")
        .first()
    )
    if batch is None or not can(actor, ACTION, batch):
        raise NotFound(f"No incident import {batch_id}.")
    return batch


@dataclass
class ImportContext:
    """What the incidents target needs from the database during a check (pure afterwards)."""

    agency_id: int
    timezone: str
    root_unit_id: int
    unit_ids: dict[str, int]
    today: date
    unit_codes: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        self.unit_codes = frozenset(self.unit_ids)
        self._tz = ZoneInfo(self.timezone)

    def aware(self, value: datetime) -> datetime:
        """A source's local wall-clock time, in the agency's time zone."""
        return value.replace(tzinfo=self._tz) if value.tzinfo is None else value


def import_context(*, actor: Actor) -> ImportContext:
    agency = Agency.objects.get(pk=actor.agency_id)
    units = dict(Unit.objects.filter(agency_id=agency.pk).values_list("code", "id"))
    root = agency.root_unit
    return ImportContext(
        agency_id=agency.pk,
        timezone=agency.timezone,
        root_unit_id=root.pk,
        unit_ids=units,
        today=datetime.now(ZoneInfo(agency.timezone)).date(),
    )


def member_ids_by_badge(*, agency_id: int) -> dict[str, int]:
    return dict(Member.objects.filter(agency_id=agency_id).values_list("badge", "id"))
