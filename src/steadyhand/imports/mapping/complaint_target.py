"""The ``complaints`` target: one key's rows → one complaint with its allegations (one per
accused officer × allegation row) and the people who complained or were harmed. Pure: the
writer (``complaint_writer``) puts records in the database.

Sections read from the mapping (docs/importing-chicago.md shows a complete one):

``[complaint]``
    ``reference`` (template, default ``"{<first key field>}"``), ``received`` (date field,
    required), ``occurred`` / ``occurred_time``, ``closed`` (a date: the complaint is closed),
    ``location``, ``channel`` (a field coded into the channels of
    ``vocabulary.COMPLAINT_CHANNELS``, or ``{ value = "imported" }``), ``narrative`` (field or
    template).
``[allegations]``
    One allegation per row of the files that feed ``allegations``. ``officer`` (the accused
    officer's id in the source; blank: unidentified), ``category`` and ``finding`` (a field or
    a list of fields: the first one with a value wins, so a source's final finding can fall
    back on its recommended finding and then on the case status), ``category_default``
    (default ``"other"``), ``finding_default`` (default ``"pending"``), ``description``
    (field or template, e.g. the penalty), ``source_category`` / ``source_finding`` (fields
    whose cell text is kept next to our codes, joined with " / ").
``[[people]]``
    One entry per kind of person: ``feed`` (the section name the person rows' file feeds, e.g.
    ``"complainants"`` or ``"victims"``), ``is_victim``, ``race``, ``ethnicity``, ``sex`` and
    either ``age_band`` (a field) or ``birth_year`` (an int field: the age band at the date the
    complaint's incident occurred, else when it was received).

Templates (``"CR-{cr_id}"``) read the raw cells of the row they describe (the complaints
file's row for ``[complaint]``, the accused row for ``[allegations]``); a field of another
file reads as blank.
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
from steadyhand.imports.roster import RowError

COMPLAINT_KEYS = {
    "reference", "received", "occurred", "occurred_time", "closed", "location", "channel",
    "narrative",
}  # fmt: skip
ALLEGATION_KEYS = {
    "officer", "category", "category_default", "finding", "finding_default", "description",
    "source_category", "source_finding",
}  # fmt: skip
PEOPLE_KEYS = {"feed", "is_victim", "race", "ethnicity", "sex", "age_band", "birth_year"}
TEMPLATE_KEYS = {"reference", "narrative", "description"}
LIMITS = {"reference": 40, "location": 200, "officer": 60, "source": 120, "source_finding": 60}


@dataclass(frozen=True)
class Ref:
    """A field, a constant, a template of raw cells, or several fields (first with a value)."""

    fields: tuple[str, ...] = ()
    const: Any = None
    template: str | None = None

    def get(self, row: Any) -> Any:
        if self.template is not None:
            cells = {k: (x or "").strip() for k, x in row.raw.items()}
            return self.template.format_map(_Blank(cells)).strip() or None
        for name in self.fields:
            value = row.values.get(name)
            if isinstance(value, list):
                value = value[0] if value else None
            if value is not None and value != "":
                return value
        return self.const if not self.fields else None

    def raw(self, row: Any) -> str:
        cells = (row.raw.get(n, "").strip() for n in self.fields)
        return " / ".join(c for c in cells if c)


class _Blank(dict[str, str]):
    """Template cells: a field of another file reads as blank instead of failing."""

    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class PeopleSpec:
    feed: str
    is_victim: bool
    refs: dict[str, Ref]


@dataclass(frozen=True)
class ComplaintConfig:
    complaint: dict[str, Ref]
    reference: str
    allegations: dict[str, Ref] | None
    category_default: str
    finding_default: str
    people: tuple[PeopleSpec, ...]


@dataclass
class AllegationRecord:
    officer: str = ""
    category: str = "other"
    finding: str = "pending"
    description: str = ""
    source_category: str = ""
    source_finding: str = ""


@dataclass
class PersonRecord:
    is_victim: bool = False
    race: str = "unknown"
    ethnicity: str = "unknown"
    sex: str = "unknown"
    age_band: str = "unknown"


@dataclass
class ComplaintRecord:
    source_key: str
    reference: str
    received_at: datetime
    occurred_at: datetime | None = None
    closed_at: datetime | None = None
    status: str = "received"
    location: str = ""
    channel: str = "imported"
    narrative: str = ""
    allegations: list[AllegationRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)


def _ref(mapping: Mapping, key: str, data: Any, *, template: bool = False) -> Ref:
    fields = mapping.all_fields()
    if isinstance(data, dict):
        if set(data) != {"value"}:
            raise TargetConfigError(key, "expected a field name or { value = … }")
        return Ref(const=data["value"])
    names = [data] if isinstance(data, str) else data
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise TargetConfigError(key, "expected a field name, a list of them, or { value = … }")
    if template and len(names) == 1 and "{" in names[0]:
        try:
            used = [n for _t, n, _s, _c in string.Formatter().parse(names[0]) if n is not None]
        except ValueError as exc:
            raise TargetConfigError(key, f"bad template: {exc}") from None
        for n in used:
            if n not in fields:
                raise TargetConfigError(key, f"the template names {n!r}, which is not a field")
        return Ref(template=names[0])
    for n in names:
        if n not in fields:
            raise TargetConfigError(key, f"{n!r} is not a field (a column) of the mapping's files")
    return Ref(fields=tuple(names))


def _require_dates(mapping: Mapping, key: str, ref: Ref) -> None:
    """A complaint's dates come from date or datetime columns: a text column would make every
    record "blank" (received) or silently undated (occurred, closed)."""
    if not ref.fields:
        raise TargetConfigError(key, "expected the name of a date or datetime column")
    for name in ref.fields:
        for spec in mapping.files:
            column = spec.columns.get(name)
            if column is not None and column.type not in ("date", "datetime"):
                raise TargetConfigError(
                    key,
                    f"{name!r} is a {column.type} column of {spec.name!r}; "
                    'expected a column of type "date" or "datetime"',
                )


def _table(mapping: Mapping, name: str, allowed: set[str], data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TargetConfigError(name, "expected a table")
    extra = sorted(set(data) - allowed)
    if extra:
        raise TargetConfigError(
            f"{name}.{extra[0]}", f"unknown key; allowed: {', '.join(sorted(allowed))}"
        )
    return data


def _code(key: str, value: Any, codes: dict[str, str]) -> str:
    if not isinstance(value, str) or value not in codes:
        raise TargetConfigError(key, f"expected one of: {', '.join(codes)}")
    return value


class ComplaintsTarget:
    name = "complaints"
    sections: frozenset[str] = frozenset({"complaint", "allegations", "people"})
    count_names: tuple[str, ...] = (
        "complaints",
        "allegations",
        "complainants",
        "victims",
        "accused_officers",
    )

    def configure(self, mapping: Mapping) -> ComplaintConfig:
        data = mapping.sections.get("complaint")
        if data is None:
            raise TargetConfigError("[complaint]", "this section is required")
        data = _table(mapping, "complaint", COMPLAINT_KEYS, data)
        if "received" not in data:
            raise TargetConfigError("complaint.received", "required: the date it was received")
        complaint = {
            k: _ref(mapping, f"complaint.{k}", d, template=k in TEMPLATE_KEYS)
            for k, d in data.items()
            if k != "reference"
        }
        for name in ("received", "occurred", "closed"):
            if name in complaint:
                _require_dates(mapping, f"complaint.{name}", complaint[name])
        channel = complaint.get("channel")
        if channel is not None and channel.const is not None:
            _code("complaint.channel", channel.const, v.COMPLAINT_CHANNELS)
        reference = data.get("reference", "{" + mapping.key[0] + "}")
        _ref(mapping, "complaint.reference", reference, template=True)
        allegations = None
        category_default, finding_default = "other", "pending"
        if "allegations" in mapping.sections:
            a = _table(mapping, "allegations", ALLEGATION_KEYS, mapping.sections["allegations"])
            category_default = _code(
                "allegations.category_default",
                a.get("category_default", "other"),
                v.ALLEGATION_CATEGORIES,
            )
            finding_default = _code(
                "allegations.finding_default", a.get("finding_default", "pending"), v.FINDINGS
            )
            allegations = {
                k: _ref(mapping, f"allegations.{k}", d, template=k in TEMPLATE_KEYS)
                for k, d in a.items()
                if k not in ("category_default", "finding_default")
            }
        people_data = mapping.sections.get("people", [])
        if not isinstance(people_data, list):
            raise TargetConfigError("people", "expected [[people]] tables")
        people = []
        for i, p in enumerate(people_data):
            key = f"people[{i}]"
            p = _table(mapping, key, PEOPLE_KEYS, p)
            feed = p.get("feed")
            if not isinstance(feed, str) or not feed:
                raise TargetConfigError(f"{key}.feed", "required: the section its rows feed")
            if "age_band" in p and "birth_year" in p:
                raise TargetConfigError(key, "give age_band or birth_year, not both")
            refs = {
                k: _ref(mapping, f"{key}.{k}", d)
                for k, d in p.items()
                if k not in ("feed", "is_victim")
            }
            people.append(PeopleSpec(feed, bool(p.get("is_victim", False)), refs))
        return ComplaintConfig(
            complaint, reference, allegations, category_default, finding_default, tuple(people)
        )

    def build(
        self, mapping: Mapping, key: tuple[str, ...], rows: Sequence[Any], context: Any
    ) -> Built:
        cfg: ComplaintConfig = mapping.config
        spec = cfg.complaint
        main = next((r for r in rows if r.feeds_section("complaint")), rows[0])
        errors: list[RowError] = []
        cells = _Blank({k: (x or "").strip() for k, x in main.raw.items()})
        reference = cfg.reference.format_map(cells).strip()
        if not reference or len(reference) > LIMITS["reference"]:
            errors.append(
                RowError(
                    main.file,
                    main.number,
                    "reference",
                    reference,
                    "the complaint reference must have 1 to 40 characters",
                )
            )
        received = spec["received"].get(main)
        if not isinstance(received, date):
            errors.append(
                RowError(main.file, main.number, "received", "", "the date received is blank")
            )
            return Built(errors=errors)
        record = ComplaintRecord(
            source_key="/".join(key)[: LIMITS["source"]],
            reference=reference,
            received_at=context.aware(_at(received)),
        )
        occurred = spec["occurred"].get(main) if "occurred" in spec else None
        if isinstance(occurred, date):
            at = spec["occurred_time"].get(main) if "occurred_time" in spec else None
            record.occurred_at = context.aware(_at(occurred, at if isinstance(at, time) else None))
        closed = spec["closed"].get(main) if "closed" in spec else None
        if isinstance(closed, date):
            record.closed_at = context.aware(_at(closed))
            record.status = "closed"
        for name in ("location", "narrative"):
            if name in spec:
                setattr(record, name, str(spec[name].get(main) or "")[: LIMITS.get(name, 10_000)])
        if "channel" in spec:
            channel = spec["channel"].get(main)
            if channel is not None and channel not in v.COMPLAINT_CHANNELS:
                errors.append(
                    RowError(
                        main.file,
                        main.number,
                        "channel",
                        str(channel),
                        "not a complaint channel of the vocabulary",
                    )
                )
            record.channel = channel or "imported"
        if cfg.allegations is not None:
            record.allegations = [
                self._allegation(cfg, row) for row in rows if _feeds(row, "allegations")
            ]
            if record.status != "closed" and record.allegations:
                record.status = "investigating"
        year = (record.occurred_at or record.received_at).year
        for people in cfg.people:
            record.people.extend(
                _person(people, row, year) for row in rows if _feeds(row, people.feed)
            )
        return Built(record=record, errors=errors)

    def _allegation(self, cfg: ComplaintConfig, row: Any) -> AllegationRecord:
        spec = cfg.allegations
        assert spec is not None
        found = AllegationRecord(category=cfg.category_default, finding=cfg.finding_default)
        if "officer" in spec:
            found.officer = str(spec["officer"].get(row) or "").strip()[: LIMITS["officer"]]
        category = spec["category"].get(row) if "category" in spec else None
        if category in v.ALLEGATION_CATEGORIES:
            found.category = category
        finding = spec["finding"].get(row) if "finding" in spec else None
        if finding in v.FINDINGS:
            found.finding = finding
        if "description" in spec:
            found.description = str(spec["description"].get(row) or "")
        if "source_category" in spec:
            found.source_category = spec["source_category"].raw(row)[: LIMITS["source"]]
        if "source_finding" in spec:
            found.source_finding = spec["source_finding"].raw(row)[: LIMITS["source_finding"]]
        return found

    def count(
        self, record: ComplaintRecord, counts: Counter[str], seen: dict[str, set[str]]
    ) -> None:
        counts["complaints"] += 1
        counts["allegations"] += len(record.allegations)
        counts["victims"] += sum(1 for p in record.people if p.is_victim)
        counts["complainants"] += sum(1 for p in record.people if not p.is_victim)
        officers = seen["accused_officers"]
        before = len(officers)
        officers.update(a.officer for a in record.allegations if a.officer)
        counts["accused_officers"] += len(officers) - before


def _feeds(row: Any, section: str) -> bool:
    """Only rows whose file names the section feed it (a file without ``feeds`` feeds the
    complaint itself, not every list of people)."""
    return row.feeds is not None and section in row.feeds


def _at(day: date, at: time | None = None) -> datetime:
    if isinstance(day, datetime):
        return day if at is None else datetime.combine(day.date(), at)
    return datetime.combine(day, at or time())


def _person(spec: PeopleSpec, row: Any, year: int) -> PersonRecord:
    refs = spec.refs
    person = PersonRecord(is_victim=spec.is_victim)
    for name, codes in (("race", v.RACES), ("ethnicity", v.ETHNICITIES), ("sex", v.SEXES)):
        value = refs[name].get(row) if name in refs else None
        if value in codes:
            setattr(person, name, value)
    if "age_band" in refs:
        band = refs["age_band"].get(row)
        if band in v.AGE_BANDS:
            person.age_band = band
    elif "birth_year" in refs:
        born = refs["birth_year"].get(row)
        if isinstance(born, int) and not isinstance(born, bool) and born <= year:
            person.age_band = v.age_band(year - born)
    return person


register(ComplaintsTarget(), module=__name__)
