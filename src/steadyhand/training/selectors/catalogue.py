"""Reads for the training catalogue: courses, sessions and rosters, members' transcripts, unit
status. Everything is scoped to the actor's agency; transcripts and unit status also to the
chain of command (``training.record``: oneself, one's units, or the whole agency)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.access.registry import get_action
from steadyhand.agencies.models import Member, MemberStatus, Unit
from steadyhand.core.errors import NotFound
from steadyhand.imports.selectors import agency_today
from steadyhand.policy.models import PolicyDocument, PolicySection, VersionStatus
from steadyhand.training.models import (
    Course,
    Enrolment,
    EnrolmentStatus,
    ParityGroup,
    Session,
    Setting,
    Topic,
)

ZERO = Decimal("0")
# Statuses that hold a place in a session; a withdrawn member frees theirs.
PLACE_HOLDING = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.ATTENDED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.NO_SHOW,
)
UPCOMING_DAYS = 60


def training_today(*, actor: Actor) -> date:
    return agency_today(agency_id=actor.agency_id)


# Topics and courses ----------------------------------------------------------------------------


def topic_list(*, actor: Actor) -> QuerySet[Topic]:
    if not can(actor, "training.catalogue"):
        return Topic.objects.none()
    return Topic.objects.filter(agency_id=actor.agency_id).annotate(course_count=Count("courses"))


def topic_get_visible(*, actor: Actor, topic_id: int) -> Topic:
    topic = Topic.objects.filter(pk=topic_id, agency_id=actor.agency_id).first()
    if topic is None or not can(actor, "training.catalogue"):
        raise NotFound(f"No topic {topic_id}.")
    return topic


def course_list(*, actor: Actor, include_retired: bool = False) -> QuerySet[Course]:
    """The agency's courses with their total hours (``hours_total``), by code."""
    if not can(actor, "training.catalogue"):
        return Course.objects.none()
    courses = Course.objects.filter(agency_id=actor.agency_id)
    if not include_retired:
        courses = courses.filter(active=True)
    return (
        courses.select_related("topic").annotate(hours_total=Sum("modes__hours")).order_by("code")
    )


def course_get_visible(*, actor: Actor, course_id: int) -> Course:
    """Fetch and authorise in one step: missing and not-allowed look the same."""
    course = (
        Course.objects.filter(pk=course_id, agency_id=actor.agency_id)
        .select_related("topic")
        .prefetch_related("modes")
        .first()
    )
    if course is None or not can(actor, "training.catalogue", course):
        raise NotFound(f"No course {course_id}.")
    return course


@dataclass(frozen=True)
class PublishedSection:
    """A section of a document's latest published version: what a course may cite."""

    document: PolicyDocument
    version_number: int
    number: str
    heading: str

    @property
    def key(self) -> str:
        return f"{self.document.pk}:{self.number}"


def published_sections(*, agency_id: int) -> list[PublishedSection]:
    """Every section of each document's latest published version, by document code and the
    sections' order in the document."""
    sections = (
        PolicySection.objects.filter(
            version__document__agency_id=agency_id, version__status=VersionStatus.PUBLISHED
        )
        .select_related("version__document")
        .order_by("version__document__code", "-version__number", "position", "number")
    )
    latest: dict[int, int] = {}
    found = []
    for section in sections:
        version = section.version
        newest = latest.setdefault(version.document_id, version.number)
        if version.number == newest:
            found.append(
                PublishedSection(
                    document=version.document,
                    version_number=version.number,
                    number=section.number,
                    heading=section.heading,
                )
            )
    return found


@dataclass(frozen=True)
class Citation:
    document: PolicyDocument
    number: str
    heading: str  # "" when the current published version no longer has the section

    @property
    def current(self) -> bool:
        return bool(self.heading)


def course_citations(*, course: Course) -> list[Citation]:
    """The sections a course cites, with their headings in the current published version."""
    headings = {
        (s.document.pk, s.number): s.heading for s in published_sections(agency_id=course.agency_id)
    }
    return [
        Citation(
            document=c.document,
            number=c.section_number,
            heading=headings.get((c.document_id, c.section_number), ""),
        )
        for c in course.citations.select_related("document").order_by(
            "document__code", "section_number"
        )
    ]


# Sessions --------------------------------------------------------------------------------------


def _with_places(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.select_related("course", "course__topic").annotate(
        taken=Count("enrolments", filter=Q(enrolments__status__in=PLACE_HOLDING))
    )


def session_list(
    *,
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
    course: Course | None = None,
) -> QuerySet[Session]:
    """Sessions of the agency (those ending on or after ``start`` and starting on or before
    ``end``, if given), each with ``taken``: the places held."""
    if not can(actor, "training.catalogue"):
        return Session.objects.none()
    sessions = Session.objects.filter(course__agency_id=actor.agency_id)
    if start is not None:
        sessions = sessions.filter(ends_on__gte=start)
    if end is not None:
        sessions = sessions.filter(starts_on__lte=end)
    if course is not None:
        sessions = sessions.filter(course=course)
    return _with_places(sessions).order_by("starts_on", "pk")


def session_get_visible(
    *, actor: Actor, session_id: int, action: str = "training.catalogue"
) -> Session:
    session = (
        _with_places(Session.objects.filter(pk=session_id, course__agency_id=actor.agency_id))
        .prefetch_related("instructors")
        .first()
    )
    if session is None or not can(actor, action, session):
        raise NotFound(f"No session {session_id}.")
    return session


def session_roster(*, session: Session) -> list[Enrolment]:
    """The session's enrolments, withdrawn ones last, then by name."""
    enrolments = session.enrolments.select_related("member", "member__unit").order_by(
        "member__last_name", "member__first_name", "member__badge"
    )
    return sorted(enrolments, key=lambda e: e.status == EnrolmentStatus.WITHDRAWN)


@dataclass(frozen=True)
class SessionFill:
    session: Session
    taken: int
    roster: list[Enrolment]

    @property
    def capacity(self) -> int:
        return self.session.capacity

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def fill_percent(self) -> int:
        return round(100 * self.taken / self.capacity) if self.capacity else 0


def sessions_upcoming(
    *, actor: Actor, days: int = UPCOMING_DAYS, with_rosters: bool = True
) -> list[SessionFill]:
    """Sessions starting in the next ``days`` days (today included), with their fill and, for
    those who run sessions, their rosters."""
    today = training_today(actor=actor)
    sessions = session_list(actor=actor, start=today, end=today + timedelta(days=days)).filter(
        starts_on__gte=today
    )
    if with_rosters and can(actor, "training.manage"):
        roster = Enrolment.objects.filter(status__in=PLACE_HOLDING).select_related("member")
        sessions = sessions.prefetch_related(
            Prefetch(
                "enrolments",
                queryset=roster.order_by("member__last_name", "member__first_name"),
                to_attr="roster",
            )
        )
    return [
        SessionFill(session=s, taken=s.taken, roster=getattr(s, "roster", []))  # type: ignore[attr-defined]
        for s in sessions
    ]


def members_by_badges(*, actor: Actor, badges: list[str]) -> tuple[list[Member], list[str]]:
    """The agency's members with these badges, and the badges no member has."""
    found = {m.badge: m for m in Member.objects.filter(agency_id=actor.agency_id, badge__in=badges)}
    return [found[b] for b in badges if b in found], [b for b in badges if b not in found]


# Transcripts -----------------------------------------------------------------------------------


@dataclass
class HoursBreakdown:
    """Completed hours split by topic, setting and parity group."""

    total: Decimal = ZERO
    completions: int = 0
    by_topic: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    by_setting: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    by_parity: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))

    def add(self, enrolment: Enrolment) -> None:
        hours = enrolment.hours or ZERO
        course = enrolment.course
        self.total += hours
        self.completions += 1
        self.by_topic[course.topic.name] += hours
        self.by_setting[course.setting] += hours
        self.by_parity[course.topic.parity_group] += hours

    @property
    def academy(self) -> Decimal:
        return self.by_setting[Setting.ACADEMY]

    @property
    def in_service(self) -> Decimal:
        return self.by_setting[Setting.IN_SERVICE]

    @property
    def de_escalation(self) -> Decimal:
        return self.by_parity[ParityGroup.DE_ESCALATION]

    @property
    def use_of_force(self) -> Decimal:
        return self.by_parity[ParityGroup.USE_OF_FORCE]

    @property
    def other(self) -> Decimal:
        return self.by_parity[ParityGroup.NEITHER]

    def topic_hours(self, topics: list[str]) -> list[Decimal]:
        return [self.by_topic.get(t, ZERO) for t in topics]


@dataclass
class TranscriptYear:
    year: int
    hours: HoursBreakdown
    topic_hours: list[Decimal] = field(default_factory=list)


@dataclass
class Transcript:
    member: Member
    completed: list[Enrolment]
    overall: HoursBreakdown
    years: list[TranscriptYear]  # newest first
    topics: list[str]  # the topics the member has hours in, by name
    upcoming: list[Enrolment]  # enrolled in sessions that have not ended
    waiting: list[Enrolment]  # assigned to a course, no session yet (remedial)
    other: list[Enrolment]  # attended without completing, no-shows, withdrawals, past


def member_get_for_transcript(*, actor: Actor, member_id: int) -> Member:
    """The member, if ``actor`` may see their training record: themselves, a member in the
    actor's chain of command, or anyone for an agency-wide role."""
    member = (
        Member.objects.filter(pk=member_id, agency_id=actor.agency_id)
        .select_related("unit", "user_account")
        .first()
    )
    if member is None or not can(actor, "training.record", member):
        raise NotFound(f"No member {member_id}.")
    return member


def transcript(*, actor: Actor, member: Member) -> Transcript:
    if not can(actor, "training.record", member):
        raise NotFound(f"No member {member.pk}.")
    today = training_today(actor=actor)
    enrolments = list(
        Enrolment.objects.filter(member=member)
        .select_related("course", "course__topic", "session")
        .order_by("-completed_on", "session__starts_on", "pk")
    )
    completed = [e for e in enrolments if e.status == EnrolmentStatus.COMPLETED]
    overall = HoursBreakdown()
    by_year: dict[int, HoursBreakdown] = defaultdict(HoursBreakdown)
    for enrolment in completed:
        assert enrolment.completed_on is not None  # a database constraint guarantees it
        overall.add(enrolment)
        by_year[enrolment.completed_on.year].add(enrolment)
    topics = sorted(overall.by_topic)
    years = [
        TranscriptYear(year=y, hours=h, topic_hours=h.topic_hours(topics))
        for y, h in sorted(by_year.items(), reverse=True)
    ]
    upcoming = [
        e
        for e in enrolments
        if e.status == EnrolmentStatus.ENROLLED
        and e.session is not None
        and e.session.ends_on >= today
    ]
    upcoming.sort(key=lambda e: e.session.starts_on if e.session else today)
    waiting = [e for e in enrolments if e.status == EnrolmentStatus.ENROLLED and e.session is None]
    shown = {e.pk for e in (*completed, *upcoming, *waiting)}
    other = [e for e in enrolments if e.pk not in shown]
    return Transcript(
        member=member,
        completed=completed,
        overall=overall,
        years=years,
        topics=topics,
        upcoming=upcoming,
        waiting=waiting,
        other=other,
    )


def member_next_sessions(*, actor: Actor, limit: int = 5) -> list[Enrolment]:
    """The actor's own enrolments in sessions that have not ended, soonest first."""
    if actor.member_id is None:
        return []
    today = training_today(actor=actor)
    return list(
        Enrolment.objects.filter(
            member_id=actor.member_id,
            member__agency_id=actor.agency_id,
            status=EnrolmentStatus.ENROLLED,
            session__ends_on__gte=today,
        )
        .select_related("course", "session")
        .order_by("session__starts_on", "pk")[:limit]
    )


def member_waiting_assignments(*, actor: Actor) -> list[Enrolment]:
    """The actor's own course assignments that wait for a session (e.g. remedial training)."""
    if actor.member_id is None:
        return []
    return list(
        Enrolment.objects.filter(
            member_id=actor.member_id,
            member__agency_id=actor.agency_id,
            status=EnrolmentStatus.ENROLLED,
            session__isnull=True,
        ).select_related("course")
    )


# Unit status -----------------------------------------------------------------------------------


def sees_unit_status(*, actor: Actor) -> bool:
    """Does any of the actor's roles reach units (not only the actor's own record)?"""
    return bool(actor.grants_for(get_action("training.record").roles))


def status_units(*, actor: Actor) -> list[Unit]:
    """The units whose training status ``actor`` may see, in tree order: the whole tree for an
    agency-wide role, otherwise the subtrees their roles cover. None for self-only roles."""
    grants = actor.grants_for(get_action("training.record").roles)
    units = Unit.objects.filter(agency_id=actor.agency_id).order_by("path")
    if any(g.agency_wide for g in grants):
        return list(units)
    reach = Q(pk__in=[])
    for grant in grants:
        reach |= Q(path__startswith=grant.unit_path)
    return list(units.filter(reach))


def unit_get_for_status(*, actor: Actor, unit_id: int) -> Unit:
    unit = Unit.objects.filter(pk=unit_id, agency_id=actor.agency_id).first()
    # A unit scope (no owner) is within reach only of a grant that covers it, never of the
    # self-only roles: an officer sees their own transcript, not their squad's.
    if unit is None or not can(actor, "training.record", unit):
        raise NotFound(f"No unit {unit_id}.")
    return unit


@dataclass
class MemberHours:
    member: Member | None  # None for a unit's totals
    de_escalation: Decimal = ZERO
    use_of_force: Decimal = ZERO
    other: Decimal = ZERO
    completions: int = 0

    @property
    def total(self) -> Decimal:
        return self.de_escalation + self.use_of_force + self.other


@dataclass
class UnitStatus:
    unit: Unit
    year: int
    rows: list[MemberHours]
    totals: MemberHours

    @property
    def members_without_training(self) -> int:
        return sum(1 for r in self.rows if r.completions == 0)


def unit_status(*, actor: Actor, unit: Unit, year: int) -> UnitStatus:
    """Members of ``unit``'s subtree whom ``actor`` may see, with the hours they completed in
    ``year`` by parity group and their number of completions. Separated members are left out."""
    if not can(actor, "training.record", unit):
        raise NotFound(f"No unit {unit.pk}.")
    members = (
        Member.objects.filter(
            visible_q(
                actor,
                "training.record",
                unit_path_field="unit__path",
                owner_user_field="user_account__id",
            ),
            unit__path__startswith=unit.path,
        )
        .exclude(status=MemberStatus.SEPARATED)
        .select_related("unit")
        .order_by("unit__path", "last_name", "first_name", "badge")
    )
    rows = {m.pk: MemberHours(member=m) for m in members}
    sums = (
        Enrolment.objects.filter(
            member_id__in=rows,
            status=EnrolmentStatus.COMPLETED,
            completed_on__year=year,
        )
        .values("member_id", "course__topic__parity_group")
        .annotate(hours=Sum("hours"), count=Count("id"))
        .order_by()
    )
    totals = MemberHours(member=None)
    for entry in sums:
        row = rows[entry["member_id"]]
        hours = entry["hours"] or ZERO
        group = entry["course__topic__parity_group"]
        for target in (row, totals):
            if group == ParityGroup.DE_ESCALATION:
                target.de_escalation += hours
            elif group == ParityGroup.USE_OF_FORCE:
                target.use_of_force += hours
            else:
                target.other += hours
            target.completions += entry["count"]
    return UnitStatus(unit=unit, year=year, rows=list(rows.values()), totals=totals)
