"""Callaway & Sant'Anna (2021) group-time average treatment effects, unconditional.

Callaway, B. and Sant'Anna, P. H. C. (2021). "Difference-in-Differences with multiple time
periods." *Journal of Econometrics* 225(2), 200-230.

For a cohort ``g`` (units first treated in ``g``) and a period ``t``, ATT(g, t) is the 2x2
difference in differences

``mean_{G=g}(Y_t - Y_b) - mean_{control}(Y_t - Y_b)``

(weighted means when the panel has weights), where the base period ``b`` is

* ``g - 1`` for post-treatment periods ``t >= g``;
* for pre-treatment periods ``t < g``: ``t - 1`` with ``base="varying"`` (the default of the R
  package ``did``: pre-period estimates are then one-period placebo changes), or ``g - 1`` with
  ``base="universal"`` (pre-period estimates are then long differences against ``g - 1``, as in
  an event-study regression; the pair ``t = g - 1`` is identically 0 and is omitted).

Controls are the never-treated units (``control="never"``) or the units not yet treated by
``max(t, b)`` — the never treated plus later cohorts, excluding ``g`` itself (``"notyet"``). No
anticipation and no covariates.

Standard errors come from the influence function of each estimate (CS 2021, Theorem 2): with
weights normalised to mean 1, ``n`` units, and ``W_A`` the total weight of a set ``A``,

``psi_i = n w_i [ 1{G_i = g}(dY_i - mu_g) / W_g - 1{i in C}(dY_i - mu_C) / W_C ]``,

``se = sqrt(sum_i psi_i^2) / n``. Everything is computed from cohort-level sums (``bincount`` /
``reduceat`` over units sorted by cohort), so the cost is linear in the panel size with no loop over
units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from .bootstrap import multiplier_blocks, sup_t_critical_value
from .panel import FloatArray, IntArray, StaggeredPanel
from .results import GroupTimeEffects

CONTROLS = ("never", "notyet")
BASES = ("varying", "universal")
# Columns of dY processed at once when accumulating second moments (bounds memory).
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class CSFit:
    """Everything the aggregations need; internal to the package.

    Units are sorted by group; groups ``0 .. H-1`` are the treated cohorts in ascending order and
    group ``H`` (when present) the never treated.
    """

    y: FloatArray  # (n, T) outcomes, units sorted by group
    w: FloatArray  # (n,) weights normalised to mean 1
    group: IntArray  # (n,) group of each sorted unit
    starts: IntArray  # (G,) first row of each group
    group_cohort_idx: IntArray  # (G,) period index of each group's cohort (T for never)
    cohort_values: IntArray  # (H,) cohort periods
    periods: IntArray
    w_group: FloatArray  # (G,) total weight per group
    pair_group: IntArray  # (K,) treated group of each ATT(g, t)
    pair_t: IntArray  # (K,) period index t
    pair_b: IntArray  # (K,) period index of the base
    control: npt.NDArray[np.bool_]  # (K, G) control membership
    w_control: FloatArray  # (K,)
    mu_treated: FloatArray  # (K,)
    mu_control: FloatArray  # (K,)
    att: FloatArray  # (K,)
    se: FloatArray  # (K,)
    baseline: FloatArray  # (K,) treated mean outcome in the base period
    notes: tuple[str, ...]

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.y.shape[0])

    @property
    def p_group(self) -> FloatArray:
        """Weighted share of units in each group, ``mean_i(w_i 1{G_i = g})``."""
        return self.w_group / self.n


def fit_group_time(
    panel: StaggeredPanel, *, control: str = "never", base: str = "varying", weighted: bool = False
) -> CSFit:
    """Compute ATT(g, t), their analytic standard errors and the cohort-level sums.

    Parameters
    ----------
    panel : StaggeredPanel
    control : {"never", "notyet"}
    base : {"varying", "universal"}
    weighted : bool, default False
        Weight units by ``panel.weights`` (which must be constant within unit).

    Returns
    -------
    CSFit

    Raises
    ------
    ValueError
        On unknown options, no never-treated units with ``control="never"``, or no ATT(g, t)
        with a non-empty control group.
    """
    if control not in CONTROLS:
        raise ValueError(f"control must be one of {CONTROLS}, not {control!r}.")
    if weighted and panel.weights is None:
        raise ValueError("weighted=True but the panel has no weights.")
    if base not in BASES:
        raise ValueError(f"base must be one of {BASES}, not {base!r}.")
    periods = panel.periods
    n_t = periods.size
    cohort = panel.cohort
    never = ~np.isfinite(cohort)
    if control == "never" and not never.any():
        raise ValueError(
            "control='never' but no unit is never treated; use control='notyet' (or the "
            "last-treated cohort as controls)."
        )
    cohort_values = np.unique(cohort[~never]).astype(np.int64)
    n_h = cohort_values.size
    has_never = bool(never.any())
    n_g = n_h + int(has_never)
    grp = np.where(never, n_h, np.searchsorted(cohort_values, np.where(never, 0, cohort)))
    order = np.argsort(grp, kind="stable")
    group = grp[order].astype(np.int64)
    y = np.ascontiguousarray(panel.outcome[order], dtype=np.float64)
    w_raw = panel.unit_weights[order] if weighted else np.ones(order.size)
    w = w_raw / w_raw.mean()
    counts = np.bincount(group, minlength=n_g)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    group_cohort_idx = np.concatenate(
        (cohort_values - periods[0], np.full(int(has_never), n_t))
    ).astype(np.int64)

    w_group = np.bincount(group, weights=w, minlength=n_g).astype(np.float64)
    s_y = np.add.reduceat(w[:, None] * y, starts, axis=0)  # (G, T)
    w2 = w * w
    r_group = np.bincount(group, weights=w2, minlength=n_g).astype(np.float64)

    # Enumerate the ATT(g, t): loops over cohorts and periods only.
    pg_list, pt_list, pb_list = [], [], []
    for j in range(n_h):
        gi = int(group_cohort_idx[j])
        # The first period has no previous period: it enters only as a universal-base pre-period.
        for ti in range(0 if base == "universal" else 1, n_t):
            if ti >= gi:
                bi = gi - 1
            elif base == "varying":
                bi = ti - 1
            else:
                bi = gi - 1
                if ti == bi:
                    continue
            pg_list.append(j)
            pt_list.append(ti)
            pb_list.append(bi)
    pair_group = np.array(pg_list, dtype=np.int64)
    pair_t = np.array(pt_list, dtype=np.int64)
    pair_b = np.array(pb_list, dtype=np.int64)

    gidx = np.arange(n_g)
    if control == "never":
        ctrl = np.broadcast_to(gidx == n_h, (pair_group.size, n_g)).copy()
    else:
        last = np.maximum(pair_t, pair_b)
        ctrl = (group_cohort_idx[None, :] > last[:, None]) & (gidx[None, :] != pair_group[:, None])
    w_control = ctrl.astype(np.float64) @ w_group
    notes: list[str] = list(panel.notes)
    ok = w_control > 0
    if not ok.all():
        notes.append(
            f"{int((~ok).sum())} ATT(g, t) have no not-yet-treated control units and were "
            "not estimated."
        )
        pair_group, pair_t, pair_b, ctrl, w_control = (
            pair_group[ok],
            pair_t[ok],
            pair_b[ok],
            ctrl[ok],
            w_control[ok],
        )
    if pair_group.size == 0:
        raise ValueError("no ATT(g, t) can be estimated: no period has a control group.")

    ds = s_y[:, pair_t] - s_y[:, pair_b]  # (G, K) weighted sums of dY per group
    wg = w_group[pair_group]
    mu_t = ds[pair_group, np.arange(pair_group.size)] / wg
    mu_c = (ds * ctrl.T).sum(axis=0) / w_control
    att = mu_t - mu_c
    baseline = s_y[pair_group, pair_b] / wg

    # Second moments per group for the variance: sum w^2 dY and sum w^2 dY^2, chunked.
    n_k = pair_group.size
    var = np.empty(n_k)
    chunk = max(1, _CHUNK_CELLS // max(1, y.shape[0]))
    for lo in range(0, n_k, chunk):
        hi = min(n_k, lo + chunk)
        dy = y[:, pair_t[lo:hi]] - y[:, pair_b[lo:hi]]
        q1 = np.add.reduceat(w2[:, None] * dy, starts, axis=0)
        q2 = np.add.reduceat(w2[:, None] * dy * dy, starts, axis=0)
        k = np.arange(lo, hi)
        g = pair_group[lo:hi]
        m_t, m_c = mu_t[lo:hi], mu_c[lo:hi]
        cm = ctrl[lo:hi].T.astype(np.float64)  # (G, c)
        v_t = (q2[g, k - lo] - 2 * m_t * q1[g, k - lo] + m_t**2 * r_group[g]) / wg[lo:hi] ** 2
        v_c = (
            (q2 * cm).sum(axis=0) - 2 * m_c * (q1 * cm).sum(axis=0) + m_c**2 * (r_group @ cm)
        ) / w_control[lo:hi] ** 2
        var[lo:hi] = v_t + v_c
    se = np.sqrt(np.maximum(var, 0.0))

    return CSFit(
        y=y,
        w=w,
        group=group,
        starts=starts,
        group_cohort_idx=group_cohort_idx,
        cohort_values=cohort_values,
        periods=periods,
        w_group=w_group,
        pair_group=pair_group,
        pair_t=pair_t,
        pair_b=pair_b,
        control=ctrl,
        w_control=w_control,
        mu_treated=mu_t,
        mu_control=mu_c,
        att=att,
        se=se,
        baseline=baseline,
        notes=tuple(notes),
    )


def group_time_draws(
    fit: CSFit, *, reps: int, multiplier: str = "rademacher", seed: int | None = None
) -> FloatArray:
    """Multiplier-bootstrap draws of ATT*(g, t) - ATT(g, t) for every pair, shape (reps, K).

    ``sum_i xi_i psi_i / n`` for ATT(g, t) only needs, per group ``h``, the multiplier-weighted
    sums ``Z_h(t) = sum_{i in h} xi_i w_i Y_it`` and ``X_h = sum_{i in h} xi_i w_i``:

    ``[Z_g(t) - Z_g(b) - mu_g X_g] / W_g - sum_{h in C} [Z_h(t) - Z_h(b) - mu_C X_h] / W_C``,

    so the influence functions (n × K, too large for an officer-month panel) are never formed.
    With the same seed the draws equal :func:`.bootstrap.bootstrap_draws` on those influence
    functions.
    """
    k_idx = np.arange(fit.att.size)
    ends = np.append(fit.starts[1:], fit.n)
    wy = fit.w[:, None] * fit.y
    ctrl = fit.control.astype(np.float64)  # (K, G)
    wg = fit.w_group[fit.pair_group]
    out = np.empty((reps, fit.att.size))
    for lo, hi, xi in multiplier_blocks(fit.n, reps=reps, multiplier=multiplier, seed=seed):
        z = np.stack(
            [xi[:, s:e] @ wy[s:e] for s, e in zip(fit.starts, ends, strict=True)], axis=1
        )  # (b, G, T)
        x = np.stack([xi[:, s:e] @ fit.w[s:e] for s, e in zip(fit.starts, ends, strict=True)], 1)
        # Sub-blocks of draws keep the (draws, G, K) array within _CHUNK_CELLS.
        step = max(1, _CHUNK_CELLS // (ctrl.size or 1))
        for s0 in range(0, hi - lo, step):
            s1 = min(hi - lo, s0 + step)
            dz = z[s0:s1][:, :, fit.pair_t] - z[s0:s1][:, :, fit.pair_b]  # (b, G, K)
            xs = x[s0:s1]
            treated = (dz[:, fit.pair_group, k_idx] - fit.mu_treated * xs[:, fit.pair_group]) / wg
            control = (
                np.einsum("bgk,kg->bk", dz, ctrl) - fit.mu_control * (xs @ ctrl.T)
            ) / fit.w_control
            out[lo + s0 : lo + s1] = treated - control
    return out


def callaway_santanna(
    panel: StaggeredPanel,
    *,
    control: str = "never",
    base: str = "varying",
    weighted: bool = False,
    bootstrap: int = 0,
    multiplier: str = "rademacher",
    seed: int | None = None,
    level: float = 0.95,
) -> GroupTimeEffects:
    """Estimate every group-time average treatment effect ATT(g, t).

    Parameters
    ----------
    panel : StaggeredPanel
        Balanced panel; weights, if any, must be constant within unit.
    control : {"never", "notyet"}, default "never"
        Comparison units: never treated, or not yet treated (never treated plus later cohorts).
    base : {"varying", "universal"}, default "varying"
        Base period for pre-treatment ATT(g, t); see the module docstring.
    weighted : bool, default False
        Weight units by ``panel.weights``.
    bootstrap : int, default 0
        Multiplier-bootstrap draws for a uniform band over all ATT(g, t) (0: pointwise band).
    multiplier : {"rademacher", "mammen"}
    seed : int, optional
    level : float, default 0.95

    Returns
    -------
    GroupTimeEffects
        One row per (g, t) with analytic standard errors. Aggregate with
        :func:`steadyhand.analytics.staggered.aggregate.aggregate`.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, not {level}.")
    fit = fit_group_time(panel, control=control, base=base, weighted=weighted)
    p0 = fit.periods[0]
    crit = float(norm.ppf(0.5 + level / 2))
    if bootstrap > 0:
        draws = group_time_draws(fit, reps=bootstrap, multiplier=multiplier, seed=seed)
        crit = sup_t_critical_value(draws, fit.se, level)
    return GroupTimeEffects(
        cohort=fit.cohort_values[fit.pair_group],
        period=fit.pair_t + p0,
        base_period=fit.pair_b + p0,
        att=fit.att,
        se=fit.se,
        lower=fit.att - crit * fit.se,
        upper=fit.att + crit * fit.se,
        uniform=bootstrap > 0,
        critical_value=crit,
        level=level,
        control=control,
        base=base,
        notes=fit.notes,
    )
