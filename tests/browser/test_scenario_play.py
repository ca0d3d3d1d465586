"""Issue 7 in a real browser: an officer plays a scenario with the keyboard alone, turn by
turn, to its debrief, and the completed run appears as role-play training."""

import pytest

from steadyhand.access.roles import Role
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, make_user
from steadyhand.scenarios import services
from steadyhand.scenarios.models import ScenarioRun
from steadyhand.training.models import Enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Kitchen knife on the landing"
TACTICS = ("create_distance", "take_cover", "introduce_self", "request_crisis_team",
           "active_listening", "empathy", "offer_options")  # fmt: skip
# After this many turns the officer ends the run with a takedown, so the test is bounded.
TURNS_BEFORE_FORCE = 6

FOCUSED = "() => { const e = document.activeElement; return [e.tagName, e.name || '', " \
          "e.value || '', (e.textContent || '').trim()]; }"  # fmt: skip


def login(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def tab_to(page, matches, limit: int = 120) -> list[str]:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element satisfies ``matches``; return what is focused."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if matches(focused):
            return focused  # type: ignore[no-any-return]
    raise AssertionError("never reached by Tab")


def choose_and_act(page, code: str) -> None:  # type: ignore[no-untyped-def]
    focused = tab_to(page, lambda f: f[0] == "INPUT" and f[1] == "action")
    if focused[2] == code:
        page.keyboard.press("Space")
    for _ in range(80):
        if page.evaluate(FOCUSED)[2] == code:
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate(FOCUSED)[2] == code
    assert page.locator(f"#action-{code}").is_checked()
    tab_to(page, lambda f: f[0] == "BUTTON" and f[3] == "Act", limit=5)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_an_officer_plays_by_keyboard_to_the_debrief(
    browser, live_server, small_agency: SmallAgency, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "DEBRIEF_K", 4)
    make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1,
              username="patrol")  # fmt: skip
    page = browser.new_context().new_page()
    login(page, live_server, "patrol")
    page.goto(f"{live_server.url}/scenarios/")
    tab_to(page, lambda f: f[0] == "BUTTON" and f[3] == f"Start “{TITLE}”", limit=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Briefing").is_visible()
    assert page.get_by_role("img", name="Positions on scene").is_visible()

    for turn in range(40):
        if "/debrief/" in page.url:
            break
        offered = page.locator("input[name=action]").evaluate_all("els => els.map(e => e.value)")
        wanted = [c for c in TACTICS if c in offered]
        code = (
            "takedown" if turn >= TURNS_BEFORE_FORCE or not wanted else wanted[turn % len(wanted)]
        )
        choose_and_act(page, code)
        if "/debrief/" not in page.url:
            assert page.get_by_role("heading", name="What just happened").is_visible()
    assert "/debrief/" in page.url
    assert page.get_by_role("heading", name="By step of the Critical Decision-Making Model")
    text = page.locator("main").inner_text()
    assert "1. Collect information" in text
    assert "of role-play training" in text
    run = ScenarioRun.objects.get()
    assert run.is_completed
    assert run.turn >= 1
    assert Enrolment.objects.get(member=small_agency.officer_a1).source == "scenario"
