"""Force reviews in every state for the demo agency, written through the real services.

For the demo generator to call after the incident history (``build_review_history``): the most
recent submitted force incidents get a review each (older ones are left to
``steadyhand reviews_open_missing``, which an operator may run), then, deterministically by
position, some are walked up their whole route and closed (a few with corrective actions:
counselling, remedial training, a referral to internal affairs), some returned for correction,
some left overdue and escalated, and the rest left waiting at their first step.

Each reviewer acts as themselves: a system actor carrying the assignee's member id and the
grant their rank implies, labelled ``demo:<badge>`` in the audit log.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from steadyhand.access.actor import Actor, Grant
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency, Member, MemberStatus
from steadyhand.core.errors import PermissionDenied
from steadyhand.incidents.models import Incident, IncidentStatus
from steadyhand.reviews.models import CorrectiveKind, Decision, ForceReview, Level, ReviewStatus
from steadyhand.reviews.routing import LEVEL_RANK, RANK_ORDER, rank_at_least
from steadyhand.reviews.rules import involved_member_ids
from steadyhand.reviews.services import (
    FindingsInput,
    corrective_action_create,
    review_decide,
    review_open_for_incident,
    reviews_escalate_overdue,
)
from steadyhand.training.models import Course

RECENT = 40
WITHIN = FindingsInput(within_policy=True, de_escalation="yes", duty_to_intervene="na")
SHORTFALL = FindingsInput(
    within_policy=True,
    de_escalation="no",
    duty_to_intervene="na",
    tactics_issues="Closed the distance before cover arrived; no attempt to slow the encounter.",
    training_issues="Time and distance; calling for a crisis-trained officer earlier.",
    remedial_training_needed=True,
)


@dataclass(frozen=True)
class ReviewHistoryCounts:
    opened: int
    closed: int
    returned: int
    escalated: int
    corrective: int


def _system(agency: Agency) -> Actor:
    return Actor.system(agency_id=agency.pk, label="demo:reviews", roles=(Role.COMMANDER,))


def _acting_as(agency: Agency, member: Member) -> Actor:
    role = Role.COMMANDER if rank_at_least(member.rank, "captain") else Role.SUPERVISOR
    account = getattr(member, "user_account", None)
    return Actor(
        agency_id=agency.pk,
        user_id=account.pk if account is not None else None,
        label=f"demo:{member.badge}",
        grants=(Grant(role=role),),
        member_id=member.pk,
        member_unit_path=member.unit.path,
        is_system=True,
    )


def _reviewer(agency: Agency, review: ForceReview) -> Actor:
    step = review.current_step
    if step is None or step.level == Level.BOARD:
        return _system(agency)
    if step.assignee is not None:
        return _acting_as(agency, step.assignee)
    # Unassigned: someone of the level's rank or above in the incident's chain, not involved.
    chain = [int(p) for p in review.unit.path.strip("/").split("/") if p]
    stand_in = (
        Member.objects.filter(
            agency=agency,
            status=MemberStatus.ACTIVE,
            unit_id__in=chain,
            rank__in=RANK_ORDER[RANK_ORDER.index(LEVEL_RANK[step.level]) :],
        )
        .exclude(pk__in=involved_member_ids(review))
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    return _acting_as(agency, stand_in) if stand_in is not None else _system(agency)


def _decide(agency: Agency, review: ForceReview, decision: str, **kw: object) -> ForceReview:
    review = ForceReview.objects.select_related(
        "unit", "incident", "current_step__assignee__unit"
    ).get(pk=review.pk)
    return review_decide(
        actor=_reviewer(agency, review),
        review=review,
        expected_version=review.version,
        decision=decision,
        **kw,  # type: ignore[arg-type]
    )


def _close(agency: Agency, review: ForceReview, findings: FindingsInput) -> ForceReview:
    """Approve up the whole route; stop (leaving it open) where nobody in the chain may act."""
    while review.status == ReviewStatus.OPEN:
        try:
            review = _decide(agency, review, Decision.APPROVE, findings=findings)
        except PermissionDenied:
            break
    return review


def build_review_history(*, agency: Agency, as_of: date) -> ReviewHistoryCounts:
    """Reviews of the agency's ``RECENT`` latest submitted force incidents, in every state."""
    system = _system(agency)
    incidents = list(
        Incident.objects.filter(
            agency=agency, status=IncidentStatus.SUBMITTED, force_used=True,
            force_review__isnull=True,
        ).order_by("-occurred_at", "-pk")[:RECENT]
    )  # fmt: skip
    course = (
        Course.objects.filter(agency=agency, active=True, topic__code="de_escalation")
        .order_by("code")
        .first()
    )
    # Corrective actions are due after the day the demo is built, even when its history ends
    # earlier (tests build it as of a fixed date): a due date in the past is refused.
    due_from = max(as_of, date.today())
    closed = returned = escalated = corrective = opened = 0
    for index, incident in enumerate(reversed(incidents)):
        review = review_open_for_incident(actor=system, incident=incident)
        if review is None:
            continue
        opened += 1
        state = index % 10
        if state in (0, 1, 2, 3):  # closed, within policy
            _close(agency, review, WITHIN)
            closed += 1
        elif state == 4:  # closed after remedial training was assigned
            member = incident.involvements.filter(member__isnull=False).first()
            if member is not None and member.member is not None and course is not None:
                corrective_action_create(
                    actor=system, review=review, kind=CorrectiveKind.REMEDIAL_TRAINING,
                    member=member.member, due_on=due_from + timedelta(days=60),
                    note="De-escalation refresher after the review's findings.", course=course,
                )  # fmt: skip
                corrective_action_create(
                    actor=system, review=review, kind=CorrectiveKind.COUNSELLING,
                    member=member.member, due_on=due_from + timedelta(days=14),
                    note="Talk through the approach and when to call for a CIT officer.",
                )  # fmt: skip
                corrective += 2
                _close(agency, review, SHORTFALL)
            else:
                _close(agency, review, WITHIN)
            closed += 1
        elif state == 5:  # returned for correction
            _decide(
                agency, review, Decision.RETURN,
                reason="The timeline does not say what warning was given before force.",
            )  # fmt: skip
            returned += 1
        elif state == 6:  # referred to internal affairs, still open
            member = incident.involvements.filter(member__isnull=False).first()
            if member is not None and member.member is not None:
                corrective_action_create(
                    actor=system, review=review, kind=CorrectiveKind.IA_REFERRAL,
                    member=member.member, due_on=due_from + timedelta(days=30),
                    note="Force continued after the subject was restrained.",
                )  # fmt: skip
                corrective += 1
        elif state == 7:  # left overdue: escalated below
            ForceReview.objects.get(pk=review.pk).steps.update(
                due_on=as_of - timedelta(days=3 + index % 5)
            )
            escalated += 1
        # 8, 9: waiting at their first step
    if escalated:
        reviews_escalate_overdue(actor=system, today=as_of)
    return ReviewHistoryCounts(
        opened=opened, closed=closed, returned=returned, escalated=escalated,
        corrective=corrective,
    )  # fmt: skip
