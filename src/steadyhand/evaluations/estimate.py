"""Run the requested estimator on a panel and shape the result for storage and pages.

Pure functions of the panel (no database), so that the same panel always gives the same stored
result: that is what a re-run checks.
"""

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from steadyhand.analytics.efficient.panel import RolloutPanel
from steadyhand.analytics.efficient.run import summarise_efficient
from steadyhand.analytics.its import interrupted_time_series
from steadyhand.analytics.staggered.panel import StaggeredPanel
from steadyhand.analytics.staggered.run import summarise_staggered
from steadyhand.evaluations.models import Method
from steadyhand.evaluations.panels import EvaluationPanel, month_label

Progress = Callable[[int, int | None, str], None]
# Event-study estimates before the wave (a check of parallel trends) are kept this far back.
PRE_WAVE_MONTHS_SHOWN = 12


def _never(panel: EvaluationPanel) -> int:
    return int(np.isinf(panel.first_treated).sum())


def trend(panel: EvaluationPanel) -> dict[str, Any]:
    """Mean count per unit and month, for units already treated and units not yet treated."""
    months = np.array(panel.months)
    treated = months[None, :] >= panel.first_treated[:, None]
    rows = []
    for j, month in enumerate(panel.months):
        column = panel.counts[:, j]
        on = treated[:, j]
        rows.append(
            {
                "month": month_label(month),
                "treated_units": int(on.sum()),
                "treated_mean": float(column[on].mean()) if on.any() else None,
                "untreated_units": int((~on).sum()),
                "untreated_mean": float(column[~on].mean()) if (~on).any() else None,
            }
        )
    return {"rows": rows}


def estimate(
    panel: EvaluationPanel,
    *,
    method: str,
    fisher: int,
    seed: int,
    progress: Progress,
) -> dict[str, Any]:
    """The overall effect, the event study over every identified event time, and (efficient
    only) the Fisher randomization test."""
    total = 3
    if method == Method.EFFICIENT:
        rollout = RolloutPanel.from_arrays(
            panel.counts,
            panel.first_treated,
            periods=np.array(panel.months, dtype=np.float64),
            units=np.array(panel.unit_labels),
        )
        progress(1, total, "Estimating the overall effect")
        overall = summarise_efficient(rollout, estimand="simple", fisher=fisher, seed=seed)
        progress(2, total, "Estimating the event study")
        study = summarise_efficient(rollout, estimand="eventstudy")
    else:
        columns = panel.long_columns()
        staggered = StaggeredPanel.from_long(
            unit=columns["unit"],
            time=columns["time"],
            outcome=columns["outcome"],
            cohort=columns["cohort"],
        )
        control = "notyet" if method == Method.CS else None
        progress(1, total, "Estimating the overall effect")
        if method == Method.SA:
            overall = summarise_staggered(staggered, method="sa", estimand="eventstudy")
            study = overall
        else:
            overall = summarise_staggered(
                staggered, method=method, estimand="simple", control=control
            )
            progress(2, total, "Estimating the event study")
            study = (
                summarise_staggered(
                    staggered,
                    method="cs",
                    estimand="eventstudy",
                    control="notyet",
                )
                if method == Method.CS
                else {}
            )
    progress(3, total, "Summarising")
    return {
        "overall": _clean(overall),
        "event_study": _clean(
            [r for r in study.get("event_study", []) if r["event_time"] >= -PRE_WAVE_MONTHS_SHOWN]
        ),
        "n_units": len(panel.unit_labels),
        "n_months": len(panel.months),
        "never_treated_units": _never(panel),
        "first_month": month_label(panel.months[0]),
        "last_month": month_label(panel.months[-1]),
        "total_events": int(panel.counts.sum()),
        "cohorts": _cohorts(panel),
        "trend": trend(panel),
    }


def _cohorts(panel: EvaluationPanel) -> list[dict[str, Any]]:
    values, sizes = np.unique(panel.first_treated, return_counts=True)
    return [
        {"first_month": None if np.isinf(v) else month_label(int(v)), "units": int(n)}
        for v, n in zip(values, sizes, strict=True)
    ]


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinity become None, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def estimate_its(
    months: tuple[int, ...], counts: np.ndarray, *, intervention_month: int, progress: Progress
) -> dict[str, Any]:
    """Segmented regression of the agency's monthly counts around the first wave."""
    progress(1, 3, "Fitting the segmented regression")
    pre = intervention_month - months[0]
    # Month-of-year effects need two years before; with less, two Fourier harmonics.
    seasonality = "month" if pre >= 24 else "fourier"
    result = interrupted_time_series(
        counts,
        pre,
        months=[m % 12 + 1 for m in months],
        seasonality=seasonality,  # type: ignore[arg-type]
    )
    progress(2, 3, "Summarising")
    return _clean(
        {
            "overall": {
                "estimate": result.effect_at_end,
                "lower": result.effect_at_end_lower,
                "upper": result.effect_at_end_upper,
                "percent": 100 * (result.effect_at_end - 1),
                "percent_lower": 100 * (result.effect_at_end_lower - 1),
                "percent_upper": 100 * (result.effect_at_end_upper - 1),
                "level_change": result.level_change,
                "level_change_lower": result.level_change_lower,
                "level_change_upper": result.level_change_upper,
                "slope_change": result.slope_change,
                "model": result.model,
                "seasonality": seasonality,
            },
            "event_study": [],
            "n_units": 1,
            "n_months": len(months),
            "never_treated_units": 0,
            "first_month": month_label(months[0]),
            "last_month": month_label(months[-1]),
            "total_events": int(counts.sum()),
            "cohorts": [{"first_month": month_label(intervention_month), "units": 1}],
            "series": [
                {
                    "month": month_label(m),
                    "observed": float(c),
                    "fitted": float(f),
                    "counterfactual": float(cf),
                }
                for m, c, f, cf in zip(
                    months, counts, result.fitted, result.counterfactual, strict=True
                )
            ],
        }
    )
