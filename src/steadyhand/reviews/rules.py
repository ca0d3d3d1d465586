"""Who may take the current step of a review, beyond holding ``review.act`` over its unit.

Kept apart from the services so that pages can hide the step form with the same rule the
services enforce (the services still decide).
"""

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member
from steadyhand.reviews.models import ForceReview, Level, ReviewStatus, ReviewStep
from steadyhand.reviews.routing import rank_at_least


def involved_member_ids(review: ForceReview) -> set[int]:
    ids = set(
        review.incident.involvements.filter(member__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    if review.incident.reported_by_id is not None:
        ids.add(review.incident.reported_by_id)
    return ids


def holds_commander_over(actor: Actor, review: ForceReview) -> bool:
    return any(g.covers(review.unit.path) for g in actor.grants_for(frozenset({Role.COMMANDER})))


def step_refusal(actor: Actor, review: ForceReview, step: ReviewStep | None) -> str | None:
    """Why ``actor`` may not act on ``step`` of ``review`` now (None: they may)."""
    if not can(actor, "review.act", review):
        return "You may not act on force reviews outside your chain of command."
    member = Member.objects.filter(pk=actor.member_id).first() if actor.member_id else None
    involved = actor.member_id is not None and actor.member_id in involved_member_ids(review)
    return refusal_given(
        actor, review, step, involved=involved, rank=member.rank if member else None
    )


def refusal_given(
    actor: Actor,
    review: ForceReview,
    step: ReviewStep | None,
    *,
    involved: bool,
    rank: str | None,
) -> str | None:
    """``step_refusal`` once ``review.act`` over the review is known, with the actor's rank and
    involvement looked up by the caller (once for a whole list)."""
    if review.status != ReviewStatus.OPEN or step is None or not step.is_open:
        return f"This review is {review.get_status_display().lower()}: no step is waiting."
    if involved:
        return "You were involved in this incident; someone else in the chain reviews it."
    if step.assignee_id is not None:
        if step.assignee_id == actor.member_id:
            return None
        return f"This step is assigned to {step.assignee}; only they may take it."
    if step.level == Level.BOARD:
        if holds_commander_over(actor, review):
            return None
        return "Only a commander acts for the force review board."
    if rank is not None and rank_at_least(rank, step.level):
        return None
    return f"This step needs a {Level(step.level).label.lower()} or above in the chain."
