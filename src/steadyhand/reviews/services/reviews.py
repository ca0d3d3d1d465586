"""Opening a force review, the reviewers' findings and decisions, and the reporter's answer to
a return. Each write: permission, state, version, change, audit event — one transaction.

A return for correction puts a report filed here back in its reporter's hands (the incidents
app's ``incident_return_for_correction``); their resubmission (``incident_resubmit``) calls
``review_continue_after_correction``, and the review goes on at the level that returned it."""

from dataclasses import asdict, dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can, ensure
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound, PermissionDenied
from steadyhand.core.versioning import check_version, model_changes
from steadyhand.incidents.models import Incident, IncidentStatus
from steadyhand.incidents.returns import correctable
from steadyhand.incidents.services.correction import incident_return_for_correction
from steadyhand.incidents.services.submission import incident_resubmit
from steadyhand.reviews.models import (
    CorrectiveKind,
    Decision,
    ForceReview,
    ReviewStatus,
    ReviewStep,
    YesNoNa,
)
from steadyhand.reviews.notifications import notify, users_of
from steadyhand.reviews.routing import RouteStep, next_level, parse_steps, route_for
from steadyhand.reviews.rules import step_refusal
from steadyhand.reviews.stepping import lock_review, review_url, start_step

MAX_TEXT = 5000


@dataclass(frozen=True)
class FindingsInput:
    within_policy: bool | None
    de_escalation: str
    duty_to_intervene: str
    tactics_issues: str = ""
    training_issues: str = ""
    equipment_issues: str = ""
    remedial_training_needed: bool = False


# Opening -------------------------------------------------------------------------------------


@transaction.atomic
def review_open_for_incident(*, actor: Actor, incident: Incident) -> ForceReview | None:
    """Open the force review of a submitted incident in which force was used.

    Idempotent: the incident's existing review is returned unchanged; an incident without force
    (or still in draft) gets none and ``None`` is returned. The incidents app calls this from
    ``incident_submit`` with the reporting officer as actor, so the reporter of the incident
    may open it, as may anyone who may act on reviews over the incident's unit, and the
    integration account that pushed the incident in through the API (``incident.import``).
    """
    if not (can(actor, "review.act", incident) or can(actor, "incident.import")):
        ensure(actor, "incident.report", incident)
    locked = Incident.objects.select_for_update().select_related("unit").get(pk=incident.pk)
    existing = ForceReview.objects.filter(incident=locked).first()
    if existing is not None:
        return existing
    if locked.status != IncidentStatus.SUBMITTED or not locked.force_used:
        return None
    route = route_for(agency_id=locked.agency_id, force_level=locked.highest_force_level)
    review = ForceReview.objects.create(
        agency_id=locked.agency_id,
        incident=locked,
        unit=locked.unit,
        force_level=locked.highest_force_level,
        route=[s.as_json() for s in route],
    )
    start_step(actor=actor, review=review, step=route[0])
    review.save(update_fields=["current_step", "updated_at"])
    audit_record(
        actor=actor,
        action="force_review.open",
        obj=review,
        changes={
            "incident": [None, locked.case_number],
            "force_level": [None, locked.highest_force_level],
            "route": [None, [s.level for s in route]],
        },
    )
    return review


def review_open_hook(*, actor: Actor, incident: Incident) -> None:
    """For ``incident_submit`` to call after it saves the submission (no signals): opens the
    review when the submitted incident used force, and does nothing otherwise."""
    if incident.force_used:
        review_open_for_incident(actor=actor, incident=incident)


@transaction.atomic
def reviews_open_missing(*, actor: Actor) -> int:
    """Open a review for every submitted force incident of the agency that has none (imported
    or demo incidents, or ones submitted before reviews existed). Returns how many opened."""
    ensure(actor, "review.configure")
    missing = (
        Incident.objects.filter(
            agency_id=actor.agency_id,
            status=IncidentStatus.SUBMITTED,
            force_used=True,
            force_review__isnull=True,
        )
        .order_by("occurred_at", "pk")
        .only("pk")
    )
    opened = 0
    for incident in missing:
        if review_open_for_incident(actor=actor, incident=incident) is not None:
            opened += 1
    return opened


# Findings and decisions ----------------------------------------------------------------------


def _check_findings(findings: FindingsInput) -> None:
    errors: dict[str, list[str]] = {}
    codes = {c.value for c in YesNoNa}
    for name in ("de_escalation", "duty_to_intervene"):
        value = getattr(findings, name)
        if value and value not in codes:
            errors[name] = [f"Choose yes, no or not applicable (not “{value}”)."]
    for name in ("tactics_issues", "training_issues", "equipment_issues"):
        if len(getattr(findings, name)) > MAX_TEXT:
            errors[name] = [f"Keep this under {MAX_TEXT} characters."]
    if errors:
        raise InvalidInput(errors)


def _apply_findings(review: ForceReview, findings: FindingsInput) -> dict[str, list[object]]:
    _check_findings(findings)
    values = asdict(findings)
    for name in ("tactics_issues", "training_issues", "equipment_issues"):
        values[name] = values[name].strip()
    return model_changes(review, values)


def _actionable(*, actor: Actor, review_id: int, expected_version: int | None) -> ForceReview:
    review = lock_review(actor=actor, review_id=review_id)
    ensure(actor, "review.act", review)
    refusal = step_refusal(actor, review, review.current_step)
    if refusal is not None:
        if review.status != ReviewStatus.OPEN:
            raise InvalidInput({"status": [refusal]})
        raise PermissionDenied("review.act", refusal)
    check_version(review, expected_version)
    return review


@transaction.atomic
def review_findings_save(
    *, actor: Actor, review: ForceReview, expected_version: int | None, findings: FindingsInput
) -> ForceReview:
    """Save the findings without deciding yet (the reviewer may come back to them)."""
    review = _actionable(actor=actor, review_id=review.pk, expected_version=expected_version)
    changes = _apply_findings(review, findings)
    review.save()
    audit_record(actor=actor, action="force_review.findings", obj=review, changes=changes)
    return review


def _missing_findings(review: ForceReview) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if review.within_policy is None:
        errors["within_policy"] = ["Say whether the force was within policy."]
    if not review.de_escalation:
        errors["de_escalation"] = ["Say whether de-escalation was attempted as policy requires."]
    if not review.duty_to_intervene:
        errors["duty_to_intervene"] = ["Say whether the duty to intervene was met."]
    return errors


def _close_step(actor: Actor, step: ReviewStep, decision: str, reason: str) -> None:
    step.decision = decision
    step.reason = reason
    step.acted_at = timezone.now()
    step.acted_by_id = actor.user_id
    step.save()


def _route(review: ForceReview) -> tuple[RouteStep, ...]:
    return parse_steps(review.route)


@transaction.atomic
def review_decide(
    *,
    actor: Actor,
    review: ForceReview,
    expected_version: int | None,
    decision: str,
    reason: str = "",
    findings: FindingsInput | None = None,
) -> ForceReview:
    """Take the current step: approve (the next level's step starts, or the review closes),
    return the report to its reporting officer for correction, or escalate to the next level.
    """
    review = _actionable(actor=actor, review_id=review.pk, expected_version=expected_version)
    reason = reason.strip()
    changes = _apply_findings(review, findings) if findings is not None else {}
    step = review.current_step
    assert step is not None  # _actionable refuses a review without an open step
    if decision == Decision.APPROVE:
        missing = _missing_findings(review)
        if missing:
            raise InvalidInput(missing)
        following = next_level(route=_route(review), after=step.level, forced=False)
        if following is None:
            _require_remedial_assigned(review)
    elif decision in (Decision.RETURN, Decision.ESCALATE):
        if not reason:
            doing = "returning the report" if decision == Decision.RETURN else "escalating"
            raise InvalidInput({"reason": [f"Give the reason for {doing}."]})
        following = None
        if decision == Decision.ESCALATE:
            following = next_level(route=_route(review), after=step.level, forced=True)
            if following is None:
                raise InvalidInput(
                    {"decision": ["The board is the last level: approve or return the report."]}
                )
    else:
        raise InvalidInput({"decision": [f"Unknown decision “{decision}”."]})

    _close_step(actor, step, decision, reason)
    changes["step"] = [step.level, decision]
    if decision == Decision.RETURN:
        changes.update(model_changes(review, {"status": ReviewStatus.RETURNED}))
        _send_report_back(actor, review, reason)
        _tell_reporter_of_return(actor, review, reason)
    elif following is not None:
        start_step(actor=actor, review=review, step=following)
        changes["next_level"] = [step.level, following.level]
    else:
        changes.update(
            model_changes(
                review,
                {"status": ReviewStatus.CLOSED, "closed_at": timezone.now(), "current_step": None},
            )
        )
        _tell_involved_of_closing(actor, review)
    review.save()
    audit_record(
        actor=actor, action=f"force_review.{decision}", obj=review, changes=changes, reason=reason
    )
    return review


def _require_remedial_assigned(review: ForceReview) -> None:
    if (
        review.remedial_training_needed
        and not review.corrective_actions.filter(kind=CorrectiveKind.REMEDIAL_TRAINING).exists()
    ):
        raise InvalidInput(
            {
                "remedial_training_needed": [
                    "The findings call for remedial training: assign it under Corrective "
                    "actions before the review closes."
                ]
            }
        )


def _send_report_back(actor: Actor, review: ForceReview, reason: str) -> None:
    """A report filed here goes back to its reporter to edit (the incidents app keeps who may
    change it then); an imported record's return is answered with a note on the review."""
    if correctable(review.incident):
        review.incident = incident_return_for_correction(
            actor=actor, incident=review.incident, reason=reason
        )


def _tell_reporter_of_return(actor: Actor, review: ForceReview, reason: str) -> None:
    incident = review.incident
    link = (
        reverse("incidents:report_review", args=[incident.pk])
        if incident.is_returned
        else reverse("reviews:resubmit", args=[review.pk])
    )
    notify(
        actor=actor,
        recipients=users_of([incident.reported_by]),
        text=(
            f"Your report of incident {incident.case_number} was returned for correction: {reason}"
        ),
        link=link,
    )


def _tell_involved_of_closing(actor: Actor, review: ForceReview) -> None:
    members = [i.member for i in review.incident.involvements.select_related("member")]
    notify(
        actor=actor,
        recipients=users_of([*members, review.incident.reported_by]),
        text=f"The force review of incident {review.incident.case_number} is closed; "
        "you can read it.",
        link=review_url(review),
    )


def _check_reporter(actor: Actor, incident: Incident) -> None:
    ensure(actor, "incident.report", incident)
    if actor.member_id is None or actor.member_id != incident.reported_by_id:
        raise PermissionDenied("incident.report", "Only the reporting officer answers a return.")


def _continue(actor: Actor, review: ForceReview, response: str) -> ForceReview:
    """The review goes on at the level that returned it, with a fresh due date; the step that
    returned it keeps the reporter's answer."""
    returned = review.current_step
    assert returned is not None  # a returned review keeps its returning step as current
    changes = model_changes(review, {"status": ReviewStatus.OPEN})
    again = next((s for s in _route(review) if s.level == returned.level), None) or RouteStep(
        returned.level, 7
    )
    returned.response = response
    returned.save(update_fields=["response", "updated_at"])
    start_step(actor=actor, review=review, step=again)
    review.save()
    audit_record(
        actor=actor,
        action="force_review.resubmit",
        obj=review,
        changes={**changes, "correction": [None, response], "level": [None, returned.level]},
        reason=response,
    )
    return review


@transaction.atomic
def review_continue_after_correction(
    *, actor: Actor, incident: Incident, response: str
) -> ForceReview:
    """For ``incident_resubmit`` to call once the corrected report is resubmitted (no
    signals): the review continues at the level that returned it."""
    found = ForceReview.objects.filter(incident_id=incident.pk, agency_id=actor.agency_id).first()
    if found is None:
        raise NotFound(f"No force review of incident {incident.case_number}.")
    review = lock_review(actor=actor, review_id=found.pk)
    _check_reporter(actor, review.incident)
    if review.status != ReviewStatus.RETURNED:
        raise InvalidInput({"status": ["This report is not waiting for a correction."]})
    check_version(review, None)
    return _continue(actor, review, response)


@transaction.atomic
def review_resubmit(
    *, actor: Actor, review: ForceReview, expected_version: int | None, correction: str
) -> ForceReview:
    """The reporting officer answers a return with a note. For a report filed here this is a
    resubmission of the report (``incident_resubmit``: the report's changes since the return
    are listed with the note); for an imported record, the note alone goes back to the level
    that returned it, with a fresh due date."""
    review = lock_review(actor=actor, review_id=review.pk)
    _check_reporter(actor, review.incident)
    if review.status != ReviewStatus.RETURNED:
        raise InvalidInput({"status": ["This report is not waiting for a correction."]})
    correction = correction.strip()
    if not correction:
        raise InvalidInput({"correction": ["Say what you corrected or added."]})
    check_version(review, expected_version)
    if review.incident.is_returned:
        incident_resubmit(
            actor=actor, incident=review.incident, expected_version=None, note=correction
        )
        return lock_review(actor=actor, review_id=review.pk)
    return _continue(actor, review, correction)
