"""A completed run counts as role-play training in the trainee's record.

The rule (docs/scenarios-web.md, "Training credit"):

* Each agency has one ordinary course, ``SIM-DRILL`` "Scenario drills (simulator)", topic
  de-escalation, in-service, taught entirely by role-play. It is created the first time a run in
  the agency is credited (the standard de-escalation topic too, if the agency lacks it).
  Trainers may edit it like any course; if they retire it, runs are no longer credited.
* Each completed run of a member adds one completed enrolment in that course, dated the agency's
  local date when the run ended, crediting the time actually spent — from start to finish,
  rounded up to the next quarter hour, at least 0.25 h and at most ``MAX_CREDIT_HOURS`` (a run
  left open overnight is still one drill). Group-session runs are credited the same way, once.
* The run keeps the enrolment it earned (a one-to-one): a second credit of the same run is
  impossible, whether from a repeated request or a retry.
* A login without a member record (a trainer's test account) plays but earns no credit.
"""

import math
from decimal import Decimal

from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.agencies.models import Agency, Member
from steadyhand.audit.services import audit_record
from steadyhand.policy.selectors import agency_local_date
from steadyhand.scenarios.models import ScenarioRun
from steadyhand.training.models import (
    Course,
    CourseMode,
    DeliveryMode,
    Enrolment,
    EnrolmentStatus,
    ParityGroup,
    Setting,
    Topic,
)

COURSE_CODE = "SIM-DRILL"
COURSE_TITLE = "Scenario drills (simulator)"
COURSE_DESCRIPTION = (
    "Role-play scenarios played in Steadyhand's simulator. Each completed run is recorded "
    "as one completion with the time spent on it."
)
TOPIC_CODE = "de_escalation"
# The course's nominal hours per drill; each enrolment carries its own hours.
NOMINAL_HOURS = Decimal("0.50")
QUARTER = Decimal("0.25")
MAX_CREDIT_HOURS = Decimal("1.00")
SOURCE = "scenario"


def _credit_hours(seconds: float) -> Decimal:
    """Time spent, rounded up to the next quarter hour, between 0.25 h and the maximum."""
    quarters = max(1, math.ceil(max(0.0, seconds) / 900))
    return min(MAX_CREDIT_HOURS, QUARTER * quarters)


def _topic(actor: Actor) -> Topic:
    topic = Topic.objects.filter(agency_id=actor.agency_id, code=TOPIC_CODE).first()
    if topic is not None:
        return topic
    topic = Topic.objects.create(
        agency_id=actor.agency_id,
        code=TOPIC_CODE,
        name="De-escalation",
        parity_group=ParityGroup.DE_ESCALATION,
    )
    audit_record(
        actor=actor,
        action="topic.create",
        obj=topic,
        changes={"code": [None, topic.code], "name": [None, topic.name]},
        reason="Needed to credit a scenario drill",
    )
    return topic


def _course(actor: Actor) -> Course:
    course = Course.objects.filter(agency_id=actor.agency_id, code=COURSE_CODE).first()
    if course is not None:
        return course
    # Serialise the creation per agency: two runs ending at once must not both create it.
    Agency.objects.select_for_update().get(pk=actor.agency_id)
    course = Course.objects.filter(agency_id=actor.agency_id, code=COURSE_CODE).first()
    if course is not None:
        return course
    topic = _topic(actor)
    course = Course.objects.create(
        agency_id=actor.agency_id,
        code=COURSE_CODE,
        title=COURSE_TITLE,
        topic=topic,
        setting=Setting.IN_SERVICE,
        description=COURSE_DESCRIPTION,
    )
    CourseMode.objects.create(course=course, mode=DeliveryMode.ROLE_PLAY, hours=NOMINAL_HOURS)
    audit_record(
        actor=actor,
        action="course.create",
        obj=course,
        changes={
            "code": [None, course.code],
            "title": [None, course.title],
            "topic": [None, topic.code],
            "setting": [None, course.setting],
            "modes": [None, {DeliveryMode.ROLE_PLAY.value: str(NOMINAL_HOURS)}],
        },
        reason="Created on demand to credit scenario drills",
    )
    return course


@transaction.atomic
def run_credit(*, actor: Actor, run: ScenarioRun) -> Enrolment | None:
    """Credit ``run`` (completed, the actor's own) once; return its enrolment, or None when the
    run earns no credit (no member record, or the drill course is retired)."""
    run = ScenarioRun.objects.select_for_update().get(pk=run.pk, agency_id=actor.agency_id)
    ensure(actor, "scenario.play", run)
    if run.enrolment_id is not None:
        return Enrolment.objects.get(pk=run.enrolment_id)
    if not run.is_completed or run.finished_at is None or run.member_id is None:
        return None
    course = _course(actor)
    if not course.active:
        return None
    member = Member.objects.get(pk=run.member_id)
    hours = _credit_hours((run.finished_at - run.started_at).total_seconds())
    completed_on = agency_local_date(agency_id=actor.agency_id, moment=run.finished_at)
    enrolment = Enrolment.objects.create(
        member=member,
        course=course,
        status=EnrolmentStatus.COMPLETED,
        completed_on=completed_on,
        hours=hours,
        source=SOURCE,
        created_by_id=actor.user_id,
    )
    run.enrolment = enrolment
    run.save(update_fields=["enrolment", "updated_at"])
    audit_record(
        actor=actor,
        action="enrolment.create",
        obj=enrolment,
        changes={
            "member": [None, member.badge],
            "course": [None, course.code],
            "status": [None, enrolment.status],
            "hours": [None, str(hours)],
            "completed_on": [None, completed_on.isoformat()],
            "scenario_run": [None, run.pk],
        },
        reason=f"Completed scenario run {run.pk} ({run.scenario_id})",
    )
    return enrolment
