"""What the training app puts on home pages: a trainer's upcoming sessions with their fill, an
officer's own next sessions and assignments waiting for a session."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.home import HomeSection
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.imports.selectors import agency_today
from steadyhand.training.home import home_sections
from steadyhand.training.services.catalogue import enrolment_create_remedial, session_enrol
from steadyhand.training.tests.factories import make_course, make_session, trainer_actor

pytestmark = pytest.mark.django_db


def _section(sections: list[HomeSection], title_start: str) -> HomeSection:
    [section] = [s for s in sections if s.title.startswith(title_start)]
    return section


def test_a_trainer_sees_the_sessions_of_the_next_sixty_days(small_agency: SmallAgency) -> None:
    a = small_agency
    t = trainer_actor(a.agency)
    course = make_course(t, "DE-16", title="Verbal skills")
    today = agency_today(agency_id=a.agency.pk)
    soon = make_session(t, course, today + timedelta(days=10), capacity=4)
    make_session(t, course, today + timedelta(days=61))
    session_enrol(actor=t, session=soon, members=[a.officer_a1])
    section = _section(home_sections(t), "Training sessions in the next")
    assert section.title == "Training sessions in the next 60 days"
    assert [(i.label, i.url, i.note) for i in section.items] == [
        (
            f"DE-16 Verbal skills, {soon.starts_on:%Y-%m-%d}",
            reverse("training:session_detail", args=[soon.pk]),
            "1 of 4 places taken",
        )
    ]


def test_an_officer_sees_their_own_next_sessions_and_assignments(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    t = trainer_actor(a.agency)
    course = make_course(t, "DE-16", title="Verbal skills")
    crisis = make_course(t, "CIT-8", title="Crisis basics", topic_code="crisis_intervention")
    today = agency_today(agency_id=a.agency.pk)
    mine = make_session(t, course, today + timedelta(days=3))
    theirs = make_session(t, course, today + timedelta(days=4))
    past = make_session(t, course, today - timedelta(days=30))
    session_enrol(actor=t, session=mine, members=[a.officer_a1])
    session_enrol(actor=t, session=past, members=[a.officer_a1])
    session_enrol(actor=t, session=theirs, members=[a.officer_a2])
    enrolment_create_remedial(
        actor=t,
        member=a.officer_a1,
        course=crisis,
        cause_type="early_intervention",
        cause_id="4",
        reason="Support plan",
    )
    officer = actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    section = _section(home_sections(officer), "Your upcoming training")
    assert section.title == "Your upcoming training"
    assert [(i.label, i.note) for i in section.items] == [
        ("DE-16 Verbal skills", f"{mine.starts_on:%Y-%m-%d} at Academy room 1"),
        ("CIT-8 Crisis basics", "assigned to you; a trainer will enrol you in a session"),
    ]
    # The home page itself shows it.
    client = Client()
    client.force_login(make_user(a.agency, [Role.OFFICER], member=a.officer_a2))
    html = client.get(reverse("accounts:home")).content.decode()
    assert "Your upcoming training" in html
    assert reverse("training:session_detail", args=[theirs.pk]) in html


def test_an_officer_with_nothing_booked_is_told_so(small_agency: SmallAgency) -> None:
    officer = actor_of(
        make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_b1)
    )
    section = _section(home_sections(officer), "Your upcoming training")
    assert section.items == []
    assert section.empty_text == "You are not enrolled in any session."


def test_an_account_without_a_member_record_gets_no_training_section(
    small_agency: SmallAgency,
) -> None:
    assert home_sections(actor_of(make_user(small_agency.agency, [Role.ANALYST]))) == []
