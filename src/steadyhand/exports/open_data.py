"""The de-identified open-data export: one CSV row per incident, and its data dictionary.

What leaves the agency, and what does not:

- no names, badge numbers, member ids, source officer ids, case numbers or source keys; the
  officers of each incident appear only as pseudonyms drawn at random for this one export
  (the same officer has the same pseudonym within a file, a different one in the next file), so
  two exports cannot be joined to follow an officer;
- dates coarsened to the agency's setting (month by default, or ISO week, or day), in the
  agency's time zone; times of day dropped;
- place reduced to the district: no beat, address or coordinates;
- no free text (narratives, notes), which can name anyone.

The rows come out in random order, so their order does not give away the dates the period
hides. The data dictionary is generated from the same column list as the rows, so the two
cannot drift apart.
"""

import csv
import io
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from steadyhand import vocabulary as v
from steadyhand.agencies.models import Agency
from steadyhand.exports.common import cell, exportable, joined, local, stream, with_people
from steadyhand.exports.models import DatePrecision
from steadyhand.incidents.models import Incident


@dataclass
class Pseudonyms:
    """Random per-export officer labels (``OFC-7f3a9c``), never derived from an identity."""

    assigned: dict[str, str] = field(default_factory=dict)

    def of(self, key: str) -> str:
        if key not in self.assigned:
            label = f"OFC-{secrets.token_hex(3)}"
            while label in self.assigned.values():
                label = f"OFC-{secrets.token_hex(3)}"
            self.assigned[key] = label
        return self.assigned[key]


class Encounter:
    """An incident with its people and events read once into lists (the related managers build
    a new queryset on every ``.all()``, which dominated the export's time)."""

    def __init__(self, incident: Incident) -> None:
        self.incident = incident
        self.involvements = list(incident.involvements.all())
        self.subjects = list(incident.subjects.all())
        self.events = list(incident.events.all())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.incident, name)


@dataclass
class Context:
    precision: str
    tz: ZoneInfo
    pseudonyms: Pseudonyms = field(default_factory=Pseudonyms)


def period(incident: Encounter, ctx: Context) -> str:
    when = local(incident.occurred_at, ctx.tz)
    if ctx.precision == DatePrecision.DAY:
        return when.strftime("%Y-%m-%d")
    if ctx.precision == DatePrecision.WEEK:
        year, week, _ = when.isocalendar()
        return f"{year}-W{week:02d}"
    return when.strftime("%Y-%m")


def _officers(incident: Encounter, ctx: Context) -> str:
    keys = [
        f"m{inv.member_id}" if inv.member_id else f"x{inv.external_id}"
        for inv in incident.involvements
    ]
    return joined(ctx.pseudonyms.of(k) for k in keys)


def _subjects(attr: str) -> Callable[[Encounter, Context], str]:
    return lambda i, _c: joined(str(getattr(s, attr)) for s in i.subjects)


def _distinct_codes(pick: Callable[[str], bool]) -> Callable[[Encounter, Context], str]:
    return lambda i, _c: joined(sorted({e.code for e in i.events if pick(e.code)}))


def _indicators(incident: Encounter, _ctx: Context) -> str:
    return joined(sorted({code for s in incident.subjects for code in s.indicators}))


def _worst_injury(incident: Encounter, _ctx: Context) -> str:
    order = list(v.INJURY_SEVERITIES)
    severities = [s.injury_severity for s in incident.subjects]
    return max(severities, key=order.index) if severities else ""


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    values: str
    get: Callable[[Encounter, Context], str]


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(codes)


SUBJECT_LISTS = "One value per subject, in subject order, separated by ';'."


def columns(precision: str) -> list[Column]:
    period_format = {
        DatePrecision.MONTH: "YYYY-MM",
        DatePrecision.WEEK: "YYYY-Www (ISO week)",
        DatePrecision.DAY: "YYYY-MM-DD",
    }[DatePrecision(precision)]
    ladder_f = "; ".join(f"{int(k)} = {label}" for k, label in v.FORCE_LEVEL_LABELS.items())
    ladder_r = "; ".join(f"{int(k)} = {label}" for k, label in v.RESISTANCE_LABELS.items())
    return [
        Column(
            "record_id",
            "A random identifier of the row, new in every export (not a case number).",
            "text",
            lambda i, c: secrets.token_hex(6),
        ),
        Column(
            "period",
            f"When the encounter happened, coarsened to the {precision} in the agency's time zone.",
            period_format,
            period,
        ),
        Column(
            "district",
            "The district (no beat, address or coordinates).",
            "text",
            lambda i, c: i.district,
        ),
        Column(
            "contact_type",
            "How the contact began.",
            _codes(v.CONTACT_TYPES),
            lambda i, c: i.contact_type,
        ),
        Column(
            "call_type",
            "The dispatched call type, as the agency codes it.",
            "text",
            lambda i, c: i.call_type,
        ),
        Column(
            "officer_count",
            "Members on scene.",
            "integer",
            lambda i, c: str(len(i.involvements)),
        ),
        Column(
            "officers",
            "Per-export random pseudonyms of the officers on scene, separated by ';' "
            "(the same officer has the same pseudonym within this file only).",
            "OFC-xxxxxx",
            _officers,
        ),
        Column(
            "subject_count",
            "Subjects (people police dealt with).",
            "integer",
            lambda i, c: str(len(i.subjects)),
        ),
        Column("subject_races", SUBJECT_LISTS, _codes(v.RACES), _subjects("race")),
        Column("subject_ethnicities", SUBJECT_LISTS, _codes(v.ETHNICITIES), _subjects("ethnicity")),
        Column("subject_sexes", SUBJECT_LISTS, _codes(v.SEXES), _subjects("sex")),
        Column("subject_age_bands", SUBJECT_LISTS, _codes(v.AGE_BANDS), _subjects("age_band")),
        Column("subject_armed_with", SUBJECT_LISTS, _codes(v.ARMED_WITH), _subjects("armed_with")),
        Column(
            "subject_indicators",
            "Crisis and disability indicators of any subject, separated by ';'.",
            _codes(v.INDICATORS),
            _indicators,
        ),
        Column(
            "force_used",
            "Was force (above a threat or display) used?",
            "true, false",
            lambda i, c: cell(i.force_used),
        ),
        Column(
            "highest_force_level",
            "The highest force level used.",
            ladder_f,
            lambda i, c: cell(i.highest_force_level),
        ),
        Column(
            "highest_resistance",
            "The highest resistance the subject(s) offered.",
            ladder_r,
            lambda i, c: cell(i.highest_resistance),
        ),
        Column(
            "force_types",
            "Force types in the timeline, separated by ';'.",
            _codes(v.FORCE_TYPES),
            _distinct_codes(lambda code: code in v.FORCE_TYPES),
        ),
        Column(
            "de_escalation_attempted",
            "Was a de-escalation tactic used? Empty: the source does not say.",
            "true, false, empty",
            lambda i, c: cell(i.de_escalation_attempted),
        ),
        Column(
            "de_escalation_tactics",
            "De-escalation tactics in the timeline, separated by ';'.",
            _codes(sorted(v.DE_ESCALATION_TACTICS)),
            _distinct_codes(lambda code: code in v.DE_ESCALATION_TACTICS),
        ),
        Column(
            "subject_injured",
            "Was a subject injured?",
            "true, false",
            lambda i, c: cell(i.subject_injured),
        ),
        Column(
            "subject_worst_injury",
            "The most severe injury of any subject.",
            _codes(v.INJURY_SEVERITIES),
            _worst_injury,
        ),
        Column(
            "officer_injured",
            "Was an officer injured?",
            "true, false",
            lambda i, c: cell(i.officer_injured),
        ),
        Column(
            "arrest_made", "Was anyone arrested?", "true, false", lambda i, c: cell(i.arrest_made)
        ),
        Column(
            "subject_hospitalised",
            "Was a subject taken to hospital?",
            "true, false",
            lambda i, c: cell(i.subject_hospitalised),
        ),
        Column(
            "resolution",
            "How the encounter ended.",
            _codes(v.RESOLUTIONS),
            lambda i, c: i.resolution,
        ),
        Column(
            "source",
            "'report' (filed in Steadyhand), 'api' (sent by a records system) or "
            "'import:<source>' (loaded from another system's files).",
            "text",
            lambda i, c: i.source,
        ),
    ]


def rows(*, agency: Agency, precision: str) -> Iterator[list[str]]:
    """The header, then one row per exportable incident, streamed from the database."""
    cols = columns(precision)
    ctx = Context(precision=precision, tz=ZoneInfo(agency.timezone))
    yield [c.name for c in cols]
    queryset = with_people(exportable(agency_id=agency.pk)).order_by("?")
    for incident in stream(queryset):
        encounter = Encounter(incident)
        yield [c.get(encounter, ctx) for c in cols]


def dictionary_rows(precision: str) -> Iterator[list[str]]:
    yield ["column", "description", "values"]
    for c in columns(precision):
        yield [c.name, c.description, c.values]


def dictionary_markdown(*, agency: Agency, precision: str) -> str:
    lines = [
        f"# Open data: use-of-force and encounter records of {agency.name}",
        "",
        "One row per encounter. De-identified: no names, badge numbers or case numbers; "
        f"dates coarsened to the {precision}; place reduced to the district; no free text. "
        "Officers appear only as random pseudonyms that change with every export.",
        "",
        "| Column | Description | Values |",
        "|---|---|---|",
    ]
    for c in columns(precision):
        lines.append(f"| `{c.name}` | {c.description} | {c.values} |")
    return "\n".join(lines) + "\n"


class Echo:
    """A file-like sink that hands back what is written, for streaming CSV responses."""

    def write(self, value: str) -> str:
        return value


def csv_lines(source: Iterator[list[str]]) -> Iterator[str]:
    writer = csv.writer(Echo(), lineterminator="\r\n")
    for row in source:
        yield writer.writerow(row)


def to_text(source: Iterator[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(source)
    return buffer.getvalue()
