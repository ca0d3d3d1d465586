"""What the early-intervention score reads: incidents, involvements and complaints — nothing else.

The inputs are counts per member (involvements = exposure, uses of force, injuries, complaint
allegations) and who used force at shared incidents. Nothing here imports or queries
``steadyhand.aar``: after-action reviews are never an input (PRODUCT.md, non-negotiable 1;
``tests/test_scoring.py`` checks the imports of this app).

The peer group is the member's unit and rank. The roster has no shift or assignment yet, so the
third part of the key is a constant; when it gains them, put them in ``peer_key``.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Q
from django.utils import timezone

from steadyhand.agencies.models import Member
from steadyhand.analytics.early_warning import CoAttendance, MemberPeriods, peer_key
from steadyhand.analytics.early_warning import SupervisorResponse as ResponseRecord
from steadyhand.complaints.models import Allegation
from steadyhand.incidents.models import Involvement
from steadyhand.intervention.models import SupervisorResponse

ALL_SHIFTS = "all shifts"


@dataclass(frozen=True)
class ScoringInputs:
    periods: MemberPeriods
    co_attendance: CoAttendance
    members: dict[str, Member]
    # Members with complaints but no recorded involvement in the window: no rate is possible.
    dropped_without_exposure: int


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end, time.max), tz),
    )


def scoring_inputs(*, agency_id: int, start: date, end: date) -> ScoringInputs | None:
    """Engine inputs for one agency and window, or ``None`` when there is nothing to score."""
    lo, hi = _bounds(start, end)
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
        peer_group=[
            peer_key(members[r["member_id"]].unit.path, ALL_SHIFTS, members[r["member_id"]].rank)
            for r in rows
        ],
        exposure=[float(r["calls"]) for r in rows],
        events={
            "force": [r["force"] for r in rows],
            "complaint": [complaints.get(r["member_id"], 0) for r in rows],
            "injury": [r["injured"] for r in rows],
        },
    )
    shared = involvements.filter(
        incident__in=involvements.values("incident_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values("incident_id")
    ).values_list("incident_id", "member_id", "used_force")
    triples = list(shared)
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


def response_records(*, agency_id: int) -> Iterator[ResponseRecord]:
    """Every supervisor response of the agency, as the engine's feedback records."""
    rows = SupervisorResponse.objects.filter(flag__agency_id=agency_id).select_related("flag")
    for r in rows:
        yield ResponseRecord(
            shown_factors=r.flag.shown_factors,
            agreed=r.agreed,
            disputed_factors=frozenset(r.disputed_factors),
        )
