"""The demo's reviews come in every state, through the real services."""

import pytest
from django.utils import timezone

from steadyhand.reviews.demo import build_review_history
from steadyhand.reviews.models import CorrectiveAction, ForceReview, ReviewStatus
from steadyhand.reviews.tests.factories import Chain, force_incident, remedial_course
from steadyhand.training.models import Enrolment

pytestmark = pytest.mark.django_db


def test_reviews_in_every_state(chain: Chain) -> None:
    remedial_course(chain.a)
    for i in range(12):
        force_incident(chain.a, level=(2, 3, 4)[i % 3])
    counts = build_review_history(agency=chain.a.agency, as_of=timezone.now().date())
    assert counts.opened == 12
    statuses = set(ForceReview.objects.values_list("status", flat=True))
    assert statuses == {ReviewStatus.OPEN, ReviewStatus.RETURNED, ReviewStatus.CLOSED}
    assert ForceReview.objects.filter(steps__escalated_overdue=True).exists()
    kinds = set(CorrectiveAction.objects.values_list("kind", flat=True))
    assert kinds == {"counselling", "remedial_training", "ia_referral"}
    assert Enrolment.objects.filter(cause_type="force_review").count() == 1
