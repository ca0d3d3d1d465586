"""A completed run counts once as role-play training in the trainee's record."""

from datetime import timedelta
from decimal import Decimal

import pytest

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.scenarios import credit_services, services
from steadyhand.scenarios.credit_services import COURSE_CODE, _credit_hours, run_credit
from steadyhand.scenarios.models import ScenarioRun
from steadyhand.scenarios.tests.helpers_web import (
    SCENARIO,
    fast_debrief,  # noqa: F401 - the fixture, used through usefixtures
    officer,
)
from steadyhand.training.models import Course, DeliveryMode, Enrolment, EnrolmentStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_debrief")]


def _finish(actor, run: ScenarioRun) -> ScenarioRun:  # type: ignore[no-untyped-def]
    # A takedown ends a run at once: the quickest way to a completed run.
    return services.run_take_action(
        actor=actor, run_id=run.pk, action="takedown", expected_turn=run.turn
    ).run


@pytest.mark.parametrize(
    ("seconds", "hours"),
    [(0, "0.25"), (60, "0.25"), (900, "0.25"), (901, "0.50"), (2000, "0.75"), (86_400, "1.00")],
)
def test_credited_hours_round_up_to_quarter_hours_within_limits(seconds: int, hours: str) -> None:
    assert _credit_hours(seconds) == Decimal(hours)


def test_a_completed_run_adds_one_role_play_completion(small_agency: SmallAgency) -> None:
    actor = actor_of(officer(small_agency))
    run = services.run_start(actor=actor, scenario_id=SCENARIO)
    ScenarioRun.objects.filter(pk=run.pk).update(started_at=run.started_at - timedelta(minutes=20))
    run = _finish(actor, run)
    enrolment = Enrolment.objects.get(member=small_agency.officer_a1)
    assert run.enrolment == enrolment
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment.hours == Decimal("0.50")
    assert enrolment.source == "scenario"
    course = Course.objects.get(agency=small_agency.agency, code=COURSE_CODE)
    assert enrolment.course == course
    assert [m.mode for m in course.modes.all()] == [DeliveryMode.ROLE_PLAY]
    assert course.topic.code == "de_escalation"
    event = AuditEvent.objects.get(action="enrolment.create", object_id=str(enrolment.pk))
    assert event.changes["scenario_run"] == [None, run.pk]


def test_the_credit_is_given_once_however_often_it_is_asked_for(
    small_agency: SmallAgency,
) -> None:
    actor = actor_of(officer(small_agency))
    run = _finish(actor, services.run_start(actor=actor, scenario_id=SCENARIO))
    # A repeated completion POST is refused as stale, and a repeated credit is a no-op.
    with pytest.raises(ConflictError):
        services.run_take_action(actor=actor, run_id=run.pk, action="takedown", expected_turn=0)
    again = run_credit(actor=actor, run=run)
    assert again == run.enrolment
    assert Enrolment.objects.filter(member=small_agency.officer_a1).count() == 1
    assert AuditEvent.objects.filter(action="enrolment.create").count() == 1


def test_a_second_run_is_a_second_completion_in_the_same_course(
    small_agency: SmallAgency,
) -> None:
    actor = actor_of(officer(small_agency))
    for _ in range(2):
        _finish(actor, services.run_start(actor=actor, scenario_id=SCENARIO))
    enrolments = Enrolment.objects.filter(member=small_agency.officer_a1)
    assert enrolments.count() == 2
    assert {e.course.code for e in enrolments} == {COURSE_CODE}
    assert Course.objects.filter(agency=small_agency.agency, code=COURSE_CODE).count() == 1


def test_a_login_without_a_member_record_earns_no_credit(small_agency: SmallAgency) -> None:
    actor = actor_of(make_user(small_agency.agency, [Role.TRAINER]))
    run = _finish(actor, services.run_start(actor=actor, scenario_id=SCENARIO))
    assert run.is_completed
    assert run.enrolment is None
    assert not Enrolment.objects.exists()


def test_a_retired_drill_course_stops_the_credit(small_agency: SmallAgency) -> None:
    actor = actor_of(officer(small_agency))
    _finish(actor, services.run_start(actor=actor, scenario_id=SCENARIO))
    Course.objects.filter(code=COURSE_CODE).update(active=False)
    run = _finish(actor, services.run_start(actor=actor, scenario_id=SCENARIO))
    assert run.enrolment is None
    assert Enrolment.objects.count() == 1


def test_someone_else_cannot_credit_a_run(small_agency: SmallAgency) -> None:
    actor = actor_of(officer(small_agency))
    run = services.run_start(actor=actor, scenario_id=SCENARIO)
    other = actor_of(officer(small_agency, member=small_agency.officer_a2))
    with pytest.raises(PermissionDenied):
        credit_services.run_credit(actor=other, run=run)
