"""One call from a CSV file to a JSON-ready result, for ``steadyhand analyze staggered
--method efficient``: the efficient estimate and, if asked, the Fisher randomization test."""

import csv
import math
from pathlib import Path
from typing import Any

from .estimator import EstimateRow, efficient_estimate
from .fisher import fisher_test
from .panel import RolloutPanel


def _num(x: float) -> float | None:
    return None if math.isnan(x) or math.isinf(x) else float(x)


def read_rollout_csv(
    csv_path: str | Path, *, unit: str, time: str, cohort: str, outcome: str
) -> RolloutPanel:
    """Read a long-format CSV; an empty cohort cell means never treated.

    Raises
    ------
    ValueError
        If a column is absent, a number does not parse (naming the row), or the panel fails
        validation.
    """
    with Path(csv_path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        missing = [c for c in (unit, time, cohort, outcome) if c not in header]
        if missing:
            raise ValueError(
                f"{csv_path}: column(s) {', '.join(missing)} not found; the header has "
                f"{', '.join(header)}."
            )
        units, times, outcomes, cohorts = [], [], [], []
        for row_number, row in enumerate(reader, start=2):
            try:
                times.append(float(row[time]))
                outcomes.append(float(row[outcome]))
                cohorts.append(float(row[cohort]) if row[cohort].strip() else math.nan)
            except ValueError:
                raise ValueError(
                    f"{csv_path}: row {row_number}: {time}, {outcome} and {cohort} must be "
                    f"numbers (cohort may be empty); got {row[time]!r}, {row[outcome]!r}, "
                    f"{row[cohort]!r}."
                ) from None
            units.append(row[unit])
    return RolloutPanel.from_long(units, times, outcomes, cohorts)


def _row(row: EstimateRow) -> dict[str, Any]:
    return {
        "estimate": row.estimate,
        "se": row.se,
        "lower": row.ci_lower,
        "upper": row.ci_upper,
        "plugin_estimate": row.plugin_estimate,
        "plugin_se": row.plugin_se,
        "percent": _num(row.percent_change),
        "percent_lower": _num(row.percent_ci_lower),
        "percent_upper": _num(row.percent_ci_upper),
    }


def run_efficient(
    csv_path: str | Path,
    *,
    unit: str,
    time: str,
    cohort: str,
    outcome: str,
    estimand: str = "simple",
    event_times: tuple[int, int] | None = None,
    fisher: int = 0,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Any]:
    """Roth & Sant'Anna (2023) efficient estimate from a CSV, as a JSON-serialisable dict.

    Returns ``estimate``, ``se``, ``lower``, ``upper``, the plug-in (``beta = 0``) estimate,
    the percent change with its interval, and for event studies ``event_study`` (a list of
    ``{"event_time", "estimate", "se", …}``); with ``fisher > 0`` also ``fisher_p_value``.
    """
    panel = read_rollout_csv(csv_path, unit=unit, time=time, cohort=cohort, outcome=outcome)
    return summarise_efficient(
        panel, estimand=estimand, event_times=event_times, fisher=fisher, seed=seed, level=level
    )


def summarise_efficient(
    panel: RolloutPanel,
    *,
    estimand: str = "simple",
    event_times: tuple[int, int] | None = None,
    fisher: int = 0,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Any]:
    """:func:`run_efficient` on a panel already in memory (the application builds its panels
    from the database)."""
    times = None if event_times is None else range(event_times[0], event_times[1] + 1)
    result = efficient_estimate(panel, estimand, event_times=times, level=level)
    out: dict[str, Any] = {
        "method": "efficient",
        "estimand": estimand,
        **_row(result.overall),
        "n_units": result.n_units,
        "n_excluded": result.n_excluded,
    }
    if estimand == "eventstudy":
        out["event_study"] = [{"event_time": r.event_time, **_row(r)} for r in result.event_study]
    if fisher > 0:
        test = fisher_test(panel, estimand, event_times=times, n_permutations=fisher, seed=seed)
        out["fisher_p_value"] = test.p_value
        out["fisher_permutations"] = fisher
    return out
