"""What a check or load through a mapping reads from the database first: the agency's units,
time zone and badges (both targets, incidents and complaints, use it)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from steadyhand.access.actor import Actor
from steadyhand.agencies.models import Agency, Member, Unit


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
