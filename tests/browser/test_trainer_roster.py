"""Issue 3 in a real browser: a trainer records a session's roster, and the officer's own
transcript then shows the hours."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from steadyhand.access.roles import Role
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, actor_of, make_user
from steadyhand.training.models import Enrolment, Topic
from steadyhand.training.services.catalogue import (
    course_create,
    session_create,
    session_enrol,
    training_setup_agency,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_trainer_completes_a_roster_and_the_officer_sees_the_hours(
    browser, live_server, small_agency: SmallAgency
) -> None:  # type: ignore[no-untyped-def]
    a = small_agency
    trainer = actor_of(make_user(a.agency, [Role.TRAINER], username="instructor"))
    training_setup_agency(actor=trainer)
    course = course_create(
        actor=trainer, code="ICAT-16", title="ICAT de-escalation",
        topic=Topic.objects.get(agency=a.agency, code="de_escalation"), setting="in_service",
        modes={"lecture": Decimal(6), "role_play": Decimal(10)},
    )  # fmt: skip
    day = date.today() - timedelta(days=3)
    session = session_create(actor=trainer, course=course, starts_on=day, ends_on=day,
                             capacity=10)  # fmt: skip
    session_enrol(actor=trainer, session=session, members=[a.officer_a1, a.officer_a2])
    make_user(a.agency, [Role.OFFICER], member=a.officer_a1, username="patrol")

    page = browser.new_context().new_page()
    login(page, live_server, "instructor")
    page.goto(f"{live_server.url}/training/sessions/{session.pk}/roster/")
    page.get_by_label(f"Status of #{a.officer_a1.badge}").select_option("completed")
    page.get_by_label(f"Status of #{a.officer_a2.badge}").select_option("no_show")
    page.get_by_role("button", name="Save the roster").click()
    page.wait_for_load_state()
    done = Enrolment.objects.get(session=session, member=a.officer_a1)
    assert done.status == "completed"
    assert done.completed_on == day
    assert Enrolment.objects.get(session=session, member=a.officer_a2).status == "no_show"

    officer = browser.new_context().new_page()
    login(officer, live_server, "patrol")
    officer.goto(f"{live_server.url}/training/my-transcript/")
    text = officer.locator("main").inner_text()
    assert "ICAT-16" in text
    assert "16" in text
