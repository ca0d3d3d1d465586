"""Issue 10's supervision journey in a real browser: an officer files a force report with a
timeline; the sergeant returns it with a reason; the officer corrects the timeline and
resubmits; the sergeant (at the same step), the lieutenant and the captain approve; the sergeant
facilitates an after-action review that records a lesson the officer agrees to; the lieutenant
nominates the officer for a commendation that the sergeant and the captain approve."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from steadyhand.aar.models import AfterActionReview
from steadyhand.accounts.models import User
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency
from steadyhand.incidents.models import Incident, IncidentStatus
from steadyhand.recognition.models import Nomination
from steadyhand.recognition.services import award_type_create
from steadyhand.reviews.models import ForceReview, ReviewStatus
from steadyhand.reviews.routing import RouteStep
from steadyhand.reviews.services import review_route_set
from steadyhand.reviews.tests.factories import make_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "The timeline has no warning before the control hold: add the one you gave."


def login(browser, live_server, actor):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(User.objects.get(pk=actor.user_id).username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def click(page, locator) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        locator.click()


def add_event(page, kind: str, what: str, when: str, before: str = "") -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Kind of event").select_option(label=kind)
    click(page, page.get_by_role("button", name="Next: what happened"))
    page.get_by_label("What happened").select_option(label=what)
    page.get_by_label("Time after first contact").fill(when)
    if before:
        page.get_by_label("Place in the timeline").select_option(label=before)
    click(page, page.get_by_role("button", name="Save event"))


def test_report_return_correction_approvals_aar_and_commendation(
    browser, live_server, small_agency: SmallAgency
) -> None:  # type: ignore[no-untyped-def]
    a = small_agency
    chain = make_chain(a)
    # A control hold is force level 2; this agency routes it up to the captain.
    review_route_set(
        actor=chain.board, force_level=2, expected_version=None,
        steps=(RouteStep("sergeant", 7), RouteStep("lieutenant", 7), RouteStep("captain", 10)),
    )  # fmt: skip
    award_type_create(actor=chain.captain_actor, name="Preservation of life award")

    # The officer files the report with its timeline.
    officer = login(browser, live_server, chain.officer)
    officer.goto(f"{live_server.url}/incidents/new/")
    # Last month, so that the public page (which shows finished months only) can show it.
    now = timezone.localtime(timezone.now(), ZoneInfo(a.agency.timezone))
    first_contact = now.replace(day=1, hour=14, minute=0) - timedelta(days=1)
    officer.get_by_label("Date and time of first contact").fill(
        first_contact.strftime("%Y-%m-%dT%H:%M")
    )
    officer.get_by_label("Dispatched call").check()
    officer.get_by_label("Call type or reason for contact").fill("Man shouting at bus stop")
    click(officer, officer.get_by_role("button", name="Save and continue"))
    incident = Incident.objects.get(call_type="Man shouting at bus stop")
    case = incident.case_number
    click(officer, officer.get_by_role("link", name="Add a subject"))
    officer.get_by_label("Race").select_option(label="White")
    officer.get_by_label("Sex").select_option(label="Male")
    officer.get_by_role("combobox", name="Age").select_option(label="25-34")
    click(officer, officer.get_by_role("button", name="Save subject"))
    click(officer, officer.get_by_role("link", name="Continue to the timeline"))
    add_event(officer, "Arrival on scene", "Arrives on scene", "0:00")
    add_event(officer, "Subject behaviour", "Pulls away, braces", "0:40")
    add_event(officer, "Force application", "Control hold", "1:00")
    add_event(officer, "Resolution", "Custody after force", "3:00")
    click(officer, officer.get_by_role("link", name="Continue to outcomes"))
    officer.get_by_role("group", name="Was de-escalation attempted?").get_by_label("No").check()
    officer.get_by_role("group", name="Was a supervisor notified?").get_by_label("Yes").check()
    click(officer, officer.get_by_role("button", name="Save and continue"))
    click(officer, officer.get_by_role("button", name=f"Submit report {case}"))
    review = ForceReview.objects.get(incident__case_number=case)

    # The sergeant returns it with a reason.
    sergeant = login(browser, live_server, chain.sergeant)
    click(sergeant, sergeant.get_by_role("link", name=f"Force review of incident {case}"))
    sergeant.get_by_label("Reason (required to return or escalate").fill(REASON)
    click(sergeant, sergeant.get_by_role("button", name="Return for correction"))
    assert "Returned to the reporting officer" in sergeant.locator("main").inner_text()
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.RETURNED

    # The officer sees the reason on the report, adds the warning, and resubmits. (The home
    # page also still asks for their statement on it: a returned report was filed.)
    officer.goto(f"{live_server.url}/")
    click(officer, officer.get_by_role("link", name=f"Incident {case}", exact=True))
    click(officer, officer.get_by_role("link", name="Correct the report"))
    assert REASON in officer.get_by_role("note").inner_text()
    click(
        officer,
        officer.get_by_role("navigation", name="Report steps").get_by_role("link", name="Timeline"),
    )
    add_event(officer, "Command or warning", "Warning of force", "0:50",
              before="Before event 3: Control hold")  # fmt: skip
    steps = officer.get_by_role("navigation", name="Report steps")
    click(officer, steps.get_by_role("link", name="Review and submit"))
    changes = officer.get_by_role("region", name="What you changed since it was returned")
    assert "Timeline event 3 added: Warning of force at 0:50" in changes.inner_text()
    officer.get_by_label("Note to the reviewer").fill("Added the warning I gave at 0:50.")
    click(officer, officer.get_by_role("button", name=f"Resubmit report {case}"))
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.SUBMITTED

    # The review continues at the sergeant's step; the sergeant sees what changed, approves.
    sergeant.goto(f"{live_server.url}/reviews/{review.pk}/")
    text = sergeant.locator("main").inner_text()
    assert "Added the warning I gave at 0:50." in text
    assert "Timeline event 3 added: Warning of force at 0:50" in text
    for group, option in (
        ("Was the force within policy?", "Yes, within policy"),
        ("Was de-escalation attempted as policy requires?", "Yes"),
        ("Was the duty to intervene met?", "Not applicable"),
    ):
        sergeant.get_by_role("group", name=group).get_by_label(option).check()
    click(sergeant, sergeant.get_by_role("button", name="Approve"))
    assert "now waits for the lieutenant" in sergeant.locator("main").inner_text()
    lieutenant = login(browser, live_server, chain.lieutenant_actor)
    lieutenant.goto(f"{live_server.url}/reviews/{review.pk}/")
    click(lieutenant, lieutenant.get_by_role("button", name="Approve"))
    assert "now waits for the captain" in lieutenant.locator("main").inner_text()
    captain = login(browser, live_server, chain.captain_actor)
    captain.goto(f"{live_server.url}/reviews/{review.pk}/")
    click(captain, captain.get_by_role("button", name="Approve"))
    assert "The review is closed" in captain.locator("main").inner_text()
    steps = ForceReview.objects.get(pk=review.pk).steps.order_by("pk")
    assert [(s.level, s.decision) for s in steps] == [
        ("sergeant", "return"), ("sergeant", "approve"), ("lieutenant", "approve"),
        ("captain", "approve"),
    ]  # fmt: skip
    assert ForceReview.objects.get(pk=review.pk).status == ReviewStatus.CLOSED

    # The sergeant facilitates the after-action review and records a lesson.
    sergeant.goto(f"{live_server.url}/incidents/{incident.pk}/")
    click(sergeant, sergeant.get_by_role("link", name="After-action review", exact=True))
    click(sergeant, sergeant.get_by_role("button", name="Open the review"))
    click(sergeant, sergeant.get_by_role("link", name="Record a lesson"))
    sergeant.get_by_label("Lesson").fill("Warn early and from distance; it bought time.")
    click(sergeant, sergeant.get_by_role("button", name="Save the lesson"))
    aar = AfterActionReview.objects.get(incident=incident)
    lesson = aar.lessons.get()
    officer.goto(f"{live_server.url}/aar/{aar.pk}/")
    click(officer, officer.get_by_role("button", name=f"I agree to lesson {lesson.pk}"))
    assert "Agreed by every participant." in officer.locator("main").inner_text()

    # The lieutenant nominates the officer; the sergeant, then the captain, approve.
    lieutenant.goto(f"{live_server.url}/commendations/nominate/")
    lieutenant.get_by_label("Member to commend").select_option(value=str(a.officer_a1.pk))
    lieutenant.get_by_label("What did they do?").fill(
        "Warned early, kept the hold brief, and talked the man down in custody."
    )
    click(lieutenant, lieutenant.get_by_role("button", name="Send the nomination"))
    nomination = Nomination.objects.get(member=a.officer_a1)
    sergeant.goto(f"{live_server.url}/commendations/{nomination.pk}/")
    click(sergeant, sergeant.get_by_role("button", name="Approve"))
    captain.goto(f"{live_server.url}/commendations/{nomination.pk}/")
    captain.get_by_label("Award").select_option(label="Preservation of life award")
    click(captain, captain.get_by_role("button", name="Approve"))
    assert Nomination.objects.get(pk=nomination.pk).status == "approved"
    assert "Commendation:" in captain.locator("main").inner_text()

    # A member of the public reads last month's numbers without logging in: the month is there
    # with the incident counted, and a count this small is shown as hidden, never as a number.
    public = browser.new_page()
    public.goto(f"{live_server.url}/public/{a.agency.slug}/?year={first_contact.year}")
    incidents = public.get_by_role("table", name=f"Incidents by district, {first_contact.year}")
    month_row = incidents.get_by_role("row", name=first_contact.strftime("%B %Y"))
    assert "hidden" in month_row.inner_text()
