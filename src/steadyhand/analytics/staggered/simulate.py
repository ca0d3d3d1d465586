"""Simulated staggered roll-out panels with a known treatment effect (for tests and benchmarks)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .panel import NEVER_TREATED, FloatArray, StaggeredPanel

#: ``effect(cohort, event_time)`` -> effect, vectorised over arrays.
EffectFn = Callable[[FloatArray, FloatArray], FloatArray]


def constant_effect(tau: float) -> EffectFn:
    """The same effect ``tau`` for every cohort and every period after adoption."""

    def effect(cohort: FloatArray, event_time: FloatArray) -> FloatArray:
        return np.full(np.broadcast(cohort, event_time).shape, tau)

    return effect


def simulate_panel(
    *,
    n_units: int,
    n_periods: int,
    cohorts: Sequence[int],
    never_share: float,
    effect: EffectFn,
    seed: int,
    noise_sd: float = 1.0,
) -> StaggeredPanel:
    """Draw a balanced panel ``y_it = a_i + l_t + effect(g_i, t - g_i) 1{t >= g_i} + e_it``.

    Periods are ``1 .. n_periods``. Unit effects are correlated with the cohort (earlier cohorts
    start higher) and period effects follow a trend with a shock, so a naive treated-vs-untreated
    comparison is biased while parallel trends hold exactly.

    Parameters
    ----------
    n_units, n_periods : int
    cohorts : sequence of int
        Adoption periods, drawn with equal probability among the treated.
    never_share : float
        Probability that a unit is never treated.
    effect : callable
        ``effect(cohort, event_time)`` for ``event_time >= 0``.
    seed : int
    noise_sd : float, default 1.0

    Returns
    -------
    StaggeredPanel
    """
    rng = np.random.default_rng(seed)
    periods = np.arange(1, n_periods + 1, dtype=np.int64)
    treated = rng.random(n_units) >= never_share
    cohort = np.where(treated, rng.choice(np.asarray(cohorts, dtype=np.float64), n_units), np.inf)
    order = np.argsort(np.where(np.isfinite(cohort), cohort, 0.0))
    rank = np.empty(n_units)
    rank[order] = np.linspace(1.0, 0.0, n_units)
    alpha = rng.normal(size=n_units) + rank
    lam = 0.05 * periods + np.where(periods > n_periods // 2, 0.5, 0.0)
    ev = periods[None, :] - cohort[:, None]
    post = ev >= 0
    tau = np.where(
        post, effect(np.broadcast_to(cohort[:, None], ev.shape), np.where(post, ev, 0)), 0
    )
    y = alpha[:, None] + lam[None, :] + tau + noise_sd * rng.normal(size=(n_units, n_periods))
    units = np.array([f"u{i}" for i in range(n_units)])
    for a in (units, periods, y, cohort):
        a.setflags(write=False)
    return StaggeredPanel(
        units=units,
        periods=periods,
        outcome=y,
        cohort=np.where(np.isfinite(cohort), cohort, NEVER_TREATED),
        weights=None,
        treatment=None,
        notes=(),
    )


def true_event_study(
    panel: StaggeredPanel, effect: EffectFn, event_times: Sequence[int]
) -> FloatArray:
    """Cohort-share-weighted true effect at each event time (the event-study estimand)."""
    cohort = panel.cohort[np.isfinite(panel.cohort)]
    last = int(panel.periods[-1])
    out = np.empty(len(event_times))
    for k, e in enumerate(event_times):
        g = cohort[cohort + e <= last]
        out[k] = float(effect(g, np.full(g.shape, float(e))).mean()) if e >= 0 else 0.0
    return out
