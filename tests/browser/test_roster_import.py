"""An agency administrator imports a roster with mistakes in it, in a real browser: sees each
problem by row and column, cannot load everything, and loads only the valid rows."""

from pathlib import Path

import pytest

from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).parents[2] / "src/steadyhand/imports/tests/fixtures/roster_errors.csv"


def test_admin_loads_only_the_valid_rows_of_a_roster_with_errors(
    page, live_server, small_agency: SmallAgency
) -> None:  # type: ignore[no-untyped-def]
    make_user(small_agency.agency, [Role.AGENCY_ADMIN], username="records")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("records")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roster import").click()
    page.get_by_label("Roster file (CSV)").set_input_files(str(FIXTURE))
    page.get_by_role("button", name="Upload and check").click()

    page.locator("#problems").wait_for()
    text = page.locator("main").inner_text()
    assert "ZZ-9" in text  # the unknown unit code is shown with its row
    assert page.get_by_role("button", name="Load all rows").is_disabled()
    badges_before = set(Member.objects.values_list("badge", flat=True))

    page.get_by_role("button", name="Load only the").click()
    page.get_by_text("Loaded").first.wait_for()

    added = set(Member.objects.values_list("badge", flat=True)) - badges_before
    assert {"E601", "E612"} <= added
    assert not added & {"E602", "E603", "E604", "E605", "E607", "E608"}
