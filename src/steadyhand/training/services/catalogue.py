"""Writes for the training catalogue: topics, courses, sessions, enrolments and their outcomes.

Every function checks permission with ``ensure``, validates, saves and writes its audit event in
one transaction. Courses and sessions are edited with optimistic locking (``expected_version``);
so are enrolments on the roster page, so two trainers marking the same roster cannot overwrite
each other's marks silently.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.agencies.models import Member, MemberStatus
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput
from steadyhand.core.versioning import check_version, model_changes
from steadyhand.imports.selectors import agency_today
from steadyhand.policy.models import PolicyDocument
from steadyhand.training.models import (
    Course,
    CourseCitation,
    CourseMode,
    DeliveryMode,
    Enrolment,
    EnrolmentStatus,
    ParityGroup,
    Session,
    Setting,
    Topic,
)
from steadyhand.training.selectors.catalogue import PLACE_HOLDING, published_sections

MAX_HOURS = Decimal("999.99")
MAX_SCORE = Decimal("100")
_CAUSE_TYPE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class StandardTopic:
    code: str
    name: str
    parity_group: str


# Which side of the parity comparison each standard topic counts on, and why, is explained in
# docs/training.md ("Topics and the parity groups"). Keep the two in step.
STANDARD_TOPICS: tuple[StandardTopic, ...] = (
    StandardTopic("de_escalation", "De-escalation", ParityGroup.DE_ESCALATION),
    StandardTopic("crisis_intervention", "Crisis intervention", ParityGroup.DE_ESCALATION),
    StandardTopic("duty_to_intervene", "Duty to intervene", ParityGroup.DE_ESCALATION),
    StandardTopic("use_of_force", "Use of force", ParityGroup.USE_OF_FORCE),
    StandardTopic("defensive_tactics", "Defensive tactics", ParityGroup.USE_OF_FORCE),
    StandardTopic("firearms", "Firearms", ParityGroup.USE_OF_FORCE),
    StandardTopic("less_lethal", "Less-lethal weapons", ParityGroup.USE_OF_FORCE),
    StandardTopic("legal", "Legal", ParityGroup.NEITHER),
    StandardTopic("first_aid", "First aid", ParityGroup.NEITHER),
    StandardTopic("procedural_justice", "Procedural justice", ParityGroup.NEITHER),
)

# Labels for the causes of remedial enrolments that later parts of Steadyhand create. Any
# lower-case slug is accepted (so a new source needs no change here); these read better.
CAUSE_LABELS: dict[str, str] = {
    "force_review": "Force review finding",
    "early_intervention": "Early-intervention flag",
    "complaint": "Complaint finding",
    "supervisor_referral": "Supervisor referral",
}


def _agency_scope(actor: Actor) -> Scope:
    return Scope(agency_id=actor.agency_id)


def _full_clean(instance: Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from exc


def _same_agency(actor: Actor, field: str, agency_id: int | None, what: str) -> None:
    # Forms offer only the actor's agency; a forged id from elsewhere is refused here too.
    if agency_id != actor.agency_id:
        raise InvalidInput({field: [f"The {what} belongs to another agency."]})


# Topics ----------------------------------------------------------------------------------------


@transaction.atomic
def training_setup_agency(*, actor: Actor) -> list[Topic]:
    """Create the standard topics the agency does not have yet; return the ones created.

    Safe to run again: topics are matched by code, and an existing topic (perhaps renamed or
    reclassified by the agency) is left as it is.
    """
    ensure(actor, "training.manage", _agency_scope(actor))
    existing = set(Topic.objects.filter(agency_id=actor.agency_id).values_list("code", flat=True))
    created = []
    for standard in STANDARD_TOPICS:
        if standard.code in existing:
            continue
        topic = Topic.objects.create(
            agency_id=actor.agency_id,
            code=standard.code,
            name=standard.name,
            parity_group=standard.parity_group,
        )
        audit_record(
            actor=actor,
            action="topic.create",
            obj=topic,
            changes={
                "code": [None, topic.code],
                "name": [None, topic.name],
                "parity_group": [None, topic.parity_group],
            },
            reason="Standard topic list",
        )
        created.append(topic)
    return created


def _check_parity_group(parity_group: str) -> None:
    if parity_group not in ParityGroup.values:
        raise InvalidInput(
            {
                "parity_group": [
                    f"Unknown parity group {parity_group!r}; choose one of "
                    f"{', '.join(ParityGroup.values)}."
                ]
            }
        )


@transaction.atomic
def topic_create(*, actor: Actor, code: str, name: str, parity_group: str) -> Topic:
    ensure(actor, "training.manage", _agency_scope(actor))
    _check_parity_group(parity_group)
    code = code.strip()
    if Topic.objects.filter(agency_id=actor.agency_id, code=code).exists():
        raise InvalidInput({"code": [f"The agency already has a topic with the code “{code}”."]})
    topic = Topic(
        agency_id=actor.agency_id, code=code, name=name.strip(), parity_group=parity_group
    )
    _full_clean(topic, exclude=["agency"])
    topic.save()
    audit_record(
        actor=actor,
        action="topic.create",
        obj=topic,
        changes={
            "code": [None, topic.code],
            "name": [None, topic.name],
            "parity_group": [None, parity_group],
        },
    )
    return topic


@transaction.atomic
def topic_update(
    *, actor: Actor, topic: Topic, name: str, parity_group: str, reason: str = ""
) -> Topic:
    """Rename a topic or move it to another parity group.

    Moving it changes every parity figure its courses count in, past years included; the audit
    event keeps the old group and the reason.
    """
    topic = Topic.objects.select_for_update().get(pk=topic.pk, agency_id=actor.agency_id)
    ensure(actor, "training.manage", _agency_scope(actor))
    _check_parity_group(parity_group)
    changes = model_changes(topic, {"name": name.strip(), "parity_group": parity_group})
    if "parity_group" in changes and not reason.strip():
        raise InvalidInput(
            {
                "reason": [
                    "Say why the topic moves to another parity group: it changes every parity "
                    "figure, past years included."
                ]
            }
        )
    if changes:
        _full_clean(topic, exclude=["agency"])
        topic.save()
        audit_record(actor=actor, action="topic.update", obj=topic, changes=changes, reason=reason)
    return topic


# Courses ---------------------------------------------------------------------------------------


def _clean_modes(modes: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    """Hours by delivery mode, without empty or zero entries; at least one must remain."""
    cleaned: dict[str, Decimal] = {}
    problems: list[str] = []
    for mode, raw in modes.items():
        if raw is None:
            continue
        if mode not in DeliveryMode.values:
            problems.append(f"Unknown delivery mode {mode!r}.")
            continue
        try:
            hours = Decimal(raw)
        except (InvalidOperation, TypeError, ValueError):
            problems.append(f"{DeliveryMode(mode).label}: {raw!r} is not a number of hours.")
            continue
        if hours == 0:
            continue
        if hours < 0 or hours > MAX_HOURS or hours != hours.quantize(Decimal("0.01")):
            problems.append(
                f"{DeliveryMode(mode).label}: hours must be between 0.01 and {MAX_HOURS}, "
                "with at most two decimals."
            )
            continue
        cleaned[mode] = hours
    if problems:
        raise InvalidInput({"modes": problems})
    if not cleaned:
        raise InvalidInput(
            {"modes": ["Give the hours of at least one delivery mode (e.g. 8 hours of lecture)."]}
        )
    return cleaned


def _clean_citations(
    *,
    actor: Actor,
    citations: Iterable[tuple[PolicyDocument, str]],
    already: set[tuple[int, str]],
) -> list[tuple[PolicyDocument, str]]:
    """Citations as (document, section number); each must be a section of the document's
    current published version, unless the course cited it already (a later version may have
    dropped the section: the citation then stays, and the coverage report shows it)."""
    published: dict[int, set[str]] = {}
    for section in published_sections(agency_id=actor.agency_id):
        published.setdefault(section.document.pk, set()).add(section.number)
    seen: set[tuple[int, str]] = set()
    cleaned: list[tuple[PolicyDocument, str]] = []
    problems: list[str] = []
    for document, number in citations:
        _same_agency(actor, "citations", document.agency_id, "policy document")
        number = number.strip()
        key = (document.pk, number)
        if key in seen:
            continue
        seen.add(key)
        if key not in already and number not in published.get(document.pk, set()):
            problems.append(
                f"{document.code} has no section {number} in its published version; a course "
                "can cite only published policy."
            )
            continue
        cleaned.append((document, number))
    if problems:
        raise InvalidInput({"citations": problems})
    return sorted(cleaned, key=lambda c: (c[0].code, c[1]))


def _modes_of(course: Course) -> dict[str, str]:
    return {m.mode: str(m.hours) for m in course.modes.order_by("mode")}


def _citations_of(course: Course) -> list[str]:
    return sorted(
        f"{c.document.code} §{c.section_number}"
        for c in course.citations.select_related("document")
    )


def _write_modes_and_citations(
    course: Course,
    modes: Mapping[str, Decimal],
    citations: Sequence[tuple[PolicyDocument, str]],
) -> None:
    course.modes.all().delete()
    CourseMode.objects.bulk_create(
        CourseMode(course=course, mode=mode, hours=hours) for mode, hours in sorted(modes.items())
    )
    course.citations.all().delete()
    CourseCitation.objects.bulk_create(
        CourseCitation(course=course, document=document, section_number=number)
        for document, number in citations
    )


def _check_course(actor: Actor, *, course: Course, topic: Topic, setting: str) -> None:
    _same_agency(actor, "topic", topic.agency_id, "topic")
    if setting not in Setting.values:
        raise InvalidInput({"setting": [f"Choose one of {', '.join(Setting.values)}."]})
    course.code = course.code.strip()
    holder = (
        Course.objects.filter(agency_id=actor.agency_id, code=course.code)
        .exclude(pk=course.pk)
        .first()
    )
    if holder is not None:
        raise InvalidInput(
            {"code": [f"Code “{course.code}” is already used by “{holder.title}”; choose another."]}
        )
    _full_clean(course, exclude=["agency", "topic"])


@transaction.atomic
def course_create(
    *,
    actor: Actor,
    code: str,
    title: str,
    topic: Topic,
    setting: str,
    modes: Mapping[str, Decimal | None],
    citations: Iterable[tuple[PolicyDocument, str]] = (),
    description: str = "",
) -> Course:
    ensure(actor, "training.manage", _agency_scope(actor))
    course = Course(
        agency_id=actor.agency_id,
        code=code,
        title=title.strip(),
        topic=topic,
        setting=setting,
        description=description.strip(),
    )
    _check_course(actor, course=course, topic=topic, setting=setting)
    cleaned_modes = _clean_modes(modes)
    cleaned_citations = _clean_citations(actor=actor, citations=citations, already=set())
    course.save()
    _write_modes_and_citations(course, cleaned_modes, cleaned_citations)
    audit_record(
        actor=actor,
        action="course.create",
        obj=course,
        changes={
            "code": [None, course.code],
            "title": [None, course.title],
            "topic": [None, topic.code],
            "setting": [None, setting],
            "modes": [None, _modes_of(course)],
            "citations": [None, _citations_of(course)],
        },
    )
    return course


@transaction.atomic
def course_update(
    *,
    actor: Actor,
    course: Course,
    code: str,
    title: str,
    topic: Topic,
    setting: str,
    modes: Mapping[str, Decimal | None],
    citations: Iterable[tuple[PolicyDocument, str]],
    description: str,
    active: bool,
    expected_version: int | None,
    reason: str = "",
) -> Course:
    """Change a course. Completed enrolments keep the hours they were credited with; a change
    of hours applies to completions recorded from now on."""
    course = Course.objects.select_for_update().get(pk=course.pk, agency_id=actor.agency_id)
    ensure(actor, "training.manage", course)
    check_version(course, expected_version)
    old_modes, old_citations = _modes_of(course), _citations_of(course)
    already = set(course.citations.values_list("document_id", "section_number"))
    old_topic_code = course.topic.code
    changes = model_changes(
        course,
        {
            "code": code.strip(),
            "title": title.strip(),
            "topic": topic,
            "setting": setting,
            "description": description.strip(),
            "active": active,
        },
    )
    _check_course(actor, course=course, topic=topic, setting=setting)
    cleaned_modes = _clean_modes(modes)
    cleaned_citations = _clean_citations(actor=actor, citations=citations, already=already)
    if "topic" in changes:
        changes["topic"] = [old_topic_code, topic.code]
    course.save()
    _write_modes_and_citations(course, cleaned_modes, cleaned_citations)
    new_modes, new_citations = _modes_of(course), _citations_of(course)
    if new_modes != old_modes:
        changes["modes"] = [old_modes, new_modes]
    if new_citations != old_citations:
        changes["citations"] = [old_citations, new_citations]
    audit_record(actor=actor, action="course.update", obj=course, changes=changes, reason=reason)
    return course


# Sessions --------------------------------------------------------------------------------------


def _places_taken(session: Session) -> int:
    return session.enrolments.filter(status__in=PLACE_HOLDING).count()


def _check_session(
    actor: Actor, *, session: Session, instructors: Sequence[Member], capacity: int
) -> None:
    if session.ends_on < session.starts_on:
        raise InvalidInput({"ends_on": ["The session cannot end before it starts."]})
    if capacity < 1:
        raise InvalidInput({"capacity": ["A session has at least one place."]})
    for instructor in instructors:
        _same_agency(actor, "instructors", instructor.agency_id, "instructor")
    _full_clean(session, exclude=["course", "instructors"])


def _session_fields(session: Session) -> dict[str, object]:
    return {
        "starts_on": session.starts_on,
        "ends_on": session.ends_on,
        "location": session.location,
        "capacity": session.capacity,
    }


@transaction.atomic
def session_create(
    *,
    actor: Actor,
    course: Course,
    starts_on: date,
    ends_on: date,
    capacity: int,
    location: str = "",
    instructors: Sequence[Member] = (),
) -> Session:
    ensure(actor, "training.manage", course)
    # Read as stored: the caller's copy may predate the course's retirement.
    course = Course.objects.get(pk=course.pk, agency_id=actor.agency_id)
    if not course.active:
        raise InvalidInput(
            {"course": [f"{course.code} is retired; make it active again to schedule it."]}
        )
    session = Session(
        course=course,
        starts_on=starts_on,
        ends_on=ends_on,
        location=location.strip(),
        capacity=capacity,
    )
    _check_session(actor, session=session, instructors=instructors, capacity=capacity)
    session.save()
    session.instructors.set(instructors)
    audit_record(
        actor=actor,
        action="session.create",
        obj=session,
        changes={
            "course": [None, course.code],
            **{name: [None, value] for name, value in _session_fields(session).items()},
            "instructors": [None, sorted(m.badge for m in instructors)],
        },
    )
    return session


@transaction.atomic
def session_update(
    *,
    actor: Actor,
    session: Session,
    starts_on: date,
    ends_on: date,
    capacity: int,
    location: str,
    instructors: Sequence[Member],
    expected_version: int | None,
    reason: str = "",
) -> Session:
    session = (
        Session.objects.select_for_update()
        .select_related("course")
        .get(pk=session.pk, course__agency_id=actor.agency_id)
    )
    ensure(actor, "training.manage", session)
    check_version(session, expected_version)
    taken = _places_taken(session)
    if capacity < taken:
        raise InvalidInput(
            {
                "capacity": [
                    f"{taken} members hold a place in this session; withdraw some on the roster "
                    f"before lowering the capacity below {taken}."
                ]
            }
        )
    old_instructors = sorted(session.instructors.values_list("badge", flat=True))
    changes = model_changes(
        session,
        {
            "starts_on": starts_on,
            "ends_on": ends_on,
            "location": location.strip(),
            "capacity": capacity,
        },
    )
    _check_session(actor, session=session, instructors=instructors, capacity=capacity)
    session.save()
    session.instructors.set(instructors)
    new_instructors = sorted(m.badge for m in instructors)
    if new_instructors != old_instructors:
        changes["instructors"] = [old_instructors, new_instructors]
    audit_record(actor=actor, action="session.update", obj=session, changes=changes, reason=reason)
    return session


# Enrolment -------------------------------------------------------------------------------------


def _enrolment_changes(enrolment: Enrolment) -> dict[str, list[object]]:
    return {
        "member": [None, enrolment.member.badge],
        "course": [None, enrolment.course.code],
        "session": [None, enrolment.session_id],
        "status": [None, enrolment.status],
    }


@dataclass(frozen=True)
class _Cause:
    cause_type: str
    cause_id: str


@transaction.atomic
def session_enrol(*, actor: Actor, session: Session, members: Sequence[Member]) -> list[Enrolment]:
    """Enrol ``members`` in ``session``: all of them, or (on any problem) none.

    A member who withdrew earlier is enrolled again on the same record. A member with an open
    enrolment in the course that names no session yet (a remedial assignment) has that
    enrolment placed in this session, so what caused it stays traceable to the completion.
    """
    return _enrol(actor=actor, session=session, members=members, cause=None)


def _enrol(
    *,
    actor: Actor,
    session: Session,
    members: Sequence[Member],
    cause: _Cause | None,
    reason: str = "",
) -> list[Enrolment]:
    # The session row is locked so that two trainers enrolling at once cannot overfill it.
    session = (
        Session.objects.select_for_update()
        .select_related("course")
        .get(pk=session.pk, course__agency_id=actor.agency_id)
    )
    ensure(actor, "training.manage", session)
    if not members:
        raise InvalidInput({"members": ["Choose at least one member to enrol."]})
    problems: list[str] = []
    unique: dict[int, Member] = {}
    for member in members:
        _same_agency(actor, "members", member.agency_id, "member")
        if member.status == MemberStatus.SEPARATED:
            problems.append(f"#{member.badge} has separated from the agency.")
        unique[member.pk] = member
    current = {
        e.member_id: e for e in session.enrolments.filter(member_id__in=unique).select_for_update()
    }
    for member_id, enrolment in current.items():
        if enrolment.status != EnrolmentStatus.WITHDRAWN:
            problems.append(f"#{unique[member_id].badge} is already enrolled in this session.")
    if problems:
        raise InvalidInput({"members": problems})
    taken = _places_taken(session)
    free = session.capacity - taken
    if len(unique) > free:
        raise InvalidInput(
            {
                "members": [
                    f"The session has {session.capacity} places and {taken} are taken, so "
                    f"{max(free, 0)} more member{'s' if free != 1 else ''} can be enrolled, not "
                    f"{len(unique)}. Raise the capacity or enrol fewer members."
                ]
            }
        )
    # A remedial enrolment made for a session is its own record, so its cause is never mixed
    # with that of an assignment made earlier for another cause.
    waiting: dict[int, Enrolment] = {}
    if cause is None:
        for e in (
            Enrolment.objects.select_for_update()
            .filter(
                member_id__in=unique,
                course_id=session.course_id,
                session__isnull=True,
                status=EnrolmentStatus.ENROLLED,
            )
            .order_by("-pk")
        ):
            waiting[e.member_id] = e  # the oldest wins
    enrolled = []
    for member in unique.values():
        existing = current.get(member.pk) or waiting.get(member.pk)
        fields: dict[str, object] = {"session": session, "status": EnrolmentStatus.ENROLLED}
        if cause is not None:
            fields |= {"remedial": True, "cause_type": cause.cause_type, "cause_id": cause.cause_id}
        if existing is not None:
            enrolment = existing
            changes = model_changes(enrolment, fields)
            enrolment.version += 1
            enrolment.save()
            action = "enrolment.enrol"
        else:
            enrolment = Enrolment.objects.create(
                member=member,
                course=session.course,
                created_by_id=actor.user_id,
                source="remedial" if cause else "manual",
                **fields,
            )
            changes = _enrolment_changes(enrolment)
            action = "enrolment.create"
        if cause is not None:
            action = "enrolment.remedial"
            changes |= {
                "cause_type": [None, cause.cause_type],
                "cause_id": [None, cause.cause_id],
            }
        audit_record(actor=actor, action=action, obj=enrolment, changes=changes, reason=reason)
        enrolled.append(enrolment)
    return enrolled


@dataclass(frozen=True)
class RosterMark:
    """What the roster page says about one enrolment.

    ``completed_on`` None means the session's last day; ``hours`` None means the course's total
    (both only matter for a completion). ``expected_version`` is the enrolment's version when
    the page was read.
    """

    enrolment_id: int
    status: str
    score: Decimal | None = None
    hours: Decimal | None = None
    completed_on: date | None = None
    expected_version: int | None = None


def _mark_problems(
    mark: RosterMark, *, session: Session, today: date
) -> tuple[list[str], date | None]:
    problems: list[str] = []
    if mark.status not in EnrolmentStatus.values:
        problems.append(f"unknown status {mark.status!r}")
    if mark.score is not None and not (0 <= mark.score <= MAX_SCORE):
        problems.append("the score must be between 0 and 100")
    if mark.hours is not None and not (0 < mark.hours <= MAX_HOURS):
        problems.append(f"hours must be between 0.01 and {MAX_HOURS}")
    completed_on = None
    if mark.status == EnrolmentStatus.COMPLETED:
        completed_on = mark.completed_on or session.ends_on
        if completed_on > today:
            problems.append(
                f"a completion cannot be dated after today ({today.isoformat()}); "
                "record it when the session is over"
            )
        elif completed_on < session.starts_on:
            problems.append("the completion date is before the session started")
    return problems, completed_on


@transaction.atomic
def session_record_roster(
    *, actor: Actor, session: Session, marks: Sequence[RosterMark], reason: str = ""
) -> list[Enrolment]:
    """Record attendance, completion and scores for a session's roster in one go.

    All or nothing: any problem (or an enrolment someone else changed since the page was read)
    refuses the whole roster, naming each member affected. Returns the enrolments that changed.
    A completion gets its date (default: the session's last day) and its hours (default: the
    course's total); any other status clears both, so only completions count as hours.
    """
    session = (
        Session.objects.select_for_update()
        .select_related("course")
        .get(pk=session.pk, course__agency_id=actor.agency_id)
    )
    ensure(actor, "training.manage", session)
    enrolments = {
        e.pk: e for e in session.enrolments.select_for_update().select_related("member", "course")
    }
    today = agency_today(agency_id=actor.agency_id)
    total_hours = session.course.total_hours
    problems: dict[str, list[str]] = {}
    planned: list[tuple[Enrolment, dict[str, object]]] = []
    for mark in marks:
        enrolment = enrolments.get(mark.enrolment_id)
        if enrolment is None:
            problems.setdefault("__all__", []).append(
                f"Enrolment {mark.enrolment_id} is not on this session's roster."
            )
            continue
        found, completed_on = _mark_problems(mark, session=session, today=today)
        if mark.expected_version is not None and mark.expected_version != enrolment.version:
            found.append(
                "someone else changed this member's record while you were editing; reload "
                "the roster to see their change"
            )
        if found:
            problems[str(enrolment.pk)] = [
                f"#{enrolment.member.badge} {enrolment.member.full_name}: {p}." for p in found
            ]
            continue
        completed = mark.status == EnrolmentStatus.COMPLETED
        planned.append(
            (
                enrolment,
                {
                    "status": mark.status,
                    "score": mark.score,
                    "completed_on": completed_on if completed else None,
                    "hours": (mark.hours or total_hours) if completed else None,
                },
            )
        )
    if problems:
        raise InvalidInput(problems)
    holding = sum(1 for e, f in planned if f["status"] in PLACE_HOLDING)
    untouched = {e.pk for e, _ in planned}
    holding += sum(
        1 for e in enrolments.values() if e.pk not in untouched and e.status in PLACE_HOLDING
    )
    if holding > session.capacity:
        raise InvalidInput(
            {
                "__all__": [
                    f"{holding} members would hold a place but the session has "
                    f"{session.capacity}; raise the capacity first."
                ]
            }
        )
    changed = []
    for enrolment, fields in planned:
        changes = model_changes(enrolment, fields)
        if not changes:
            continue
        enrolment.version += 1
        _full_clean(enrolment, exclude=["member", "course", "session", "created_by"])
        enrolment.save()
        audit_record(
            actor=actor, action="enrolment.record", obj=enrolment, changes=changes, reason=reason
        )
        changed.append(enrolment)
    return changed


def _check_cause(cause_type: str, cause_id: str, reason: str) -> None:
    problems: dict[str, list[str]] = {}
    if not _CAUSE_TYPE.match(cause_type):
        problems["cause_type"] = [
            "Name what caused the enrolment with a lower-case code such as 'force_review'."
        ]
    if not cause_id.strip() or len(cause_id) > 64:
        problems["cause_id"] = ["Give the id of the record that caused it (at most 64 characters)."]
    if not reason.strip():
        problems["reason"] = ["Say why the member needs this training."]
    if problems:
        raise InvalidInput(problems)


@transaction.atomic
def enrolment_create_remedial(
    *,
    actor: Actor,
    member: Member,
    course: Course,
    cause_type: str,
    cause_id: str | int,
    reason: str,
    session: Session | None = None,
    authority: str = "training.manage",
) -> Enrolment:
    """Assign ``member`` to ``course`` because of a review finding, an early-intervention flag
    or the like, recording what caused it (``cause_type`` and ``cause_id``).

    Without ``session`` the enrolment waits for one: enrolling the member in a session of the
    course later places this same enrolment there. Asking again for the same member, course and
    cause while the enrolment is still open returns it unchanged, so callers may retry.

    A trainer assigns any member (``training.manage``, the default ``authority``). A caller
    acting for a supervisor's decision — a force review's corrective action — passes
    ``authority="training.assign_remedial"``: a supervisor or commander may then assign members
    of their own chain of command, but never outside such a decision (not directly).
    """
    if authority == "training.assign_remedial":
        ensure(actor, "training.assign_remedial", member)
    elif authority == "training.manage":
        ensure(actor, "training.manage", course)
    else:
        raise ValueError(f"Unknown authority {authority!r} for a remedial enrolment.")
    cause_id = str(cause_id).strip()
    _check_cause(cause_type, cause_id, reason)
    _same_agency(actor, "member", member.agency_id, "member")
    _same_agency(actor, "course", course.agency_id, "course")
    if member.status == MemberStatus.SEPARATED:
        raise InvalidInput({"member": [f"#{member.badge} has separated from the agency."]})
    open_one = (
        Enrolment.objects.filter(
            member=member,
            course=course,
            remedial=True,
            cause_type=cause_type,
            cause_id=cause_id,
            status=EnrolmentStatus.ENROLLED,
        )
        .order_by("pk")
        .first()
    )
    if open_one is not None:
        return open_one
    if session is not None:
        if session.course_id != course.pk:
            raise InvalidInput({"session": ["The session is of another course."]})
        placed = _enrol(
            actor=actor,
            session=session,
            members=[member],
            cause=_Cause(cause_type=cause_type, cause_id=cause_id),
            reason=reason,
        )[0]
        return placed
    enrolment = Enrolment.objects.create(
        member=member,
        course=course,
        remedial=True,
        cause_type=cause_type,
        cause_id=cause_id,
        source="remedial",
        created_by_id=actor.user_id,
    )
    audit_record(
        actor=actor,
        action="enrolment.remedial",
        obj=enrolment,
        changes={
            **_enrolment_changes(enrolment),
            "cause_type": [None, cause_type],
            "cause_id": [None, cause_id],
        },
        reason=reason,
    )
    return enrolment


# Completions recorded elsewhere (imports) -------------------------------------------------------


@transaction.atomic
def enrolment_record_external(
    *,
    actor: Actor,
    member: Member,
    course: Course,
    completed_on: date,
    source: str,
    hours: Decimal | None = None,
    score: Decimal | None = None,
    reason: str = "",
) -> Enrolment:
    """Record a completion that happened outside Steadyhand's sessions (another system's
    records, a certification list). Refuses a second record of the same member, course and
    date: importing a file twice must not double anyone's hours."""
    ensure(actor, "training.import", course)
    _same_agency(actor, "member", member.agency_id, "member")
    _same_agency(actor, "course", course.agency_id, "course")
    if completed_on > agency_today(agency_id=actor.agency_id):
        raise InvalidInput({"completed_on": ["The completion date is in the future."]})
    if hours is not None and not (0 < hours <= MAX_HOURS):
        raise InvalidInput({"hours": [f"Hours must be between 0.01 and {MAX_HOURS}."]})
    if score is not None and not (0 <= score <= MAX_SCORE):
        raise InvalidInput({"score": ["The score must be between 0 and 100."]})
    if Enrolment.objects.filter(
        member=member,
        course=course,
        completed_on=completed_on,
        status=EnrolmentStatus.COMPLETED,
    ).exists():
        raise InvalidInput(
            {
                "completed_on": [
                    f"#{member.badge} already has {course.code} completed on "
                    f"{completed_on.isoformat()}."
                ]
            }
        )
    enrolment = Enrolment(
        member=member,
        course=course,
        status=EnrolmentStatus.COMPLETED,
        completed_on=completed_on,
        hours=hours if hours is not None else course.total_hours,
        score=score,
        source=source[:40],
        created_by_id=actor.user_id,
    )
    _full_clean(enrolment, exclude=["member", "course", "session", "created_by"])
    enrolment.save()
    audit_record(
        actor=actor,
        action="enrolment.record_external",
        obj=enrolment,
        changes={
            "member": [None, member.badge],
            "course": [None, course.code],
            "completed_on": [None, completed_on],
            "hours": [None, enrolment.hours],
            "score": [None, score],
            "source": [None, enrolment.source],
        },
        reason=reason,
    )
    return enrolment
