"""Records for the statistics tests, written directly: the statistics only read them, and the
services that normally write them belong to other apps (tested there)."""

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from steadyhand import vocabulary as v
from steadyhand.agencies.models import Member, Unit
from steadyhand.complaints.models import Allegation, Complaint
from steadyhand.core.testing import SmallAgency
from steadyhand.incidents.models import Incident, Subject, TimelineEvent
from steadyhand.recognition.models import Nomination
from steadyhand.training.models import Course, CourseMode, Enrolment, Topic

_n = itertools.count(1)


def incident(
    a: SmallAgency,
    unit: Unit,
    when: datetime,
    *,
    district: str = "D1",
    force: tuple[str, ...] = (),
    level: int | None = None,
    resistance: int | None = None,
    armed: str = "none",
    status: str = "submitted",
    **flags: bool,
) -> Incident:
    n = next(_n)
    found = Incident.objects.create(
        agency=a.agency,
        case_number=f"S-{n}",
        unit=unit,
        status=status,
        occurred_at=when,
        district=district,
        contact_type=next(iter(v.CONTACT_TYPES)),
        force_used=bool(force),
        highest_force_level=level,
        highest_resistance=resistance,
        **flags,
    )
    Subject.objects.create(incident=found, armed_with=armed)
    for seq, code in enumerate(force, start=1):
        TimelineEvent.objects.create(
            incident=found, sequence=seq, kind=v.EventKind.FORCE, code=code, force_level=level
        )
    return found


def complaint(
    a: SmallAgency, when: datetime, *, unit: Unit | None, findings: tuple[str, ...] = ()
) -> Complaint:
    found = Complaint.objects.create(
        agency=a.agency,
        reference=f"C-{next(_n)}",
        received_at=when,
        channel="phone",
        narrative="x",
        unit=unit,
    )
    for finding in findings:
        Allegation.objects.create(complaint=found, category="discourtesy", finding=finding)
    return found


def commendation(a: SmallAgency, member: Member, when: datetime) -> Nomination:
    return Nomination.objects.create(
        agency=a.agency,
        member=member,
        unit=member.unit,
        narrative="x",
        status="approved",
        approved_at=when,
    )


def training(a: SmallAgency, member: Member, on: date, hours: Decimal | None) -> Enrolment:
    topic, _ = Topic.objects.get_or_create(
        agency=a.agency, code="deesc", defaults={"name": "De-escalation"}
    )
    course, made = Course.objects.get_or_create(
        agency=a.agency,
        code="D1",
        defaults={"title": "ICAT", "topic": topic, "setting": "in_service"},
    )
    if made:
        CourseMode.objects.create(course=course, mode="lecture", hours=Decimal("8"))
    return Enrolment.objects.create(
        member=member, course=course, status="completed", completed_on=on, hours=hours
    )


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 18, 0, tzinfo=UTC)
