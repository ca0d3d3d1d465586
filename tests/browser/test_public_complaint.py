"""Issue 4 in a real browser: someone with no account complains anonymously through the public
form and gets a reference; internal affairs finds it on their home page, names the officer,
records a finding and closes it."""

import re

import pytest
from django.test import override_settings

from steadyhand.access.roles import Role
from steadyhand.complaints.models import Complaint, ComplaintStatus
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


# The minimum fill time is a spam brake against bots; the test types faster than any person.
@override_settings(STEADYHAND_COMPLAINT_FORM_MIN_SECONDS=0)
def test_anonymous_complaint_to_closed_finding(
    browser, live_server, small_agency: SmallAgency
) -> None:  # type: ignore[no-untyped-def]
    make_user(small_agency.agency, [Role.INTERNAL_AFFAIRS], username="standards")

    public = browser.new_context().new_page()
    public.goto(f"{live_server.url}/public/{small_agency.agency.slug}/complaint")
    public.get_by_role("button", name="Send my complaint").click()
    # Nothing typed: the error summary names the one required field and links to it.
    alert = public.get_by_role("alert")
    assert "Describe what happened" in alert.inner_text()
    public.get_by_label("What happened?").fill("The officer mocked me and threw my ID on the road.")
    public.get_by_label("Where it happened").fill("Elm St and 3rd")
    public.get_by_label("Officer's badge number, name or description (optional)").fill("O201")
    public.get_by_label("Age").select_option(label="35-44")
    public.get_by_role("button", name="Send my complaint").click()
    public.wait_for_url(re.compile(r".*/complaint/sent\?receipt=.*"))
    reference = public.locator(".reference").inner_text().strip()
    complaint = Complaint.objects.get()
    assert reference == complaint.reference
    assert complaint.complainant_name == ""

    ia = browser.new_context().new_page()
    login(ia, live_server, "standards")
    ia.get_by_role("link", name=re.compile(re.escape(reference))).click()
    ia.get_by_role("link", name="Add an allegation").click()
    ia.get_by_label("Category").select_option(label="Discourtesy or language")
    ia.get_by_label("Badge number of the member").fill("O201")
    ia.get_by_role("button", name="Add allegation").click()
    ia.get_by_role("link", name="Record finding").click()
    ia.get_by_label(re.compile(r"^Finding")).select_option(label="Sustained")
    ia.get_by_role("button", name="Record finding").click()
    ia.get_by_role("button", name="Close complaint").click()
    assert f"Complaint {reference} closed." in ia.locator(".messages").inner_text()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    assert complaint.unit == small_agency.squad_a2
