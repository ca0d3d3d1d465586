"""Reads of force reviews, corrective actions and notifications, filtered by the access rules.

A force review names the members involved and the findings about them: opening one
(``review_get_visible``) is logged. Lists show case numbers, levels and dates only.
The members involved see their own review once it is closed, never before.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.agencies.models import Member
from steadyhand.audit.services import audit_read
from steadyhand.core.errors import NotFound
from steadyhand.incidents.models import Involvement
from steadyhand.policy.selectors import agency_local_date
from steadyhand.reviews.models import (
    CorrectiveAction,
    CorrectiveKind,
    CorrectiveStatus,
    ForceReview,
    Notification,
    ReviewRoute,
    ReviewStatus,
    ReviewStep,
)
from steadyhand.reviews.routing import RouteStep, routes_for_agency
from steadyhand.reviews.rules import refusal_given

LIST_LIMIT = 200


def _own_closed(user_id: int) -> Q:
    involved = Involvement.objects.filter(member__user_account__id=user_id).values("incident_id")
    return Q(status=ReviewStatus.CLOSED) & (
        Q(incident_id__in=involved) | Q(incident__reported_by__user_account__id=user_id)
    )


def reviews_visible(*, actor: Actor) -> QuerySet[ForceReview]:
    """Reviews in the actor's chain of command, and their own once closed."""
    return ForceReview.objects.filter(
        visible_q(actor, "review.view", unit_path_field="unit__path", owned_q=_own_closed)
    ).select_related("incident", "unit", "current_step__assignee")


def review_get_visible(*, actor: Actor, review_id: int, log_read: bool = True) -> ForceReview:
    """One review, or ``NotFound`` whether missing or not the actor's to see. The read is
    logged."""
    review = reviews_visible(actor=actor).filter(pk=review_id).first()
    if review is None:
        raise NotFound(f"No force review {review_id}.")
    if log_read:
        with transaction.atomic():
            audit_read(actor=actor, obj=review)
    return review


def review_steps(*, review: ForceReview) -> QuerySet[ReviewStep]:
    return review.steps.select_related("assignee", "acted_by").order_by("pk")


def review_corrective_actions(*, review: ForceReview) -> QuerySet[CorrectiveAction]:
    return review.corrective_actions.select_related("member", "enrolment__course").order_by(
        "due_on", "pk"
    )


def review_involved(*, review: ForceReview) -> QuerySet[Involvement]:
    return review.incident.involvements.filter(member__isnull=False).select_related("member")


def review_returned_to_reporter(*, actor: Actor, review_id: int) -> ForceReview:
    """A review returned for correction, for its reporting officer to answer. The reporter
    sees only the incident's case number and the reason, not the review."""
    review = (
        ForceReview.objects.filter(
            pk=review_id,
            agency_id=actor.agency_id,
            status=ReviewStatus.RETURNED,
            incident__reported_by_id=actor.member_id,
        )
        .select_related("incident", "current_step")
        .first()
    )
    if review is None or actor.member_id is None:
        raise NotFound(f"No report of yours returned for correction ({review_id}).")
    return review


def returned_to_me(*, actor: Actor) -> QuerySet[ForceReview]:
    if actor.member_id is None:
        return ForceReview.objects.none()
    return ForceReview.objects.filter(
        agency_id=actor.agency_id,
        status=ReviewStatus.RETURNED,
        incident__reported_by_id=actor.member_id,
    ).select_related("incident", "current_step")


@dataclass(frozen=True)
class DueReview:
    review: ForceReview
    step: ReviewStep
    mine: bool  # the actor may take the step now
    today: date

    @property
    def overdue(self) -> bool:
        return self.step.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return max(0, (self.today - self.step.due_on).days)


def reviews_due_in_chain(*, actor: Actor, today: date | None = None) -> list[DueReview]:
    """Open steps in the actor's chain, the ones the actor may take first, then the rest
    (a commander sees their captains' and lieutenants' overdue steps), soonest due first."""
    if not can(actor, "review.act"):
        return []
    today = today or agency_local_date(agency_id=actor.agency_id)
    reviews = list(
        ForceReview.objects.filter(
            visible_q(actor, "review.act", unit_path_field="unit__path"),
            status=ReviewStatus.OPEN,
            current_step__acted_at__isnull=True,
        )
        .select_related("incident", "unit", "current_step__assignee")
        .order_by("current_step__due_on", "pk")[:LIST_LIMIT]
    )
    # The actor's rank and involvements once for the list, not once per review.
    rank = None
    involved: set[int] = set()
    if actor.member_id is not None:
        rank = Member.objects.filter(pk=actor.member_id).values_list("rank", flat=True).first()
        involved = set(
            ForceReview.objects.filter(pk__in=[r.pk for r in reviews])
            .filter(
                Q(incident__involvements__member_id=actor.member_id)
                | Q(incident__reported_by_id=actor.member_id)
            )
            .values_list("pk", flat=True)
        )
    rows = []
    for review in reviews:
        step = review.current_step
        assert step is not None
        refusal = refusal_given(actor, review, step, involved=review.pk in involved, rank=rank)
        rows.append(DueReview(review, step, refusal is None, today))
    rows.sort(key=lambda r: (not r.mine, r.step.due_on, r.review.pk))
    return rows


def reviews_returned_in_chain(*, actor: Actor) -> QuerySet[ForceReview]:
    return ForceReview.objects.filter(
        visible_q(actor, "review.act", unit_path_field="unit__path"),
        status=ReviewStatus.RETURNED,
    ).select_related("incident", "current_step")


def _open_q() -> Q:
    """Open, and — for remedial training — the enrolment not yet completed."""
    return Q(status=CorrectiveStatus.OPEN) & ~Q(enrolment__status="completed")


def corrective_actions_visible(*, actor: Actor) -> QuerySet[CorrectiveAction]:
    """Corrective actions of the reviews the actor may read (IA: referrals among them);
    a member's own once the review is closed."""

    def own(user_id: int) -> Q:
        return Q(member__user_account__id=user_id, review__status=ReviewStatus.CLOSED)

    return CorrectiveAction.objects.filter(
        visible_q(
            actor,
            "review.view",
            agency_field="review__agency_id",
            unit_path_field="review__unit__path",
            owned_q=own,
        )
    ).select_related("review__incident", "member", "enrolment__course")


def corrective_to_follow_up(*, actor: Actor) -> QuerySet[CorrectiveAction]:
    """Open corrective actions in the actor's chain, soonest due first."""
    return (
        CorrectiveAction.objects.filter(
            visible_q(
                actor,
                "corrective.manage",
                agency_field="review__agency_id",
                unit_path_field="review__unit__path",
            )
        )
        .filter(_open_q())
        .select_related("review__incident", "member", "enrolment__course")
        .order_by("due_on", "pk")
    )


def ia_referrals(*, actor: Actor) -> QuerySet[CorrectiveAction]:
    return corrective_actions_visible(actor=actor).filter(kind=CorrectiveKind.IA_REFERRAL)


def notifications_for(*, actor: Actor) -> QuerySet[Notification]:
    return Notification.objects.filter(agency_id=actor.agency_id, recipient_id=actor.user_id)


def unread_count(*, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return notifications_for(actor=actor).filter(read=False).count()


def routes_table(*, actor: Actor) -> dict[int, tuple[RouteStep, ...]]:
    return routes_for_agency(agency_id=actor.agency_id)


def route_versions(*, actor: Actor) -> dict[int, int]:
    return dict(
        ReviewRoute.objects.filter(agency_id=actor.agency_id).values_list("force_level", "version")
    )
