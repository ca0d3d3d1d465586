"""One call from a CSV file to a JSON-ready result, for the ``steadyhand analyze staggered`` CLI."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from scipy.stats import norm

from .aggregate import ESTIMANDS, aggregate_fit
from .callaway_santanna import fit_group_time
from .panel import StaggeredPanel
from .results import Aggregate
from .sun_abraham import sun_abraham
from .twfe import twfe

METHODS = ("cs", "sa", "twfe")


def parse_event_times(text: str) -> tuple[int, int]:
    """Parse an inclusive event-time window written ``FROM:TO`` (e.g. ``-6:23``).

    Raises
    ------
    ValueError
        If the text is not two integers separated by a colon, or FROM exceeds TO.
    """
    parts = text.split(":")
    try:
        lo, hi = (int(p) for p in parts) if len(parts) == 2 else (None, None)
    except ValueError:
        lo = hi = None
    if lo is None or hi is None:
        raise ValueError(f"event times {text!r} must look like FROM:TO, e.g. 0:23 or -6:23.")
    if lo > hi:
        raise ValueError(f"event times {text!r}: FROM must not exceed TO.")
    return lo, hi


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def read_panel_csv(
    csv_path: str | Path,
    *,
    unit: str,
    time: str,
    cohort: str,
    outcome: str,
    weight: str | None = None,
) -> StaggeredPanel:
    """Read a long-format CSV (one row per unit × period) into a validated panel.

    Raises
    ------
    ValueError
        If a named column is absent, or the panel fails validation.
    """
    with Path(csv_path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        wanted = [c for c in (unit, time, cohort, outcome, weight) if c is not None]
        missing = [c for c in wanted if c not in header]
        if missing:
            raise ValueError(
                f"{csv_path}: column(s) {', '.join(missing)} not found; the header has "
                f"{', '.join(header)}."
            )
        rows = list(reader)
    return StaggeredPanel.from_long(
        unit=[r[unit] for r in rows],
        time=[r[time] for r in rows],
        outcome=[r[outcome] for r in rows],
        cohort=[r[cohort] for r in rows],
        weight=None if weight is None else [r[weight] for r in rows],
    )


def _aggregate_dict(res: Aggregate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "estimate": res.estimate,
        "se": res.se,
        "level": res.level,
        "lower": res.estimate - _z(res.level) * res.se,
        "upper": res.estimate + _z(res.level) * res.se,
        "percent": _num(res.percent),
        "percent_lower": _num(res.percent_lower),
        "percent_upper": _num(res.percent_upper),
        "baseline": res.baseline,
    }
    if res.labels.size:
        key = {"eventstudy": "event_time", "cohort": "cohort", "calendar": "period"}[res.estimand]
        name = "event_study" if res.estimand == "eventstudy" else res.estimand
        out[name] = [
            {
                key: int(lab),
                "estimate": float(e),
                "se": float(s),
                "lower": float(lo),
                "upper": float(hi),
            }
            for lab, e, s, lo, hi in zip(
                res.labels, res.estimates, res.ses, res.lower, res.upper, strict=True
            )
        ]
        out["band"] = "uniform" if res.uniform else "pointwise"
        out["critical_value"] = res.critical_value
    return out


def _z(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))


def run_staggered(
    csv_path: str | Path,
    *,
    unit: str,
    time: str,
    cohort: str,
    outcome: str,
    method: str = "cs",
    estimand: str = "simple",
    control: str | None = None,
    base: str = "varying",
    event_times: tuple[int, int] | None = None,
    weight: str | None = None,
    bootstrap: int = 0,
    seed: int | None = None,
    level: float = 0.95,
) -> dict[str, Any]:
    """Estimate a staggered roll-out effect from a CSV and return a JSON-serialisable dict.

    Parameters
    ----------
    csv_path : path
        Long-format panel; the cohort column holds each unit's first treated period, empty for
        never-treated units.
    unit, time, cohort, outcome : str
        Column names.
    method : {"cs", "sa", "twfe"}
        Callaway & Sant'Anna, Sun & Abraham (event study only) or static TWFE (for comparison).
    estimand : {"simple", "cohort", "calendar", "eventstudy"}
    control : str, optional
        ``"never"`` (default) or ``"notyet"`` for cs; ``"never"`` (default) or ``"last"`` for sa.
    base : {"varying", "universal"}
        Pre-period base for cs.
    event_times : (int, int), optional
        Event-time window (see :func:`parse_event_times`).
    weight : str, optional
        Column of unit weights (constant within unit for cs and sa).
    bootstrap : int, default 0
        Multiplier-bootstrap draws for a uniform band over the disaggregated effects.
    seed : int, optional
    level : float, default 0.95

    Returns
    -------
    dict
        ``method``, ``estimand``, ``estimate``, ``se``, ``lower``, ``upper``, ``percent`` (and its
        interval), ``n_units``, ``n_periods``, ``notes``; for event studies ``event_study``, a list
        of ``{"event_time", "estimate", "se", "lower", "upper"}``.

    Raises
    ------
    ValueError
        On unknown options or invalid data, with a message meant for the analyst.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}.")
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {ESTIMANDS}, not {estimand!r}.")
    panel = read_panel_csv(
        csv_path, unit=unit, time=time, cohort=cohort, outcome=outcome, weight=weight
    )
    return summarise_staggered(
        panel,
        method=method,
        estimand=estimand,
        control=control,
        base=base,
        event_times=event_times,
        weighted=weight is not None,
        bootstrap=bootstrap,
        seed=seed,
        level=level,
    )


def summarise_staggered(
    panel: StaggeredPanel,
    *,
    method: str = "cs",
    estimand: str = "simple",
    control: str | None = None,
    base: str = "varying",
    event_times: tuple[int, int] | None = None,
    weighted: bool = False,
    bootstrap: int = 0,
    seed: int | None = None,
    level: float = 0.95,
) -> dict[str, Any]:
    """:func:`run_staggered` on a panel already in memory (the application builds its panels
    from the database)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}.")
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {ESTIMANDS}, not {estimand!r}.")
    head: dict[str, Any] = {
        "method": method,
        "estimand": estimand,
        "n_units": panel.n_units,
        "n_periods": panel.n_periods,
        "first_period": int(panel.periods[0]),
        "last_period": int(panel.periods[-1]),
    }
    if method == "twfe":
        if estimand != "simple":
            raise ValueError(
                "method 'twfe' estimates one static coefficient: use --estimand simple."
            )
        res = twfe(panel, weighted=weighted)
        z = _z(level)
        return {
            **head,
            "estimate": res.estimate,
            "se": res.se,
            "level": level,
            "lower": res.estimate - z * res.se,
            "upper": res.estimate + z * res.se,
            "notes": list(panel.notes),
        }
    if method == "sa":
        if estimand != "eventstudy":
            raise ValueError("method 'sa' is an event-study estimator: use --estimand eventstudy.")
        agg = sun_abraham(
            panel,
            control=control or "never",
            weighted=weighted,
            event_times=event_times,
            bootstrap=bootstrap,
            seed=seed,
            level=level,
        )
        return {
            **head,
            "control": control or "never",
            **_aggregate_dict(agg),
            "notes": list(panel.notes),
        }
    fit = fit_group_time(panel, control=control or "never", base=base, weighted=weighted)
    agg = aggregate_fit(
        fit, estimand, event_times=event_times, bootstrap=bootstrap, seed=seed, level=level
    )
    return {
        **head,
        "control": control or "never",
        "base": base,
        **_aggregate_dict(agg),
        "notes": list(fit.notes),
    }
