"""The ``incidents`` target: one key's rows → one incident with its officers (involvements),
subjects and timeline events. Pure: the writer (``incident_writer``) puts records in the
database.

Sections read from the mapping: ``[incident]``, ``[officer]``, ``[subject]``, ``[[events]]``.
A value in them is a field name (``"precinct"``), a constant (``{ value = "dispatched" }``) or,
for ids and the case number, a template (``"SEA-{incident_num}"``).
"""

import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from steadyhand import vocabulary as v
from steadyhand.imports.mapping.format import Mapping
from steadyhand.imports.mapping.targets import Built, TargetConfigError, register
from steadyhand.imports.mapping.values import FORCE_LEVEL_NAMES, RESISTANCE_NAMES
from steadyhand.imports.roster import RowError

SEVERITY_ORDER = {code: rank for rank, code in enumerate(v.INJURY_SEVERITIES)}
TEXT_LIMITS = {"district": 40, "beat": 40, "location": 200, "call_type": 80, "case_number": 40}


@dataclass(frozen=True)
class Ref:
    """Where a value comes from: a field of the rows, a constant, or a template of fields."""

    field: str | None = None
    const: Any = None
    template: str | None = None
    fields: tuple[str, ...] = ()  # several fields (e.g. Austin's Weapon Used 1 … 5)
    template_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # ``get`` runs for every field of every row of every incident (millions of calls on a
        # large file): each Ref binds the one branch it needs, once.
        if self.field is not None:
            name = self.field
            object.__setattr__(self, "get", lambda row: row.values.get(name))
        elif self.template is None:
            const = self.const
            object.__setattr__(self, "get", lambda row: const)

    def get(self, row: Any) -> Any:
        if self.field is not None:
            return row.values.get(self.field)
        if self.template is not None:
            return render(self.template, self.template_fields, row) or None
        return self.const

    def many(self, row: Any) -> list[Any]:
        """Every value (multi-valued cells and several fields flattened), blanks dropped."""
        if self.fields:
            found: list[Any] = []
            for name in self.fields:
                value = row.values.get(name)
                found.extend(value if isinstance(value, list) else [value])
            return [x for x in found if x is not None]
        value = self.get(row)
        if isinstance(value, list):
            return value
        return [] if value is None else [value]

    def raw(self, row: Any) -> list[str]:
        names = self.fields or ((self.field,) if self.field else ())
        return [row.raw.get(n, "").strip() for n in names]


@dataclass(frozen=True)
class EventSpec:
    kind: str
    code: Ref
    level: Ref | None
    resistance: Ref | None
    actor: str  # officer | subject | none
    target: str  # subject | none
    # Drop an event identical (kind, code, actor, target) to one already in the incident: rows
    # per officer repeat the subject's behaviour once per officer.
    dedupe: bool = False


@dataclass(frozen=True)
class IncidentConfig:
    incident: dict[str, Ref]
    case_number: str
    case_number_fields: tuple[str, ...]
    officer: dict[str, Ref] | None
    officer_scope: str
    link_by_badge: bool
    subject: dict[str, Ref] | None
    events: tuple[EventSpec, ...]


@dataclass
class OfficerRecord:
    external_id: str
    role_on_scene: str = "primary"
    race: str = ""
    sex: str = ""
    age_band: str = ""
    years_of_service: int | None = None
    injured: bool = False
    used_force: bool = False


@dataclass
class SubjectRecord:
    external_id: str
    ordinal: int
    race: str = "unknown"
    ethnicity: str = "unknown"
    sex: str = "unknown"
    age_band: str = "unknown"
    indicators: set[str] = field(default_factory=set)
    armed_with: str = "none"
    highest_resistance: int | None = None
    injured: bool = False
    injury_severity: str = "none"
    arrested: bool = False
    hospitalised: bool = False


@dataclass
class EventRecord:
    sequence: int
    kind: str
    code: str
    officer: str | None = None  # OfficerRecord.external_id
    subject: str | None = None  # actor subject external id
    target: str | None = None  # target subject external id
    force_level: int | None = None
    resistance: int | None = None
    source_code: str = ""


@dataclass
class IncidentRecord:
    source_key: str
    case_number: str
    occurred_at: datetime
    unit_code: str | None = None
    district: str = ""
    beat: str = ""
    location: str = ""
    call_type: str = ""
    contact_type: str = "dispatched"
    source_force_level: str = ""
    force_used: bool = False
    highest_force_level: int | None = None
    highest_resistance: int | None = None
    subject_injured: bool = False
    officer_injured: bool = False
    arrest_made: bool = False
    subject_hospitalised: bool = False
    resolution: str = ""
    de_escalation_attempted: bool | None = None
    officer_scope: str = "source"
    officers: list[OfficerRecord] = field(default_factory=list)
    subjects: list[SubjectRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)


INCIDENT_KEYS = {
    "case_number", "occurred", "occurred_time", "unit", "district", "beat", "location",
    "call_type", "contact_type", "source_force_level", "force_level", "resistance",
    "subject_injured", "officer_injured", "arrest_made", "subject_hospitalised", "resolution",
    "de_escalation_attempted", "event_order",
}  # fmt: skip
OFFICER_KEYS = {
    "id", "scope", "link_by_badge", "role", "race", "sex", "age_band", "years_of_service",
    "injured",
}  # fmt: skip
SUBJECT_KEYS = {
    "id", "race", "ethnicity", "sex", "age_band", "indicators", "armed_with", "resistance",
    "injured", "injury_severity", "arrested", "hospitalised",
}  # fmt: skip
EVENT_KEYS = {"kind", "code", "level", "resistance", "actor", "target", "dedupe"}
TEMPLATE_KEYS = {"case_number", "id"}


def _ref(mapping: Mapping, key: str, name: str, data: Any, *, template: bool = False) -> Ref:
    fields = mapping.all_fields()
    if isinstance(data, dict):
        if set(data) != {"value"}:
            raise TargetConfigError(key, "expected a field name or { value = … }")
        if not isinstance(data["value"], (str, bool, int)):
            # A constant is compared with codes and unit codes: a list or a table would not be
            # one (and is not hashable).
            raise TargetConfigError(f"{key}.value", "expected text, a whole number or true/false")
        return Ref(const=data["value"])
    if isinstance(data, list):
        if not data or not all(isinstance(x, str) and x in fields for x in data):
            raise TargetConfigError(key, "expected a list of field names of the mapping's files")
        return Ref(fields=tuple(data))
    if not isinstance(data, str) or not data:
        raise TargetConfigError(key, "expected a field name, a list of them, or { value = … }")
    if template and "{" in data:
        try:
            names = [n for _lit, n, _spec, _conv in string.Formatter().parse(data) if n is not None]
        except ValueError as exc:
            raise TargetConfigError(key, f"bad template: {exc}") from None
        for n in names:
            if n not in fields:
                raise TargetConfigError(key, f"the template names {n!r}, which is not a field")
        return Ref(template=data, template_fields=tuple(names))
    if data not in fields:
        raise TargetConfigError(key, f"{data!r} is not a field (a column) of the mapping's files")
    return Ref(field=data)


def _require_dates(mapping: Mapping, key: str, ref: Ref) -> None:
    """``ref`` must read date or datetime columns: a record's time is built from its value (a
    text column would reach the time-zone step as a string)."""
    names = (ref.field,) if ref.field is not None else ref.fields
    if not names:
        raise TargetConfigError(key, "expected the name of a date or datetime column")
    for name in names:
        for spec in mapping.files:
            column = spec.columns.get(name)
            if column is not None and column.type not in ("date", "datetime"):
                raise TargetConfigError(
                    key,
                    f"{name!r} is a {column.type} column of {spec.name!r}; "
                    'expected a column of type "date" or "datetime"',
                )


def _section(
    mapping: Mapping, name: str, allowed: set[str], *, required: bool
) -> dict[str, Any] | None:
    data = mapping.sections.get(name)
    if data is None:
        if required:
            raise TargetConfigError(f"[{name}]", "this section is required")
        return None
    if not isinstance(data, dict):
        raise TargetConfigError(f"[{name}]", "expected a table")
    extra = sorted(set(data) - allowed)
    if extra:
        raise TargetConfigError(
            f"{name}.{extra[0]}", f"unknown key; allowed: {', '.join(sorted(allowed))}"
        )
    return data


class IncidentsTarget:
    name = "incidents"
    sections = frozenset({"incident", "officer", "subject", "events"})
    count_names: tuple[str, ...] = ("incidents", "involvements", "officers", "subjects", "events")

    def configure(self, mapping: Mapping) -> IncidentConfig:
        inc = _section(mapping, "incident", INCIDENT_KEYS, required=True)
        assert inc is not None
        if "occurred" not in inc:
            raise TargetConfigError("incident.occurred", "required: the field with the date")
        refs = {
            k: _ref(mapping, f"incident.{k}", k, d, template=k in TEMPLATE_KEYS)
            for k, d in inc.items()
            if k != "case_number"
        }
        _require_dates(mapping, "incident.occurred", refs["occurred"])
        case_number = inc.get("case_number", "{" + mapping.key[0] + "}")
        if not isinstance(case_number, str):
            # A list or a constant would reach the renderer, which formats one template.
            raise TargetConfigError(
                "incident.case_number", 'expected a field name or a template such as "{a}-{b}"'
            )
        case_ref = _ref(mapping, "incident.case_number", "case_number", case_number, template=True)
        case_fields = case_ref.template_fields or ((case_ref.field,) if case_ref.field else ())
        if case_ref.field:  # a plain field name: the template is that field
            case_number = "{" + case_ref.field + "}"
        officer_data = _section(mapping, "officer", OFFICER_KEYS, required=False)
        officer = None
        scope = "source"
        link = False
        if officer_data is not None:
            if "id" not in officer_data:
                raise TargetConfigError(
                    "officer.id", "required: the officer's id field or template"
                )
            scope = officer_data.get("scope", "source")
            if scope not in ("source", "incident"):
                raise TargetConfigError("officer.scope", 'expected "source" or "incident"')
            link = bool(officer_data.get("link_by_badge", False))
            officer = {
                k: _ref(mapping, f"officer.{k}", k, d, template=k in TEMPLATE_KEYS)
                for k, d in officer_data.items()
                if k not in ("scope", "link_by_badge")
            }
        subject_data = _section(mapping, "subject", SUBJECT_KEYS, required=False)
        subject = (
            {
                k: _ref(mapping, f"subject.{k}", k, d, template=k in TEMPLATE_KEYS)
                for k, d in subject_data.items()
            }
            if subject_data is not None
            else None
        )
        events_data = mapping.sections.get("events", [])
        if not isinstance(events_data, list):
            raise TargetConfigError("events", "expected [[events]] tables")
        events = []
        kinds = {k.value for k in v.EventKind}
        for i, data in enumerate(events_data):
            key = f"events[{i}]"
            if not isinstance(data, dict):
                raise TargetConfigError(key, "expected a table")
            extra = sorted(set(data) - EVENT_KEYS)
            if extra:
                raise TargetConfigError(
                    f"{key}.{extra[0]}", f"unknown key; allowed: {', '.join(sorted(EVENT_KEYS))}"
                )
            kind = data.get("kind")
            if not isinstance(kind, str) or kind not in kinds:
                raise TargetConfigError(
                    f"{key}.kind", f"expected one of: {', '.join(sorted(kinds))}"
                )
            if "code" not in data:
                raise TargetConfigError(
                    f"{key}.code", "required: the field(s) with the event's code"
                )
            code = _ref(mapping, f"{key}.code", "code", data["code"])
            if code.const is not None and code.const not in v.ALL_TERMS:
                raise TargetConfigError(f"{key}.code", f"{code.const!r} is not in the vocabulary")
            actor = data.get(
                "actor", "officer" if kind in {k.value for k in v.MEMBER_KINDS} else "subject"
            )
            target = data.get("target", "subject" if kind == "force" else "none")
            if actor not in ("officer", "subject", "none") or target not in ("subject", "none"):
                raise TargetConfigError(
                    key, 'actor is "officer", "subject" or "none"; target is "subject" or "none"'
                )
            events.append(
                EventSpec(
                    kind=kind,
                    code=code,
                    level=_ref(mapping, f"{key}.level", "level", data["level"])
                    if "level" in data
                    else None,
                    resistance=(
                        _ref(mapping, f"{key}.resistance", "resistance", data["resistance"])
                        if "resistance" in data
                        else None
                    ),
                    actor=actor,
                    target=target,
                    dedupe=bool(data.get("dedupe", kind == "subject_behaviour")),
                )
            )
        return IncidentConfig(
            refs, case_number, case_fields, officer, scope, link, subject, tuple(events)
        )

    # -- building one incident ---------------------------------------------------------------

    def build(
        self, mapping: Mapping, key: tuple[str, ...], rows: Sequence[Any], context: Any
    ) -> Built:
        cfg: IncidentConfig = mapping.config
        inc = cfg.incident
        first = rows[0]
        errors: list[RowError] = []
        source_key = "/".join(key)[:120]
        case_number = render(cfg.case_number, cfg.case_number_fields, first)
        if not case_number or len(case_number) > 40:
            errors.append(RowError(first.file, first.number, "case_number", case_number,
                                   "the case number must have 1 to 40 characters"))  # fmt: skip
        occurred = _first(rows, inc["occurred"])
        if occurred is None:
            errors.append(
                RowError(
                    first.file, first.number, "occurred", "", "no row of this incident has a date"
                )
            )
            return Built(errors=errors)
        if isinstance(occurred, date) and not isinstance(occurred, datetime):
            occurred = datetime.combine(occurred, time())
        if "occurred_time" in inc:
            at = _first(rows, inc["occurred_time"])
            if isinstance(at, time):
                occurred = datetime.combine(occurred.date(), at)
        record = IncidentRecord(
            source_key=source_key,
            case_number=case_number,
            occurred_at=context.aware(occurred),
            officer_scope=cfg.officer_scope,
        )
        for name in ("district", "beat", "location", "call_type", "source_force_level"):
            if name in inc:
                value = _first(rows, inc[name])
                setattr(
                    record,
                    name,
                    str(value)[: TEXT_LIMITS.get(name, 40)] if value is not None else "",
                )
        if "unit" in inc:
            unit = _first(rows, inc["unit"])
            if unit is not None and unit not in context.unit_codes:
                row = next(r for r in rows if inc["unit"].get(r) == unit)
                errors.append(RowError(row.file, row.number, "unit", str(unit),
                                       "no unit with this code in the agency"))  # fmt: skip
            record.unit_code = unit
        if "contact_type" in inc:
            record.contact_type = _first(rows, inc["contact_type"]) or "dispatched"
        if "resolution" in inc:
            record.resolution = _first(rows, inc["resolution"]) or ""
        if "de_escalation_attempted" in inc:
            record.de_escalation_attempted = _any_bool(rows, inc["de_escalation_attempted"])
        for name in ("subject_injured", "officer_injured", "arrest_made", "subject_hospitalised"):
            if name in inc:
                setattr(record, name, bool(_any_bool(rows, inc[name])))
        if "force_level" in inc:
            record.highest_force_level = _max_level(rows, inc["force_level"], FORCE_LEVEL_NAMES)
        if "resistance" in inc:
            record.highest_resistance = _max_level(rows, inc["resistance"], RESISTANCE_NAMES)
        officers = self._officers(cfg, rows, record)
        subjects = self._subjects(cfg, rows, record)
        self._events(cfg, rows, record, officers, subjects)
        record.officers = list(officers.values())
        record.subjects = list(subjects.values())
        self._summarise(record)
        return Built(record=record, errors=errors)

    def _officers(
        self, cfg: IncidentConfig, rows: Sequence[Any], record: IncidentRecord
    ) -> dict[str, OfficerRecord]:
        found: dict[str, OfficerRecord] = {}
        if cfg.officer is None:
            return found
        spec = cfg.officer
        for row in rows:
            if not row.feeds_section("officer"):
                continue
            ident = spec["id"].get(row)
            if ident is None or not str(ident).strip():
                continue
            ident = str(ident).strip()[:60]
            officer = found.get(ident)
            if officer is None:
                officer = found[ident] = OfficerRecord(external_id=ident)
            for name in ("race", "sex", "age_band", "role"):
                if name in spec:
                    value = _one(spec[name].get(row))
                    if value:
                        setattr(officer, "role_on_scene" if name == "role" else name, value)
            if "years_of_service" in spec:
                years = spec["years_of_service"].get(row)
                if isinstance(years, int) and 0 <= years < 100:
                    officer.years_of_service = years
            if "injured" in spec and _truthy(spec["injured"].get(row)):
                officer.injured = True
                record.officer_injured = True
        return found

    def _subjects(
        self, cfg: IncidentConfig, rows: Sequence[Any], record: IncidentRecord
    ) -> dict[str, SubjectRecord]:
        found: dict[str, SubjectRecord] = {}
        if cfg.subject is None:
            return found
        spec = cfg.subject
        for row in rows:
            if not row.feeds_section("subject"):
                continue
            ident = spec["id"].get(row) if "id" in spec else "1"
            if ident is None or not str(ident).strip():
                continue
            ident = str(ident).strip()[:60]
            subject = found.get(ident)
            if subject is None:
                subject = found[ident] = SubjectRecord(external_id=ident, ordinal=len(found) + 1)
            for name in ("race", "ethnicity", "sex", "age_band", "armed_with"):
                if name in spec:
                    value = _one(spec[name].get(row))
                    if value and (getattr(subject, name) in ("unknown", "none")):
                        setattr(subject, name, value)
            if "injury_severity" in spec:
                for severity in spec["injury_severity"].many(row):
                    if SEVERITY_ORDER.get(severity, 0) > SEVERITY_ORDER[subject.injury_severity]:
                        subject.injury_severity = severity
                if SEVERITY_ORDER[subject.injury_severity] >= SEVERITY_ORDER["minor"]:
                    subject.injured = True
            if "indicators" in spec:
                subject.indicators.update(spec["indicators"].many(row))
            for name in ("injured", "arrested", "hospitalised"):
                if name in spec and _truthy(spec[name].get(row)):
                    setattr(subject, name, True)
            if "resistance" in spec:
                level = _max_level([row], spec["resistance"], RESISTANCE_NAMES)
                if level is not None:
                    subject.highest_resistance = max(subject.highest_resistance or 0, level)
        return found

    def _events(
        self, cfg: IncidentConfig, rows: Sequence[Any], record: IncidentRecord,
        officers: dict[str, OfficerRecord], subjects: dict[str, SubjectRecord],
    ) -> None:  # fmt: skip
        seen: set[tuple[Any, ...]] = set()
        # Sources without times or sequence numbers (Chicago's form checkboxes) give each row a
        # step in ``[incident] event_order``; events sort by it, ties keeping the file's order.
        order = cfg.incident.get("event_order")
        pending: list[tuple[float, int, EventRecord]] = []
        for row in rows:
            if not row.feeds_section("events"):
                continue
            step = _step(order, row)
            officer_id = _ident(cfg.officer, row)
            subject_id = _ident(cfg.subject, row, default="1")
            if subject_id not in subjects:
                subject_id = None
            if officer_id not in officers:
                officer_id = None
            for spec in cfg.events:
                codes = spec.code.many(row)
                raws = [r for r in spec.code.raw(row) if r]
                for index, code in enumerate(codes):
                    term = v.ALL_TERMS.get(code)
                    if term is None or term.kind != spec.kind:
                        continue  # a code list may map a value to "" to drop it
                    level = None
                    resistance = None
                    if spec.kind == v.EventKind.FORCE:
                        level = (
                            _max_level([row], spec.level, FORCE_LEVEL_NAMES) if spec.level else None
                        )
                        if level is None and term.level is not None:
                            level = int(term.level)
                        if officer_id:
                            officers[officer_id].used_force = True
                    if spec.kind == v.EventKind.SUBJECT_BEHAVIOUR:
                        resistance = (
                            _max_level([row], spec.resistance, RESISTANCE_NAMES)
                            if spec.resistance
                            else None
                        )
                        if resistance is None and code in v.SUBJECT_ACT_RESISTANCE:
                            resistance = int(v.SUBJECT_ACT_RESISTANCE[code])
                    actor_officer = officer_id if spec.actor == "officer" else None
                    actor_subject = subject_id if spec.actor == "subject" else None
                    target_subject = subject_id if spec.target == "subject" else None
                    if spec.dedupe:
                        identity = (spec.kind, code, actor_officer, actor_subject, target_subject)
                        if identity in seen:
                            continue
                        seen.add(identity)
                    event = EventRecord(
                        sequence=0,  # numbered once every row's events are in order
                        kind=spec.kind,
                        code=code,
                        officer=actor_officer,
                        subject=actor_subject,
                        target=target_subject,
                        force_level=level,
                        resistance=resistance,
                        source_code=(
                            raws[index]
                            if index < len(raws) and len(raws) == len(codes)
                            else "; ".join(raws)
                        )[:120],
                    )
                    pending.append((step, len(pending), event))
        for sequence, (_step_value, _index, event) in enumerate(sorted(pending), start=1):
            event.sequence = sequence
            record.events.append(event)

    def _summarise(self, record: IncidentRecord) -> None:
        levels = [
            e.force_level for e in record.events if e.kind == "force" and e.force_level is not None
        ]
        if any(e.kind == "force" for e in record.events) or record.highest_force_level:
            record.force_used = True
        if levels:
            record.highest_force_level = max([*levels, record.highest_force_level or 0])
        resist = [e.resistance for e in record.events if e.resistance is not None]
        resist += [
            s.highest_resistance for s in record.subjects if s.highest_resistance is not None
        ]
        if resist:
            record.highest_resistance = max([*resist, record.highest_resistance or 0])
        if any(s.injured for s in record.subjects):
            record.subject_injured = True
        if any(s.arrested for s in record.subjects):
            record.arrest_made = True
        if any(s.hospitalised for s in record.subjects):
            record.subject_hospitalised = True
        if any(o.injured for o in record.officers):
            record.officer_injured = True

    def count(
        self, record: IncidentRecord, counts: Counter[str], seen: dict[str, set[str]]
    ) -> None:
        counts["incidents"] += 1
        counts["involvements"] += len(record.officers)
        counts["subjects"] += len(record.subjects)
        counts["events"] += len(record.events)
        if record.officer_scope == "incident":  # ids mean nothing across incidents
            counts["officers"] += len(record.officers)
            return
        officers = seen["officers"]
        before = len(officers)
        officers.update(o.external_id for o in record.officers)
        counts["officers"] += len(officers) - before


def _ident(spec: dict[str, Ref] | None, row: Any, default: str | None = None) -> str | None:
    if spec is None:
        return None
    if "id" not in spec:
        return default
    ident = spec["id"].get(row)
    return str(ident).strip()[:60] if ident is not None and str(ident).strip() else None


def render(template: str, names: Sequence[str], row: Any) -> str:
    """A template such as ``"SEA-{incident_num}"`` filled with the row's cells as written."""
    return template.format_map({n: (row.raw.get(n) or "").strip() for n in names}).strip()


def _one(value: Any) -> Any:
    """The first of a multi-valued cell's values (a single-valued field's value as it is)."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _truthy(value: Any) -> bool:
    if isinstance(value, list):
        return any(_truthy(x) for x in value)
    return value is True or value == "true"


def _first(rows: Sequence[Any], ref: Ref) -> Any:
    for row in rows:
        value = ref.get(row)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None and value != "":
            return value
    return None


def _any_bool(rows: Sequence[Any], ref: Ref) -> bool | None:
    """True if any row says so; None if no row says anything."""
    values = [ref.get(r) for r in rows]
    known = [_truthy(x) for x in values if x is not None and x != []]
    if not known:
        return None
    return any(known)


def _max_level(rows: Sequence[Any], ref: Ref | None, names: dict[str, int]) -> int | None:
    if ref is None:
        return None
    found: list[int] = []
    for row in rows:
        for value in ref.many(row):
            if isinstance(value, int) and not isinstance(value, bool):
                found.append(value)
            elif isinstance(value, str) and value in names:
                found.append(names[value])
    return max(found) if found else None


register(IncidentsTarget())


def _step(order: "Ref | None", row: Any) -> float:
    """The row's place in ``event_order`` (rows without one keep their order, after the rest)."""
    if order is None:
        return 0.0
    value = order.get(row)
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("inf")
