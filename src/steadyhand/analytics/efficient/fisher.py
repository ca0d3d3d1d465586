r"""Fisher randomization test for a staggered roll-out with random timing.

Under the sharp null of no effect for any unit in any period, every unit's outcome path is the
same whichever wave it was assigned to, so re-drawing the assignment (same cohort sizes, within
strata if the roll-out was stratified) and recomputing the statistic traces out its exact
randomization distribution. Following Roth & Sant'Anna (2023, section 5) the statistic is the
studentized efficient estimate :math:`t = \hat\theta_{\hat\beta} / \widehat{se}`, which makes the
test also asymptotically valid for the weak null of a zero average effect. Permuting units
across cohorts is the same as permuting rows of the outcome matrix with the cohort blocks held
fixed, so each draw costs one pass of :func:`.moments.functional_moments`.

References
----------
.. [1] Roth, J. & Sant'Anna, P. H. C. (2023). Efficient estimation for staggered rollout
   designs. *Journal of Political Economy Microeconomics*, 1(4), 669-709.
.. [2] Fisher, R. A. (1935). *The Design of Experiments*. Oliver & Boyd.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .estimator import NeverTreated, Xhat, _betas, _prepare, _target_stats
from .moments import functional_moments, project_units, projected_moments
from .panel import RolloutPanel

__all__ = ["FisherResult", "fisher_test"]


@dataclass(frozen=True)
class FisherResult:
    """Result of :func:`fisher_test`.

    Attributes
    ----------
    p_value : float
        (1 + number of re-randomizations with |t*| >= |t|) / (1 + N).
    statistic : float
        The observed studentized estimate :math:`t`.
    estimate, se : float
        The observed efficient estimate and its standard error.
    n_permutations : int
        Number of re-randomizations drawn.
    seed : int
        Seed of the generator that drew them.
    stratified : bool
        Whether assignments were permuted within strata.
    """

    p_value: float
    statistic: float
    estimate: float
    se: float
    n_permutations: int
    seed: int
    stratified: bool


def fisher_test(
    panel: RolloutPanel,
    estimand: str = "simple",
    *,
    event_times: list[int] | tuple[int, ...] | range | None = None,
    never_treated: NeverTreated = "include",
    xhat: Xhat = "did",
    n_permutations: int = 1000,
    seed: int = 0,
    strata: ArrayLike | None = None,
) -> FisherResult:
    """Randomization p-value for "the roll-out had no effect".

    Parameters
    ----------
    panel : RolloutPanel
        Balanced panel with each unit's first treated period.
    estimand, event_times, never_treated, xhat
        As in :func:`.estimator.efficient_estimate`; for event studies the statistic is that of
        the average over the event times.
    n_permutations : int, default 1000
        Number of re-randomizations (at least 1).
    seed : int, default 0
        Seed for ``numpy.random.default_rng``; the same seed gives the same p-value.
    strata : array_like, shape (n_units,), optional
        Randomization strata (e.g. the district a squad belongs to when waves were drawn
        within districts); assignments are permuted only within each stratum.

    Returns
    -------
    FisherResult

    Raises
    ------
    ValueError
        On invalid arguments (see also :func:`.estimator.efficient_estimate`).
    """
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, Integral):
        raise ValueError(f"n_permutations must be a positive integer; got {n_permutations!r}.")
    if n_permutations < 1:
        raise ValueError(f"n_permutations must be at least 1; got {n_permutations}.")
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}.")
    design = _prepare(panel, estimand, event_times, never_treated, xhat)
    r = design.n_targets - 1
    y = panel.outcomes[design.order]
    groups: list[NDArray[np.intp]] = [np.arange(len(design.order))]
    if strata is not None:
        s = np.asarray(strata)
        if s.shape != (panel.n_units,):
            raise ValueError(
                f"strata must have one entry per unit ({panel.n_units}); got shape {s.shape}."
            )
        _, codes = np.unique(s[design.order], return_inverse=True)
        groups = [np.flatnonzero(codes == c) for c in range(int(codes.max()) + 1)]

    m = design.functionals.shape[0]
    # Project once when the projections fit in ~256 MiB; otherwise regroup the outcomes.
    active_total = int(np.any(design.functionals != 0.0, axis=2).sum())
    projections = (
        project_units(y, design.functionals) if y.shape[0] * active_total <= 2**25 else None
    )

    def studentized(rows: NDArray[np.intp]) -> tuple[float, float, float]:
        if projections is not None:
            values, cov = projected_moments(projections, design.bounds, rows, m)
        else:
            values, cov = functional_moments(y[rows], design.bounds, design.functionals)
        b = _betas(cov, design, None)[r]
        est, var, *_ = _target_stats(values, cov, design, r, b)
        se = math.sqrt(var)
        return (est / se if se > 0 else math.copysign(math.inf, est) if est else 0.0), est, se

    perm = np.arange(len(design.order))
    t_obs, est, se = studentized(perm.copy())
    rng = np.random.default_rng(int(seed))
    exceed = 0
    for _ in range(int(n_permutations)):
        for grp in groups:
            perm[grp] = grp[rng.permutation(len(grp))]
        t_star, _, _ = studentized(perm)
        exceed += abs(t_star) >= abs(t_obs) - 1e-12 * max(1.0, abs(t_obs))
    return FisherResult(
        # Counting the observed assignment as one of the draws keeps the test valid (never
        # below 1 / (N + 1)) at any number of permutations.
        p_value=(1 + exceed) / (1 + int(n_permutations)),
        statistic=t_obs,
        estimate=est,
        se=se,
        n_permutations=int(n_permutations),
        seed=int(seed),
        stratified=strata is not None,
    )
