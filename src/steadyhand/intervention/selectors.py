"""Reads of early intervention, filtered by the access layer (internal affairs sees nothing)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.access.querying import visible_q
from steadyhand.analytics.early_warning import Recalibration, recalibrate, threshold_rule
from steadyhand.audit.services import audit_read
from steadyhand.core.errors import NotFound
from steadyhand.incidents.models import Involvement
from steadyhand.incidents.selectors import incidents_visible
from steadyhand.intervention.inputs import force_event_days, response_records, window_bounds
from steadyhand.intervention.models import SCORE_JOB_KIND, Flag, SupervisorResponse
from steadyhand.jobs.models import Job
from steadyhand.training.models import Course

# The classic fixed threshold most agencies run (Walker, Alpert & Kenney 2001).
THRESHOLD_COUNT = 3
THRESHOLD_WINDOW_DAYS = 90


def flags_visible(*, actor: Actor) -> QuerySet[Flag]:
    """Flags in the actor's chain of command (and a member's own, if the role allows)."""
    return (
        Flag.objects.filter(
            visible_q(
                actor,
                "intervention.view",
                unit_path_field="unit__path",
                owner_user_field="member__user_account__id",
            )
        )
        .select_related("member", "unit")
        .order_by("-period_end", "-score", "pk")
    )


def flag_get_visible(*, actor: Actor, flag_id: int, log_read: bool = False) -> Flag:
    """One flag, if the actor may see it; "missing" and "not allowed" raise the same error.
    ``log_read`` records the read in the audit log (the flag's page does; a form post that
    re-reads it does not log twice)."""
    flag = (
        flags_visible(actor=actor)
        .select_related("response__responder", "response__enrolment__course")
        .filter(pk=flag_id)
        .first()
    )
    if flag is None:
        raise NotFound(f"No early-intervention flag {flag_id}.")
    if log_read:
        with transaction.atomic():  # the audit chain appends under a lock
            audit_read(actor=actor, obj=flag)
    return flag


def flag_response(*, flag: Flag) -> SupervisorResponse | None:
    """The supervisor's response to a flag already read through :func:`flag_get_visible`."""
    try:
        return flag.response
    except SupervisorResponse.DoesNotExist:
        return None


def remedial_courses(*, actor: Actor) -> QuerySet[Course]:
    """Courses a supervisor may choose for remedial training: the agency's active ones."""
    return Course.objects.filter(agency_id=actor.agency_id, active=True).order_by("code")


@dataclass(frozen=True)
class ThresholdBaseline:
    """What the fixed threshold rule says about one member over a flag's window."""

    count: int
    window_days: int
    max_in_window: int
    total: int
    flagged: bool


def flag_baseline(*, actor: Actor, flag: Flag) -> ThresholdBaseline:
    """The threshold rule ("3 uses of force in 90 days") for the flagged member over the same
    window, so the supervisor sees what peer adjustment changed. ``flag`` must come from
    :func:`flag_get_visible`."""
    members, days = force_event_days(
        agency_id=actor.agency_id,
        start=flag.period_start,
        end=flag.period_end,
        member_id=flag.member_id,
    )
    result = threshold_rule(
        members,
        days,
        members=[str(flag.member_id)],
        window_days=THRESHOLD_WINDOW_DAYS,
        count=THRESHOLD_COUNT,
    )
    return ThresholdBaseline(
        count=THRESHOLD_COUNT,
        window_days=THRESHOLD_WINDOW_DAYS,
        max_in_window=int(result.max_in_window[0]),
        total=int(result.total[0]),
        flagged=bool(result.flagged[0]),
    )


@dataclass(frozen=True)
class FlagIncident:
    """One incident of the window where the flagged member used force or was injured."""

    incident_id: int
    case_number: str
    occurred_at: datetime
    used_force: bool
    injured: bool
    visible: bool  # may the reader open the incident itself?


def flag_incidents(*, actor: Actor, flag: Flag, limit: int = 100) -> list[FlagIncident]:
    """The incidents behind a flag's force and injury counts, newest first. Each names whether
    the reader may open the incident; complaints stay counts (their records are not for the
    chain of command's flag page). ``flag`` must come from :func:`flag_get_visible`."""
    lo, hi = window_bounds(flag.period_start, flag.period_end)
    rows = (
        Involvement.objects.filter(
            member_id=flag.member_id,
            incident__agency_id=actor.agency_id,
            incident__occurred_at__range=(lo, hi),
        )
        .filter(Q(used_force=True) | Q(injured=True))
        .select_related("incident")
        .order_by("-incident__occurred_at", "-pk")[:limit]
    )
    found = list(rows)
    visible = set(
        incidents_visible(actor=actor)
        .filter(pk__in=[r.incident_id for r in found])
        .values_list("pk", flat=True)
    )
    return [
        FlagIncident(
            incident_id=r.incident_id,
            case_number=r.incident.case_number,
            occurred_at=r.incident.occurred_at,
            used_force=r.used_force,
            injured=r.injured,
            visible=r.incident_id in visible,
        )
        for r in found
    ]


@dataclass(frozen=True)
class RunComparison:
    """Peer-adjusted flags of the latest run against the threshold rule, as counts."""

    period_start: str
    period_end: str
    peer_adjusted: int
    threshold: int
    both: int
    count: int = THRESHOLD_COUNT
    window_days: int = THRESHOLD_WINDOW_DAYS

    @property
    def only_peer_adjusted(self) -> int:
        return self.peer_adjusted - self.both

    @property
    def only_threshold(self) -> int:
        return self.threshold - self.both


def latest_run_comparison(*, actor: Actor) -> RunComparison | None:
    """How the latest run's flags differ from what the threshold rule flags in its window."""
    ensure(actor, "intervention.calibration")
    latest = Flag.objects.filter(agency_id=actor.agency_id).order_by("-period_end").first()
    if latest is None:
        return None
    flagged = set(
        Flag.objects.filter(agency_id=actor.agency_id, period_end=latest.period_end).values_list(
            "member_id", flat=True
        )
    )
    members, days = force_event_days(
        agency_id=actor.agency_id, start=latest.period_start, end=latest.period_end
    )
    rule = threshold_rule(members, days, window_days=THRESHOLD_WINDOW_DAYS, count=THRESHOLD_COUNT)
    by_rule = {int(m) for m in rule.members[rule.flagged]}
    return RunComparison(
        period_start=latest.period_start.isoformat(),
        period_end=latest.period_end.isoformat(),
        peer_adjusted=len(flagged),
        threshold=len(by_rule),
        both=len(flagged & by_rule),
    )


@dataclass(frozen=True)
class ResponseSummary:
    responses: int
    agreed: int
    disputed: int
    interventions: dict[str, int]
    completed: int


def response_summary(*, actor: Actor) -> ResponseSummary:
    """Counts of supervisors' responses across the agency (no member, no reason)."""
    ensure(actor, "intervention.calibration")
    rows = SupervisorResponse.objects.filter(flag__agency_id=actor.agency_id)
    totals = rows.aggregate(
        n=Count("pk"),
        agreed=Count("pk", filter=Q(agreed=True)),
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
    )
    kinds = dict(
        rows.filter(agreed=True).values_list("intervention").annotate(n=Count("pk")).order_by()
    )
    return ResponseSummary(
        responses=totals["n"],
        agreed=totals["agreed"],
        disputed=totals["n"] - totals["agreed"],
        interventions={str(k): int(v) for k, v in kinds.items()},
        completed=totals["completed"],
    )


def calibration_report(*, actor: Actor) -> Recalibration:
    """Dispute rate of every factor across the agency and the weights the next run will use."""
    ensure(actor, "intervention.calibration")
    return recalibrate(response_records(agency_id=actor.agency_id), {})


def score_jobs(*, actor: Actor, limit: int = 10) -> list[Job]:
    """The agency's recent scoring jobs, for the scoring page."""
    ensure(actor, "intervention.score")
    jobs = Job.objects.filter(agency_id=actor.agency_id, kind=SCORE_JOB_KIND)
    return list(jobs.order_by("-created_at")[:limit])
