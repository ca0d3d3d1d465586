"""Two-way fixed effects ("static TWFE") difference in differences.

``y_it = alpha_i + lambda_t + beta * d_it + e_it``, estimated by the within transformation and
with standard errors clustered by unit. Kept as the familiar benchmark: with staggered adoption
and effects that change over time, ``beta`` is a weighted average of 2x2 comparisons some of which
use already-treated units as controls, and can be far from any average treatment effect
(Goodman-Bacon 2021, *J. Econometrics* 225(2)). Prefer :mod:`.callaway_santanna` or
:mod:`.sun_abraham` for such designs.
"""

from __future__ import annotations

import numpy as np

from .panel import FloatArray, StaggeredPanel
from .results import TWFEResult


def two_way_demean(
    x: FloatArray, weights: FloatArray | None = None, *, tol: float = 1e-13, max_iter: int = 10_000
) -> FloatArray:
    """Remove unit and period effects from a balanced (n, T) array.

    Unweighted, the projection is exact in one step: ``x - row mean - column mean + grand mean``.
    Weighted, the weighted projection onto the two sets of dummies has no closed form; it is
    computed by alternating projections (Guimarães & Portugal 2010, *Stata Journal* 10(4)), which
    converge to it, until the largest change is below ``tol`` times the scale of ``x``.

    Parameters
    ----------
    x : ndarray, shape (n, T)
    weights : ndarray, shape (n, T), optional

    Returns
    -------
    ndarray, shape (n, T)
        The residual of the (weighted) least-squares projection of ``x`` on unit and period
        dummies.

    Raises
    ------
    ValueError
        If ``weights`` is not of ``x``'s shape or not finite and positive.
    RuntimeError
        If the alternating projections do not converge within ``max_iter`` steps.
    """
    if weights is None:
        return x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + x.mean()
    w = weights
    if w.shape != x.shape or not (np.isfinite(w) & (w > 0)).all():
        raise ValueError("weights must be finite, positive and of the outcome's shape.")
    w_row = w.sum(axis=1, keepdims=True)
    w_col = w.sum(axis=0, keepdims=True)
    r = x.copy()
    scale = max(float(np.abs(x).max()), 1.0)
    for _ in range(max_iter):
        r -= (w * r).sum(axis=1, keepdims=True) / w_row
        step = (w * r).sum(axis=0, keepdims=True) / w_col
        r -= step
        if float(np.abs(step).max()) < tol * scale:
            return r
    raise RuntimeError("alternating projections did not converge; check the weights.")


def twfe(panel: StaggeredPanel, *, weighted: bool = False) -> TWFEResult:
    """Estimate the static two-way fixed effects coefficient on treatment.

    Parameters
    ----------
    panel : StaggeredPanel
        Balanced panel. Treatment is ``panel.treated`` (the supplied indicator, or
        ``period >= cohort``).
    weighted : bool, default False
        Weight observations by ``panel.weights`` (weighted least squares).

    Returns
    -------
    TWFEResult
        Coefficient and cluster-robust (by unit) standard error. The variance is the CR1
        sandwich with Stata's small-sample factor ``G/(G-1) * (N-1)/(N-K)``, ``K = T + 1``
        (treatment, ``T - 1`` period effects and the intercept; the unit effects are nested
        within the clusters and not counted, as in ``xtreg, fe vce(cluster)``/``reghdfe``).

    Raises
    ------
    ValueError
        If ``weighted`` and the panel has no weights, or treatment does not vary after
        removing the fixed effects.
    """
    if weighted and panel.weights is None:
        raise ValueError("weighted=True but the panel has no weights.")
    w = panel.weights if weighted else None
    y = two_way_demean(panel.outcome, w)
    d = two_way_demean(panel.treated, w)
    ww = np.ones_like(y) if w is None else w
    sxx = float((ww * d * d).sum())
    if sxx <= 1e-12 * d.size:
        raise ValueError("treatment has no variation left after unit and period effects.")
    beta = float((ww * d * y).sum()) / sxx
    resid = y - beta * d
    scores = (ww * d * resid).sum(axis=1)
    n_clusters, n_t = panel.n_units, panel.n_periods
    n_obs = n_clusters * n_t
    k = n_t + 1
    factor = n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - k)
    se = float(np.sqrt(factor * (scores**2).sum()) / sxx)
    return TWFEResult(estimate=beta, se=se, n_units=n_clusters, n_periods=n_t, weighted=weighted)
