"""Moving overdue steps up the chain (``steadyhand reviews_escalate``, daily).

An overdue step closes as escalated and the next rung of the ladder takes the review (even a
rung the route would have skipped: a late sergeant's review goes to the lieutenant). An overdue
board step has nowhere to go; it is flagged once and the commanders are told.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.audit.services import audit_record
from steadyhand.reviews.models import Decision, ForceReview, Level, ReviewStatus
from steadyhand.reviews.notifications import notify, users_of
from steadyhand.reviews.routing import next_level, parse_steps
from steadyhand.reviews.stepping import (
    chain_users,
    lock_review,
    review_url,
    start_step,
    today_for,
)


@dataclass(frozen=True)
class EscalationResult:
    escalated: int
    flagged: int


@transaction.atomic
def reviews_escalate_overdue(*, actor: Actor, today: date | None = None) -> EscalationResult:
    """Escalate every step of the actor's agency whose due date has passed."""
    ensure(actor, "review.configure", Scope(agency_id=actor.agency_id))
    today = today or today_for(actor)
    overdue = ForceReview.objects.filter(
        agency_id=actor.agency_id,
        status=ReviewStatus.OPEN,
        current_step__acted_at__isnull=True,
        current_step__due_on__lt=today,
        current_step__escalated_overdue=False,
    ).values_list("pk", flat=True)
    escalated = flagged = 0
    for review_id in list(overdue):
        review = lock_review(actor=actor, review_id=review_id)
        step = review.current_step
        if step is None or not step.is_open or step.due_on >= today or step.escalated_overdue:
            continue  # moved on since the list was read
        reason = f"Overdue: due {step.due_on:%Y-%m-%d}, not taken by {today:%Y-%m-%d}."
        following = next_level(route=parse_steps(review.route), after=step.level, forced=True)
        step.escalated_overdue = True
        if following is None:
            step.save(update_fields=["escalated_overdue", "updated_at"])
            notify(
                actor=actor,
                recipients=chain_users(review, Level.BOARD),
                text=f"The board's review of incident {review.incident.case_number} is overdue.",
                link=review_url(review),
            )
            audit_record(
                actor=actor, action="force_review.overdue", obj=review, reason=reason,
                changes={"step": [step.level, "overdue"]},
            )  # fmt: skip
            flagged += 1
            continue
        step.decision = Decision.ESCALATE
        step.reason = reason
        step.acted_at = timezone.now()
        step.save()
        late = users_of([step.assignee]) if step.assignee else []
        notify(
            actor=actor,
            recipients=late,
            text=f"Your review of incident {review.incident.case_number} was overdue and has "
            f"moved up to the {following.level}.",
            link=review_url(review),
        )
        start_step(actor=actor, review=review, step=following, today=today)
        review.version += 1  # anyone holding the old page must reload before acting
        review.save()
        audit_record(
            actor=actor,
            action="force_review.escalate",
            obj=review,
            changes={"next_level": [step.level, following.level]},
            reason=reason,
        )
        escalated += 1
    return EscalationResult(escalated=escalated, flagged=flagged)
