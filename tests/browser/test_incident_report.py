"""Issue 4 in a real browser, at tablet width (768 px), driven from the keyboard: an officer files
a force report with a timeline, is stopped by the policy prompt for force without a recorded
resistance, fixes the order, submits, and writes their statement."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from steadyhand.access.roles import Role
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, make_user
from steadyhand.incidents.models import Incident, IncidentStatus, StatementStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}


def press(locator) -> None:  # type: ignore[no-untyped-def]
    """Activate a link or button from the keyboard, as a keyboard user would."""
    locator.focus()
    with locator.page.expect_navigation():
        locator.page.keyboard.press("Enter")


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways at {width[1]}px: {width[0]}px"


def add_event(page, kind: str, what: str, when: str = "", **choices: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Kind of event").select_option(label=kind)
    press(page.get_by_role("button", name="Next: what happened"))
    page.get_by_label("What happened").select_option(label=what)
    for label, option in choices.items():
        page.get_by_label(label.replace("_", " ")).select_option(label=option)
    page.get_by_label("Time after first contact").fill(when)
    no_sideways_scroll(page)
    press(page.get_by_role("button", name="Save event"))


def test_officer_files_a_force_report_by_keyboard_on_a_tablet(
    browser, live_server, small_agency: SmallAgency
) -> None:  # type: ignore[no-untyped-def]
    a = small_agency
    make_user(a.agency, [Role.OFFICER], member=a.officer_a1, username="patrol")
    page = browser.new_context(viewport=TABLET).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("patrol")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    # The first Tab reaches the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"

    press(page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents"))
    press(page.get_by_role("link", name="File a new incident report"))
    yesterday = timezone.localtime(timezone.now() - timedelta(days=1), ZoneInfo(a.agency.timezone))
    page.get_by_label("Date and time of first contact").fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Dispatched call").check()
    page.get_by_label("Call type or reason for contact").fill("Person in crisis")
    no_sideways_scroll(page)
    with page.expect_navigation(url="**/report/people/"):
        page.keyboard.press("Enter")  # submits with the first button: Save and continue
    incident = Incident.objects.get(call_type="Person in crisis")

    press(page.get_by_role("link", name="Add a subject"))
    page.get_by_label("Race").select_option(label="White")
    page.get_by_label("Sex").select_option(label="Male")
    page.get_by_role("combobox", name="Age").select_option(label="25-34")
    page.get_by_label("Mental-health crisis").focus()
    page.keyboard.press("Space")
    page.get_by_label("Armed with").select_option(label="Knife or edged weapon")
    press(page.get_by_role("button", name="Save subject"))
    assert "Subject 1" in page.locator("main").inner_text()
    press(page.get_by_role("link", name="Continue to the timeline"))

    add_event(page, "Arrival on scene", "Arrives on scene", "0:00")
    add_event(page, "Distance, cover or team position", "Create distance", "0:30")
    add_event(page, "Force application", "Control hold")  # before any resistance: on purpose
    add_event(page, "Subject behaviour", "Pulls away, braces")
    add_event(page, "Resolution", "Custody after force", "3:00")
    timeline = page.locator("ol.timeline").inner_text()
    assert timeline.index("Control hold") < timeline.index("Pulls away")
    no_sideways_scroll(page)

    press(page.get_by_role("link", name="Continue to outcomes"))
    page.get_by_role("group", name="Was de-escalation attempted?").get_by_label("Yes").check()
    page.get_by_role("group", name="Was a supervisor notified?").get_by_label("Yes").check()
    page.get_by_label("Narrative").fill("Kept distance; the subject pulled away at the door.")
    press(page.get_by_role("button", name="Save and continue"))
    page.wait_for_url("**/report/review/")
    problems = page.get_by_role("alert").inner_text()
    assert "event 3 (Control hold) has no behaviour of subject 1 before it" in problems
    no_sideways_scroll(page)

    # The prompt links to the timeline; the behaviour moves up before the force.
    press(page.get_by_role("alert").get_by_role("link").first)
    press(page.get_by_role("button", name="Move event 4 up"))
    timeline = page.locator("ol.timeline").inner_text()
    assert timeline.index("Pulls away") < timeline.index("Control hold")
    press(page.get_by_role("link", name="Review and submit"))
    assert "Everything policy asks for is recorded" in page.locator("main").inner_text()
    press(page.get_by_role("button", name=f"Submit report {incident.case_number}"))
    page.wait_for_url("**/statement/")

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.SUBMITTED
    assert incident.force_used
    assert incident.highest_force_level == 2
    assert incident.de_escalation_attempted is True
    assert incident.events.count() == 5

    page.get_by_label("Your account").fill("I applied a control hold after he pulled away.")
    press(page.get_by_role("button", name="Submit statement"))
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    statement = incident.involvements.get().statement
    assert statement.status == StatementStatus.SUBMITTED
    main = page.locator("main").inner_text()
    assert "Control and restraint" in main
    assert "Custody after force" in main
    no_sideways_scroll(page)
