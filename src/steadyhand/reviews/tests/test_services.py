"""Opening, routing, deciding, returning and escalating force reviews."""

from datetime import timedelta

import pytest

from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from steadyhand.incidents.models import IncidentStatus
from steadyhand.reviews import services
from steadyhand.reviews.models import (
    Decision,
    ForceReview,
    Level,
    Notification,
    ReviewRoute,
    ReviewStatus,
)
from steadyhand.reviews.routing import RouteStep
from steadyhand.reviews.services import FindingsInput
from steadyhand.reviews.tests.factories import Chain, force_incident

pytestmark = pytest.mark.django_db

GOOD = FindingsInput(within_policy=True, de_escalation="yes", duty_to_intervene="na")


def _open(chain: Chain, level: int | None = 2, **kw: object) -> ForceReview:
    incident = force_incident(chain.a, level=level, **kw)  # type: ignore[arg-type]
    review = services.review_open_for_incident(actor=chain.officer, incident=incident)
    assert review is not None
    return review


def _fresh(review: ForceReview) -> ForceReview:
    return ForceReview.objects.select_related("current_step").get(pk=review.pk)


def _approve(actor: object, review: ForceReview) -> ForceReview:
    review = _fresh(review)
    return services.review_decide(
        actor=actor,  # type: ignore[arg-type]
        review=review,
        expected_version=review.version,
        decision=Decision.APPROVE,
        findings=GOOD,
    )


# Routing by force level -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "route"),
    [
        (0, ["sergeant"]),
        (2, ["sergeant"]),
        (3, ["sergeant", "lieutenant"]),
        (4, ["sergeant", "lieutenant", "captain", "board"]),
        (5, ["sergeant", "lieutenant", "captain", "board"]),
        (None, ["sergeant", "lieutenant"]),
    ],
)
def test_the_route_depends_on_the_force_level(
    chain: Chain, level: int | None, route: list[str]
) -> None:
    review = _open(chain, level)
    assert [s["level"] for s in review.route] == route
    step = review.current_step
    assert step is not None
    assert (step.level, step.assignee) == (Level.SERGEANT, chain.a.sergeant_a1)
    assert AuditEvent.objects.filter(action="force_review.open", object_id=str(review.pk)).exists()


def test_opening_is_idempotent_and_skips_incidents_without_force(chain: Chain) -> None:
    incident = force_incident(chain.a, level=3)
    first = services.review_open_for_incident(actor=chain.officer, incident=incident)
    again = services.review_open_for_incident(actor=chain.officer, incident=incident)
    assert first is not None
    assert again is not None
    assert first.pk == again.pk
    assert ForceReview.objects.count() == 1
    calm = force_incident(chain.a, force_used=False)
    assert services.review_open_for_incident(actor=chain.officer, incident=calm) is None
    draft = force_incident(chain.a, status=IncidentStatus.DRAFT)
    assert services.review_open_for_incident(actor=chain.officer, incident=draft) is None


def test_the_sergeant_is_told_a_review_waits(chain: Chain) -> None:
    review = _open(chain)
    note = Notification.objects.get(recipient__member=chain.a.sergeant_a1)
    assert review.incident.case_number in note.text
    assert note.link == f"/reviews/{review.pk}/"


def test_an_agency_route_overrides_the_default(chain: Chain) -> None:
    services.review_route_set(
        actor=chain.board,
        force_level=2,
        steps=(RouteStep("sergeant", 3), RouteStep("captain", 5)),
        expected_version=None,
    )
    review = _open(chain, 2)
    assert review.route == [
        {"level": "sergeant", "due_days": 3},
        {"level": "captain", "due_days": 5},
    ]
    assert review.current_step is not None
    assert (review.current_step.due_on - review.opened_at.date()).days in (2, 3, 4)


def test_a_route_must_follow_the_chain_of_command(chain: Chain) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.review_route_set(
            actor=chain.board,
            force_level=3,
            steps=(RouteStep("lieutenant", 7), RouteStep("sergeant", 7)),
            expected_version=None,
        )
    assert "order of the chain" in str(caught.value)
    with pytest.raises(PermissionDenied):
        services.review_route_set(
            actor=chain.sergeant, force_level=3, steps=(RouteStep("sergeant", 7),),
            expected_version=None,
        )  # fmt: skip
    assert not ReviewRoute.objects.exists()


def test_a_stale_route_edit_is_refused(chain: Chain) -> None:
    route = services.review_route_set(
        actor=chain.board, force_level=1, steps=(RouteStep("sergeant", 5),), expected_version=None
    )
    services.review_route_set(
        actor=chain.board, force_level=1, steps=(RouteStep("sergeant", 6),),
        expected_version=route.version,
    )  # fmt: skip
    with pytest.raises(ConflictError):
        services.review_route_set(
            actor=chain.board, force_level=1, steps=(RouteStep("sergeant", 9),),
            expected_version=route.version,
        )  # fmt: skip


# Through the chain ------------------------------------------------------------------------------


def test_a_level_4_review_climbs_to_the_board_and_closes(chain: Chain) -> None:
    review = _open(chain, 4)
    review = _approve(chain.sergeant, review)
    assert review.current_step is not None
    assert (review.current_step.level, review.current_step.assignee) == (
        Level.LIEUTENANT,
        chain.lieutenant,
    )
    review = _approve(chain.lieutenant_actor, review)
    assert review.current_step is not None
    assert (review.current_step.level, review.current_step.assignee) == (
        Level.CAPTAIN,
        chain.captain,
    )
    review = _approve(chain.captain_actor, review)
    assert review.current_step is not None
    assert (review.current_step.level, review.current_step.assignee) == (Level.BOARD, None)
    review = _approve(chain.board, review)
    assert review.status == ReviewStatus.CLOSED
    assert review.current_step is None
    assert [s.decision for s in review.steps.all()] == ["approve"] * 4
    # The involved officer is told they may now read it.
    assert Notification.objects.filter(
        recipient__member=chain.a.officer_a1, text__contains="is closed"
    ).exists()


def test_approval_needs_complete_findings(chain: Chain) -> None:
    review = _fresh(_open(chain))
    with pytest.raises(InvalidInput) as caught:
        services.review_decide(
            actor=chain.sergeant, review=review, expected_version=review.version,
            decision=Decision.APPROVE,
            findings=FindingsInput(within_policy=None, de_escalation="", duty_to_intervene="na"),
        )  # fmt: skip
    assert set(caught.value.errors) == {"within_policy", "de_escalation"}
    assert _fresh(review).status == ReviewStatus.OPEN


def test_escalating_sends_a_sergeant_only_route_to_the_lieutenant(chain: Chain) -> None:
    review = _fresh(_open(chain, 1))
    with pytest.raises(InvalidInput):  # a reason is required
        services.review_decide(
            actor=chain.sergeant, review=review, expected_version=review.version,
            decision=Decision.ESCALATE,
        )  # fmt: skip
    review = services.review_decide(
        actor=chain.sergeant, review=review, expected_version=review.version,
        decision=Decision.ESCALATE, reason="Injury more serious than the report says.",
    )  # fmt: skip
    assert review.current_step is not None
    assert review.current_step.level == Level.LIEUTENANT
    review = _approve(chain.lieutenant_actor, review)
    assert review.status == ReviewStatus.CLOSED


# Returns ----------------------------------------------------------------------------------------


def test_a_return_notifies_the_reporter_who_answers_it(chain: Chain) -> None:
    review = _fresh(_open(chain, 3))
    review = services.review_decide(
        actor=chain.sergeant, review=review, expected_version=review.version,
        decision=Decision.RETURN, reason="The timeline lacks the warning given before force.",
    )  # fmt: skip
    assert review.status == ReviewStatus.RETURNED
    note = Notification.objects.get(recipient__member=chain.a.officer_a1)
    assert "returned for correction" in note.text
    assert "warning" in note.text
    # Nobody may act while it is with the reporter.
    with pytest.raises(InvalidInput):
        _approve(chain.sergeant, review)
    # Only the reporting officer answers it.
    with pytest.raises(PermissionDenied):
        services.review_resubmit(
            actor=chain.partner, review=review, expected_version=_fresh(review).version,
            correction="x",
        )  # fmt: skip
    review = services.review_resubmit(
        actor=chain.officer, review=review, expected_version=_fresh(review).version,
        correction="Added: verbal warning at 0:55.",
    )  # fmt: skip
    assert review.status == ReviewStatus.OPEN
    steps = list(review.steps.all())
    assert [(s.level, s.decision) for s in steps] == [("sergeant", "return"), ("sergeant", "")]
    assert steps[0].response.startswith("Added: verbal warning at 0:55.")
    review = _approve(chain.sergeant, review)
    assert review.current_step is not None
    assert review.current_step.level == Level.LIEUTENANT


# Refusals ---------------------------------------------------------------------------------------


def test_only_the_assignee_in_the_chain_may_act(chain: Chain, other_agency: object) -> None:
    review = _open(chain, 4)
    # Another chain, an officer, IA, the lieutenant before their turn: refused.
    for outsider in (chain.supervisor_b, chain.officer, chain.ia, chain.lieutenant_actor):
        with pytest.raises(PermissionDenied):
            _approve(outsider, review)
    assert _fresh(review).current_step.level == Level.SERGEANT  # type: ignore[union-attr]


def test_another_agency_cannot_reach_the_review(chain: Chain, other_agency: object) -> None:
    from steadyhand.access.roles import Role
    from steadyhand.core.testing import SmallAgency, actor_of, make_user

    assert isinstance(other_agency, SmallAgency)
    outsider = actor_of(make_user(other_agency.agency, [Role.COMMANDER]))
    review = _open(chain)
    with pytest.raises(NotFound):
        _approve(outsider, review)


def test_a_member_involved_never_reviews_their_own_incident(chain: Chain) -> None:
    # The sergeant was on scene: the step goes to the next sergeant up the tree, or unassigned.
    review = _open(chain, 2, others=(chain.a.sergeant_a1,))
    step = review.current_step
    assert step is not None
    assert step.assignee != chain.a.sergeant_a1
    with pytest.raises(PermissionDenied, match="involved"):
        _approve(chain.sergeant, review)


def test_an_unassigned_step_is_taken_by_someone_of_that_rank(chain: Chain) -> None:
    review = _open(chain, 2, others=(chain.a.sergeant_a1,))
    assert review.current_step is not None
    assert review.current_step.assignee is None
    review = _approve(chain.lieutenant_actor, review)  # a lieutenant outranks the level
    assert review.status == ReviewStatus.CLOSED


def test_two_reviewers_saving_the_same_review_conflict(chain: Chain) -> None:
    from steadyhand.access.roles import Role
    from steadyhand.core.testing import actor_of, make_user

    review = _open(chain, 4)
    for actor in (chain.sergeant, chain.lieutenant_actor, chain.captain_actor):
        review = _approve(actor, review)
    second_commander = actor_of(make_user(chain.a.agency, [Role.COMMANDER]))
    seen = _fresh(review).version  # both open the page at this version
    services.review_findings_save(
        actor=chain.board, review=review, expected_version=seen,
        findings=FindingsInput(within_policy=False, de_escalation="no", duty_to_intervene="yes",
                               tactics_issues="Closed distance too early."),
    )  # fmt: skip
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.review_findings_save(
            actor=second_commander, review=review, expected_version=seen, findings=GOOD
        )
    assert _fresh(review).within_policy is False


# Escalation of overdue steps --------------------------------------------------------------------


def test_an_overdue_step_moves_up_and_everyone_is_told(chain: Chain) -> None:
    review = _open(chain, 2)
    step = review.current_step
    assert step is not None
    later = step.due_on + timedelta(days=1)
    result = services.reviews_escalate_overdue(actor=chain.board, today=later)
    assert (result.escalated, result.flagged) == (1, 0)
    review = _fresh(review)
    old = review.steps.order_by("pk").first()
    assert old is not None
    assert old.escalated_overdue
    assert old.decision == Decision.ESCALATE
    assert review.current_step is not None
    assert review.current_step.level == Level.LIEUTENANT
    assert review.current_step.assignee == chain.lieutenant
    assert Notification.objects.filter(recipient__member=chain.lieutenant).exists()
    assert Notification.objects.filter(
        recipient__member=chain.a.sergeant_a1, text__contains="overdue"
    ).exists()
    # Not yet due: nothing moves.
    again = services.reviews_escalate_overdue(actor=chain.board, today=later)
    assert (again.escalated, again.flagged) == (0, 0)


def test_an_overdue_board_step_is_flagged_once(chain: Chain) -> None:
    review = _open(chain, 5)
    for actor in (chain.sergeant, chain.lieutenant_actor, chain.captain_actor):
        review = _approve(actor, review)
    step = _fresh(review).current_step
    assert step is not None
    assert step.level == Level.BOARD
    later = step.due_on + timedelta(days=2)
    assert services.reviews_escalate_overdue(actor=chain.board, today=later).flagged == 1
    assert services.reviews_escalate_overdue(actor=chain.board, today=later).flagged == 0
    assert _fresh(review).current_step.level == Level.BOARD  # type: ignore[union-attr]


def test_escalation_is_for_commanders(chain: Chain) -> None:
    with pytest.raises(PermissionDenied):
        services.reviews_escalate_overdue(actor=chain.sergeant)


def test_missing_reviews_are_opened_for_imported_incidents(chain: Chain) -> None:
    from steadyhand.incidents.models import Incident

    for level in (2, 4):
        force_incident(chain.a, level=level)
    force_incident(chain.a, force_used=False)
    assert services.reviews_open_missing(actor=chain.board) == 2
    assert services.reviews_open_missing(actor=chain.board) == 0
    assert ForceReview.objects.count() == 2
    assert Incident.objects.count() == 3
    with pytest.raises(PermissionDenied):
        services.reviews_open_missing(actor=chain.sergeant)
