"""Two years of the demo agency's incidents, written in bulk after its training history.

``encounters.py`` decides what happened (pure, seeded); this module reads the patrol squads and
their roll-out waves from the database, writes the incidents, involvements, subjects, timelines
and statements a month at a time with multi-row inserts (``_Table``), and records one audit
event for the whole batch. The outcome fields of every incident come from
``incidents.summary.summarise`` over its timeline, exactly as for a report filed in the
browser; nothing is typed twice.

"Trained" means: the member's squad's roll-out wave has started (``wave_schedule``'s
``wave_start``) by the incident's date. That is the intention-to-treat definition the
evaluation uses, so a squad-month difference-in-differences recovers the planted effect.
"""

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Model

from steadyhand import vocabulary as v
from steadyhand.access.actor import Actor
from steadyhand.agencies.models import Agency, Member, MemberStatus, Rank, Unit, UnitKind
from steadyhand.audit.services import audit_record
from steadyhand.demo.complaint_history import WrittenIncident, build_complaints
from steadyhand.demo.encounters import (
    CALL_TYPES,
    Encounter,
    SquadInfo,
    add_months,
    simulate_encounters,
)
from steadyhand.incidents.models import (
    Incident,
    IncidentStatus,
    Involvement,
    Statement,
    StatementStatus,
    Subject,
    TimelineEvent,
)
from steadyhand.incidents.numbering import PREFIX_FORMAT, WIDTH
from steadyhand.incidents.summary import EventFacts, summarise
from steadyhand.training.models import RolloutPlan
from steadyhand.training.selectors.rollouts import wave_schedule

Progress = Callable[[int], object]

HISTORY_MONTHS = 24
ROLLOUT_COURSE = "ICAT-16"
INCIDENT_SEED_OFFSET = 104_729


@dataclass(frozen=True)
class IncidentHistoryCounts:
    incidents: int
    events: int
    force_incidents: int
    complaints: int
    allegations: int


def planned_incident_steps(as_of: date) -> int:
    """Progress steps ``build_incident_history`` reports: one per month, one for complaints."""
    return HISTORY_MONTHS + (as_of.day > 1) + 1


def load_squads(agency: Agency) -> list[SquadInfo]:
    """The agency's patrol squads with their officers, sergeants and wave start dates.

    Members separated from the agency today are left out of the whole history (the roster
    does not say when they left); members on leave today are kept.
    """
    units = {u.pk: u for u in Unit.objects.filter(agency=agency)}
    precincts = {u.pk: u for u in units.values() if u.kind == UnitKind.PRECINCT}
    plan = (
        RolloutPlan.objects.filter(agency=agency, course__code=ROLLOUT_COURSE)
        .order_by("pk")
        .first()
    )
    wave_start = {e.member_id: e.wave_start for e in wave_schedule(plan=plan)} if plan else {}
    members = (
        Member.objects.filter(agency=agency, unit__kind=UnitKind.SQUAD)
        .exclude(status=MemberStatus.SEPARATED)
        .order_by("unit__code", "badge")
    )
    by_squad: dict[int, list[Member]] = {}
    for member in members:
        by_squad.setdefault(member.unit_id, []).append(member)
    squads = []
    index_in_precinct: dict[int, int] = {}
    for unit_id, crew in sorted(by_squad.items(), key=lambda item: units[item[0]].code):
        unit = units[unit_id]
        precinct = precincts.get(unit.parent_id or 0)
        officers = tuple(m.pk for m in crew if m.rank == Rank.OFFICER)
        if precinct is None or not officers:
            continue  # detective squads: the demo's encounters are patrol's
        starts = [wave_start[m.pk] for m in crew if m.pk in wave_start]
        position = index_in_precinct.get(precinct.pk, 0)
        index_in_precinct[precinct.pk] = position + 1
        squads.append(
            SquadInfo(
                unit_id=unit.pk,
                code=unit.code,
                district=precinct.name,
                precinct_code=precinct.code,
                officer_ids=officers,
                sergeant_ids=tuple(m.pk for m in crew if m.rank == Rank.SERGEANT),
                hired={m.pk: m.hire_date for m in crew},
                trained_from=min(starts) if starts else None,
                shift_index=position,
            )
        )
    return squads


def _case_numbers() -> Callable[[datetime], str]:
    counters: dict[int, int] = {}

    def number(when: datetime) -> str:
        counters[when.year] = counters.get(when.year, 0) + 1
        return f"{PREFIX_FORMAT.format(year=when.year)}{counters[when.year]:0{WIDTH}d}"

    return number


class _Table:
    """Plain multi-row ``INSERT``s for one model: ``bulk_create`` spends most of its time
    preparing each field of each object, which for a quarter of a million timeline rows is
    most of the demo's time. Columns not listed in ``varying`` get the field's default (and the
    time stamps ``now``); values are passed ready for the database. Portable SQL only."""

    def __init__(self, model: type[Model], varying: Sequence[str], now: datetime) -> None:
        meta = model._meta
        fixed: dict[str, Any] = {}
        for field in meta.concrete_fields:
            if field.primary_key or field.attname in varying:
                continue
            if field.name in ("created_at", "updated_at"):
                fixed[field.column] = connection.ops.adapt_datetimefield_value(now)
            else:
                fixed[field.column] = field.get_db_prep_save(field.get_default(), connection)
        by_attname = {f.attname: f.column for f in meta.concrete_fields}
        columns = [by_attname[name] for name in varying] + list(fixed)
        self.fixed = tuple(fixed.values())
        self.width = len(columns)
        quote = connection.ops.quote_name
        self.head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, columns))}) VALUES "
        self.row = "(" + ", ".join(["%s"] * self.width) + ")"
        self.pk = quote(meta.pk.column)
        # Within both SQLite's and PostgreSQL's limits on parameters per statement.
        self.chunk = max(1, 30_000 // self.width)

    def insert(self, rows: Sequence[tuple[Any, ...]], *, returning: bool = False) -> list[int]:
        """Insert ``rows`` in order; with ``returning``, their new keys in the same order.

        Keys are handed out in insertion order inside one statement, so the sorted keys that
        ``RETURNING`` gives back (in no promised order) line up with the rows.
        """
        ids: list[int] = []
        with connection.cursor() as wrapper:
            # The backend's own cursor: with DEBUG on, Django's wrapper would render and keep
            # the text of every statement, tens of thousands of parameters each.
            cursor = wrapper.cursor
            for start in range(0, len(rows), self.chunk):
                part = rows[start : start + self.chunk]
                sql = self.head + ", ".join([self.row] * len(part))
                params = [value for row in part for value in (*row, *self.fixed)]
                if returning:
                    cursor.execute(sql + f" RETURNING {self.pk}", params)
                    ids.extend(sorted(r[0] for r in cursor.fetchall()))
                else:
                    cursor.execute(sql, params)
        return ids


INCIDENT_FIELDS = (
    "agency_id", "case_number", "unit_id", "status", "occurred_at", "district", "beat",
    "location", "contact_type", "call_type", "narrative", "force_used", "highest_force_level",
    "highest_resistance", "subject_injured", "officer_injured", "arrest_made",
    "subject_hospitalised", "resolution", "de_escalation_attempted", "supervisor_notified",
    "reported_by_id", "submitted_at", "source",
)  # fmt: skip
INVOLVEMENT_FIELDS = ("incident_id", "member_id", "role_on_scene", "used_force", "injured",
                      "years_of_service")  # fmt: skip
SUBJECT_FIELDS = (
    "incident_id", "ordinal", "race", "ethnicity", "sex", "age_band", "mental_health_crisis",
    "substance_use", "disability", "language_barrier", "armed_with", "highest_resistance",
    "injured", "injury_severity", "arrested", "hospitalised",
)  # fmt: skip
EVENT_FIELDS = ("incident_id", "sequence", "offset_seconds", "kind", "code",
                "actor_involvement_id", "actor_subject_id", "target_subject_id", "resistance",
                "force_level")  # fmt: skip
STATEMENT_FIELDS = ("involvement_id", "text", "witnessed_force", "intervened",
                    "intervention_note", "status", "submitted_at")  # fmt: skip


class _Writer:
    def __init__(self, agency: Agency, members: dict[int, Member]) -> None:
        self.agency = agency
        self.members = members
        self.case_number = _case_numbers()
        self.incidents = self.events = self.force_incidents = 0
        self.written: list[WrittenIncident] = []
        now = datetime.now(UTC)
        self.tables = {
            model: _Table(model, fields, now)
            for model, fields in (
                (Incident, INCIDENT_FIELDS), (Involvement, INVOLVEMENT_FIELDS),
                (Subject, SUBJECT_FIELDS), (TimelineEvent, EVENT_FIELDS),
                (Statement, STATEMENT_FIELDS),
            )
        }  # fmt: skip
        self.when = connection.ops.adapt_datetimefield_value

    def write_month(self, encounters: list[Encounter]) -> None:
        rows = [self.incident(enc) for enc in encounters]
        incident_ids = self.tables[Incident].insert(rows, returning=True)
        involvements = []
        subjects = []
        for incident_id, enc in zip(incident_ids, encounters, strict=True):
            day = enc.occurred_at.date()
            for index, (member_id, role) in enumerate(enc.members):
                hired = self.members[member_id].hire_date
                involvements.append((
                    incident_id, member_id, role, index in enc.force_users,
                    index in enc.injured_members, max(0, (day - hired).days // 365),
                ))  # fmt: skip
            for ordinal, s in enumerate(enc.subjects, start=1):
                resistance = [e.resistance for e in enc.events if e.subject == ordinal - 1
                              and e.resistance is not None]  # fmt: skip
                subjects.append((
                    incident_id, ordinal, s.race, s.ethnicity, s.sex, s.age_band,
                    s.mental_health_crisis, s.substance_use, s.disability, s.language_barrier,
                    s.armed_with, max(resistance) if resistance else None,
                    s.injury_severity != "none", s.injury_severity, s.arrested,
                    s.injury_severity == "hospitalised",
                ))  # fmt: skip
        involvement_ids = self.tables[Involvement].insert(involvements, returning=True)
        subject_ids = self.tables[Subject].insert(subjects, returning=True)
        events: list[tuple[Any, ...]] = []
        statements: list[tuple[Any, ...]] = []
        inv_at = sub_at = 0
        for incident_id, row, enc in zip(incident_ids, rows, encounters, strict=True):
            crew = involvement_ids[inv_at : inv_at + len(enc.members)]
            people = subject_ids[sub_at : sub_at + len(enc.subjects)]
            inv_at += len(enc.members)
            sub_at += len(enc.subjects)
            for sequence, e in enumerate(enc.events, start=1):
                events.append((
                    incident_id, sequence, e.offset, e.kind, e.code,
                    crew[e.member] if e.member is not None else None,
                    people[e.subject] if e.subject is not None else None,
                    people[e.target] if e.target is not None else None,
                    e.resistance, e.force_level,
                ))  # fmt: skip
            statements.extend(self.statements(row[1], row[-2], enc, crew))
            self.written.append(WrittenIncident(incident_id, row[7], enc))
            self.force_incidents += bool(row[11])
        self.tables[TimelineEvent].insert(events)
        self.tables[Statement].insert(statements)
        self.incidents += len(rows)
        self.events += len(events)

    def incident(self, enc: Encounter) -> tuple[Any, ...]:
        summary = summarise(
            EventFacts(kind=e.kind, code=e.code, resistance=e.resistance,
                       force_level=e.force_level, by_member=e.member is not None)
            for e in enc.events
        )  # fmt: skip
        case_number = self.case_number(enc.occurred_at)
        # Filed later in the shift, one to six hours after the encounter.
        delay = timedelta(hours=1, minutes=zlib.crc32(case_number.encode()) % 300)
        submitted = enc.occurred_at + delay
        label = CALL_LABELS[enc.call_type]
        return (
            self.agency.pk, case_number, enc.squad.unit_id,
            IncidentStatus.SUBMITTED.value, self.when(enc.occurred_at), enc.squad.district,
            enc.beat, _block(enc), "self_initiated" if enc.self_initiated else "dispatched",
            label, _narrative(enc, label, summary.resolution), summary.force_used,
            summary.highest_force_level, summary.highest_resistance, summary.subject_injured,
            summary.officer_injured, any(s.arrested for s in enc.subjects),
            any(s.injury_severity == "hospitalised" for s in enc.subjects), summary.resolution,
            summary.de_escalation_attempted, summary.supervisor_requested, enc.members[0][0],
            self.when(submitted), "report",
        )  # fmt: skip

    def statements(
        self, case_number: str, submitted_at: object, enc: Encounter, crew: list[int]
    ) -> list[tuple[Any, ...]]:
        out = []
        for index, involvement_id in enumerate(crew):
            witnessed = bool(enc.force_users) and index not in enc.force_users
            # Deterministic per incident and member, independent of the order of writing.
            intervened = witnessed and zlib.crc32(f"{case_number}:{index}".encode()) % 9 == 0
            out.append((
                involvement_id, _statement_text(enc, index), witnessed,
                intervened if witnessed else None,
                INTERVENTION_NOTE if intervened else "", StatementStatus.SUBMITTED.value,
                submitted_at,
            ))  # fmt: skip
        return out


INTERVENTION_NOTE = "Told my partner to ease off once the subject was controlled; they did."
CALL_LABELS = {code: call.label for code, call in CALL_TYPES.items()}


def _block(enc: Encounter) -> str:
    number = (zlib.crc32(f"{enc.beat}:{enc.occurred_at.isoformat()}".encode()) % 90 + 1) * 100
    streets = ("Main St", "Oak Ave", "Maple St", "Lincoln Blvd", "River Rd", "Park Ave",
               "Washington St", "Elm St", "Cedar Ln", "Market St")  # fmt: skip
    return f"{number} block of {streets[zlib.crc32(enc.beat.encode()) % len(streets)]}"


def _narrative(enc: Encounter, label: str, resolution: str) -> str:
    how = v.RESOLUTIONS[resolution].label.lower() if resolution in v.RESOLUTIONS else "resolved"
    people = "one person" if len(enc.subjects) == 1 else "two people"
    start = "Self-initiated contact" if enc.self_initiated else "Dispatched"
    force = " Force was used; see the timeline." if enc.force_users else ""
    return f"{start}: {label.lower()}, {people}. Ended in {how}.{force}"


def _statement_text(enc: Encounter, index: int) -> str:
    role = enc.members[index][1]
    if index == 0:
        text = "I was the primary officer and spoke with the subject."
    elif role == "supervisor":
        text = "I responded as the supervisor on scene."
    else:
        text = "I arrived as cover and kept the scene safe."
    if index in enc.force_users:
        text += " I used the force recorded in the timeline after the subject resisted."
    elif enc.force_users:
        text += " I saw the force recorded in the timeline."
    return text


def build_incident_history(
    *, agency: Agency, actor: Actor, seed: int, as_of: date, progress: Progress | None = None
) -> IncidentHistoryCounts:
    """Add ``HISTORY_MONTHS`` months of incidents ending the day before ``as_of``, and the
    complaints about them, to a demo agency that already has its training history."""
    tick = progress or (lambda n: None)
    tz = ZoneInfo(agency.timezone)
    squads = load_squads(agency)
    members = {m.pk: m for m in Member.objects.filter(pk__in={i for s in squads for i in s.hired})}
    first = add_months(as_of.replace(day=1), -HISTORY_MONTHS)
    # An as-of date inside a month gets that month's first days too, nothing from as_of on.
    simulated = simulate_encounters(
        squads=squads, seed=seed + INCIDENT_SEED_OFFSET, first_month=first,
        months=HISTORY_MONTHS + (as_of.day > 1), tz=tz,
    )  # fmt: skip
    months = [[e for e in month if e.occurred_at.date() < as_of] for month in simulated]
    writer = _Writer(agency, members)
    with transaction.atomic():
        for encounters in months:
            writer.write_month(encounters)
            tick(1)
        complaints, allegations = build_complaints(
            agency=agency, seed=seed, incidents=writer.written, members=members,
            first_month=first, months=HISTORY_MONTHS, as_of=as_of, tz=tz,
        )  # fmt: skip
        tick(1)
        counts = IncidentHistoryCounts(
            incidents=writer.incidents, events=writer.events,
            force_incidents=writer.force_incidents, complaints=complaints,
            allegations=allegations,
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="demo.incidents_generated",
            obj=agency,
            changes={
                "incidents": counts.incidents,
                "events": counts.events,
                "force_incidents": counts.force_incidents,
                "complaints": counts.complaints,
                "allegations": counts.allegations,
                "from": first.isoformat(),
                "to": (as_of - timedelta(days=1)).isoformat(),
                "seed": seed,
            },
            reason="Demo incident history generated by `steadyhand demo`",
        )
    return counts
