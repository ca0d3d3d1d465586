"""Helpers the review services share: locking, dates, starting a step, who to tell.

Not services themselves (they write nothing on their own account and audit nothing); they run
inside the calling service's transaction.
"""

from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.core.errors import NotFound
from steadyhand.policy.selectors import agency_local_date
from steadyhand.reviews.models import ForceReview, Level, ReviewStep
from steadyhand.reviews.notifications import notify, users_of
from steadyhand.reviews.routing import LEVEL_RANK, RANK_ORDER, RouteStep, resolve_assignee


def today_for(actor: Actor) -> date:
    return agency_local_date(agency_id=actor.agency_id)


def review_url(review: ForceReview) -> str:
    return reverse("reviews:detail", args=[review.pk])


def lock_review(*, actor: Actor, review_id: int) -> ForceReview:
    """Re-read the review for update, in the actor's agency (a stale copy is never written)."""
    found = (
        ForceReview.objects.select_for_update(of=("self",))
        .select_related("incident", "unit", "current_step")
        .filter(pk=review_id, agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No force review {review_id}.")
    return found


def chain_users(review: ForceReview, level: str) -> list[User]:
    """Who may take an unassigned step at ``level``: holders of a supervisor or commander grant
    covering the review's unit, of the level's rank or above (commanders, for the board)."""
    roles = [Role.COMMANDER] if level == Level.BOARD else [Role.SUPERVISOR, Role.COMMANDER]
    covering = Q(role_assignments__unit__isnull=True)
    for prefix in _prefixes(review.unit.path):
        covering |= Q(role_assignments__unit__path=prefix)
    users = User.objects.filter(
        covering, agency_id=review.agency_id, is_active=True, role_assignments__role__in=roles
    ).distinct()
    if level != Level.BOARD:
        needed = RANK_ORDER.index(LEVEL_RANK[level])
        users = users.filter(member__rank__in=RANK_ORDER[needed:])
    return list(users)


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def start_step(
    *, actor: Actor, review: ForceReview, step: RouteStep, today: date | None = None
) -> ReviewStep:
    """Make ``step`` the review's current step, due ``due_days`` from ``today``, and tell
    whoever takes it. The caller saves ``review``."""
    assignee = resolve_assignee(incident=review.incident, level=step.level)
    current = ReviewStep.objects.create(
        review=review,
        level=step.level,
        assignee=assignee,
        due_on=(today or today_for(actor)) + timedelta(days=step.due_days),
    )
    review.current_step = current
    recipients = users_of([assignee]) if assignee else chain_users(review, step.level)
    notify(
        actor=actor,
        recipients=recipients,
        text=(
            f"Force review of incident {review.incident.case_number} is waiting for you "
            f"({current.get_level_display().lower()} step, due {current.due_on:%Y-%m-%d})."
        ),
        link=review_url(review),
    )
    return current
