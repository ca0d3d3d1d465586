"""Writes of early intervention: the scoring run, a supervisor's response, completion.

Each: check permission, check state, validate, write, audit — in one transaction. Audit events
carry ids and field names only (the auditor role reads the log; a flag is not its business).

The ``intervention`` category is walled from internal affairs in the registry: flags are
supportive, never disciplinary.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.analytics.early_warning import ScoringConfig, recalibrate, score_members
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.core.versioning import check_version
from steadyhand.intervention.inputs import response_records, scoring_inputs
from steadyhand.intervention.models import (
    SCORE_JOB_KIND,
    Flag,
    FlagStatus,
    InterventionKind,
    SupervisorResponse,
)
from steadyhand.jobs.models import Job
from steadyhand.jobs.services import ProgressCallback, job_create
from steadyhand.training.models import Course, EnrolmentStatus
from steadyhand.training.services.catalogue import enrolment_create_remedial

MAX_REASON = 2000
DEFAULT_WINDOW_DAYS = 365
DEFAULT_FLAG_RATIO = 1.5
# The training app's label for this cause is "Early-intervention flag" (CAUSE_LABELS).
REMEDIAL_CAUSE = "early_intervention"
# What the training record says about why: nothing of the flag's content, which stays in the
# chain of command (trainers and the audit log read enrolments).
REMEDIAL_REASON = "Supportive remedial training agreed by the member's supervisor."


@dataclass(frozen=True)
class ScoringRun:
    """What one scoring run did."""

    members_scored: int
    flags_created: int
    already_flagged: int
    weights: Mapping[str, float]


def _check_run(*, window_days: int, flag_ratio: float) -> None:
    errors: dict[str, list[str]] = {}
    if window_days < 30:
        errors["window_days"] = ["Use a window of at least 30 days."]
    if not flag_ratio > 1:
        errors["flag_ratio"] = ["The flag level is a ratio to peers; use a number above 1."]
    if errors:
        raise InvalidInput(errors)


def _no_progress(done: int, total: int | None, message: str = "") -> None:
    return None


@transaction.atomic
def flags_score(
    *,
    actor: Actor,
    as_of: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    flag_ratio: float = DEFAULT_FLAG_RATIO,
    progress: ProgressCallback = _no_progress,
) -> ScoringRun:
    """Score every member of the actor's agency over the window ending ``as_of``; flag those at
    or above ``flag_ratio`` times their peers. Factor weights come from supervisors' feedback
    (:func:`steadyhand.analytics.early_warning.recalibrate`) over every response so far."""
    ensure(actor, "intervention.score")
    _check_run(window_days=window_days, flag_ratio=flag_ratio)
    end = as_of or timezone.localdate()
    start = end - timedelta(days=window_days - 1)
    progress(0, 3, "Reading incidents, involvements and complaints")
    weights = recalibrate(response_records(agency_id=actor.agency_id), {}).weights
    inputs = scoring_inputs(agency_id=actor.agency_id, start=start, end=end)
    if inputs is None:
        progress(3, 3, "Nothing to score in this window")
        return ScoringRun(0, 0, 0, weights)
    progress(1, 3, "Comparing members with their peers")
    try:
        config = ScoringConfig(flag_ratio=flag_ratio, weights=weights)
        result = score_members(inputs.periods, inputs.co_attendance, config=config)
    except ValueError as exc:
        raise InvalidInput({"scoring": [str(exc)]}) from exc
    progress(2, 3, "Writing flags")
    existing = set(
        Flag.objects.filter(agency_id=actor.agency_id, period_end=end).values_list(
            "member_id", flat=True
        )
    )
    created = already = 0
    for explanation in result.flags():
        member = inputs.members[explanation.member]
        if member.pk in existing:
            already += 1
            continue
        flag = Flag.objects.create(
            agency_id=actor.agency_id,
            member=member,
            unit=member.unit,
            period_start=start,
            period_end=end,
            score=explanation.score,
            combined_ratio=explanation.combined_ratio,
            peer_group=explanation.peer_group,
            peer_size=explanation.peer_size,
            exposure=explanation.exposure,
            factors=[
                {
                    "factor": f.factor,
                    "contribution": f.contribution,
                    "weight": f.weight,
                    "observed": f.observed,
                    "expected": f.expected,
                    "shrunk_ratio": f.shrunk_ratio,
                    "prob_above_peers": f.prob_above_peers,
                    "peer_rate": f.peer_rate,
                    "incidents": f.incidents,
                }
                for f in explanation.factors
            ],
        )
        audit_record(actor=actor, action="intervention.flag", obj=flag, changes={"run": str(end)})
        created += 1
    progress(3, 3, "Done")
    return ScoringRun(int(result.members.size), created, already, weights)


def flags_score_start(
    *,
    actor: Actor,
    as_of: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    flag_ratio: float = DEFAULT_FLAG_RATIO,
) -> Job:
    """Queue a scoring run as a background job the starter can follow; returns the job."""
    ensure(actor, "intervention.score")
    _check_run(window_days=window_days, flag_ratio=flag_ratio)
    end = as_of or timezone.localdate()
    with transaction.atomic():
        job = job_create(
            actor=actor,
            kind=SCORE_JOB_KIND,
            title=f"Early-intervention scoring up to {end:%Y-%m-%d}",
            params={
                "as_of": end.isoformat(),
                "window_days": window_days,
                "flag_ratio": flag_ratio,
                "link": {"url": reverse("intervention:score"), "label": "Back to scoring"},
            },
            total=3,
        )
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(job_id))
    return job


def _enqueue(job_id: int) -> None:
    from steadyhand.intervention.tasks import ei_score_job_task

    ei_score_job_task.enqueue(job_id)


def _lock(*, actor: Actor, flag: Flag) -> Flag:
    found = (
        Flag.objects.select_for_update(of=("self",))
        .select_related("unit", "member")
        .filter(pk=flag.pk, agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No early-intervention flag {flag.pk}.")
    return found


@transaction.atomic
def flag_respond(
    *,
    actor: Actor,
    flag: Flag,
    agreed: bool,
    reason: str = "",
    disputed_factors: Iterable[str] = (),
    intervention: str = "",
    due: date | None = None,
    course: Course | None = None,
    version: int | None = None,
) -> SupervisorResponse:
    """The supervisor agrees (and assigns a supportive intervention, due by ``due``) or disputes
    (with a reason, optionally naming the factors they reject).

    Remedial training enrols the member in ``course`` through the training app, as a force
    review's corrective action does (``authority="training.assign_remedial"``: the responder
    may assign members of their own chain of command)."""
    locked = _lock(actor=actor, flag=flag)
    ensure(actor, "intervention.respond", locked)
    if actor.member_id is None:
        raise InvalidInput({"responder": ["Your login is not linked to a member record."]})
    if actor.member_id == locked.member_id:
        raise InvalidInput({"responder": ["You cannot respond to a flag about yourself."]})
    # A stale page first: "someone else changed it, reload" explains more than "already done".
    check_version(locked, version)
    if locked.status != FlagStatus.OPEN:
        raise InvalidInput({"status": ["This flag already has a response."]})
    reason = reason.strip()
    disputed = sorted(set(disputed_factors))
    errors: dict[str, list[str]] = {}
    if len(reason) > MAX_REASON:
        errors["reason"] = [f"Keep the reason under {MAX_REASON} characters."]
    unknown = [f for f in disputed if f not in locked.shown_factors]
    if unknown:
        errors["disputed_factors"] = [f"Not on this flag: {', '.join(unknown)}."]
    if agreed and intervention not in InterventionKind.values:
        errors["intervention"] = ["Choose a supportive intervention for an agreed flag."]
    if not agreed and intervention:
        errors["intervention"] = ["A disputed flag gets no intervention."]
    if not agreed and not reason:
        errors["reason"] = ["Say why you disagree: it is used to recalibrate the score."]
    if agreed and due is None:
        errors["due"] = ["Give the date the intervention should be done by."]
    elif agreed and due is not None and due < timezone.localdate():
        errors["due"] = ["The due date is in the past."]
    remedial = agreed and intervention == InterventionKind.REMEDIAL_TRAINING
    if remedial and course is None:
        errors["course"] = ["Choose the course of the remedial training."]
    elif (
        remedial
        and course is not None
        and (course.agency_id != actor.agency_id or not course.active)
    ):
        errors["course"] = ["Choose an active course of your agency."]
    if errors:
        raise InvalidInput(errors)
    enrolment = None
    if remedial:
        assert course is not None  # checked above
        enrolment = enrolment_create_remedial(
            actor=actor,
            member=locked.member,
            course=course,
            cause_type=REMEDIAL_CAUSE,
            cause_id=locked.pk,
            reason=REMEDIAL_REASON,
            authority="training.assign_remedial",
        )
    response = SupervisorResponse.objects.create(
        flag=locked,
        responder_id=actor.member_id,
        agreed=agreed,
        reason=reason,
        disputed_factors=disputed,
        intervention=intervention if agreed else "",
        due=due if agreed else None,
        enrolment=enrolment,
    )
    locked.status = FlagStatus.AGREED if agreed else FlagStatus.DISPUTED
    locked.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="intervention.respond",
        obj=locked,
        changes={
            "agreed": agreed,
            "disputed_factors": disputed,
            "intervention": intervention,
            "enrolment": enrolment.pk if enrolment else None,
        },
    )
    return response


@transaction.atomic
def intervention_complete(
    *, actor: Actor, flag: Flag, version: int | None = None
) -> SupervisorResponse:
    """Record that the agreed intervention was completed; closes the flag. Remedial training
    is complete only when the training app records its enrolment as completed."""
    locked = _lock(actor=actor, flag=flag)
    ensure(actor, "intervention.respond", locked)
    response = (
        SupervisorResponse.objects.select_for_update(of=("self",))
        .select_related("enrolment")
        .filter(flag=locked)
        .first()
    )
    check_version(locked, version)
    if response is None or not response.agreed or locked.status != FlagStatus.AGREED:
        raise InvalidInput({"status": ["Only an agreed flag's intervention can be completed."]})
    enrolment = response.enrolment
    if enrolment is not None and enrolment.status != EnrolmentStatus.COMPLETED:
        raise InvalidInput(
            {
                "status": [
                    "The remedial training is not completed yet (its enrolment is "
                    f"“{enrolment.get_status_display().lower()}”). It completes when the "
                    "trainer records it; mark the intervention complete after that."
                ]
            }
        )
    response.completed_at = timezone.now()
    response.save(update_fields=["completed_at", "updated_at"])
    locked.status = FlagStatus.CLOSED
    locked.save(update_fields=["status", "version", "updated_at"])
    audit_record(actor=actor, action="intervention.complete", obj=locked)
    return response
