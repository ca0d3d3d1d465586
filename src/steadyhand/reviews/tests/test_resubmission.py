"""A returned report through the pages: the reason on the report form, the correction, the
resubmission, and what the reviewer then sees; who is refused."""

import pytest
from django.urls import reverse

from steadyhand.incidents import services as incident_services
from steadyhand.incidents.models import Incident, IncidentStatus
from steadyhand.incidents.tests.report_factories import force_report, fresh
from steadyhand.reviews.models import Decision, ForceReview, ReviewStatus
from steadyhand.reviews.tests.factories import Chain
from steadyhand.reviews.tests.test_views import _step_post, client_for

pytestmark = pytest.mark.django_db

REASON = "Say what warning was given before the hold."


def _returned(chain: Chain) -> tuple[Incident, ForceReview]:
    """A complete force report filed by officer A1, returned by the sergeant from the page."""
    incident = incident_services.incident_submit(
        actor=chain.officer, incident=fresh(force_report(chain.officer)), expected_version=None
    )
    review = ForceReview.objects.get(incident=incident)
    response = client_for(chain.sergeant).post(
        reverse("reviews:act", args=[review.pk]),
        _step_post(review, Decision.RETURN, reason=REASON),
    )
    assert response.status_code == 302
    return fresh(incident), ForceReview.objects.get(pk=review.pk)


def _outcomes_post(incident: Incident, narrative: str, version: int | None = None) -> dict:
    return {
        "de_escalation_attempted": "yes",
        "supervisor_notified": "yes",
        "narrative": narrative,
        "version": str(version if version is not None else incident.version),
        "go": "next",
    }


def test_the_reporter_corrects_on_the_report_pages_and_the_reviewer_sees_what_changed(
    chain: Chain,
) -> None:
    incident, review = _returned(chain)
    officer = client_for(chain.officer)
    # The reason is on every step of the report form, and on the incident page.
    for name in ("report_basics", "report_timeline", "report_outcomes", "report_review"):
        page = officer.get(reverse(f"incidents:{name}", args=[incident.pk]))
        assert page.status_code == 200, name
        assert REASON in page.content.decode(), name
    detail = officer.get(reverse("incidents:incident_detail", args=[incident.pk])).content
    assert "Correct the report" in detail.decode()

    response = officer.post(
        reverse("incidents:report_outcomes", args=[incident.pk]),
        _outcomes_post(incident, "I gave a warning of force before the hold."),
    )
    assert response.status_code == 302
    review_page = officer.get(reverse("incidents:report_review", args=[incident.pk])).content
    assert "Narrative: was “”, now “I gave a warning of force before the hold.”" in (
        review_page.decode()
    )
    response = officer.post(
        reverse("incidents:report_review", args=[incident.pk]),
        {"version": fresh(incident).version, "note": "Added the warning to the narrative."},
    )
    assert response.status_code == 302
    assert fresh(incident).status == IncidentStatus.SUBMITTED
    review = ForceReview.objects.get(pk=review.pk)
    assert review.status == ReviewStatus.OPEN
    assert [s.decision for s in review.steps.order_by("pk")] == ["return", ""]

    sergeant_page = client_for(chain.sergeant).get(reverse("reviews:detail", args=[review.pk]))
    text = sergeant_page.content.decode()
    assert "Added the warning to the narrative." in text
    assert "Changes to the report:" in text
    assert "I gave a warning of force before the hold." in text
    assert 'value="approve"' in text  # the sergeant acts again


def test_others_cannot_reach_the_correction_and_stale_pages_are_refused(chain: Chain) -> None:
    incident, review = _returned(chain)
    # The sergeant sees the report but is sent away from its edit pages; a colleague who was not
    # there cannot find it at all.
    sergeant = client_for(chain.sergeant)
    response = sergeant.get(reverse("incidents:report_outcomes", args=[incident.pk]))
    assert response.status_code == 302
    assert response.url == reverse("incidents:incident_detail", args=[incident.pk])
    assert REASON not in sergeant.get(response.url).content.decode()
    partner = client_for(chain.partner)
    assert partner.get(reverse("incidents:report_outcomes", args=[incident.pk])).status_code == 404
    assert partner.get(reverse("reviews:resubmit", args=[review.pk])).status_code == 404
    # A page loaded before a change is stale.
    officer = client_for(chain.officer)
    stale = incident.version
    officer.post(
        reverse("incidents:report_outcomes", args=[incident.pk]),
        _outcomes_post(incident, "First tab."),
    )
    response = officer.post(
        reverse("incidents:report_outcomes", args=[incident.pk]),
        _outcomes_post(incident, "Second tab.", version=stale),
    )
    assert response.status_code == 409
    assert fresh(incident).narrative == "First tab."
    # Without a change or a note, the resubmission is refused on the page.
    other, _ = _returned(chain)
    response = officer.post(
        reverse("incidents:report_review", args=[other.pk]), {"version": other.version}
    )
    assert response.status_code == 400
    assert "Nothing in the report has changed" in response.content.decode()
    assert fresh(other).status == IncidentStatus.RETURNED


def test_the_note_page_resubmits_an_unchanged_report(chain: Chain) -> None:
    incident, review = _returned(chain)
    officer = client_for(chain.officer)
    url = reverse("reviews:resubmit", args=[review.pk])
    page = officer.get(url).content.decode()
    assert REASON in page
    assert reverse("incidents:report_basics", args=[incident.pk]) in page
    response = officer.post(
        url, {"version": review.version, "correction": "The warning is event 2 already."}
    )
    assert response.status_code == 302
    assert fresh(incident).status == IncidentStatus.SUBMITTED
    review = ForceReview.objects.get(pk=review.pk)
    assert review.status == ReviewStatus.OPEN
    first = review.steps.order_by("pk").first()
    assert first is not None
    assert "The report itself was not changed." in first.response
