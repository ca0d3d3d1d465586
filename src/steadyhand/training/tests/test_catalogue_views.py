"""The catalogue pages in the browser's terms: what each role can see and do, forms and their
errors, refusals (403), other agencies' ids (404) and stale edits (409)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.imports.selectors import agency_today
from steadyhand.training.models import Course, DeliveryMode, Enrolment, Topic
from steadyhand.training.services.catalogue import (
    enrolment_record_external,
    session_enrol,
    training_setup_agency,
)
from steadyhand.training.tests.factories import (
    make_course,
    make_session,
    make_trainer,
    published_policy,
    trainer_actor,
)

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _trainer_client(a: SmallAgency) -> tuple[Client, User]:
    user = make_trainer(a.agency)
    training_setup_agency(actor=actor_of(user))
    return _client(user), user


def _course_post(a: SmallAgency, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "DE-16",
        "title": "Integrating communications, assessment and tactics",
        "topic": Topic.objects.get(agency=a.agency, code="de_escalation").pk,
        "setting": "in_service",
        "description": "ICAT-style course.",
        "modes-TOTAL_FORMS": str(len(DeliveryMode)),
        "modes-INITIAL_FORMS": str(len(DeliveryMode)),
        "modes-MIN_NUM_FORMS": "0",
        "modes-MAX_NUM_FORMS": str(len(DeliveryMode)),
    }
    hours = {"lecture": "6", "role_play": "8", "group_discussion": "2"}
    for index, mode in enumerate(DeliveryMode.values):
        data[f"modes-{index}-mode"] = mode
        data[f"modes-{index}-hours"] = hours.get(mode, "")
    data.update(overrides)
    return data


def test_everyone_sees_the_catalogue_but_only_trainers_get_the_buttons(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    t = trainer_actor(a.agency)
    make_course(t, "DE-16", title="Verbal skills")
    officer = _client(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    html = officer.get(reverse("training:catalogue")).content.decode()
    assert "Verbal skills" in html
    assert reverse("training:course_create") not in html
    assert reverse("training:my_transcript") in html
    trainer, _ = _trainer_client(a)
    html = trainer.get(reverse("training:catalogue")).content.decode()
    assert reverse("training:course_create") in html
    assert reverse("imports:training_upload") in html


def test_an_officer_cannot_create_or_edit_courses(small_agency: SmallAgency) -> None:
    a = small_agency
    t = trainer_actor(a.agency)
    course = make_course(t, "DE-8")
    officer = _client(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    assert officer.get(reverse("training:course_create")).status_code == 403
    assert officer.post(reverse("training:course_create"), _course_post(a)).status_code == 403
    response = officer.post(
        reverse("training:course_edit", args=[course.pk]),
        _course_post(a, code="DE-8", version=course.version),
    )
    assert response.status_code == 403
    assert Course.objects.filter(agency=a.agency).count() == 1
    assert not AuditEvent.objects.filter(action__in=["course.create", "course.update"]).exclude(
        actor_user_id=t.user_id
    )


def test_a_trainer_creates_a_course_with_hours_by_mode_and_citations(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    policy = published_policy(a.agency, sections=[("1", "Purpose"), ("2", "Time and distance")])
    client, _ = _trainer_client(a)
    page = client.get(reverse("training:course_create")).content.decode()
    assert "DE-1 §2 Time and distance (v1)" in page
    assert "Role-play scenario" in page
    response = client.post(
        reverse("training:course_create"), _course_post(a, citations=[f"{policy.pk}:2"])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    course = Course.objects.get(agency=a.agency, code="DE-16")
    assert response["Location"] == reverse("training:course_detail", args=[course.pk])
    assert course.total_hours == Decimal("16")
    assert list(course.citations.values_list("section_number", flat=True)) == ["2"]
    html = client.get(response["Location"]).content.decode()
    assert "Time and distance" in html
    assert "Role-play scenario" in html


def test_course_form_errors_are_shown(small_agency: SmallAgency) -> None:
    a = small_agency
    client, _ = _trainer_client(a)
    data = _course_post(a)
    for index in range(len(DeliveryMode)):
        data[f"modes-{index}-hours"] = ""
    response = client.post(reverse("training:course_create"), data)
    assert response.status_code == 400
    assert "Give the hours of at least one delivery mode" in response.content.decode()
    assert not Course.objects.filter(agency=a.agency).exists()


def test_a_stale_course_edit_is_refused_with_409(small_agency: SmallAgency) -> None:
    a = small_agency
    client, user = _trainer_client(a)
    course = make_course(actor_of(user), "DE-16", modes={"lecture": 8})
    url = reverse("training:course_edit", args=[course.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    first = client.post(url, _course_post(a, title="First", version=1, active="on"))
    assert first.status_code == 302
    second = client.post(url, _course_post(a, title="Second", version=1, active="on"))
    assert second.status_code == 409
    assert "changed by someone else" in second.content.decode()
    course.refresh_from_db()
    assert (course.title, course.version) == ("First", 2)


def test_other_agencies_ids_are_not_found(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    foreign = trainer_actor(other_agency.agency)
    course = make_course(foreign, "X-1")
    session = make_session(foreign, course, date(2030, 1, 1))
    topic = Topic.objects.filter(agency=other_agency.agency).first()
    assert topic is not None
    client, _ = _trainer_client(small_agency)
    for url in [
        reverse("training:course_detail", args=[course.pk]),
        reverse("training:course_edit", args=[course.pk]),
        reverse("training:session_create", args=[course.pk]),
        reverse("training:session_detail", args=[session.pk]),
        reverse("training:session_edit", args=[session.pk]),
        reverse("training:session_roster", args=[session.pk]),
        reverse("training:topic_edit", args=[topic.pk]),
        reverse("training:transcript", args=[other_agency.officer_a1.pk]),
        reverse("training:unit_status") + f"?unit={other_agency.squad_a1.pk}",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("training:session_enrol", args=[session.pk])).status_code == 404


def test_the_standard_topics_are_added_from_the_topics_page(small_agency: SmallAgency) -> None:
    client = _client(make_trainer(small_agency.agency))
    response = client.post(reverse("training:topic_setup"))
    assert response.status_code == 302
    assert Topic.objects.filter(agency=small_agency.agency).count() == 10
    page = client.get(reverse("training:topic_manage")).content.decode()
    assert "Crisis intervention" in page
    response = client.post(
        reverse("training:topic_manage"),
        {"code": "mental_health", "name": "Mental health", "parity_group": "de_escalation"},
    )
    assert response.status_code == 302
    assert Topic.objects.filter(agency=small_agency.agency).count() == 11


def test_planning_a_session_and_enrolling_by_badge(small_agency: SmallAgency) -> None:
    a = small_agency
    client, user = _trainer_client(a)
    course = make_course(actor_of(user), "DE-16")
    response = client.post(
        reverse("training:session_create", args=[course.pk]),
        {
            "starts_on": "2030-04-01",
            "ends_on": "2030-04-02",
            "location": "Academy",
            "capacity": "2",
            "instructor_badges": "S100",
        },
    )
    assert response.status_code == 302
    session = course.sessions.get()
    assert list(session.instructors.values_list("badge", flat=True)) == ["S100"]
    enrol = reverse("training:session_enrol", args=[session.pk])
    unknown = client.post(enrol, {"badges": "O101, NOPE"})
    assert unknown.status_code == 400
    assert "No member has badge NOPE; nobody was enrolled." in unknown.content.decode()
    full = client.post(enrol, {"badges": "O101 O201 O301"})
    assert full.status_code == 400
    assert "so 2 more members can be enrolled, not 3" in full.content.decode()
    assert client.post(enrol, {"badges": "O101\nO201"}).status_code == 302
    again = client.post(enrol, {"badges": "O101"})
    assert again.status_code == 400
    assert "The session is full" in again.content.decode()
    page = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert "2 of 2 taken" in page
    assert "Test O101" in page


def test_non_trainers_see_a_session_without_its_roster(small_agency: SmallAgency) -> None:
    a = small_agency
    t = trainer_actor(a.agency)
    session = make_session(t, make_course(t, "DE-8"), date(2030, 1, 1), capacity=3)
    session_enrol(actor=t, session=session, members=[a.officer_a2])
    officer = _client(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    html = officer.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert "1 of 3 taken" in html
    assert "O201" not in html


def test_the_roster_is_one_form_for_the_whole_session(small_agency: SmallAgency) -> None:
    a = small_agency
    client, user = _trainer_client(a)
    t = actor_of(user)
    day = agency_today(agency_id=a.agency.pk) - timedelta(days=1)
    session = make_session(t, make_course(t, "DE-16", modes={"lecture": 16}), day)
    e1, e2 = session_enrol(actor=t, session=session, members=[a.officer_a1, a.officer_a2])
    url = reverse("training:session_roster", args=[session.pk])
    assert client.get(url).status_code == 200

    def post(status1: str, version1: int, score1: str = "") -> object:
        return client.post(
            url,
            {
                "roster-TOTAL_FORMS": "2",
                "roster-INITIAL_FORMS": "2",
                "roster-0-enrolment_id": str(e1.pk),
                "roster-0-version": str(version1),
                "roster-0-status": status1,
                "roster-0-score": score1,
                "roster-1-enrolment_id": str(e2.pk),
                "roster-1-version": "1",
                "roster-1-status": "no_show",
                "reason": "Sign-in sheet",
            },
        )

    response = post("completed", 1, "88")
    assert response.status_code == 302  # type: ignore[attr-defined]
    e1.refresh_from_db()
    e2.refresh_from_db()
    assert (e1.status, e1.completed_on, e1.hours, e1.score) == ("completed", day, 16, 88)
    assert e2.status == "no_show"
    stale = post("attended", 1)
    assert stale.status_code == 409  # type: ignore[attr-defined]
    assert "someone else changed" in stale.content.decode()  # type: ignore[attr-defined]
    e1.refresh_from_db()
    assert e1.status == "completed"


def test_the_trainers_upcoming_view_shows_rosters_and_fill(small_agency: SmallAgency) -> None:
    a = small_agency
    client, user = _trainer_client(a)
    t = actor_of(user)
    today = agency_today(agency_id=a.agency.pk)
    session = make_session(t, make_course(t, "DE-16"), today + timedelta(days=5), capacity=4)
    session_enrol(actor=t, session=session, members=[a.officer_a1])
    html = client.get(reverse("training:trainer_upcoming")).content.decode()
    assert "25%" in html
    assert "#O101 Test O101" in html
    officer = _client(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    assert officer.get(reverse("training:trainer_upcoming")).status_code == 403


def test_transcript_pages_follow_the_chain_of_command(small_agency: SmallAgency) -> None:
    a = small_agency
    t = trainer_actor(a.agency)
    course = make_course(t, "DE-16", modes={"lecture": 16})
    enrolment_record_external(
        actor=t, member=a.officer_a1, course=course, completed_on=date(2024, 3, 1), source="x"
    )
    url = reverse("training:transcript", args=[a.officer_a1.pk])
    officer = _client(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    own = officer.get(url)
    assert own.status_code == 200
    assert "DE-16" in own.content.decode()
    response = officer.get(reverse("training:my_transcript"))
    assert response["Location"] == url
    colleague = _client(make_user(a.agency, [Role.OFFICER], member=a.officer_a2))
    assert colleague.get(url).status_code == 404
    in_chain = _client(make_user(a.agency, [(Role.SUPERVISOR, a.squad_a1)]))
    assert in_chain.get(url).status_code == 200
    out_of_chain = _client(make_user(a.agency, [(Role.SUPERVISOR, a.squad_b1)]))
    assert out_of_chain.get(url).status_code == 404
    unlinked = _client(make_user(a.agency, [Role.ANALYST]))
    assert unlinked.get(reverse("training:my_transcript")).status_code == 404


def test_unit_status_page(small_agency: SmallAgency) -> None:
    a = small_agency
    t = trainer_actor(a.agency)
    course = make_course(t, "DE-16", modes={"lecture": 16})
    this_year = agency_today(agency_id=a.agency.pk).year
    enrolment_record_external(
        actor=t,
        member=a.officer_a1,
        course=course,
        completed_on=date(this_year, 1, 1),
        source="x",
    )
    supervisor = _client(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)]))
    html = supervisor.get(reverse("training:unit_status")).content.decode()
    assert f"Training status: Precinct A, {this_year}" in html
    assert "#O101 Test O101" in html
    assert "O301" not in html
    outside = supervisor.get(reverse("training:unit_status") + f"?unit={a.squad_b1.pk}")
    assert outside.status_code == 404
    officer = _client(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    page = officer.get(reverse("training:unit_status"))
    assert page.status_code == 200
    assert "Your roles do not cover any unit" in page.content.decode()


def test_refused_writes_leave_no_trace(small_agency: SmallAgency) -> None:
    a = small_agency
    t = trainer_actor(a.agency)
    session = make_session(t, make_course(t, "DE-8"), date(2030, 1, 1))
    supervisor = _client(make_user(a.agency, [Role.SUPERVISOR]))
    before = AuditEvent.objects.exclude(kind="access").count()
    assert (
        supervisor.post(
            reverse("training:session_enrol", args=[session.pk]), {"badges": "O101"}
        ).status_code
        == 403
    )
    assert supervisor.post(reverse("training:topic_setup")).status_code == 403
    assert not Enrolment.objects.exists()
    assert AuditEvent.objects.exclude(kind="access").count() == before


def test_a_roster_posted_after_someone_was_enrolled_pairs_rows_by_enrolment(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    client, user = _trainer_client(a)
    t = actor_of(user)
    day = agency_today(agency_id=a.agency.pk) - timedelta(days=1)
    session = make_session(t, make_course(t, "DE-16"), day)
    e2, e3 = session_enrol(actor=t, session=session, members=[a.officer_a2, a.officer_b1])
    # Read the roster, then someone enrols a member who sorts first and changes O301's record.
    url = reverse("training:session_roster", args=[session.pk])
    client.get(url)
    session_enrol(actor=t, session=session, members=[a.officer_a1])
    client.post(
        url,
        {
            "roster-TOTAL_FORMS": "1",
            "roster-INITIAL_FORMS": "1",
            "roster-0-enrolment_id": str(e3.pk),
            "roster-0-version": "1",
            "roster-0-status": "attended",
        },
    )
    response = client.post(
        url,
        {
            "roster-TOTAL_FORMS": "2",
            "roster-INITIAL_FORMS": "2",
            "roster-0-enrolment_id": str(e2.pk),
            "roster-0-version": "1",
            "roster-0-status": "completed",
            "roster-1-enrolment_id": str(e3.pk),
            "roster-1-version": "1",
            "roster-1-status": "completed",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    row = html[html.index("#O301 Test O301") :]
    assert "someone else changed" in row[: row.index("</tr>")]
    assert "#O101" not in html  # enrolled after the page was read: not part of this form
    e2.refresh_from_db()
    assert e2.status == "enrolled"


def test_a_trainer_reclassifies_a_topic_with_a_reason(small_agency: SmallAgency) -> None:
    client, _ = _trainer_client(small_agency)
    topic = Topic.objects.get(agency=small_agency.agency, code="procedural_justice")
    url = reverse("training:topic_edit", args=[topic.pk])
    missing = client.post(url, {"name": topic.name, "parity_group": "de_escalation"})
    assert missing.status_code == 400
    assert "Say why the topic moves" in missing.content.decode()
    saved = client.post(
        url, {"name": topic.name, "parity_group": "de_escalation", "reason": "Mostly tactics"}
    )
    assert saved.status_code == 302
    topic.refresh_from_db()
    assert topic.parity_group == "de_escalation"


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.TRAINER, 200), (Role.OFFICER, 403), (Role.COMMANDER, 403)],
)
def test_every_catalogue_page_renders_or_refuses(
    small_agency: SmallAgency, role: Role, expected: int
) -> None:
    a = small_agency
    t = trainer_actor(a.agency)
    course = make_course(t, "DE-16")
    session = make_session(t, course, agency_today(agency_id=a.agency.pk) + timedelta(days=1))
    session_enrol(actor=t, session=session, members=[a.officer_a1])
    topic = Topic.objects.get(agency=a.agency, code="legal")
    client = _client(make_user(a.agency, [role], member=a.sergeant_a1))
    for url in [
        reverse("training:catalogue"),
        reverse("training:catalogue") + "?retired=1",
        reverse("training:session_list"),
        reverse("training:course_detail", args=[course.pk]),
        reverse("training:session_detail", args=[session.pk]),
        reverse("training:my_transcript"),
    ]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
    for url in [
        reverse("training:topic_manage"),
        reverse("training:topic_edit", args=[topic.pk]),
        reverse("training:course_create"),
        reverse("training:course_edit", args=[course.pk]),
        reverse("training:session_create", args=[course.pk]),
        reverse("training:session_edit", args=[session.pk]),
        reverse("training:session_roster", args=[session.pk]),
        reverse("training:trainer_upcoming"),
    ]:
        assert client.get(url).status_code == expected, url
