"""Reads for imports: batches the actor may see, and what the database knows for a check."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, can
from steadyhand.access.querying import visible_q
from steadyhand.agencies.models import Agency, Member, MemberStatus, Rank, Unit
from steadyhand.core.errors import NotFound
from steadyhand.imports.models import ImportBatch, ImportKind
from steadyhand.imports.roster import ExistingMember, RosterContext, UnitRef


def import_batch_list_visible(*, actor: Actor, limit: int = 20) -> QuerySet[ImportBatch]:
    """The latest batches of the actor's agency, without their file contents."""
    return (
        ImportBatch.objects.filter(visible_q(actor, "member.import"), kind=ImportKind.ROSTER)
        .defer("content", "errors", "plan")
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def import_batch_get_visible(*, actor: Actor, batch_id: int) -> ImportBatch:
    """Fetch and authorise in one step: missing and not-allowed look the same."""
    batch = (
        ImportBatch.objects.filter(pk=batch_id, agency_id=actor.agency_id, kind=ImportKind.ROSTER)
        .select_related("job", "created_by")
        .first()
    )
    if batch is None or not can(actor, "member.import", batch):
        raise NotFound(f"No import batch {batch_id}.")
    return batch


def agency_today(*, agency_id: int) -> date:
    """Today's date where the agency is (a hire date "today" in Chicago is not in the future)."""
    tz = Agency.objects.values_list("timezone", flat=True).get(pk=agency_id)
    return datetime.now(ZoneInfo(tz)).date()


def roster_context(*, actor: Actor) -> RosterContext:
    """Everything a roster check needs from the database, in three queries."""
    units = {
        u.code: UnitRef(
            id=u.pk,
            code=u.code,
            name=u.name,
            manageable=can(actor, "member.manage", u),
        )
        for u in Unit.objects.filter(agency_id=actor.agency_id).only(
            "id", "code", "name", "path", "agency_id"
        )
    }
    existing: dict[str, ExistingMember] = {}
    rows = Member.objects.filter(agency_id=actor.agency_id).values(
        "id",
        "version",
        "badge",
        "first_name",
        "last_name",
        "rank",
        "unit__code",
        "unit__path",
        "supervisor__badge",
        "hire_date",
        "status",
    )
    for m in rows:
        scope = Scope(agency_id=actor.agency_id, unit_path=m["unit__path"])
        existing[m["badge"]] = ExistingMember(
            id=m["id"],
            version=m["version"],
            badge=m["badge"],
            first_name=m["first_name"],
            last_name=m["last_name"],
            rank=m["rank"],
            unit_code=m["unit__code"],
            supervisor_badge=m["supervisor__badge"] or "",
            hire_date=m["hire_date"],
            status=m["status"],
            manageable=can(actor, "member.manage", scope),
        )
    return RosterContext(
        ranks=dict(Rank.choices),
        statuses=dict(MemberStatus.choices),
        units=units,
        existing=existing,
        today=agency_today(agency_id=actor.agency_id),
        default_status=MemberStatus.ACTIVE,
    )
