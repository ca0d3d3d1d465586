"""Parsing an exposure CSV (calls for service and arrests per month and unit), without Django.

Columns: ``month`` (``YYYY-MM``), ``unit`` (the unit's code), ``district`` (optional),
``calls`` and ``arrests`` (whole numbers; either may be blank when the source lacks it).
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

REQUIRED = ("month", "unit")
NUMBERS = ("calls", "arrests")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class ExposureRow:
    line: int
    month: date
    unit_code: str
    district: str
    calls: int | None
    arrests: int | None


@dataclass(frozen=True)
class ParseResult:
    rows: list[ExposureRow]
    errors: list[str]  # "line 4, calls: …" — what was wrong, where, and what to write instead


def _number(raw: str, field: str, line: int, errors: list[str]) -> int | None:
    text = raw.strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit():
        errors.append(f"line {line}, {field}: {raw!r} is not a whole number of 0 or more.")
        return None
    return int(text)


def parse_exposure(lines: Iterable[str]) -> ParseResult:
    reader = csv.DictReader(lines)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in (*REQUIRED, *NUMBERS) if c not in header]
    if missing:
        return ParseResult(
            [],
            [
                f"header: missing column(s) {', '.join(missing)}; "
                "expected month,unit,district,calls,arrests."
            ],
        )
    rows: list[ExposureRow] = []
    errors: list[str] = []
    seen: dict[tuple[date, str, str], int] = {}
    for line, raw in enumerate(reader, start=2):
        record = {(k or "").strip().lower(): (val or "") for k, val in raw.items()}
        before = len(errors)
        match = MONTH.match(record["month"].strip())
        month = None
        if match is None or not 1 <= int(match.group(2)) <= 12:
            errors.append(f"line {line}, month: {record['month']!r} is not a month; write YYYY-MM.")
        else:
            month = date(int(match.group(1)), int(match.group(2)), 1)
        unit = record["unit"].strip()
        if not unit:
            errors.append(f"line {line}, unit: empty; write the unit's code.")
        calls = _number(record["calls"], "calls", line, errors)
        arrests = _number(record["arrests"], "arrests", line, errors)
        district = record.get("district", "").strip()[:40]
        if len(errors) > before or month is None:
            continue
        key = (month, unit, district)
        if key in seen:
            errors.append(f"line {line}: repeats line {seen[key]} (same month, unit, district).")
            continue
        seen[key] = line
        rows.append(ExposureRow(line, month, unit, district, calls, arrests))
    return ParseResult(rows, errors)
