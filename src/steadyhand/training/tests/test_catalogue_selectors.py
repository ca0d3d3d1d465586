"""Catalogue reads: transcript arithmetic (hours by topic, setting, parity group and year), unit
status within the chain of command, the upcoming-sessions window and published sections."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from steadyhand.access.roles import Role
from steadyhand.core.errors import NotFound
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.imports.selectors import agency_today
from steadyhand.training.selectors.catalogue import (
    member_get_for_transcript,
    published_sections,
    sessions_upcoming,
    status_units,
    transcript,
    unit_get_for_status,
    unit_status,
)
from steadyhand.training.services.catalogue import (
    RosterMark,
    enrolment_create_remedial,
    enrolment_record_external,
    session_enrol,
    session_record_roster,
)
from steadyhand.training.tests.factories import (
    make_course,
    make_session,
    published_policy,
    trainer_actor,
)

pytestmark = pytest.mark.django_db


def _history(a: SmallAgency):  # type: ignore[no-untyped-def]
    """officer_a1: 2023 academy DE 16 h (6 lecture + 10 role-play) and UOF 8 h; 2024 in-service
    crisis 4 h (credited 3) and firearms 8 h, legal 2 h. officer_a2: 2024 firearms 8 h.
    officer_b1: 2024 DE 16 h. A no-show and a 2025 enrolment count nothing."""
    t = trainer_actor(a.agency)
    de = make_course(
        t,
        "DE-16",
        setting="academy",
        modes={"lecture": 6, "role_play": 10},
        topic_code="de_escalation",
    )
    uof = make_course(t, "UOF-8", setting="academy", topic_code="use_of_force")
    crisis = make_course(t, "CIT-4", topic_code="crisis_intervention", modes={"video": 4})
    fire = make_course(t, "FA-8", topic_code="firearms", modes={"practical": 8})
    legal = make_course(t, "LEG-2", topic_code="legal", modes={"lecture": 2})

    def done(member, course, day, hours=None):  # type: ignore[no-untyped-def]
        enrolment_record_external(
            actor=t, member=member, course=course, completed_on=day, hours=hours, source="manual"
        )

    done(a.officer_a1, de, date(2023, 3, 10))
    done(a.officer_a1, uof, date(2023, 12, 31))
    done(a.officer_a1, crisis, date(2024, 1, 1), Decimal("3"))
    done(a.officer_a1, fire, date(2024, 6, 1))
    done(a.officer_a1, legal, date(2024, 6, 2))
    done(a.officer_a2, fire, date(2024, 2, 2))
    done(a.officer_b1, de, date(2024, 5, 5))
    past = make_session(t, legal, date(2024, 9, 1))
    [no_show] = session_enrol(actor=t, session=past, members=[a.officer_a2])
    session_record_roster(
        actor=t, session=past, marks=[RosterMark(no_show.pk, "no_show", expected_version=1)]
    )
    return t, {"de": de, "uof": uof, "crisis": crisis, "fire": fire, "legal": legal}


def test_transcript_hours_by_year_topic_setting_and_parity(small_agency: SmallAgency) -> None:
    a = small_agency
    t, courses = _history(a)
    upcoming = make_session(t, courses["de"], agency_today(agency_id=a.agency.pk) + timedelta(3))
    session_enrol(actor=t, session=upcoming, members=[a.officer_a1])
    enrolment_create_remedial(
        actor=t,
        member=a.officer_a1,
        course=courses["crisis"],
        cause_type="force_review",
        cause_id="9",
        reason="r",
    )
    record = transcript(actor=t, member=a.officer_a1)
    assert [e.course.code for e in record.completed] == ["LEG-2", "FA-8", "CIT-4", "UOF-8", "DE-16"]
    assert record.overall.total == Decimal("37")  # 16 + 8 + 3 + 8 + 2
    assert record.overall.completions == 5
    assert record.overall.academy == Decimal("24")
    assert record.overall.in_service == Decimal("13")
    assert record.overall.de_escalation == Decimal("19")  # DE 16 + crisis 3
    assert record.overall.use_of_force == Decimal("16")  # UOF 8 + firearms 8
    assert record.overall.other == Decimal("2")
    assert [y.year for y in record.years] == [2024, 2023]
    y2024, y2023 = record.years
    assert (y2024.hours.total, y2024.hours.academy, y2024.hours.in_service) == (13, 0, 13)
    assert (y2023.hours.total, y2023.hours.academy, y2023.hours.in_service) == (24, 24, 0)
    assert (y2024.hours.de_escalation, y2024.hours.use_of_force, y2024.hours.other) == (3, 8, 2)
    assert record.topics == [
        "Crisis intervention",
        "De-escalation",
        "Firearms",
        "Legal",
        "Use of force",
    ]
    assert y2024.topic_hours == [3, 0, 8, 2, 0]
    assert y2023.topic_hours == [0, 16, 0, 0, 8]
    assert [e.session_id for e in record.upcoming] == [upcoming.pk]
    assert [(e.course.code, e.cause_type) for e in record.waiting] == [("CIT-4", "force_review")]
    assert record.other == []


def test_a_no_show_counts_no_hours(small_agency: SmallAgency) -> None:
    a = small_agency
    t, _ = _history(a)
    record = transcript(actor=t, member=a.officer_a2)
    assert record.overall.total == Decimal("8")
    assert [e.status for e in record.other] == ["no_show"]


def test_transcripts_are_visible_to_self_chain_and_trainer_only(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    a = small_agency
    officer = actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    supervisor_a = actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)]))
    trainer = actor_of(make_user(a.agency, [Role.TRAINER]))
    foreign = actor_of(make_user(other_agency.agency, [Role.TRAINER]))
    assert member_get_for_transcript(actor=officer, member_id=a.officer_a1.pk) == a.officer_a1
    assert member_get_for_transcript(actor=supervisor_a, member_id=a.officer_a2.pk)
    assert member_get_for_transcript(actor=trainer, member_id=a.officer_b1.pk)
    for actor, member in [
        (officer, a.officer_a2),  # a colleague
        (supervisor_a, a.officer_b1),  # outside the chain
        (foreign, a.officer_a1),  # another agency
    ]:
        with pytest.raises(NotFound):
            member_get_for_transcript(actor=actor, member_id=member.pk)
        with pytest.raises(NotFound):
            transcript(actor=actor, member=member)


def test_unit_status_sums_the_year_by_parity_group(small_agency: SmallAgency) -> None:
    a = small_agency
    t, _ = _history(a)
    status = unit_status(actor=t, unit=a.bureau, year=2024)
    rows = {r.member.badge: r for r in status.rows if r.member is not None}
    assert set(rows) == {"S100", "O101", "O201", "O301"}
    assert (rows["O101"].de_escalation, rows["O101"].use_of_force, rows["O101"].other) == (3, 8, 2)
    assert (rows["O101"].total, rows["O101"].completions) == (13, 3)
    assert (rows["O201"].use_of_force, rows["O201"].completions) == (8, 1)  # the no-show is not
    assert (rows["O301"].de_escalation, rows["O301"].completions) == (16, 1)
    assert (rows["S100"].total, rows["S100"].completions) == (0, 0)
    totals = status.totals
    assert (totals.de_escalation, totals.use_of_force, totals.other) == (19, 16, 2)
    assert totals.completions == 5
    assert status.members_without_training == 1
    assert unit_status(actor=t, unit=a.bureau, year=2023).totals.total == Decimal("24")


def test_unit_status_is_limited_to_the_chain_of_command(small_agency: SmallAgency) -> None:
    a = small_agency
    _history(a)
    supervisor = actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.squad_a1)]))
    assert [u.code for u in status_units(actor=supervisor)] == ["PA-1"]
    status = unit_status(actor=supervisor, unit=a.squad_a1, year=2024)
    assert {r.member.badge for r in status.rows if r.member} == {"S100", "O101"}
    for unit in (a.precinct_a, a.bureau, a.squad_b1):
        with pytest.raises(NotFound):
            unit_get_for_status(actor=supervisor, unit_id=unit.pk)
        with pytest.raises(NotFound):
            unit_status(actor=supervisor, unit=unit, year=2024)
    officer = actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    assert status_units(actor=officer) == []
    with pytest.raises(NotFound):
        unit_get_for_status(actor=officer, unit_id=a.squad_a1.pk)


def test_upcoming_sessions_cover_today_through_sixty_days(small_agency: SmallAgency) -> None:
    a = small_agency
    t = trainer_actor(a.agency)
    course = make_course(t, "DE-8")
    today = agency_today(agency_id=a.agency.pk)
    yesterday = make_session(t, course, today - timedelta(days=1), ends_on=today)
    first = make_session(t, course, today, capacity=4)
    last = make_session(t, course, today + timedelta(days=60))
    make_session(t, course, today + timedelta(days=61))
    session_enrol(actor=t, session=first, members=[a.officer_a1, a.officer_a2, a.officer_b1])
    fills = sessions_upcoming(actor=t)
    assert [f.session.pk for f in fills] == [first.pk, last.pk]
    assert yesterday.pk not in [f.session.pk for f in fills]
    assert (fills[0].taken, fills[0].capacity, fills[0].free, fills[0].fill_percent) == (
        3,
        4,
        1,
        75,
    )
    assert [e.member.badge for e in fills[0].roster] == ["O101", "O201", "O301"]
    # Someone who does not run sessions sees the calendar but not the names.
    officer = actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    assert [f.roster for f in sessions_upcoming(actor=officer)] == [[], []]


def test_published_sections_are_those_of_the_latest_published_version(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    policy = published_policy(a.agency, sections=[("1", "Old purpose"), ("2", "Dropped")])
    published_policy(a.agency, document=policy, number=2, sections=[("1", "Purpose"), ("3", "New")])
    found = [
        (s.document.code, s.version_number, s.number, s.heading)
        for s in published_sections(agency_id=a.agency.pk)
    ]
    assert found == [("DE-1", 2, "1", "Purpose"), ("DE-1", 2, "3", "New")]
