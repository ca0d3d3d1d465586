"""Builders for training tests: a trainer, the standard topics, courses, sessions and published
policy to cite. Everything goes through the services (policy versions are the exception:
their services belong to the policy app, so a published version is built directly here)."""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Agency, Member
from steadyhand.core.testing import actor_of, make_user
from steadyhand.policy.models import (
    PolicyDocument,
    PolicyKind,
    PolicySection,
    PolicyVersion,
    VersionStatus,
)
from steadyhand.training.models import Course, Session, Setting, Topic
from steadyhand.training.services.catalogue import (
    course_create,
    session_create,
    training_setup_agency,
)


def make_trainer(agency: Agency, *, member: Member | None = None) -> User:
    return make_user(agency, [Role.TRAINER], member=member)


def trainer_actor(agency: Agency) -> Actor:
    """A trainer of ``agency``, with the standard topics in place."""
    actor = actor_of(make_trainer(agency))
    training_setup_agency(actor=actor)
    return actor


def topic(agency: Agency, code: str) -> Topic:
    return Topic.objects.get(agency=agency, code=code)


def make_course(
    actor: Actor,
    code: str,
    *,
    topic_code: str = "de_escalation",
    setting: str = Setting.IN_SERVICE,
    modes: dict[str, Decimal | int | str] | None = None,
    citations: Sequence[tuple[PolicyDocument, str]] = (),
    title: str | None = None,
) -> Course:
    return course_create(
        actor=actor,
        code=code,
        title=title or f"Course {code}",
        topic=Topic.objects.get(agency_id=actor.agency_id, code=topic_code),
        setting=setting,
        modes={k: Decimal(str(v)) for k, v in (modes or {"lecture": 8}).items()},
        citations=citations,
    )


def make_session(
    actor: Actor,
    course: Course,
    starts_on: date,
    *,
    ends_on: date | None = None,
    capacity: int = 24,
    location: str = "Academy room 1",
) -> Session:
    return session_create(
        actor=actor,
        course=course,
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        capacity=capacity,
        location=location,
    )


def published_policy(
    agency: Agency,
    code: str = "DE-1",
    sections: Sequence[tuple[str, str]] = (("1", "Purpose"), ("2", "Time, distance, cover")),
    *,
    number: int = 1,
    document: PolicyDocument | None = None,
) -> PolicyDocument:
    """A policy document with a published version ``number`` holding ``sections``."""
    if document is None:
        document = PolicyDocument.objects.create(
            agency=agency, code=code, title=f"Policy {code}", kind=PolicyKind.DE_ESCALATION
        )
    version = PolicyVersion.objects.create(document=document, number=number)
    for position, (section_number, heading) in enumerate(sections):
        PolicySection.objects.create(
            version=version,
            number=section_number,
            heading=heading,
            text=f"Text of section {section_number}.",
            position=position,
        )
    # Sections are fixed once a version is published, so publish after adding them, with the
    # dates a real publication sets.
    now = timezone.now()
    PolicyVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.PUBLISHED,
        published_at=now,
        effective_date=now.date(),
        ack_due_date=now.date() + timedelta(days=version.ack_due_days),
    )
    return document
