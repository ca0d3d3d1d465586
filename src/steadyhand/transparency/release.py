"""The public release: every table of an agency's public page, suppressed together.

The page, the CSV files and the JSON feed are all renderings of one ``Release`` built here, so
they cannot disagree and none of them can show a number the others hide.

A release covers one calendar year. A year that has ended shows twelve months with column and
year totals; the running year shows only its finished months and no year totals (see
``steadyhand.analytics.suppression`` for why: a year-to-date total differenced against next
month's would give that month's cells). Rolling windows are deliberately not offered.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone

from steadyhand.agencies.models import Agency
from steadyhand.analytics.suppression import CountTable, SuppressedTable, suppress_tables
from steadyhand.recognition.selectors import PublicCommendation, published_commendations
from steadyhand.stats.measures import MEASURES
from steadyhand.stats.selectors import (
    expand_measures,
    monthly_table,
    stats_months,
    stats_version,
)

NOT_RECORDED = "Not recorded"
LEVEL_NOT_RECORDED = "level_not_recorded"
# Bump when the release's shape changes, so cached releases of the old shape are not served.
_CACHE_SHAPE = 1


@dataclass(frozen=True)
class TableSpec:
    """One published table: months down, districts or a measure family across."""

    key: str
    title: str
    description: str
    # A single measure counted by district, or a family of measures (one column each).
    measure: str
    by_district: bool
    # Tables counting the same records by month share a margin (their month totals).
    margin: str | None = None
    section: str = ""


SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "incidents_by_district",
        "Incidents by district",
        MEASURES["incidents"].description,
        "incidents",
        True,
        "incidents",
        "Incidents",
    ),
    TableSpec(
        "force_by_district",
        "Incidents with force by district",
        MEASURES["force_incidents"].description,
        "force_incidents",
        True,
        "force_incidents",
        "Use of force",
    ),
    TableSpec(
        "force_by_level",
        "Incidents with force by highest level of force",
        "Incidents in which force was used, by the highest level of force in the incident. "
        "Each incident counts once.",
        "force_level:*",
        False,
        "force_incidents",
        "Use of force",
    ),
    TableSpec(
        "force_by_type",
        "Force by type",
        "Incidents with at least one use of each type of force. An incident in which several "
        "types were used counts once under each, so the totals count incident-types.",
        "force_type:*",
        False,
        None,
        "Use of force",
    ),
    TableSpec(
        "subject_injuries_by_district",
        "Incidents with a subject injured, by district",
        MEASURES["subject_injuries"].description,
        "subject_injuries",
        True,
        "subject_injuries",
        "Injuries",
    ),
    TableSpec(
        "officer_injuries_by_district",
        "Incidents with an officer injured, by district",
        MEASURES["officer_injuries"].description,
        "officer_injuries",
        True,
        "officer_injuries",
        "Injuries",
    ),
    TableSpec(
        "complaints_by_district",
        "Complaints received by district",
        MEASURES["complaints"].description + " District: of the incident complained about, "
        "where one is known.",
        "complaints",
        True,
        "complaints",
        "Complaints",
    ),
    TableSpec(
        "allegation_findings",
        "Allegations by finding",
        "Allegations in complaints received that month, by the investigation's finding so far "
        "(“Pending” until it is decided).",
        "complaint_finding:*",
        False,
        None,
        "Complaints",
    ),
    TableSpec(
        "commendations_by_district",
        "Commendations approved by district",
        MEASURES["commendations"].description,
        "commendations",
        True,
        "commendations",
        "Commendations",
    ),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}


@dataclass(frozen=True)
class Column:
    code: str
    label: str


@dataclass(frozen=True)
class PublicTable:
    spec: TableSpec
    columns: tuple[Column, ...]
    months: tuple[date, ...]
    data: SuppressedTable


@dataclass(frozen=True)
class Release:
    agency_name: str
    agency_slug: str
    year: int
    months: tuple[date, ...]
    complete: bool  # the year has ended: column and year totals are published
    threshold: int
    tables: tuple[PublicTable, ...]
    training_hours: tuple[tuple[date, Decimal], ...]
    years: tuple[int, ...]  # years a visitor can choose, newest first
    commendations: tuple[PublicCommendation, ...]

    def table(self, key: str) -> PublicTable:
        for table in self.tables:
            if table.spec.key == key:
                return table
        raise KeyError(key)


def agency_today(agency: Agency) -> date:
    return timezone.now().astimezone(ZoneInfo(agency.timezone)).date()


def available_years(agency: Agency, today: date) -> tuple[int, ...]:
    """Years with data and at least one finished month, newest first."""
    span = stats_months(agency_id=agency.pk)
    if span is None:
        return ()
    last = today.year if today.month > 1 else today.year - 1
    return tuple(range(min(span[1].year, last), span[0].year - 1, -1))


def release_months(year: int, today: date) -> tuple[tuple[date, ...], bool]:
    """The finished months of ``year`` as of ``today``, and whether the year has ended."""
    if year < today.year:
        return tuple(date(year, m, 1) for m in range(1, 13)), True
    if year == today.year:
        return tuple(date(year, m, 1) for m in range(1, today.month)), False
    return (), False


def _columns(spec: TableSpec, rows: Sequence[dict[str, Any]]) -> list[Column]:
    if spec.by_district:
        codes = sorted({row["district"] for row in rows}, key=lambda d: (d == "", d))
        return [Column(code or "", code or NOT_RECORDED) for code in codes]
    seen = {row["measure"] for row in rows if row["value"]}
    return [
        Column(key.split(":", 1)[1], MEASURES[key].label.split(": ", 1)[-1])
        for key in expand_measures([spec.measure])
        if key in seen
    ]


def _count_table(
    spec: TableSpec,
    agency: Agency,
    months: tuple[date, ...],
    margins: dict[str, list[int]],
) -> tuple[CountTable, list[Column]]:
    by = ("month", "district") if spec.by_district else ("month",)
    measures = [spec.measure]
    rows = monthly_table(agency=agency, measures=measures, start=months[0], end=months[-1], by=by)
    columns = _columns(spec, rows)
    index = {c.code: i for i, c in enumerate(columns)}
    counts = {m: [0] * len(columns) for m in months}
    for row in rows:
        code = row["district"] if spec.by_district else row["measure"].split(":", 1)[1]
        if code in index:
            counts[row["month"]][index[code]] += int(row["value"])
    grid = [counts[m] for m in months]
    margin = spec.margin
    if margin is not None and not spec.by_district:
        # A family whose members need not add up to the margin (force without a recorded
        # level): the remainder gets its own column so both tables share one month total.
        totals = margins.get(margin) or _margin_totals(agency, margin, months)
        rest = [t - sum(r) for t, r in zip(totals, grid, strict=True)]
        if any(x < 0 for x in rest):
            margin = None
        elif any(rest):
            columns.append(Column(LEVEL_NOT_RECORDED, "Level not recorded"))
            grid = [[*r, x] for r, x in zip(grid, rest, strict=True)]
    if margin is not None:
        margins.setdefault(margin, [sum(r) for r in grid])
    table = CountTable(
        key=spec.key,
        row_labels=tuple(m.strftime("%Y-%m") for m in months),
        column_labels=tuple(c.code for c in columns),
        counts=tuple(tuple(r) for r in grid),
        margin=margin,
    )
    return table, columns


def _margin_totals(agency: Agency, measure: str, months: tuple[date, ...]) -> list[int]:
    rows = monthly_table(
        agency=agency, measures=[measure], start=months[0], end=months[-1], by=("month",)
    )
    found = {row["month"]: int(row["value"]) for row in rows}
    return [found.get(m, 0) for m in months]


def _training_hours(agency: Agency, months: tuple[date, ...]) -> tuple[tuple[date, Decimal], ...]:
    rows = monthly_table(
        agency=agency,
        measures=["training_hours"],
        start=months[0],
        end=months[-1],
        by=("month",),
    )
    found = {row["month"]: Decimal(row["value"]) for row in rows}
    return tuple((m, found.get(m, Decimal(0))) for m in months)


def build_release(*, agency: Agency, year: int | None = None, today: date | None = None) -> Release:
    """The agency's public release for ``year`` (default: the newest with a finished month)."""
    today = today or agency_today(agency)
    years = available_years(agency, today)
    if year is None:
        year = years[0] if years else today.year
    months, complete = release_months(year, today)
    threshold = agency.suppression_threshold
    tables: list[PublicTable] = []
    hours: tuple[tuple[date, Decimal], ...] = ()
    if months and year in years:
        margins: dict[str, list[int]] = {}
        built = [(spec, *_count_table(spec, agency, months, margins)) for spec in SPECS]
        suppressed = suppress_tables(
            [table for _, table, _ in built], threshold=threshold, column_totals=complete
        )
        tables = [
            PublicTable(spec=spec, columns=tuple(columns), months=months, data=data)
            for (spec, _, columns), data in zip(built, suppressed, strict=True)
        ]
        hours = _training_hours(agency, months)
    return Release(
        agency_name=agency.name,
        agency_slug=agency.slug,
        year=year,
        months=months if tables else (),
        complete=complete,
        threshold=threshold,
        tables=tuple(tables),
        training_hours=hours,
        years=years,
        commendations=tuple(published_commendations(agency)),
    )


def cached_release(
    *, agency: Agency, year: int | None = None, today: date | None = None
) -> Release:
    """``build_release`` behind the cache; the key holds everything the release depends on."""
    today = today or agency_today(agency)
    key = ":".join(
        str(part)
        for part in (
            "transparency",
            _CACHE_SHAPE,
            agency.pk,
            stats_version(agency_id=agency.pk),
            agency.suppression_threshold,
            year,
            today.strftime("%Y-%m"),
        )
    )
    release: Release | None = cache.get(key)
    if release is None:
        release = build_release(agency=agency, year=year, today=today)
        cache.set(key, release, timeout=3600)
    # Read fresh: a commendation withdrawn from publication must leave the page at once.
    return replace(release, commendations=tuple(published_commendations(agency)))


def release_warm(*, agency: Agency) -> None:
    """Fill the cache for the page's default year and the last closed year.

    Meant to run after a statistics refresh (``stats.tasks.refresh_months``), so that the
    first public visitor does not pay for building the release (about a second).
    """
    today = agency_today(agency)
    cached_release(agency=agency, today=today)
    cached_release(agency=agency, year=today.year - 1, today=today)
