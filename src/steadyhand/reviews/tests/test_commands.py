"""The CLI and the background task that escalate overdue steps and open missing reviews."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from steadyhand.reviews.models import ForceReview, Level
from steadyhand.reviews.tasks import escalate_overdue_reviews_task
from steadyhand.reviews.tests.factories import Chain, force_incident

pytestmark = pytest.mark.django_db


def test_open_missing_then_escalate_from_the_command_line(chain: Chain) -> None:
    force_incident(chain.a, level=3)
    out = StringIO()
    call_command("reviews_open_missing", agency=chain.a.agency.slug, stdout=out)
    assert "1 force review(s) opened" in out.getvalue()
    review = ForceReview.objects.get()
    review.steps.update(due_on=review.opened_at.date() - timedelta(days=30))
    out = StringIO()
    call_command("reviews_escalate", agency=chain.a.agency.slug, stdout=out)
    assert "1 overdue step(s) escalated" in out.getvalue()
    review.refresh_from_db()
    assert review.current_step is not None
    assert review.current_step.level == Level.LIEUTENANT
    with pytest.raises(CommandError):
        call_command("reviews_escalate", agency="no-such-agency")


def test_the_task_escalates_every_agency(chain: Chain) -> None:
    force_incident(chain.a, level=2)
    call_command("reviews_open_missing", agency=chain.a.agency.slug, stdout=StringIO())
    ForceReview.objects.get().steps.update(due_on="2000-01-01")
    result = escalate_overdue_reviews_task.enqueue()
    assert result.return_value == {"escalated": 1, "flagged": 0}
