"""CSV in, JSON-ready dict out, for ``steadyhand analyze its|disparity``.

Each reader names the file, row and column of anything it cannot use.
"""

import csv
import math
from pathlib import Path
from typing import Any

from .disparity import BenchmarkKind, disparity
from .its import Model, Seasonality, interrupted_time_series


def _rows(csv_path: str | Path, needed: list[str]) -> list[tuple[int, dict[str, str]]]:
    with Path(csv_path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        missing = [c for c in needed if c not in header]
        if missing:
            raise ValueError(
                f"{csv_path}: column(s) {', '.join(missing)} not found; the header has "
                f"{', '.join(header)}."
            )
        return list(enumerate(reader, start=2))


def _number(csv_path: str | Path, row: int, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"{csv_path}: row {row}, column {column}: {text!r} is not a number."
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{csv_path}: row {row}, column {column}: {text!r} is not finite.")
    return value


def _month(csv_path: str | Path, row: int, column: str, text: str) -> tuple[int, int]:
    """(year, month) of ``YYYY-MM`` or ``YYYY-MM-DD``."""
    parts = text.strip().split("-")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        raise ValueError(
            f"{csv_path}: row {row}, column {column}: {text!r} is not a month (YYYY-MM)."
        )
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise ValueError(f"{csv_path}: row {row}, column {column}: month {month} is not 1-12.")
    return year, month


def run_its(
    csv_path: str | Path,
    *,
    time: str,
    outcome: str,
    intervention: str,
    exposure: str | None = None,
    seasonality: Seasonality = "month",
    model: Model = "auto",
) -> dict[str, Any]:
    """Monthly series from a CSV (one row per month, ``time`` as YYYY-MM, no gaps)."""
    needed = [time, outcome] + ([exposure] if exposure else [])
    rows = _rows(csv_path, needed)
    months: list[tuple[int, int]] = []
    counts, exposures = [], []
    for number, row in rows:
        months.append(_month(csv_path, number, time, row[time]))
        counts.append(_number(csv_path, number, outcome, row[outcome]))
        if exposure:
            exposures.append(_number(csv_path, number, exposure, row[exposure]))
    index = [y * 12 + m - 1 for y, m in months]
    for k in range(1, len(index)):
        if index[k] != index[k - 1] + 1:
            raise ValueError(
                f"{csv_path}: row {k + 2}: months must be consecutive and in order; "
                f"{months[k - 1]} is followed by {months[k]}."
            )
    start = _month(csv_path, 0, "--intervention", intervention)
    start_index = start[0] * 12 + start[1] - 1
    if not index or not index[0] < start_index <= index[-1]:
        raise ValueError(
            f"--intervention {intervention} must fall inside the series, after its first month."
        )
    result = interrupted_time_series(
        counts,
        start_index - index[0],
        exposure=exposures or None,
        months=[m for _, m in months],
        seasonality=seasonality,
        model=model,
    )
    out = result.as_dict()
    out["months"] = [f"{y}-{m:02d}" for y, m in months]
    out["intervention"] = f"{start[0]}-{start[1]:02d}"
    return out


def run_disparity(
    csv_path: str | Path,
    *,
    group: str,
    events: str,
    benchmark: str,
    benchmark_name: str,
    benchmark_kind: BenchmarkKind,
    reference: str,
    per: float = 1000.0,
) -> dict[str, Any]:
    """One row per group: its events and its benchmark count."""
    event_counts: dict[str, int] = {}
    benchmarks: dict[str, float] = {}
    for number, row in _rows(csv_path, [group, events, benchmark]):
        name = row[group].strip()
        if name in benchmarks:
            raise ValueError(f"{csv_path}: row {number}: group {name!r} appears twice.")
        count = _number(csv_path, number, events, row[events])
        if count < 0 or count != int(count):
            raise ValueError(f"{csv_path}: row {number}, column {events}: not a whole count.")
        event_counts[name] = int(count)
        benchmarks[name] = _number(csv_path, number, benchmark, row[benchmark])
    result = disparity(
        event_counts,
        benchmarks,
        benchmark_name=benchmark_name,
        benchmark_kind=benchmark_kind,
        reference=reference,
        per=per,
    )
    return {
        "benchmark_name": result.benchmark_name,
        "benchmark_kind": result.benchmark_kind,
        "reference": result.reference,
        "per": result.per,
        "statement": result.statement,
        "groups": [g.__dict__ for g in result.groups],
    }
