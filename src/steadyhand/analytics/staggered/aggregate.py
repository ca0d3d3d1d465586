"""Aggregations of group-time effects: the simple, cohort, calendar and event-study estimands.

Definitions follow Callaway & Sant'Anna (2021, *J. Econometrics* 225(2), section 3.1) and Roth,
Sant'Anna, Bilinski & Poe (2023, "What's trending in difference-in-differences?",
*J. Econometrics* 235(2), section 3.3), with ``p_g`` the (weighted) share of units in cohort
``g``:

* ``simple``: ``sum_{t >= g} p_g ATT(g, t) / sum_{t >= g} p_g``;
* ``cohort``: ``theta(g)`` = mean of ATT(g, t) over ``t >= g``; overall
  ``sum_g p_g theta(g) / sum_g p_g``;
* ``calendar``: ``theta(t) = sum_{g <= t} p_g ATT(g, t) / sum_{g <= t} p_g``; overall the mean
  over periods with a treated cohort;
* ``eventstudy``: ``theta(e) = sum_g p_g ATT(g, g + e) / sum_g p_g`` over cohorts observed at
  ``e``; overall the mean of ``theta(e)`` for ``e >= 0`` in the window.

Each aggregate's standard error uses its influence function: the weighted sum of the ATT(g, t)
influence functions plus the term for estimating the shares ``p_g`` (the ``wif`` of the R package
``did``). Uniform bands use the multiplier bootstrap on those influence functions (CS 2021,
Theorem 3 and Algorithm 1): the critical value is the ``level`` quantile of
``max_j |theta*_j - theta_j| / se_j`` with the analytic ``se_j``.

Percent changes (how the Louisville and Camden evaluations report effects on counts): the overall
estimate divided by ``B``, the treated units' mean outcome in the base period of each ATT(g, t),
averaged with the same weights as the estimate (``g - 1`` for post-treatment effects) — the level
the treated would have kept absent both treatment and the common trend. The interval is
``100 (theta / B +- z se)``, ``se`` from the delta-method influence function
``psi_theta / B - theta psi_B / B^2``, which accounts for ``B`` being estimated from the same
units. It is meaningful for counts and rates, not for outcomes already in logs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from .bootstrap import MULTIPLIERS, bootstrap_draws, sup_t_critical_value
from .callaway_santanna import CSFit
from .panel import FloatArray, IntArray
from .results import Aggregate

ESTIMANDS = ("simple", "cohort", "calendar", "eventstudy")


@dataclass(frozen=True)
class _Component:
    label: int
    items: IntArray  # indices of ATT(g, t)
    share_weighted: bool  # p_g weights (estimated) instead of equal weights


def _coefficients(fit: CSFit, comps: list[_Component]) -> FloatArray:
    """Coefficient of each ATT(g, t) in each component, shape (m, K)."""
    p = fit.p_group
    out = np.zeros((len(comps), fit.att.size))
    for r, c in enumerate(comps):
        if c.share_weighted:
            pk = p[fit.pair_group[c.items]]
            out[r, c.items] = pk / pk.sum()
        else:
            out[r, c.items] = 1.0 / c.items.size
    return out


def _linear_if(fit: CSFit, coef: FloatArray, *, baseline: bool) -> FloatArray:
    """Influence functions of fixed linear combinations of the ATT(g, t), shape (n, m).

    Each ATT(g, t) (or treated base-period mean, with ``baseline``) is linear in a unit's outcome
    row with coefficients that depend only on the unit's group, so the combination's influence
    function is ``n w_i (Y_i . K[h_i] - c[h_i])``: one matrix product per group.
    """
    n_g = fit.w_group.size
    n_t = fit.y.shape[1]
    m = coef.shape[0]
    onehot = (fit.pair_group[None, :] == np.arange(n_g)[:, None]).astype(np.float64)
    wg = fit.w_group[fit.pair_group]
    if baseline:
        phi = onehot / wg
        psi = onehot * fit.baseline / wg
    else:
        ctrl = fit.control.T.astype(np.float64)
        phi = onehot / wg - ctrl / fit.w_control
        psi = onehot * fit.mu_treated / wg - ctrl * fit.mu_control / fit.w_control
    kmat = np.zeros((m, n_g, n_t))
    cvec = np.zeros((m, n_g))
    for r in range(m):
        nz = np.flatnonzero(coef[r])
        a = coef[r, nz]
        e = np.zeros((nz.size, n_t))
        rows = np.arange(nz.size)
        if baseline:
            e[rows, fit.pair_b[nz]] = 1.0
        else:
            e[rows, fit.pair_t[nz]] = 1.0
            e[rows, fit.pair_b[nz]] = -1.0
        kmat[r] = (phi[:, nz] * a) @ e
        cvec[r] = psi[:, nz] @ a
    out = np.empty((fit.n, m))
    ends = np.append(fit.starts[1:], fit.n)
    for h in range(n_g):
        sl = slice(int(fit.starts[h]), int(ends[h]))
        out[sl] = fit.y[sl] @ kmat[:, h, :].T - cvec[:, h]
    out *= fit.n * fit.w[:, None]
    return out


def _share_if(fit: CSFit, values: FloatArray, item_groups: IntArray) -> FloatArray:
    """Influence function from estimating the ``p_g`` weights of a share-weighted average.

    For ``theta = sum_k p_{g_k} v_k / P``, ``P = sum_k p_{g_k}``, the term is ``w_i alpha[G_i]``
    with ``alpha[h] = sum_k v_k (1{g_k = h} / P - p_{g_k} m_h / P^2)``, ``m_h`` the number of
    items of group ``h``.
    """
    n_g = fit.w_group.size
    p = fit.p_group
    total = p[item_groups].sum()
    m_h = np.bincount(item_groups, minlength=n_g)
    alpha = (
        np.bincount(item_groups, weights=values, minlength=n_g) / total
        - float((values * p[item_groups]).sum()) * m_h / total**2
    )
    return np.asarray(fit.w * alpha[fit.group])


def _components(fit: CSFit, estimand: str, event_times: tuple[int, int] | None) -> list[_Component]:
    gi = fit.group_cohort_idx[fit.pair_group]
    post = fit.pair_t >= gi
    if estimand == "simple":
        return [_Component(0, np.flatnonzero(post), True)]
    p0 = int(fit.periods[0])
    comps: list[_Component] = []
    if estimand == "cohort":
        for j, g in enumerate(fit.cohort_values):
            items = np.flatnonzero(post & (fit.pair_group == j))
            if items.size:
                comps.append(_Component(int(g), items, False))
    elif estimand == "calendar":
        for ti in np.unique(fit.pair_t[post]):
            comps.append(_Component(int(ti) + p0, np.flatnonzero(post & (fit.pair_t == ti)), True))
    else:
        ev = fit.pair_t - gi
        lo, hi = (int(ev.min()), int(ev.max())) if event_times is None else event_times
        for e in range(lo, hi + 1):
            items = np.flatnonzero(ev == e)
            if items.size:
                comps.append(_Component(e, items, True))
        if not comps:
            raise ValueError(f"no ATT(g, t) has an event time in [{lo}, {hi}].")
    return comps


def aggregate_fit(
    fit: CSFit,
    estimand: str,
    *,
    event_times: tuple[int, int] | None = None,
    bootstrap: int = 0,
    multiplier: str = "rademacher",
    seed: int | None = None,
    level: float = 0.95,
) -> Aggregate:
    """Aggregate the ATT(g, t) of a fit into one of the four estimands.

    Parameters
    ----------
    fit : CSFit
        From :func:`.callaway_santanna.fit_group_time`.
    estimand : {"simple", "cohort", "calendar", "eventstudy"}
    event_times : (int, int), optional
        Inclusive event-time window for ``eventstudy`` (default: every event time estimated).
    bootstrap : int, default 0
        Number of multiplier-bootstrap draws for a uniform band (0: pointwise normal band).
    multiplier : {"rademacher", "mammen"}
    seed : int, optional
        Seed for the bootstrap.
    level : float, default 0.95

    Returns
    -------
    Aggregate
    """
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {ESTIMANDS}, not {estimand!r}.")
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, not {level}.")
    if bootstrap < 0:
        raise ValueError("bootstrap must be a non-negative number of draws.")
    if multiplier not in MULTIPLIERS:
        raise ValueError(f"multiplier must be one of {MULTIPLIERS}, not {multiplier!r}.")
    if event_times is not None and event_times[0] > event_times[1]:
        raise ValueError(f"event_times {event_times} is empty: the start exceeds the end.")
    comps = _components(fit, estimand, event_times)
    if not comps or all(c.items.size == 0 for c in comps):
        raise ValueError("no post-treatment ATT(g, t) to aggregate.")
    coef = _coefficients(fit, comps)
    est = coef @ fit.att
    base = coef @ fit.baseline
    psi = _linear_if(fit, coef, baseline=False)
    psi_b = _linear_if(fit, coef, baseline=True)
    for r, c in enumerate(comps):
        if c.share_weighted:
            groups = fit.pair_group[c.items]
            psi[:, r] += _share_if(fit, fit.att[c.items], groups)
            psi_b[:, r] += _share_if(fit, fit.baseline[c.items], groups)
    n = fit.n
    ses = np.sqrt((psi**2).sum(axis=0)) / n

    labels = np.array([c.label for c in comps], dtype=np.int64)
    # Overall summary as a combination of the components.
    if estimand == "simple":
        o_est, o_base, o_psi, o_psi_b = est[0], base[0], psi[:, 0], psi_b[:, 0]
    elif estimand == "cohort":
        groups = np.searchsorted(fit.cohort_values, labels).astype(np.int64)
        p = fit.p_group[groups]
        a = p / p.sum()
        o_est, o_base = float(a @ est), float(a @ base)
        o_psi = psi @ a + _share_if(fit, est, groups)
        o_psi_b = psi_b @ a + _share_if(fit, base, groups)
    else:
        sel = labels >= 0 if estimand == "eventstudy" else np.ones(labels.size, dtype=bool)
        if not sel.any():
            raise ValueError("the event-time window holds no post-treatment event time.")
        a = sel / sel.sum()
        o_est, o_base = float(a @ est), float(a @ base)
        o_psi, o_psi_b = psi @ a, psi_b @ a
    o_se = float(np.sqrt((o_psi**2).sum()) / n)

    z = float(norm.ppf(0.5 + level / 2))
    crit, uniform = z, False
    if bootstrap > 0 and labels.size > 1:
        draws = bootstrap_draws(psi, reps=bootstrap, multiplier=multiplier, seed=seed)
        crit = sup_t_critical_value(draws, ses, level)
        uniform = True

    if o_base != 0:
        pct = o_est / o_base
        pct_psi = o_psi / o_base - o_est * o_psi_b / (o_base * o_base)
        pct_se = float(np.sqrt((pct_psi**2).sum()) / n)
        percent = (100 * pct, 100 * (pct - z * pct_se), 100 * (pct + z * pct_se))
    else:
        percent = (math.nan, math.nan, math.nan)
    return Aggregate(
        estimand=estimand,
        estimate=float(o_est),
        se=o_se,
        labels=labels if estimand != "simple" else np.array([], dtype=np.int64),
        estimates=est if estimand != "simple" else np.array([]),
        ses=ses if estimand != "simple" else np.array([]),
        lower=(est - crit * ses) if estimand != "simple" else np.array([]),
        upper=(est + crit * ses) if estimand != "simple" else np.array([]),
        uniform=uniform,
        critical_value=crit,
        level=level,
        percent=percent[0],
        percent_lower=percent[1],
        percent_upper=percent[2],
        baseline=float(o_base),
    )
