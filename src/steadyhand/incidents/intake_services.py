"""A complete incident from another system in one transaction: ``incident_record``.

A records system (through the REST API) or a script sends the whole encounter at once — who
was there, the subjects, the timeline — instead of an officer building it step by step. The
record is validated as a whole first, every problem named by its place in the record
(``events[2].code: 'kick' is not in the vocabulary``), and nothing is written unless all of it
is valid. The outcome fields are derived from the timeline exactly as for a report filed in the
browser (``summary.summarise``), so the two paths cannot disagree.

Who may send one: a holder of ``incident.import`` (an agency's integration account), or a member
recording an incident they were involved in (``incident.report`` on their own record).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import IntEnum

from django.db import transaction
from django.utils import timezone

from steadyhand import vocabulary as v
from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, can, ensure
from steadyhand.agencies.models import Member, Unit
from steadyhand.audit.models import AuditChainHead
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput
from steadyhand.incidents.models import (
    Incident,
    IncidentStatus,
    Involvement,
    Statement,
    Subject,
    TimelineEvent,
)
from steadyhand.incidents.numbering import next_case_number
from steadyhand.incidents.summary import EventFacts, event_force_level, event_resistance, summarise

SOURCE = "api"
# A sender's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)
CUSTODY_RESOLUTIONS = frozenset({"custody_without_force", "custody_with_force"})
TEXT_FIELDS = ("case_number", "call_type", "district", "beat", "location")


@dataclass(frozen=True)
class InvolvementRecord:
    badge: str
    role_on_scene: str = "primary"
    # None: derived from the timeline (a force event by this member, an injury to them).
    used_force: bool | None = None
    injured: bool | None = None


@dataclass(frozen=True)
class SubjectRecord:
    race: str = "unknown"
    ethnicity: str = "unknown"
    sex: str = "unknown"
    age_band: str = "unknown"
    indicators: tuple[str, ...] = ()
    armed_with: str = "none"
    injured: bool = False
    injury_severity: str = "none"
    arrested: bool = False
    hospitalised: bool = False


@dataclass(frozen=True)
class EventRecord:
    """One event; ``kind`` may be left empty (the code says it). The actor is a member, by
    badge, or a subject, by ordinal (1 = the first subject), never both."""

    code: str
    kind: str = ""
    offset_seconds: int | None = None
    actor_badge: str = ""
    actor_subject: int | None = None
    target_subject: int | None = None
    resistance: int | None = None
    force_level: int | None = None
    note: str = ""


@dataclass(frozen=True)
class IncidentRecord:
    occurred_at: datetime
    contact_type: str
    involvements: Sequence[InvolvementRecord]
    subjects: Sequence[SubjectRecord] = ()
    events: Sequence[EventRecord] = ()
    # The sending system's own case number. Kept as the incident's case number and as its
    # natural key, so the same case cannot be pushed twice. Empty: Steadyhand numbers it.
    case_number: str = ""
    call_type: str = ""
    district: str = ""
    beat: str = ""
    location: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    narrative: str = ""
    # Who reported it (badge); default: the first involvement.
    reported_by_badge: str = ""
    supervisor_notified: bool | None = None


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)


def _check_code(errors: _Errors, where: str, value: str, codes: dict[str, str], what: str) -> None:
    if value not in codes:
        errors.add(where, f"{value!r} is not a {what}; use one of: {', '.join(codes)}.")


def _check_ladder(errors: _Errors, where: str, value: int | None, ladder: type[IntEnum]) -> None:
    if value is not None and value not in {int(x) for x in ladder}:
        top = max(int(x) for x in ladder)
        errors.add(where, f"{value} is not on the ladder; use 0 to {top}.")


def _validate_record(
    record: IncidentRecord, *, members: dict[str, Member], now: datetime
) -> dict[str, list[str]]:
    """Every problem of ``record``, keyed by its place in it. Pure but for ``members``
    (the agency's members by badge) and ``now``."""
    errors = _Errors()
    if timezone.is_naive(record.occurred_at):
        errors.add("occurred_at", "Give a time zone (e.g. 2026-03-14T21:05:00-05:00).")
    elif record.occurred_at > now + CLOCK_SKEW:
        errors.add("occurred_at", f"{record.occurred_at.isoformat()} is in the future.")
    _check_code(errors, "contact_type", record.contact_type, v.CONTACT_TYPES, "contact type")
    for name in TEXT_FIELDS:
        limit = int(getattr(Incident._meta.get_field(name), "max_length", 0) or 0)
        if len(getattr(record, name)) > limit:
            errors.add(name, f"Keep it to {limit} characters.")
    for name, bound in (("latitude", 90), ("longitude", 180)):
        value = getattr(record, name)
        if value is not None and not -bound <= value <= bound:
            errors.add(name, f"{value} is not a {name} (between -{bound} and {bound}).")

    if not record.involvements:
        errors.add("involvements", "Name at least one member who was there.")
    badges: set[str] = set()
    for i, inv in enumerate(record.involvements):
        where = f"involvements[{i}]"
        if inv.badge not in members:
            errors.add(f"{where}.badge", f"No member with badge {inv.badge!r} in this agency.")
        if inv.badge in badges:
            errors.add(f"{where}.badge", f"Badge {inv.badge!r} is listed twice.")
        badges.add(inv.badge)
        _check_code(errors, f"{where}.role_on_scene", inv.role_on_scene, v.ROLES_ON_SCENE, "role")
    if record.reported_by_badge and record.reported_by_badge not in badges:
        errors.add("reported_by_badge", "The reporting member must be one of the involvements.")

    for i, subject in enumerate(record.subjects):
        where = f"subjects[{i}]"
        _check_code(errors, f"{where}.race", subject.race, v.RACES, "race code")
        _check_code(errors, f"{where}.ethnicity", subject.ethnicity, v.ETHNICITIES, "code")
        _check_code(errors, f"{where}.sex", subject.sex, v.SEXES, "sex code")
        _check_code(errors, f"{where}.age_band", subject.age_band, v.AGE_BANDS, "age band")
        _check_code(errors, f"{where}.armed_with", subject.armed_with, v.ARMED_WITH, "code")
        _check_code(
            errors, f"{where}.injury_severity", subject.injury_severity, v.INJURY_SEVERITIES, "code"
        )
        for indicator in subject.indicators:
            _check_code(errors, f"{where}.indicators", indicator, v.INDICATORS, "indicator")

    last_offset: int | None = None
    for i, event in enumerate(record.events):
        _validate_event(errors, f"events[{i}]", event, badges, len(record.subjects))
        if event.offset_seconds is not None:
            if last_offset is not None and event.offset_seconds < last_offset:
                errors.add(
                    f"events[{i}].offset_seconds",
                    f"{event.offset_seconds} s comes before the previous event ({last_offset} s); "
                    "list events in the order they happened.",
                )
            last_offset = event.offset_seconds
    return errors.errors


def _validate_event(
    errors: _Errors, where: str, event: EventRecord, badges: set[str], subject_count: int
) -> None:
    known = v.ALL_TERMS.get(event.code)
    if known is None:
        errors.add(
            f"{where}.code", f"{event.code!r} is not in the vocabulary (docs/vocabulary.md)."
        )
        return
    if event.kind and event.kind != known.kind:
        errors.add(
            f"{where}.kind", f"{event.code!r} is a {known.kind.value!r} event, not {event.kind!r}."
        )
    if event.offset_seconds is not None and event.offset_seconds < 0:
        errors.add(f"{where}.offset_seconds", "Offsets count seconds after first contact (>= 0).")
    if event.actor_badge and event.actor_subject is not None:
        errors.add(f"{where}.actor", "An event has one actor: a member or a subject, not both.")
    if event.actor_badge and event.actor_badge not in badges:
        errors.add(
            f"{where}.actor_badge", f"Badge {event.actor_badge!r} is not among the involvements."
        )
    for name, ordinal in (
        ("actor_subject", event.actor_subject),
        ("target_subject", event.target_subject),
    ):
        if ordinal is not None and not 1 <= ordinal <= subject_count:
            errors.add(
                f"{where}.{name}",
                f"There is no subject {ordinal}; the record has {subject_count} subject(s).",
            )
    kind = known.kind
    if kind in v.MEMBER_KINDS and event.actor_subject is not None:
        errors.add(f"{where}.actor_subject", f"A {kind.value!r} event is done by a member.")
    if kind == v.EventKind.FORCE and not event.actor_badge:
        errors.add(f"{where}.actor_badge", "Say which member applied the force.")
    if kind in v.SUBJECT_KINDS and event.actor_badge:
        errors.add(f"{where}.actor_badge", f"A {kind.value!r} event is done by a subject.")
    if event.target_subject is not None and kind != v.EventKind.FORCE:
        errors.add(f"{where}.target_subject", "Only force events have a target subject.")
    if event.resistance is not None and kind != v.EventKind.SUBJECT_BEHAVIOUR:
        errors.add(f"{where}.resistance", "Only subject behaviour carries a resistance level.")
    if event.force_level is not None and kind != v.EventKind.FORCE:
        errors.add(f"{where}.force_level", "Only force events carry a force level.")
    _check_ladder(errors, f"{where}.resistance", event.resistance, v.Resistance)
    _check_ladder(errors, f"{where}.force_level", event.force_level, v.ForceLevel)


def _facts(event: EventRecord) -> EventFacts:
    return EventFacts(
        kind=v.ALL_TERMS[event.code].kind,
        code=event.code,
        resistance=event.resistance,
        force_level=event.force_level,
        by_member=bool(event.actor_badge),
    )


def _refuse_duplicate(*, agency_id: int, case_number: str) -> None:
    existing = Incident.objects.filter(agency_id=agency_id, case_number=case_number).first()
    if existing is not None:
        raise InvalidInput(
            {
                "case_number": [
                    f"Case {case_number!r} is already recorded (incident {existing.pk}); "
                    "a case is sent once."
                ]
            }
        )


@transaction.atomic
def incident_record(*, actor: Actor, record: IncidentRecord) -> Incident:
    """Create a submitted incident, its people and its timeline from ``record``; audited."""
    badges = {inv.badge for inv in record.involvements} | {
        e.actor_badge for e in record.events if e.actor_badge
    }
    members = {
        m.badge: m
        for m in Member.objects.filter(agency_id=actor.agency_id, badge__in=badges).select_related(
            "unit", "user_account"
        )
    }
    errors = _validate_record(record, members=members, now=timezone.now())
    if errors:
        raise InvalidInput(errors)

    reporter = members[record.reported_by_badge or record.involvements[0].badge]
    unit: Unit = reporter.unit
    involved_users = frozenset(
        uid for m in members.values() if (uid := m.account_user_id) is not None
    )
    if not can(actor, "incident.import"):
        scope = Scope(agency_id=actor.agency_id, unit_path=unit.path, owner_user_ids=involved_users)
        ensure(actor, "incident.report", scope)

    # The agency's write lock (its audit chain head), held to the end of the transaction: two
    # records sent at once cannot both take the next case number or both pass the duplicate check.
    AuditChainHead.objects.select_for_update().filter(agency_id=actor.agency_id).first()
    if record.case_number:
        _refuse_duplicate(agency_id=actor.agency_id, case_number=record.case_number)
        case_number, source, source_key = record.case_number, SOURCE, record.case_number
    else:
        case_number = next_case_number(agency_id=actor.agency_id, occurred_at=record.occurred_at)
        source, source_key = "report", ""

    summary = summarise(_facts(e) for e in record.events)
    now = timezone.now()
    incident = Incident.objects.create(
        agency_id=actor.agency_id,
        case_number=case_number,
        unit=unit,
        status=IncidentStatus.SUBMITTED,
        occurred_at=record.occurred_at,
        district=record.district,
        beat=record.beat,
        location=record.location,
        latitude=record.latitude,
        longitude=record.longitude,
        contact_type=record.contact_type,
        call_type=record.call_type,
        narrative=record.narrative,
        force_used=summary.force_used,
        highest_force_level=summary.highest_force_level,
        highest_resistance=summary.highest_resistance,
        subject_injured=summary.subject_injured or any(s.injured for s in record.subjects),
        officer_injured=summary.officer_injured or any(i.injured for i in record.involvements),
        arrest_made=summary.resolution in CUSTODY_RESOLUTIONS
        or any(s.arrested for s in record.subjects),
        subject_hospitalised=any(s.hospitalised for s in record.subjects),
        resolution=summary.resolution,
        de_escalation_attempted=summary.de_escalation_attempted,
        supervisor_notified=True if summary.supervisor_requested else record.supervisor_notified,
        reported_by=reporter,
        submitted_at=now,
        source=source,
        source_key=source_key,
        created_by_id=actor.user_id,
    )
    involvements = _create_involvements(incident, record, members)
    subjects = _create_subjects(incident, record)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=incident,
            sequence=n,
            offset_seconds=event.offset_seconds,
            kind=v.ALL_TERMS[event.code].kind.value,
            code=event.code,
            actor_involvement=involvements.get(event.actor_badge),
            actor_subject=subjects[event.actor_subject - 1] if event.actor_subject else None,
            target_subject=subjects[event.target_subject - 1] if event.target_subject else None,
            resistance=event.resistance,
            force_level=event.force_level,
            note=event.note,
        )
        for n, event in enumerate(record.events, start=1)
    )
    # As for a report submitted in the browser: each member on scene now owes a statement.
    Statement.objects.bulk_create(Statement(involvement=inv) for inv in involvements.values())
    audit_record(
        actor=actor,
        action="incident.record",
        obj=incident,
        changes={
            "case_number": [None, case_number],
            "status": [None, IncidentStatus.SUBMITTED.value],
            "involvements": [None, len(involvements)],
            "subjects": [None, len(subjects)],
            "events": [None, len(record.events)],
            "force_used": [None, summary.force_used],
        },
        reason=f"source={source}",
    )
    # Pushed force incidents are reviewed like reported ones (see incident_submit).
    from steadyhand.reviews.services.reviews import review_open_hook

    review_open_hook(actor=actor, incident=incident)
    return incident


def _create_involvements(
    incident: Incident, record: IncidentRecord, members: dict[str, Member]
) -> dict[str, Involvement]:
    by_badge: dict[str, Involvement] = {}
    for inv in record.involvements:
        own = [e for e in record.events if e.actor_badge == inv.badge]
        used_force = any(
            v.ALL_TERMS[e.code].kind == v.EventKind.FORCE
            and event_force_level(_facts(e)) > v.ForceLevel.VERBAL
            for e in own
        )
        injured = any(e.code == "officer_injured" for e in own)
        by_badge[inv.badge] = Involvement.objects.create(
            incident=incident,
            member=members[inv.badge],
            role_on_scene=inv.role_on_scene,
            used_force=inv.used_force if inv.used_force is not None else used_force,
            injured=inv.injured if inv.injured is not None else injured,
        )
    return by_badge


def _create_subjects(incident: Incident, record: IncidentRecord) -> list[Subject]:
    subjects = []
    for ordinal, s in enumerate(record.subjects, start=1):
        levels = [
            level
            for e in record.events
            if e.actor_subject == ordinal
            and v.ALL_TERMS[e.code].kind == v.EventKind.SUBJECT_BEHAVIOUR
            and (level := event_resistance(_facts(e))) is not None
        ]
        injured_in_timeline = any(
            e.code == "subject_injured" and e.actor_subject == ordinal for e in record.events
        )
        subjects.append(
            Subject.objects.create(
                incident=incident,
                ordinal=ordinal,
                race=s.race,
                ethnicity=s.ethnicity,
                sex=s.sex,
                age_band=s.age_band,
                armed_with=s.armed_with,
                highest_resistance=max(levels) if levels else None,
                injured=s.injured or injured_in_timeline or s.injury_severity != "none",
                injury_severity=s.injury_severity,
                arrested=s.arrested,
                hospitalised=s.hospitalised,
                **{code: code in s.indicators for code in v.INDICATORS},
            )
        )
    return subjects
