"""Corrective actions: counselling, remedial training (a real enrolment), referral to IA."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, PermissionDenied
from steadyhand.reviews import selectors, services
from steadyhand.reviews.models import (
    CorrectiveKind,
    CorrectiveStatus,
    Decision,
    ForceReview,
    Notification,
    ReviewStatus,
)
from steadyhand.reviews.services import FindingsInput
from steadyhand.reviews.tests.factories import Chain, force_incident, remedial_course
from steadyhand.training.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db


def _review(chain: Chain, level: int = 2) -> ForceReview:
    review = services.review_open_for_incident(
        actor=chain.officer, incident=force_incident(chain.a, level=level)
    )
    assert review is not None
    return review


def _due() -> date:
    return timezone.now().date() + timedelta(days=30)


def test_remedial_training_is_a_real_enrolment_that_tracks_completion(chain: Chain) -> None:
    review = _review(chain)
    course = remedial_course(chain.a)
    action = services.corrective_action_create(
        actor=chain.sergeant, review=review, kind=CorrectiveKind.REMEDIAL_TRAINING,
        member=chain.a.officer_a1, due_on=_due(), note="Distance and time refresher.",
        course=course,
    )  # fmt: skip
    enrolment = Enrolment.objects.get(pk=action.enrolment_id)
    assert (enrolment.member, enrolment.course, enrolment.remedial) == (
        chain.a.officer_a1,
        course,
        True,
    )
    assert (enrolment.cause_type, enrolment.cause_id) == ("force_review", str(review.pk))
    assert action.effective_status == CorrectiveStatus.OPEN
    assert list(selectors.corrective_to_follow_up(actor=chain.sergeant)) == [action]
    # A supervisor cannot complete it by hand: the training record decides.
    with pytest.raises(InvalidInput, match="trainer"):
        services.corrective_action_complete(
            actor=chain.sergeant, action=action, expected_version=action.version, note="done"
        )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=EnrolmentStatus.COMPLETED, completed_on=timezone.now().date()
    )
    action.refresh_from_db()
    assert action.effective_status == CorrectiveStatus.COMPLETED
    assert not selectors.corrective_to_follow_up(actor=chain.sergeant).exists()
    assert AuditEvent.objects.filter(action="enrolment.remedial").exists()
    assert AuditEvent.objects.filter(action="corrective_action.create").exists()


def test_findings_calling_for_remedial_training_block_closing_until_assigned(
    chain: Chain,
) -> None:
    review = ForceReview.objects.get(pk=_review(chain).pk)
    findings = FindingsInput(
        within_policy=True, de_escalation="no", duty_to_intervene="na",
        training_issues="No attempt to slow the encounter down.", remedial_training_needed=True,
    )  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        services.review_decide(
            actor=chain.sergeant, review=review, expected_version=review.version,
            decision=Decision.APPROVE, findings=findings,
        )  # fmt: skip
    assert "remedial_training_needed" in caught.value.errors
    services.corrective_action_create(
        actor=chain.sergeant, review=review, kind=CorrectiveKind.REMEDIAL_TRAINING,
        member=chain.a.officer_a1, due_on=_due(), note="De-escalation refresher",
        course=remedial_course(chain.a),
    )  # fmt: skip
    review = ForceReview.objects.get(pk=review.pk)
    review = services.review_decide(
        actor=chain.sergeant, review=review, expected_version=review.version,
        decision=Decision.APPROVE, findings=findings,
    )  # fmt: skip
    assert review.status == ReviewStatus.CLOSED
    assert Enrolment.objects.filter(cause_type="force_review", cause_id=str(review.pk)).count() == 1


def test_counselling_is_documented_to_completion_and_conflicts_are_refused(chain: Chain) -> None:
    review = _review(chain)
    action = services.corrective_action_create(
        actor=chain.sergeant, review=review, kind=CorrectiveKind.COUNSELLING,
        member=chain.a.officer_a1, due_on=_due(), note="Talk through the approach.",
    )  # fmt: skip
    assert Notification.objects.filter(recipient__member=chain.a.officer_a1,
                                       text__contains="Counselling").exists()  # fmt: skip
    with pytest.raises(InvalidInput, match="Document"):
        services.corrective_action_complete(
            actor=chain.sergeant, action=action, expected_version=action.version, note=" "
        )
    done = services.corrective_action_complete(
        actor=chain.sergeant, action=action, expected_version=action.version,
        note="Met 3 May; agreed to call for a CIT officer earlier.",
    )  # fmt: skip
    assert done.status == CorrectiveStatus.COMPLETED
    assert done.completed_on is not None
    with pytest.raises(ConflictError):
        services.corrective_action_complete(
            actor=chain.lieutenant_actor, action=action, expected_version=action.version,
            note="again",
        )  # fmt: skip


def test_an_ia_referral_is_visible_to_internal_affairs(chain: Chain) -> None:
    review = _review(chain)
    action = services.corrective_action_create(
        actor=chain.sergeant, review=review, kind=CorrectiveKind.IA_REFERRAL,
        member=chain.a.officer_a1, due_on=_due(), note="Strike after the subject was handcuffed.",
    )  # fmt: skip
    assert list(selectors.ia_referrals(actor=chain.ia)) == [action]
    assert selectors.review_get_visible(actor=chain.ia, review_id=review.pk) == review
    assert Notification.objects.filter(recipient_id=chain.ia.user_id).exists()
    # The officer does not see it while the review is open.
    assert not selectors.corrective_actions_visible(actor=chain.officer).exists()


def test_corrective_actions_are_refused_outside_the_chain(chain: Chain) -> None:
    review = _review(chain)
    course = remedial_course(chain.a)
    for outsider in (chain.supervisor_b, chain.officer, chain.ia, chain.trainer, chain.analyst):
        with pytest.raises(PermissionDenied):
            services.corrective_action_create(
                actor=outsider, review=review, kind=CorrectiveKind.REMEDIAL_TRAINING,
                member=chain.a.officer_a1, due_on=_due(), note="x", course=course,
            )  # fmt: skip
    assert not Enrolment.objects.exists()


def test_only_members_involved_get_corrective_actions(chain: Chain) -> None:
    review = _review(chain)
    with pytest.raises(InvalidInput) as caught:
        services.corrective_action_create(
            actor=chain.sergeant, review=review, kind=CorrectiveKind.COUNSELLING,
            member=chain.a.officer_b1, due_on=date(2000, 1, 1), note="",
        )  # fmt: skip
    assert set(caught.value.errors) == {"member", "due_on", "note"}
