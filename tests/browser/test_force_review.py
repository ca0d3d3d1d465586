"""Issue 5 in a real browser: a sergeant reviews a force incident and records the findings,
the lieutenant approves from their workbench, the captain's approval closes the review, and
the officer involved can then read it."""

import pytest

from steadyhand.accounts.models import User
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency
from steadyhand.reviews.models import ForceReview, ReviewStatus
from steadyhand.reviews.routing import RouteStep
from steadyhand.reviews.services import review_open_for_incident, review_route_set
from steadyhand.reviews.tests.factories import force_incident, make_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def _username(actor) -> str:  # type: ignore[no-untyped-def]
    return User.objects.get(pk=actor.user_id).username


def test_sergeant_to_captain(browser, live_server, small_agency: SmallAgency) -> None:  # type: ignore[no-untyped-def]
    chain = make_chain(small_agency)
    review_route_set(
        actor=chain.board,
        force_level=3,
        steps=(RouteStep("sergeant", 7), RouteStep("lieutenant", 7), RouteStep("captain", 10)),
        expected_version=None,
    )
    incident = force_incident(small_agency, level=3)
    review = review_open_for_incident(actor=chain.officer, incident=incident)
    assert review is not None
    case = incident.case_number

    sergeant = browser.new_context().new_page()
    login(sergeant, live_server, _username(chain.sergeant))
    sergeant.get_by_role("link", name=f"Force review of incident {case}").click()
    sergeant.get_by_role("group", name="Was the force within policy?").get_by_label(
        "Yes, within policy"
    ).check()
    sergeant.get_by_role(
        "group", name="Was de-escalation attempted as policy requires?"
    ).get_by_label("Yes").check()
    sergeant.get_by_role("group", name="Was the duty to intervene met?").get_by_label(
        "Not applicable"
    ).check()
    sergeant.get_by_label("Tactics issues").fill("Good use of distance; cover could be closer.")
    sergeant.get_by_role("button", name="Approve").click()
    sergeant.wait_for_load_state()
    assert "now waits for the lieutenant" in sergeant.locator("main").inner_text()

    lieutenant = browser.new_context().new_page()
    login(lieutenant, live_server, _username(chain.lieutenant_actor))
    lieutenant.get_by_role("navigation", name="Main").get_by_role("link", name="Workbench").click()
    lieutenant.get_by_role("link", name=f"Incident {case}: Lieutenant step").click()
    # The sergeant's findings are there for the lieutenant to confirm or amend.
    assert "Good use of distance" in lieutenant.get_by_label("Tactics issues").input_value()
    lieutenant.get_by_role("button", name="Approve").click()
    lieutenant.wait_for_load_state()
    assert "now waits for the captain" in lieutenant.locator("main").inner_text()

    captain = browser.new_context().new_page()
    login(captain, live_server, _username(chain.captain_actor))
    captain.get_by_role("link", name=f"Force review of incident {case}").click()
    captain.get_by_role("button", name="Approve").click()
    captain.wait_for_load_state()
    assert "The review is closed" in captain.locator("main").inner_text()
    closed = ForceReview.objects.get(pk=review.pk)
    assert closed.status == ReviewStatus.CLOSED
    assert [s.decision for s in closed.steps.order_by("pk")] == ["approve"] * 3

    officer = browser.new_context().new_page()
    login(officer, live_server, _username(chain.officer))
    officer.goto(f"{live_server.url}/reviews/{review.pk}/")
    text = officer.locator("main").inner_text()
    assert "Closed" in text
    assert "Good use of distance" in text
