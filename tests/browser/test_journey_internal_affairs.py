"""Issue 5's wall in a real browser: an internal-affairs investigator, agency-wide, who can read
the incident and its force review, is refused every page and action of the after-action review
of that incident (403 or 404), and nothing they can open says that the review exists."""

import pytest

from steadyhand.aar.tests.factories import LESSON, NOTES, make_scene, reviewed
from steadyhand.accounts.models import User
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency
from steadyhand.reviews.models import ForceReview

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSED = {403, 404}
# Words that would tell the investigator an after-action review exists for the incident.
TELLTALES = ("after-action", "After-action", "lesson", "Lesson", "facilitat", LESSON, NOTES)


def test_internal_affairs_cannot_reach_the_after_action_review(
    browser, live_server, small_agency: SmallAgency
) -> None:  # type: ignore[no-untyped-def]
    scene = make_scene(small_agency)
    aar, lesson = reviewed(scene)
    incident = scene.incident
    event = incident.events.order_by("sequence").first()
    assert event is not None
    review = ForceReview.objects.get(incident=incident)

    page = browser.new_context().new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(User.objects.get(pk=scene.ia.user_id).username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    base = live_server.url

    # What they may read says nothing of the after-action review.
    for url in (
        "/",
        f"/incidents/{incident.pk}/",
        f"/reviews/{review.pk}/",
        "/reviews/",
        "/incidents/",
    ):
        response = page.goto(base + url)
        assert response is not None, url
        assert response.status == 200, url
        text = page.content()
        leaks = [word for word in TELLTALES if word in text]
        assert not leaks, f"{url} shows {leaks}"
        assert page.locator('a[href*="/aar/"]').count() == 0, url

    # Every page of the after-action review is refused.
    pages = [
        "/aar/",
        "/aar/themes/",
        f"/aar/open/{incident.pk}/",
        f"/aar/incident/{incident.pk}/",
        f"/aar/{aar.pk}/",
        f"/aar/{aar.pk}/notes/",
        f"/aar/{aar.pk}/events/{event.pk}/",
        f"/aar/{aar.pk}/lessons/new/",
        f"/aar/{aar.pk}/lessons/{lesson.pk}/",
        f"/aar/{aar.pk}/publish/",
        f"/aar/{aar.pk}/scenario/",
    ]
    for url in pages:
        response = page.goto(base + url)
        assert response is not None, url
        assert response.status in REFUSED, f"GET {url}"
        text = page.content()
        assert LESSON not in text, url
        assert NOTES not in text, url

    # And every action, sent with a valid CSRF token so that only the wall can refuse it.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    headers = {"X-CSRFToken": token, "Referer": base + "/"}
    # The same request to an action they may take goes through (so the refusals below are the
    # wall's, not the CSRF check's).
    allowed = page.request.post(
        base + "/reviews/notifications/read-all/", headers=headers, max_redirects=0
    )
    assert allowed.status == 302
    actions = [
        (f"/aar/open/{incident.pk}/", {}),
        (f"/aar/{aar.pk}/notes/", {"notes": "IA was here.", "version": str(aar.version)}),
        (f"/aar/{aar.pk}/lessons/new/", {"text": "IA lesson."}),
        (f"/aar/{aar.pk}/lessons/{lesson.pk}/agree/", {"agree": "yes"}),
        (f"/aar/{aar.pk}/confirm/", {"agree": "yes"}),
        (f"/aar/{aar.pk}/close/", {"version": str(aar.version)}),
        (f"/aar/{aar.pk}/publish/", {}),
    ]
    for url, form in actions:
        response = page.request.post(base + url, form=form, headers=headers, max_redirects=0)
        assert response.status in REFUSED, f"POST {url}: {response.status}"
    aar.refresh_from_db()
    assert aar.notes == NOTES
    assert aar.lessons.count() == 1
    assert aar.is_open
