"""A newcomer logs in as each role and lands on a home page whose navigation fits the role."""

import pytest

from steadyhand.access.roles import Role
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The navigation each role should and should not see (labels from accounts/context_processors).
EXPECTED_NAV = {
    Role.OFFICER: ({"Home", "Units", "Members"}, {"Accounts", "Audit log", "Roster import"}),
    Role.SUPERVISOR: ({"Home", "Units", "Members"}, {"Accounts", "Audit log"}),
    Role.COMMANDER: ({"Home", "Members"}, {"Accounts", "Roster import"}),
    Role.TRAINER: ({"Home", "Members"}, {"Accounts", "Verify audit chain"}),
    Role.INTERNAL_AFFAIRS: ({"Home", "Members"}, {"Accounts", "Audit log"}),
    Role.ANALYST: ({"Home", "Units"}, {"Members", "Accounts", "Audit log"}),
    Role.AUDITOR: ({"Home", "Audit log", "Verify audit chain"}, {"Members", "Accounts"}),
    Role.AGENCY_ADMIN: (
        {"Home", "Members", "Accounts", "Roster import", "Agency settings", "Verify audit chain"},
        {"Audit log"},
    ),
}


def login(page, live_server, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_home_page(
    page, live_server, small_agency: SmallAgency, role: Role
) -> None:  # type: ignore[no-untyped-def]
    a = small_agency
    member = a.officer_a1 if role == Role.OFFICER else None
    make_user(a.agency, [role], member=member, username=f"demo-{role.value}")

    login(page, live_server, f"demo-{role.value}", TEST_PASSWORD)

    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    nav = {
        t.strip()
        for t in page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()
    }
    shown, hidden = EXPECTED_NAV[role]
    assert shown <= nav, f"{role}: missing {shown - nav}"
    assert not (hidden & nav), f"{role}: should not see {hidden & nav}"
    assert role.label in page.locator("main").inner_text()


def test_wrong_password_is_refused_with_a_message(
    page, live_server, small_agency: SmallAgency
) -> None:  # type: ignore[no-untyped-def]
    make_user(small_agency.agency, [Role.OFFICER], username="someone")
    login(page, live_server, "someone", "not-the-password")
    assert page.get_by_role("alert").is_visible()
    assert "/accounts/login/" in page.url
