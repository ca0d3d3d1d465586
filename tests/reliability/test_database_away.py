"""The database going away in the middle of a request: the person gets the site's own error
page (503, no traceback) and nothing of the request is saved."""

from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from steadyhand.accounts.models import User
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency
from steadyhand.reviews import services
from steadyhand.reviews.models import ForceReview
from steadyhand.reviews.tests.factories import Chain, force_incident, make_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(small_agency: SmallAgency) -> Chain:
    return make_chain(small_agency)


def _fail_on(table: str) -> Callable[..., Any]:
    """Let statements through until one writes ``table``; that one finds the server gone."""

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if sql.lstrip().upper().startswith("INSERT") and f'"{table}"' in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


def _findings_post(review: ForceReview) -> dict[str, str]:
    return {
        "version": str(review.version), "within_policy": "no", "de_escalation": "no",
        "duty_to_intervene": "na", "tactics_issues": "Closed distance too early.",
        "training_issues": "", "equipment_issues": "", "reason": "", "decision": "save",
    }  # fmt: skip


def test_the_database_failing_after_the_first_write_leaves_nothing_and_a_clean_page(
    chain: Chain,
) -> None:
    review = services.review_open_for_incident(
        actor=chain.officer, incident=force_incident(chain.a)
    )
    assert review is not None
    review = ForceReview.objects.get(pk=review.pk)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(pk=chain.sergeant.user_id))
    events_before = AuditEvent.objects.count()

    # The review's UPDATE goes through; the audit INSERT that follows finds the database gone.
    with connection.execute_wrapper(_fail_on("audit_auditevent")):
        response = client.post(reverse("reviews:act", args=[review.pk]), _findings_post(review))

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "<h1>Service unavailable</h1>" in html
    assert "nothing you sent in this request was saved" in html
    assert 'class="brand"' in html  # the site's own layout
    assert "Traceback" not in html
    assert "OperationalError" not in html
    assert "server closed the connection" not in html
    # No partial write: the review is as it was, and no audit event was added.
    after = ForceReview.objects.get(pk=review.pk)
    assert after.version == review.version
    assert after.tactics_issues == review.tactics_issues
    assert after.within_policy is None
    assert AuditEvent.objects.count() == events_before


def test_any_other_unexpected_failure_is_a_clean_500(chain: Chain) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(pk=chain.sergeant.user_id))
    with mock.patch(
        "steadyhand.reviews.views.selectors.review_get_visible", side_effect=RuntimeError("boom")
    ):
        response = client.get(reverse("reviews:detail", args=[1]))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Server error</h1>" in html
    assert "boom" not in html
    assert "Traceback" not in html
