"""Issue 10's trainer in a real browser: a trainer opens a group scenario session, two officers
join it with its code and play, the trainer watches their runs on the live page, adds one of
the scenario's events to every run in progress, and closes the session; a late joiner is
turned away."""

import pytest

from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, make_user
from steadyhand.scenarios.models import GroupSession, ScenarioRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Kitchen knife on the landing"


def login(browser, live_server, user: User):  # type: ignore[no-untyped-def]
    page = browser.new_context().new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def click(page, locator) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        locator.click()


def join(page, live_server, code: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/scenarios/")
    page.get_by_label("Session code").fill(code)
    click(page, page.get_by_role("button", name="Join"))


def act(page) -> None:  # type: ignore[no-untyped-def]
    """Take the first action offered."""
    page.locator("input[name=action]").first.check()
    click(page, page.get_by_role("button", name="Act"))


def test_a_trainer_runs_a_group_session(browser, live_server, small_agency: SmallAgency) -> None:  # type: ignore[no-untyped-def]
    a = small_agency
    trainer = make_user(a.agency, [Role.TRAINER])
    first = make_user(a.agency, [Role.OFFICER], member=a.officer_a1)
    second = make_user(a.agency, [Role.OFFICER], member=a.officer_a2)
    late = make_user(a.agency, [Role.OFFICER], member=a.officer_b1)

    # The trainer opens the session for the scenario.
    desk = login(browser, live_server, trainer)
    desk.goto(f"{live_server.url}/scenarios/sessions/")
    desk.get_by_label("Scenario").select_option(label=TITLE)
    desk.get_by_label("Title (optional)").fill("Tuesday in-service")
    click(desk, desk.get_by_role("button", name="Open a session"))
    session = GroupSession.objects.get()
    assert f"Trainees join with the code {session.code}" in desk.locator("main").inner_text()

    # Two officers join with the code; the first takes a turn.
    one = login(browser, live_server, first)
    join(one, live_server, session.code)
    act(one)
    two = login(browser, live_server, second)
    join(two, live_server, session.code)
    runs = ScenarioRun.objects.filter(group_session=session)
    assert runs.count() == 2

    # The live page shows both runs; the trainer adds an event to every run in progress.
    desk.reload()
    rows = desk.locator("tbody[data-live-rows] tr")
    assert rows.count() == 2
    assert any(cell.strip() == "1" for cell in rows.locator("td:nth-child(2)").all_inner_texts())
    desk.get_by_label("Into").select_option(label="Every run in progress")
    desk.get_by_label("Note for the record (optional)").fill("Neighbour opens the door.")
    click(desk, desk.get_by_role("button", name="Add the event"))
    assert "added to 2 run(s)" in desk.locator("main").inner_text()
    pending = desk.locator("tbody[data-live-rows] tr td:nth-child(9)").all_inner_texts()
    assert all(text.strip() for text in pending), pending

    # The event happens before the second officer's next action, and is no longer waiting.
    act(two)
    desk.reload()
    assert any(
        not text.strip()
        for text in desk.locator("tbody[data-live-rows] tr td:nth-child(9)").all_inner_texts()
    )

    # Closing stops new trainees; the runs under way can still be finished.
    click(desk, desk.get_by_role("button", name="Close the session"))
    assert "Session closed" in desk.locator("main").inner_text()
    latecomer = login(browser, live_server, late)
    join(latecomer, live_server, session.code)
    assert ScenarioRun.objects.filter(group_session=session).count() == 2
    act(one)
    assert ScenarioRun.objects.filter(group_session=session, turn__gte=2).exists()
