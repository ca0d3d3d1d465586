"""What the early-intervention score reads: incidents, involvements and complaints — nothing else.

The inputs are counts per member (involvements = exposure, uses of force, injuries, complaint
allegations) and who used force at shared incidents. Nothing here imports or queries
``steadyhand.aar``: after-action reviews are never an input (PRODUCT.md, non-negotiable 1;
``tests/test_scoring.py`` checks the imports of this app).

The peer group is the member's unit, shift and assignment as the roster records them now
(``Member.shift``/``Member.assignment``). A member whose roster row leaves either blank is pooled
with the others whose value is not recorded, so an agency that records neither compares each
member with their whole unit.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from steadyhand.agencies.models import Member
from steadyhand.analytics.early_warning import CoAttendance, MemberPeriods, peer_key
from steadyhand.analytics.early_warning import SupervisorResponse as ResponseRecord
from steadyhand.complaints.models import Allegation
from steadyhand.incidents.models import Involvement
from steadyhand.intervention.models import SupervisorResponse

SHIFT_NOT_RECORDED = "shift not recorded"
ASSIGNMENT_NOT_RECORDED = "assignment not recorded"


@dataclass(frozen=True)
class ScoringInputs:
    periods: MemberPeriods
    co_attendance: CoAttendance
    members: dict[str, Member]
    # Members with complaints but no recorded involvement in the window: no rate is possible.
    dropped_without_exposure: int


def window_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The first and last instants of a scoring window, in the agency's time zone."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end, time.max), tz),
    )


def member_peer_key(member: Member) -> str:
    """The member's peer group: same unit, shift and assignment."""
    return peer_key(
        member.unit.path,
        member.shift or SHIFT_NOT_RECORDED,
        member.assignment or ASSIGNMENT_NOT_RECORDED,
    )


def scoring_inputs(*, agency_id: int, start: date, end: date) -> ScoringInputs | None:
    """Engine inputs for one agency and window, or ``None`` when there is nothing to score."""
    lo, hi = window_bounds(start, end)
    involvements = Involvement.objects.filter(
        member__isnull=False,
        incident__agency_id=agency_id,
        incident__occurred_at__range=(lo, hi),
    )
    per_member = (
        involvements.values("member_id")
        .annotate(
            calls=Count("pk"),
            force=Count("pk", filter=Q(used_force=True)),
            injured=Count("pk", filter=Q(injured=True)),
        )
        .order_by("member_id")
    )
    complaints = dict(
        Allegation.objects.filter(
            member__isnull=False,
            complaint__agency_id=agency_id,
            complaint__received_at__range=(lo, hi),
        )
        .values_list("member_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = list(per_member)
    if not rows:
        return None
    members = Member.objects.select_related("unit").in_bulk([r["member_id"] for r in rows])
    ids = [str(r["member_id"]) for r in rows]
    periods = MemberPeriods.from_arrays(
        member=ids,
        period=[0] * len(rows),
        peer_group=[member_peer_key(members[r["member_id"]]) for r in rows],
        exposure=[float(r["calls"]) for r in rows],
        events={
            "force": [r["force"] for r in rows],
            "complaint": [complaints.get(r["member_id"], 0) for r in rows],
            "injury": [r["injured"] for r in rows],
        },
    )
    triples = _shared_incident_rows(involvements)
    co = CoAttendance.from_arrays(
        incident=[str(t[0]) for t in triples],
        member=[str(t[1]) for t in triples],
        escalated=[bool(t[2]) for t in triples],
    )
    scored = {int(i) for i in ids}
    return ScoringInputs(
        periods=periods,
        co_attendance=co,
        members={str(k): v for k, v in members.items()},
        dropped_without_exposure=sum(1 for m in complaints if m not in scored),
    )


def _shared_incident_rows(
    involvements: QuerySet[Involvement],
) -> list[tuple[int, int, bool]]:
    """(incident, member, used force) of the incidents two or more members attended.

    One ordered scan, grouped here: written as ``incident IN (… HAVING count >= 2)`` PostgreSQL
    may run the grouping again for every row when its statistics are stale (in the middle of a
    bulk load), which made scoring the demo agency take minutes.
    """
    rows = involvements.order_by("incident_id").values_list(
        "incident_id", "member_id", "used_force"
    )
    shared: list[tuple[int, int, bool]] = []
    for _incident, group in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
        attended = list(group)
        if len(attended) >= 2:
            shared.extend(attended)
    return shared


def response_records(*, agency_id: int) -> Iterator[ResponseRecord]:
    """Every supervisor response of the agency, as the engine's feedback records."""
    rows = SupervisorResponse.objects.filter(flag__agency_id=agency_id).select_related("flag")
    for r in rows:
        yield ResponseRecord(
            shown_factors=r.flag.shown_factors,
            agreed=r.agreed,
            disputed_factors=frozenset(r.disputed_factors),
        )


def force_event_days(
    *, agency_id: int, start: date, end: date, member_id: int | None = None
) -> tuple[list[str], list[int]]:
    """Member ids and day numbers of every recorded use of force in the window: the input of
    the threshold rule (:func:`steadyhand.analytics.early_warning.threshold_rule`)."""
    lo, hi = window_bounds(start, end)
    rows = Involvement.objects.filter(
        member__isnull=False,
        used_force=True,
        incident__agency_id=agency_id,
        incident__occurred_at__range=(lo, hi),
    )
    if member_id is not None:
        rows = rows.filter(member_id=member_id)
    tz = timezone.get_current_timezone()
    members, days = [], []
    for member, occurred in rows.values_list("member_id", "incident__occurred_at").order_by():
        members.append(str(member))
        days.append(timezone.localtime(occurred, tz).date().toordinal())
    return members, days
