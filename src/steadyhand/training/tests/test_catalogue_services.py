"""Catalogue writes: topics, courses, sessions, enrolment, the roster, remedial and external
completions — each with its refusals, its validation and its audit event."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from steadyhand.access.roles import Role
from steadyhand.agencies.models import MemberStatus
from steadyhand.agencies.services import member_update
from steadyhand.audit.models import AuditEvent
from steadyhand.audit.verify import verify_chain
from steadyhand.core.errors import ConflictError, InvalidInput, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.imports.selectors import agency_today
from steadyhand.training.models import (
    CourseCitation,
    Enrolment,
    EnrolmentStatus,
    ParityGroup,
    Topic,
)
from steadyhand.training.services.catalogue import (
    STANDARD_TOPICS,
    RosterMark,
    course_create,
    course_update,
    enrolment_create_remedial,
    enrolment_record_external,
    session_create,
    session_enrol,
    session_record_roster,
    session_update,
    topic_create,
    topic_update,
    training_setup_agency,
)
from steadyhand.training.tests.factories import (
    make_course,
    make_session,
    make_trainer,
    published_policy,
    topic,
    trainer_actor,
)

pytestmark = pytest.mark.django_db


def _today(a: SmallAgency) -> date:
    return agency_today(agency_id=a.agency.pk)


# Topics ----------------------------------------------------------------------------------------


def test_setup_creates_the_standard_topics_once_and_audits_each(small_agency: SmallAgency) -> None:
    actor = actor_of(make_trainer(small_agency.agency))
    created = training_setup_agency(actor=actor)
    assert len(created) == len(STANDARD_TOPICS) == 10
    groups = dict(
        Topic.objects.filter(agency=small_agency.agency).values_list("code", "parity_group")
    )
    assert groups["de_escalation"] == groups["crisis_intervention"] == ParityGroup.DE_ESCALATION
    assert groups["duty_to_intervene"] == ParityGroup.DE_ESCALATION
    assert groups["use_of_force"] == groups["defensive_tactics"] == ParityGroup.USE_OF_FORCE
    assert groups["firearms"] == ParityGroup.USE_OF_FORCE
    assert groups["legal"] == groups["first_aid"] == ParityGroup.NEITHER
    assert groups["procedural_justice"] == ParityGroup.NEITHER
    assert (
        AuditEvent.objects.filter(action="topic.create", actor_user_id=actor.user_id).count() == 10
    )
    # Running it again adds nothing and keeps an agency's own reclassification.
    topic_update(
        actor=actor,
        topic=topic(small_agency.agency, "procedural_justice"),
        name="Procedural justice",
        parity_group=ParityGroup.DE_ESCALATION,
        reason="Our course is mostly verbal skills",
    )
    with pytest.raises(InvalidInput, match="Say why the topic moves"):
        topic_update(
            actor=actor,
            topic=topic(small_agency.agency, "legal"),
            name="Legal",
            parity_group=ParityGroup.USE_OF_FORCE,
        )
    assert training_setup_agency(actor=actor) == []
    assert topic(small_agency.agency, "procedural_justice").parity_group == "de_escalation"
    event = AuditEvent.objects.get(action="topic.update")
    assert event.changes == {"parity_group": ["neither", "de_escalation"]}
    assert event.reason == "Our course is mostly verbal skills"


def test_topics_are_per_agency(small_agency: SmallAgency, other_agency: SmallAgency) -> None:
    trainer_actor(small_agency.agency)
    trainer_actor(other_agency.agency)
    assert Topic.objects.filter(agency=small_agency.agency).count() == 10
    assert Topic.objects.filter(agency=other_agency.agency).count() == 10


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.COMMANDER, Role.AGENCY_ADMIN])
def test_only_trainers_set_up_or_add_topics(small_agency: SmallAgency, role: Role) -> None:
    actor = actor_of(make_user(small_agency.agency, [role]))
    with pytest.raises(PermissionDenied):
        training_setup_agency(actor=actor)
    with pytest.raises(PermissionDenied):
        topic_create(actor=actor, code="mh", name="Mental health", parity_group="de_escalation")
    assert not Topic.objects.filter(agency=small_agency.agency).exists()


def test_a_trainer_adds_a_topic_and_a_duplicate_code_is_refused(small_agency: SmallAgency) -> None:
    actor = trainer_actor(small_agency.agency)
    added = topic_create(
        actor=actor, code="mental_health", name="Mental health", parity_group="de_escalation"
    )
    assert AuditEvent.objects.filter(action="topic.create", object_id=str(added.pk)).exists()
    with pytest.raises(InvalidInput, match="already has a topic with the code"):
        topic_create(actor=actor, code="mental_health", name="Again", parity_group="neither")
    with pytest.raises(InvalidInput, match="Unknown parity group"):
        topic_create(actor=actor, code="x", name="X", parity_group="both")


# Courses ---------------------------------------------------------------------------------------


def test_a_course_has_hours_by_mode_and_cites_published_sections(
    small_agency: SmallAgency,
) -> None:
    actor = trainer_actor(small_agency.agency)
    policy = published_policy(small_agency.agency)
    course = make_course(
        actor,
        "DE-16",
        modes={"lecture": 6, "role_play": "6.5", "group_discussion": "3.5", "video": 0},
        citations=[(policy, "2"), (policy, "1"), (policy, "2")],
    )
    assert course.total_hours == Decimal("16")
    assert {m.mode: m.hours for m in course.modes.all()} == {
        "lecture": Decimal("6"),
        "role_play": Decimal("6.5"),
        "group_discussion": Decimal("3.5"),
    }
    assert sorted(course.citations.values_list("section_number", flat=True)) == ["1", "2"]
    event = AuditEvent.objects.get(action="course.create")
    assert event.changes["citations"] == [None, ["DE-1 §1", "DE-1 §2"]]
    assert event.changes["modes"][1] == {
        "group_discussion": "3.50",
        "lecture": "6.00",
        "role_play": "6.50",
    }


@pytest.mark.parametrize(
    ("modes", "message"),
    [
        ({}, "at least one delivery mode"),
        ({"lecture": 0}, "at least one delivery mode"),
        ({"lecture": "-2"}, "between 0.01"),
        ({"lecture": "1.005"}, "at most two decimals"),
        ({"juggling": 3}, "Unknown delivery mode"),
    ],
)
def test_course_hours_are_validated(
    small_agency: SmallAgency, modes: dict[str, str], message: str
) -> None:
    actor = trainer_actor(small_agency.agency)
    with pytest.raises(InvalidInput, match=message):
        course_create(
            actor=actor,
            code="X-1",
            title="X",
            topic=topic(small_agency.agency, "legal"),
            setting="academy",
            modes={k: Decimal(str(v)) for k, v in modes.items()},
        )


def test_a_course_cannot_cite_a_draft_or_missing_section(small_agency: SmallAgency) -> None:
    actor = trainer_actor(small_agency.agency)
    policy = published_policy(small_agency.agency, sections=[("1", "Purpose")])
    with pytest.raises(InvalidInput, match="DE-1 has no section 9 in its published version"):
        make_course(actor, "DE-2", citations=[(policy, "9")])
    # A newer published version without §1 makes §1 uncitable for new citations.
    published_policy(small_agency.agency, document=policy, number=2, sections=[("2", "New")])
    with pytest.raises(InvalidInput, match="no section 1"):
        make_course(actor, "DE-3", citations=[(policy, "1")])


def test_a_course_may_keep_a_citation_its_policy_dropped(small_agency: SmallAgency) -> None:
    actor = trainer_actor(small_agency.agency)
    policy = published_policy(small_agency.agency, sections=[("1", "Purpose")])
    course = make_course(actor, "DE-2", citations=[(policy, "1")])
    published_policy(small_agency.agency, document=policy, number=2, sections=[("2", "New")])
    saved = course_update(
        actor=actor,
        course=course,
        code="DE-2",
        title="Renamed",
        topic=course.topic,
        setting=course.setting,
        modes={"lecture": Decimal("8")},
        citations=[(policy, "1"), (policy, "2")],
        description="",
        active=True,
        expected_version=course.version,
    )
    assert sorted(saved.citations.values_list("section_number", flat=True)) == ["1", "2"]


def test_citing_another_agencys_policy_or_topic_is_refused(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    actor = trainer_actor(small_agency.agency)
    trainer_actor(other_agency.agency)
    foreign_policy = published_policy(other_agency.agency, code="OT-1")
    with pytest.raises(InvalidInput, match="another agency"):
        make_course(actor, "X-1", citations=[(foreign_policy, "1")])
    with pytest.raises(InvalidInput, match="another agency"):
        course_create(
            actor=actor,
            code="X-2",
            title="X",
            topic=topic(other_agency.agency, "legal"),
            setting="academy",
            modes={"lecture": Decimal("1")},
        )
    assert not CourseCitation.objects.exists()


def test_course_codes_are_unique_per_agency(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    actor = trainer_actor(small_agency.agency)
    make_course(actor, "UOF-8", topic_code="use_of_force")
    with pytest.raises(InvalidInput, match="already used by"):
        make_course(actor, "UOF-8")
    make_course(trainer_actor(other_agency.agency), "UOF-8")


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.SUPERVISOR, Role.COMMANDER, Role.ANALYST, Role.AGENCY_ADMIN]
)
def test_only_trainers_create_or_change_courses(small_agency: SmallAgency, role: Role) -> None:
    trainer = trainer_actor(small_agency.agency)
    course = make_course(trainer, "DE-8")
    actor = actor_of(make_user(small_agency.agency, [role], member=small_agency.officer_a1))
    with pytest.raises(PermissionDenied):
        make_course(actor, "DE-9")
    with pytest.raises(PermissionDenied):
        course_update(
            actor=actor,
            course=course,
            code="DE-8",
            title="Hijacked",
            topic=course.topic,
            setting=course.setting,
            modes={"lecture": Decimal("1")},
            citations=[],
            description="",
            active=True,
            expected_version=course.version,
        )
    course.refresh_from_db()
    assert course.title == "Course DE-8"


def test_course_update_is_optimistically_locked_and_audited(small_agency: SmallAgency) -> None:
    actor = trainer_actor(small_agency.agency)
    course = make_course(actor, "DE-8", modes={"lecture": 8})
    read_at = course.version

    def save(title: str, version: int) -> None:
        course_update(
            actor=actor,
            course=course,
            code="DE-8",
            title=title,
            topic=topic(small_agency.agency, "crisis_intervention"),
            setting="academy",
            modes={"lecture": Decimal("6"), "role_play": Decimal("4")},
            citations=[],
            description="",
            active=True,
            expected_version=version,
            reason="New curriculum",
        )

    save("First editor", read_at)
    with pytest.raises(ConflictError, match="changed by someone else"):
        save("Second editor", read_at)
    course.refresh_from_db()
    assert (course.title, course.version, course.total_hours) == ("First editor", 2, Decimal(10))
    event = AuditEvent.objects.get(action="course.update")
    assert event.changes["title"] == ["Course DE-8", "First editor"]
    assert event.changes["topic"] == ["de_escalation", "crisis_intervention"]
    assert event.changes["setting"] == ["in_service", "academy"]
    assert event.changes["modes"] == [{"lecture": "8.00"}, {"lecture": "6.00", "role_play": "4.00"}]
    assert event.reason == "New curriculum"


# Sessions and enrolment ------------------------------------------------------------------------


def test_sessions_are_validated(small_agency: SmallAgency, other_agency: SmallAgency) -> None:
    actor = trainer_actor(small_agency.agency)
    course = make_course(actor, "DE-8")
    start = date(2030, 5, 6)
    with pytest.raises(InvalidInput, match="cannot end before it starts"):
        session_create(
            actor=actor, course=course, starts_on=start, ends_on=start - timedelta(1), capacity=5
        )
    with pytest.raises(InvalidInput, match="at least one place"):
        session_create(actor=actor, course=course, starts_on=start, ends_on=start, capacity=0)
    with pytest.raises(InvalidInput, match="another agency"):
        session_create(
            actor=actor,
            course=course,
            starts_on=start,
            ends_on=start,
            capacity=5,
            instructors=[other_agency.officer_a1],
        )
    session = session_create(
        actor=actor,
        course=course,
        starts_on=start,
        ends_on=start + timedelta(days=1),
        capacity=5,
        instructors=[small_agency.sergeant_a1],
    )
    assert list(session.instructors.all()) == [small_agency.sergeant_a1]
    event = AuditEvent.objects.get(action="session.create")
    assert event.changes["instructors"] == [None, ["S100"]]


def test_a_retired_course_cannot_be_scheduled(small_agency: SmallAgency) -> None:
    actor = trainer_actor(small_agency.agency)
    course = make_course(actor, "OLD-1")
    course_update(
        actor=actor,
        course=course,
        code="OLD-1",
        title=course.title,
        topic=course.topic,
        setting=course.setting,
        modes={"lecture": Decimal("8")},
        citations=[],
        description="",
        active=False,
        expected_version=course.version,
    )
    with pytest.raises(InvalidInput, match="retired"):
        make_session(actor, course, date(2030, 1, 1))


def test_capacity_is_enforced_with_a_clear_message(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = trainer_actor(a.agency)
    session = make_session(actor, make_course(actor, "DE-8"), date(2030, 5, 6), capacity=2)
    session_enrol(actor=actor, session=session, members=[a.officer_a1])
    with pytest.raises(InvalidInput) as caught:
        session_enrol(actor=actor, session=session, members=[a.officer_a2, a.officer_b1])
    assert caught.value.errors["members"] == [
        "The session has 2 places and 1 are taken, so 1 more member can be enrolled, not 2. "
        "Raise the capacity or enrol fewer members."
    ]
    assert session.enrolments.count() == 1  # all or nothing
    session_enrol(actor=actor, session=session, members=[a.officer_a2])
    with pytest.raises(InvalidInput, match="0 more members can be enrolled, not 1"):
        session_enrol(actor=actor, session=session, members=[a.officer_b1])


def test_double_enrolment_is_refused_and_a_withdrawn_member_can_come_back(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    actor = trainer_actor(a.agency)
    session = make_session(actor, make_course(actor, "DE-8"), date(2030, 5, 6), capacity=5)
    [enrolment] = session_enrol(actor=actor, session=session, members=[a.officer_a1])
    with pytest.raises(InvalidInput, match="#O101 is already enrolled in this session"):
        session_enrol(actor=actor, session=session, members=[a.officer_a1])
    session_record_roster(
        actor=actor,
        session=session,
        marks=[RosterMark(enrolment.pk, EnrolmentStatus.WITHDRAWN, expected_version=1)],
    )
    [again] = session_enrol(actor=actor, session=session, members=[a.officer_a1])
    assert again.pk == enrolment.pk
    assert again.status == EnrolmentStatus.ENROLLED
    assert Enrolment.objects.filter(member=a.officer_a1).count() == 1
    actions = list(
        AuditEvent.objects.filter(object_id=str(enrolment.pk), object_type="training.enrolment")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["enrolment.create", "enrolment.record", "enrolment.enrol"]


def test_separated_or_foreign_members_cannot_be_enrolled(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    a = small_agency
    actor = trainer_actor(a.agency)
    session = make_session(actor, make_course(actor, "DE-8"), date(2030, 5, 6))
    with pytest.raises(InvalidInput, match="another agency"):
        session_enrol(actor=actor, session=session, members=[other_agency.officer_a1])
    member_update(
        actor=a.system,
        member=a.officer_b1,
        expected_version=a.officer_b1.version,
        badge=a.officer_b1.badge,
        first_name="Test",
        last_name="O301",
        rank=a.officer_b1.rank,
        unit=a.squad_b1,
        hire_date=a.officer_b1.hire_date,
        supervisor=None,
        status=MemberStatus.SEPARATED,
    )
    a.officer_b1.refresh_from_db()
    with pytest.raises(InvalidInput, match="#O301 has separated"):
        session_enrol(actor=actor, session=session, members=[a.officer_b1])
    assert not session.enrolments.exists()


def test_only_trainers_enrol(small_agency: SmallAgency) -> None:
    a = small_agency
    trainer = trainer_actor(a.agency)
    session = make_session(trainer, make_course(trainer, "DE-8"), date(2030, 5, 6))
    officer = actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    with pytest.raises(PermissionDenied):
        session_enrol(actor=officer, session=session, members=[a.officer_a1])
    assert not session.enrolments.exists()


def test_lowering_capacity_below_the_places_taken_is_refused(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = trainer_actor(a.agency)
    session = make_session(actor, make_course(actor, "DE-8"), date(2030, 5, 6), capacity=3)
    session_enrol(actor=actor, session=session, members=[a.officer_a1, a.officer_a2])

    def update(capacity: int, version: int) -> None:
        session_update(
            actor=actor,
            session=session,
            starts_on=session.starts_on,
            ends_on=session.ends_on,
            capacity=capacity,
            location="Range",
            instructors=[],
            expected_version=version,
        )

    with pytest.raises(InvalidInput, match="2 members hold a place"):
        update(1, 1)
    update(2, 1)
    with pytest.raises(ConflictError):
        update(4, 1)
    session.refresh_from_db()
    assert (session.capacity, session.location, session.version) == (2, "Range", 2)


# The roster ------------------------------------------------------------------------------------


def _enrolled(a: SmallAgency, capacity: int = 5, days_ago: int = 3):  # type: ignore[no-untyped-def]
    actor = trainer_actor(a.agency)
    course = make_course(actor, "DE-16", modes={"lecture": 10, "role_play": 6})
    day = _today(a) - timedelta(days=days_ago)
    session = make_session(actor, course, day - timedelta(days=1), ends_on=day, capacity=capacity)
    enrolments = session_enrol(
        actor=actor, session=session, members=[a.officer_a1, a.officer_a2, a.officer_b1]
    )
    return actor, session, enrolments


def test_the_roster_records_completion_attendance_and_scores(small_agency: SmallAgency) -> None:
    actor, session, (e1, e2, e3) = _enrolled(small_agency)
    changed = session_record_roster(
        actor=actor,
        session=session,
        marks=[
            RosterMark(e1.pk, EnrolmentStatus.COMPLETED, score=Decimal("92.5"), expected_version=1),
            RosterMark(
                e2.pk,
                EnrolmentStatus.COMPLETED,
                hours=Decimal("12"),
                completed_on=session.starts_on,
                expected_version=1,
            ),
            RosterMark(e3.pk, EnrolmentStatus.NO_SHOW, expected_version=1),
        ],
        reason="Day 2 sign-in sheet",
    )
    assert len(changed) == 3
    for e in (e1, e2, e3):
        e.refresh_from_db()
    # The defaults: the session's last day and the course's 16 hours.
    assert (e1.status, e1.completed_on, e1.hours, e1.score) == (
        "completed",
        session.ends_on,
        Decimal("16"),
        Decimal("92.5"),
    )
    assert (e2.completed_on, e2.hours) == (session.starts_on, Decimal("12"))
    assert (e3.status, e3.completed_on, e3.hours) == ("no_show", None, None)
    events = AuditEvent.objects.filter(action="enrolment.record")
    assert events.count() == 3
    assert {e.reason for e in events} == {"Day 2 sign-in sheet"}
    # Saving the same marks again changes nothing and writes nothing.
    unchanged = session_record_roster(
        actor=actor,
        session=session,
        marks=[RosterMark(e3.pk, EnrolmentStatus.NO_SHOW, expected_version=e3.version)],
    )
    assert unchanged == []
    assert AuditEvent.objects.filter(action="enrolment.record").count() == 3


def test_un_completing_clears_hours_and_date(small_agency: SmallAgency) -> None:
    actor, session, (e1, _, _) = _enrolled(small_agency)
    session_record_roster(
        actor=actor, session=session, marks=[RosterMark(e1.pk, "completed", expected_version=1)]
    )
    session_record_roster(
        actor=actor, session=session, marks=[RosterMark(e1.pk, "attended", expected_version=2)]
    )
    e1.refresh_from_db()
    assert (e1.status, e1.completed_on, e1.hours) == ("attended", None, None)


def test_a_stale_roster_is_refused_whole(small_agency: SmallAgency) -> None:
    actor, session, (e1, e2, _) = _enrolled(small_agency)
    session_record_roster(
        actor=actor, session=session, marks=[RosterMark(e1.pk, "attended", expected_version=1)]
    )
    with pytest.raises(InvalidInput) as caught:
        session_record_roster(
            actor=actor,
            session=session,
            marks=[
                RosterMark(e1.pk, "completed", expected_version=1),  # read before the change
                RosterMark(e2.pk, "completed", expected_version=1),
            ],
        )
    assert list(caught.value.errors) == [str(e1.pk)]
    assert "someone else changed" in caught.value.errors[str(e1.pk)][0]
    e2.refresh_from_db()
    assert e2.status == "enrolled"  # nothing of the refused roster was saved


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        ({"status": "completed", "score": Decimal("101")}, "between 0 and 100"),
        ({"status": "completed", "hours": Decimal("0")}, "hours must be between"),
        ({"status": "lost"}, "unknown status"),
    ],
)
def test_roster_values_are_validated(
    small_agency: SmallAgency, mark: dict[str, object], message: str
) -> None:
    actor, session, (e1, _, _) = _enrolled(small_agency)
    with pytest.raises(InvalidInput, match=message):
        session_record_roster(
            actor=actor,
            session=session,
            marks=[RosterMark(e1.pk, expected_version=1, **mark)],  # type: ignore[arg-type]
        )


def test_a_completion_cannot_be_in_the_future(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = trainer_actor(a.agency)
    session = make_session(actor, make_course(actor, "DE-8"), _today(a) + timedelta(days=2))
    [e] = session_enrol(actor=actor, session=session, members=[a.officer_a1])
    with pytest.raises(InvalidInput, match="cannot be dated after today"):
        session_record_roster(
            actor=actor, session=session, marks=[RosterMark(e.pk, "completed", expected_version=1)]
        )


def test_a_mark_for_another_sessions_enrolment_is_refused(small_agency: SmallAgency) -> None:
    actor, session, _ = _enrolled(small_agency)
    other = make_session(actor, session.course, date(2030, 1, 1))
    [foreign] = session_enrol(actor=actor, session=other, members=[small_agency.sergeant_a1])
    with pytest.raises(InvalidInput, match="not on this session's roster"):
        session_record_roster(
            actor=actor, session=session, marks=[RosterMark(foreign.pk, "completed")]
        )


def test_re_enrolling_through_the_roster_respects_capacity(small_agency: SmallAgency) -> None:
    actor, session, (_, _, e3) = _enrolled(small_agency, capacity=3)
    session_record_roster(
        actor=actor, session=session, marks=[RosterMark(e3.pk, "withdrawn", expected_version=1)]
    )
    session_enrol(actor=actor, session=session, members=[small_agency.sergeant_a1])
    with pytest.raises(InvalidInput, match="4 members would hold a place but the session has 3"):
        session_record_roster(
            actor=actor, session=session, marks=[RosterMark(e3.pk, "enrolled", expected_version=2)]
        )


# Remedial enrolments ---------------------------------------------------------------------------


def test_a_remedial_enrolment_records_its_cause(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = trainer_actor(a.agency)
    course = make_course(actor, "DE-8")
    enrolment = enrolment_create_remedial(
        actor=actor,
        member=a.officer_a1,
        course=course,
        cause_type="force_review",
        cause_id=417,
        reason="Review 417 found de-escalation was not attempted",
    )
    assert (enrolment.remedial, enrolment.cause_type, enrolment.cause_id) == (
        True,
        "force_review",
        "417",
    )
    assert (enrolment.session, enrolment.status, enrolment.source) == (None, "enrolled", "remedial")
    event = AuditEvent.objects.get(action="enrolment.remedial")
    assert event.reason == "Review 417 found de-escalation was not attempted"
    assert event.changes["cause_type"] == [None, "force_review"]
    assert event.changes["cause_id"] == [None, "417"]
    # Asking again for the same cause returns the same open enrolment: callers may retry.
    again = enrolment_create_remedial(
        actor=actor,
        member=a.officer_a1,
        course=course,
        cause_type="force_review",
        cause_id="417",
        reason="retry",
    )
    assert again.pk == enrolment.pk
    assert AuditEvent.objects.filter(action="enrolment.remedial").count() == 1
    # Enrolling the member in a session places this enrolment there, cause intact.
    session = make_session(actor, course, date(2030, 3, 3))
    [placed] = session_enrol(actor=actor, session=session, members=[a.officer_a1])
    assert placed.pk == enrolment.pk
    placed.refresh_from_db()
    assert (placed.session_id, placed.remedial, placed.cause_id) == (session.pk, True, "417")


def test_a_remedial_enrolment_can_go_straight_into_a_session(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = trainer_actor(a.agency)
    course = make_course(actor, "DE-8")
    session = make_session(actor, course, date(2030, 3, 3), capacity=1)
    placed = enrolment_create_remedial(
        actor=actor,
        member=a.officer_a2,
        course=course,
        session=session,
        cause_type="early_intervention",
        cause_id="flag-12",
        reason="Supportive intervention plan",
    )
    assert (placed.session_id, placed.remedial, placed.cause_type) == (
        session.pk,
        True,
        "early_intervention",
    )
    event = AuditEvent.objects.get(action="enrolment.remedial")
    assert event.reason == "Supportive intervention plan"
    with pytest.raises(InvalidInput, match="0 more members can be enrolled"):
        enrolment_create_remedial(
            actor=actor,
            member=a.officer_b1,
            course=course,
            session=session,
            cause_type="early_intervention",
            cause_id="flag-13",
            reason="x",
        )


@pytest.mark.parametrize(
    ("cause_type", "cause_id", "reason", "field"),
    [
        ("", "1", "r", "cause_type"),
        ("Force Review", "1", "r", "cause_type"),
        ("force_review", "", "r", "cause_id"),
        ("force_review", "1", " ", "reason"),
    ],
)
def test_a_remedial_enrolment_needs_a_cause_and_a_reason(
    small_agency: SmallAgency, cause_type: str, cause_id: str, reason: str, field: str
) -> None:
    actor = trainer_actor(small_agency.agency)
    course = make_course(actor, "DE-8")
    with pytest.raises(InvalidInput) as caught:
        enrolment_create_remedial(
            actor=actor,
            member=small_agency.officer_a1,
            course=course,
            cause_type=cause_type,
            cause_id=cause_id,
            reason=reason,
        )
    assert field in caught.value.errors
    assert not Enrolment.objects.exists()


def test_a_supervisor_cannot_assign_remedial_training_directly(small_agency: SmallAgency) -> None:
    a = small_agency
    course = make_course(trainer_actor(a.agency), "DE-8")
    supervisor = actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.squad_a1)]))
    with pytest.raises(PermissionDenied):
        enrolment_create_remedial(
            actor=supervisor,
            member=a.officer_a1,
            course=course,
            cause_type="force_review",
            cause_id="1",
            reason="r",
        )


# Completions recorded elsewhere ----------------------------------------------------------------


def test_an_external_completion_is_recorded_once(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = trainer_actor(a.agency)
    course = make_course(actor, "CIT-40", topic_code="crisis_intervention", modes={"lecture": 40})
    record = enrolment_record_external(
        actor=actor,
        member=a.officer_a1,
        course=course,
        completed_on=date(2016, 7, 22),
        source="import:7",
        reason="Training import #7, row 2",
    )
    assert (record.status, record.hours, record.session) == ("completed", Decimal("40"), None)
    with pytest.raises(InvalidInput, match="already has CIT-40 completed on 2016-07-22"):
        enrolment_record_external(
            actor=actor,
            member=a.officer_a1,
            course=course,
            completed_on=date(2016, 7, 22),
            source="import:8",
        )
    with pytest.raises(InvalidInput, match="in the future"):
        enrolment_record_external(
            actor=actor,
            member=a.officer_a1,
            course=course,
            completed_on=_today(a) + timedelta(days=1),
            source="manual",
        )
    assert AuditEvent.objects.get(action="enrolment.record_external").reason == (
        "Training import #7, row 2"
    )


def test_every_write_kept_the_audit_chain_valid(small_agency: SmallAgency) -> None:
    actor, session, (e1, _, _) = _enrolled(small_agency)
    session_record_roster(
        actor=actor, session=session, marks=[RosterMark(e1.pk, "completed", expected_version=1)]
    )
    assert verify_chain(small_agency.agency.pk).ok
