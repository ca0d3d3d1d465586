"""Issue 3 in a real browser: a commander approves and publishes a policy version, and an
officer finds it on their home page and acknowledges it."""

import pytest

from steadyhand.access.roles import Role
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, actor_of, make_user
from steadyhand.policy.models import Acknowledgement, PolicyVersion
from steadyhand.policy.services import (
    policy_document_create,
    policy_section_add,
    policy_version_create,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def _draft(agency: SmallAgency) -> PolicyVersion:
    drafter = actor_of(make_user(agency.agency, [Role.TRAINER], username="drafter"))
    document = policy_document_create(
        actor=drafter, code="DE-9", title="De-escalation", kind="de_escalation",
        applies_to_ranks=[],
    )  # fmt: skip
    version = policy_version_create(actor=drafter, document=document, summary="First version")
    policy_section_add(actor=drafter, version=version, expected_version=None, number="1",
                       heading="Purpose", text="Slow down; create time and distance.")  # fmt: skip
    return version


def test_commander_publishes_and_officer_acknowledges(
    browser, live_server, small_agency: SmallAgency
) -> None:  # type: ignore[no-untyped-def]
    version = _draft(small_agency)
    make_user(small_agency.agency, [Role.COMMANDER], username="captain")
    make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1,
              username="patrol")  # fmt: skip

    commander = browser.new_context().new_page()
    login(commander, live_server, "captain")
    commander.get_by_role("navigation", name="Main").get_by_role("link", name="Policy").click()
    commander.get_by_role("link", name="De-escalation").first.click()
    commander.get_by_role("link", name="v1").first.click()
    commander.get_by_role("button", name="Approve v1").click()
    commander.get_by_role("link", name="Publish v1…").click()
    commander.get_by_role("button", name="Publish v1").click()
    commander.wait_for_load_state()
    version.refresh_from_db()
    assert version.status == "published"

    officer = browser.new_context().new_page()
    login(officer, live_server, "patrol")
    officer.get_by_role("link", name="Read and acknowledge DE-9").click()
    assert "Slow down; create time and distance." in officer.locator("main").inner_text()
    officer.get_by_role("button", name="I have read and acknowledge this version").click()
    officer.wait_for_load_state()
    assert Acknowledgement.objects.filter(version=version, member=small_agency.officer_a1).exists()
    officer.goto(f"{live_server.url}/")
    assert "You have acknowledged every policy" in officer.locator("main").inner_text()
