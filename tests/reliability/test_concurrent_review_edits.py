"""Two people saving the same force review from pages loaded at the same version: the first
save wins, the second is refused with a clear message and never silently overwrites it."""

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.accounts.models import User
from steadyhand.core.testing import SmallAgency
from steadyhand.reviews import services
from steadyhand.reviews.models import ForceReview
from steadyhand.reviews.tests.factories import Chain, force_incident, make_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(small_agency: SmallAgency) -> Chain:
    return make_chain(small_agency)


def _post(version: int, tactics: str) -> dict[str, str]:
    return {
        "version": str(version), "within_policy": "yes", "de_escalation": "yes",
        "duty_to_intervene": "na", "tactics_issues": tactics, "training_issues": "",
        "equipment_issues": "", "reason": "", "decision": "save",
    }  # fmt: skip


def test_the_second_of_two_simultaneous_saves_is_refused_not_merged(chain: Chain) -> None:
    opened = services.review_open_for_incident(
        actor=chain.officer, incident=force_incident(chain.a)
    )
    assert opened is not None
    review = ForceReview.objects.get(pk=opened.pk)
    url = reverse("reviews:act", args=[review.pk])
    # Two sessions (the desk and the patrol car), both showing the review at one version.
    desk, car = Client(), Client()
    user = User.objects.get(pk=chain.sergeant.user_id)
    desk.force_login(user)
    car.force_login(user)
    seen = review.version

    first = desk.post(url, _post(seen, "Desk: closed distance too early."))
    assert first.status_code == 302
    second = car.post(url, _post(seen, "Car: no issues."), follow=True)

    page = second.content.decode()
    assert "changed by someone else" in page
    stored = ForceReview.objects.get(pk=review.pk)
    assert stored.tactics_issues == "Desk: closed distance too early."
    assert stored.version == seen + 1
    # With the current version the same save goes through.
    third = car.post(url, _post(stored.version, "Car: agreed with desk."))
    assert third.status_code == 302
    assert ForceReview.objects.get(pk=review.pk).tactics_issues == "Car: agreed with desk."
