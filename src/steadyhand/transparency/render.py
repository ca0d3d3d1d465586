"""The page's tables, the CSV files and the JSON feed, all from one ``Release``.

A hidden number is ``None`` in the release, ``null`` in JSON and the word ``HIDDEN`` on the page
and in CSV: the same word for every hidden number, because saying "under 10" for some and not
others would tell a reader which ones were small.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from steadyhand.core.charts import Series, format_number, line_chart
from steadyhand.transparency.release import PublicTable, Release

HIDDEN = "hidden"
MARKER_MEANING = (
    "hidden: fewer than {threshold}, or hidden as well so that a smaller number cannot be "
    "worked out from the totals or from other tables"
)


def shown(value: int | None) -> str:
    return HIDDEN if value is None else format_number(value)


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[str]
    total: str


def table_rows(table: PublicTable) -> list[Row]:
    """Month rows as the page and the CSV print them."""
    data = table.data
    return [
        Row(
            month.strftime("%B %Y"),
            [shown(v) for v in data.cells[r]],
            shown(data.row_totals[r]),
        )
        for r, month in enumerate(table.months)
    ]


def year_row(table: PublicTable, year: int) -> Row | None:
    data = table.data
    if data.column_totals is None:
        return None
    return Row(f"Year {year}", [shown(v) for v in data.column_totals], shown(data.grand_total))


def month_chart(table: PublicTable, year: int) -> str:
    """The month totals as a line; a hidden month is a gap, never a zero."""
    values = list(table.data.row_totals)
    return str(
        line_chart(
            title=f"{table.spec.title}: monthly totals, {year}",
            description=(
                f"Monthly totals from the table below. Months marked {HIDDEN} are gaps in the line."
            ),
            x_labels=[m.strftime("%b") for m in table.months],
            series=[Series("Total", values)],
            chart_id=f"chart-{table.spec.key.replace('_', '-')}",
            y_label="Count",
        )
    )


def table_csv(table: PublicTable, year: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", *(c.label for c in table.columns), "total"])
    for m, row in zip(table.months, table_rows(table), strict=True):
        writer.writerow([m.strftime("%Y-%m"), *row.cells, row.total])
    totals = year_row(table, year)
    if totals is not None:
        writer.writerow([str(year), *totals.cells, totals.total])
    return out.getvalue()


def _iter_dictionary(release: Release) -> Iterator[list[str]]:
    yield ["file", "column", "meaning"]
    marker = MARKER_MEANING.format(threshold=release.threshold)
    for table in release.tables:
        file = f"{table.spec.key}.csv"
        yield [file, "", f"{table.spec.title}. {table.spec.description}"]
        yield [
            file,
            "month",
            "Calendar month (YYYY-MM) in the agency's time zone; a last row with only the year "
            "holds the year's totals (years that have ended only).",
        ]
        for column in table.columns:
            yield [file, column.label, f"Count for “{column.label}” (code {column.code!r})."]
        yield [file, "total", "The month's total (the sum of the row, hidden numbers included)."]
        yield [file, "any number", f"A whole number, or {marker}."]
    yield [
        "data.json",
        "",
        "The same tables as JSON: hidden numbers are null; training hours (agency-wide, by "
        "month) and published commendations are added.",
    ]


def dictionary_csv(release: Release) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(_iter_dictionary(release))
    return out.getvalue()


def feed(release: Release, *, csv_url: dict[str, str]) -> dict[str, Any]:
    """The machine-readable feed: the same numbers as the page, ``null`` where hidden."""
    return {
        "agency": {"name": release.agency_name, "slug": release.agency_slug},
        "year": release.year,
        "months": [m.strftime("%Y-%m") for m in release.months],
        "year_complete": release.complete,
        "suppression": {
            "threshold": release.threshold,
            "hidden_value": None,
            "meaning": MARKER_MEANING.format(threshold=release.threshold),
            "shared_totals": "Tables with the same 'margin' count the same records by month "
            "and publish one set of month totals.",
        },
        "tables": [
            {
                "key": t.spec.key,
                "title": t.spec.title,
                "description": t.spec.description,
                "margin": t.data.margin,
                "csv": csv_url.get(t.spec.key, ""),
                "columns": [{"code": c.code, "label": c.label} for c in t.columns],
                "rows": [
                    {
                        "month": m.strftime("%Y-%m"),
                        "cells": list(t.data.cells[r]),
                        "total": t.data.row_totals[r],
                    }
                    for r, m in enumerate(t.months)
                ],
                "column_totals": (
                    list(t.data.column_totals) if t.data.column_totals is not None else None
                ),
                "grand_total": t.data.grand_total,
            }
            for t in release.tables
        ],
        "training_hours": [
            {"month": m.strftime("%Y-%m"), "hours": str(hours)}
            for m, hours in release.training_hours
        ],
        "commendations": [
            {
                "name": c.name,
                "award": c.award,
                "citation": c.citation,
                "month": c.month.strftime("%Y-%m"),
            }
            for c in release.commendations
        ],
    }
