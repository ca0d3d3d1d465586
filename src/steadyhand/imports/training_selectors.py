"""Reads for training-record imports: the batches the actor may see, and what a check needs."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.agencies.models import Member
from steadyhand.core.errors import NotFound
from steadyhand.imports.models import ImportBatch, ImportKind
from steadyhand.imports.selectors import agency_today
from steadyhand.imports.training_records import CourseRef, MemberRef, TrainingContext
from steadyhand.training.models import Course, Enrolment, EnrolmentStatus


def training_batch_list_visible(*, actor: Actor, limit: int = 20) -> QuerySet[ImportBatch]:
    """The latest training imports of the actor's agency, without their file contents."""
    return (
        ImportBatch.objects.filter(visible_q(actor, "training.import"), kind=ImportKind.TRAINING)
        .defer("content", "errors", "plan")
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def training_batch_get_visible(*, actor: Actor, batch_id: int) -> ImportBatch:
    """Fetch and authorise in one step: missing and not-allowed look the same."""
    batch = (
        ImportBatch.objects.filter(pk=batch_id, agency_id=actor.agency_id, kind=ImportKind.TRAINING)
        .select_related("job", "created_by")
        .first()
    )
    if batch is None or not can(actor, "training.import", batch):
        raise NotFound(f"No training import {batch_id}.")
    return batch


def importable_courses(*, actor: Actor) -> QuerySet[Course]:
    """Every course of the catalogue, retired ones included: old records name old courses."""
    return Course.objects.filter(agency_id=actor.agency_id).order_by("code")


def course_by_code(*, actor: Actor, code: str) -> Course | None:
    """The agency's course with ``code``, ignoring case when that is unambiguous."""
    courses = importable_courses(actor=actor)
    exact = courses.filter(code=code).first()
    if exact is not None:
        return exact
    folded = list(courses.filter(code__iexact=code)[:2])
    return folded[0] if len(folded) == 1 else None


def training_context(
    *, actor: Actor, course_code: str = "", single_course: bool = False
) -> TrainingContext:
    """Everything a training-records check needs from the database, in three queries.

    ``single_course``: every row is a completion of ``course_code`` (the cit40 format), so only
    that course's recorded completions are needed to spot duplicates."""
    members = {
        m["badge"]: MemberRef(id=m["id"], badge=m["badge"], hire_date=m["hire_date"])
        for m in Member.objects.filter(agency_id=actor.agency_id).values("id", "badge", "hire_date")
    }
    courses = {
        c.code: CourseRef(id=c.pk, code=c.code, hours=c.hours or Decimal("0"))
        for c in importable_courses(actor=actor).annotate(hours=Sum("modes__hours"))
    }
    recorded = Enrolment.objects.filter(
        member__agency_id=actor.agency_id, status=EnrolmentStatus.COMPLETED
    )
    if single_course and course_code in courses:
        recorded = recorded.filter(course_id=courses[course_code].id)
    return TrainingContext(
        members=members,
        courses=courses,
        recorded=frozenset(
            (member_id, course_id, day)
            for member_id, course_id, day in recorded.values_list(
                "member_id", "course_id", "completed_on"
            )
            if day is not None  # a completion always has a date (a database constraint)
        ),
        today=agency_today(agency_id=actor.agency_id),
        course_code=course_code,
    )
