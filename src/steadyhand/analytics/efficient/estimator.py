r"""The efficient estimator for staggered roll-outs with random timing.

Roth & Sant'Anna (2023) consider estimators of a target :math:`\theta` (an aggregate of
:math:`ATE(t,g)`, see :mod:`.estimands`) of the form

.. math:: \hat\theta_\beta = \hat\theta_0 - \hat X'\beta,

where :math:`\hat\theta_0` is the plug-in difference of cohort means and :math:`\hat X` are
contrasts of pre-treatment means, which have mean zero when the timing of treatment is random
and there is no anticipation. Every :math:`\beta` gives an unbiased estimator; the variance is
smallest at :math:`\beta^* = Var(\hat X)^{-1} Cov(\hat X, \hat\theta_0)`. The *plug-in efficient*
estimator uses :math:`\hat\beta^*` computed from the cohort sample covariances
(:mod:`.moments`); it is asymptotically as efficient as the oracle. ``beta = 0`` is the
difference of means and (with the scalar ``"did"`` contrast) ``beta = 1`` is Callaway &
Sant'Anna's not-yet-treated estimator.

Variance. Writing :math:`\hat\theta_\beta = \sum_g A_g \bar Y_g`, under completely random
assignment of units to cohorts of fixed sizes (Roth & Sant'Anna 2023, Proposition 2.1; Neyman
1923)

.. math:: Var(\hat\theta_\beta) = \sum_g N_g^{-1} A_g S_g A_g' - N^{-1} S_\theta,

with :math:`S_g` the finite-population covariance of the potential outcome paths under timing
``g`` and :math:`S_\theta` the variance across units of the unit-level effects
:math:`\sum_g A_g Y_i(g)`. The last term is not identified. **We report the Neyman-type
estimate** :math:`\sum_g N_g^{-1} A_g \hat S_g A_g'`, which drops it: conservative in the
design-based (finite population) view -- exact when effects are homogeneous -- and consistent
for the variance when units are viewed as a random sample from a super-population. The
paper's refined estimator, which subtracts an estimated lower bound of :math:`S_\theta`, is not
implemented. Note that the heterogeneity term does not involve :math:`\hat X` (its unit-level
analogue is identically zero under no anticipation), so :math:`\hat\beta^*` is the same
either way.

Percent change. The effect is also divided by the mean outcome of the not-yet-treated
comparison units in the treated cells, :math:`\hat m = b'\bar Y` (same weights); the interval
comes from the delta method,
:math:`Var(\hat\theta/\hat m) \approx m^{-2}[Var \hat\theta - 2 r\,Cov(\hat\theta,\hat m)
+ r^2 Var \hat m]`, with :math:`r = \theta/m` and all moments from the same cohort covariances.

References
----------
.. [1] Roth, J. & Sant'Anna, P. H. C. (2023). Efficient estimation for staggered rollout
   designs. *Journal of Political Economy Microeconomics*, 1(4), 669-709.
.. [2] Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
   periods. *Journal of Econometrics*, 225(2), 200-230.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from .estimands import ESTIMANDS, build_all_contrasts, build_targets
from .moments import functional_moments
from .panel import RolloutPanel

__all__ = ["EfficientResult", "EstimateRow", "efficient_estimate"]

Xhat = Literal["did", "all"]
NeverTreated = Literal["include", "exclude"]


@dataclass(frozen=True)
class EstimateRow:
    """One target parameter: an aggregate or one event time.

    Attributes
    ----------
    label : str
        ``"simple"``, ``"cohort"``, ``"calendar"``, ``"event_time=l"`` or ``"average"``.
    event_time : int or None
        Periods since the cohort started (event studies only).
    estimate, se : float
        The estimate :math:`\\hat\\theta_{\\hat\\beta}` and its standard error.
    ci_lower, ci_upper : float
        Normal confidence interval at the result's ``level``.
    beta : tuple of float
        The coefficients on the pre-treatment contrasts (estimated, or as given).
    plugin_estimate, plugin_se : float
        The difference-of-means estimator (``beta = 0``) and its standard error.
    baseline : float
        Mean outcome of the not-yet-treated comparison units in the treated cells.
    percent_change, percent_ci_lower, percent_ci_upper : float
        ``100 * estimate / baseline`` with a delta-method interval (``nan`` if the baseline
        is zero).
    """

    label: str
    event_time: int | None
    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    beta: tuple[float, ...]
    plugin_estimate: float
    plugin_se: float
    baseline: float
    percent_change: float
    percent_ci_lower: float
    percent_ci_upper: float


@dataclass(frozen=True)
class EfficientResult:
    """Result of :func:`efficient_estimate`.

    Attributes
    ----------
    estimand : str
        The aggregation requested.
    overall : EstimateRow
        The headline target (for event studies, the average over the event times).
    event_study : tuple of EstimateRow
        One row per event time (empty unless ``estimand == "eventstudy"``).
    xhat : str
        Which pre-treatment contrasts were used (``"did"`` or ``"all"``).
    level : float
        Confidence level of the intervals.
    n_units : int
        Units used.
    n_excluded : int
        Units left out: treated in the first period (no untreated period to compare) or, with
        ``never_treated="exclude"``, never treated.
    cohorts : tuple of float
        First-treated period of each cohort used (``inf`` for never treated).
    cohort_sizes : tuple of int
        Units in each cohort.
    """

    estimand: str
    overall: EstimateRow
    event_study: tuple[EstimateRow, ...]
    xhat: str
    level: float
    n_units: int
    n_excluded: int
    cohorts: tuple[float, ...]
    cohort_sizes: tuple[int, ...]

    @property
    def estimate(self) -> float:
        """The headline estimate."""
        return self.overall.estimate

    @property
    def se(self) -> float:
        """Its standard error."""
        return self.overall.se

    @property
    def beta(self) -> tuple[float, ...]:
        """The headline estimate's coefficients on the pre-treatment contrasts."""
        return self.overall.beta

    @property
    def percent_change(self) -> float:
        """The headline estimate as a percent of the untreated comparison mean."""
        return self.overall.percent_change


@dataclass(frozen=True)
class _Design:
    """Everything that depends on the cohort structure but not on who is in which cohort."""

    order: NDArray[np.intp]
    bounds: NDArray[np.intp]
    cohorts: tuple[float, ...]
    sizes: NDArray[np.float64]
    labels: tuple[str, ...]
    event_times: tuple[int | None, ...]
    functionals: NDArray[np.float64]
    n_targets: int
    x_index: tuple[NDArray[np.intp], ...]
    xhat: str
    n_excluded: int


def _prepare(
    panel: RolloutPanel,
    estimand: str,
    event_times: object,
    never_treated: str,
    xhat: str,
) -> _Design:
    if not isinstance(panel, RolloutPanel):
        raise ValueError(
            f"panel must be a RolloutPanel (see RolloutPanel.from_long); got {type(panel)!r}."
        )
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {ESTIMANDS}; got {estimand!r}.")
    if never_treated not in ("include", "exclude"):
        raise ValueError(f"never_treated must be 'include' or 'exclude'; got {never_treated!r}.")
    if xhat not in ("did", "all"):
        raise ValueError(f"xhat must be 'did' or 'all'; got {xhat!r}.")
    times: tuple[int, ...] | None = None
    if event_times is not None:
        if estimand != "eventstudy":
            raise ValueError("event_times only applies to estimand='eventstudy'.")
        if isinstance(event_times, (str, bytes)) or not isinstance(event_times, Iterable):
            raise ValueError(f"event_times must be a list of integers; got {event_times!r}.")
        items = list(event_times)
        if not items or any(
            isinstance(e, bool) or not isinstance(e, Integral) or e < 0 for e in items
        ):
            raise ValueError(
                f"event_times must be a non-empty list of integers >= 0; got {event_times!r}. "
                "(Pre-treatment placebo event times are not supported by this estimator.)"
            )
        times = tuple(sorted({int(e) for e in items}))

    n_periods = panel.n_periods
    pos_unit = panel.cohort_positions()
    keep = pos_unit >= 1
    if never_treated == "exclude":
        keep &= pos_unit < n_periods
    idx = np.flatnonzero(keep)
    order = idx[np.argsort(pos_unit[idx], kind="stable")]
    pos_sorted = pos_unit[order]
    pos, starts, counts = np.unique(pos_sorted, return_index=True, return_counts=True)
    if len(pos) < 2:
        raise ValueError(
            f"need at least two cohorts with different start periods; found {len(pos)} among "
            f"the {len(order)} usable units (units treated in the first period are left out)."
        )
    if np.any(counts < 2):
        k = int(np.argmin(counts))
        label = (
            "never treated" if pos[k] == n_periods else f"first treated in {panel.periods[pos[k]]}"
        )
        raise ValueError(
            f"every cohort needs at least 2 units to estimate its variance; the cohort "
            f"{label} has {counts[k]}."
        )
    bounds = np.append(starts, len(order)).astype(np.intp)
    sizes = counts.astype(np.float64)
    targets = build_targets(pos, sizes, n_periods, estimand, times)
    n_t = len(targets.labels)
    if xhat == "did":
        funcs = np.concatenate([targets.theta, targets.baseline, targets.did])
        x_index = tuple(np.array([2 * n_t + e], dtype=np.intp) for e in range(n_t))
    else:
        contrasts = build_all_contrasts(pos, n_periods)
        funcs = np.concatenate([targets.theta, targets.baseline, contrasts])
        x_all = np.arange(2 * n_t, 2 * n_t + len(contrasts), dtype=np.intp)
        x_index = tuple(x_all for _ in range(n_t))
    cohorts = tuple(math.inf if p == n_periods else float(panel.periods[p]) for p in pos.tolist())
    return _Design(
        order=order.astype(np.intp),
        bounds=bounds,
        cohorts=cohorts,
        sizes=sizes,
        labels=targets.labels,
        event_times=targets.event_times,
        functionals=funcs,
        n_targets=n_t,
        x_index=x_index,
        xhat=xhat,
        n_excluded=panel.n_units - len(order),
    )


def _betas(
    cov: NDArray[np.float64], design: _Design, beta: float | None
) -> list[NDArray[np.float64]]:
    """Coefficient vector of every target: fixed, or the estimated efficient one."""
    if beta is not None:
        return [np.full(len(xi), float(beta)) for xi in design.x_index]
    shared = design.xhat == "all"
    if shared:
        xi = design.x_index[0]
        if xi.size == 0:
            return [np.zeros(0) for _ in design.x_index]
        # One solve for all targets. Contrasts can be collinear (e.g. a cohort whose outcome
        # never varies); the minimum-norm solution gives the same estimator, since beta only
        # enters through X'beta.
        sol, *_ = np.linalg.lstsq(cov[np.ix_(xi, xi)], cov[xi, : design.n_targets], rcond=1e-10)
        return [np.asarray(sol[:, r], dtype=np.float64) for r in range(design.n_targets)]
    out = []
    for r, xi in enumerate(design.x_index):
        vxx = float(cov[xi[0], xi[0]])
        out.append(np.array([cov[xi[0], r] / vxx if vxx > 0 else 0.0]))
    return out


def _target_stats(
    values: NDArray[np.float64],
    cov: NDArray[np.float64],
    design: _Design,
    r: int,
    b: NDArray[np.float64],
) -> tuple[float, float, float, float, float, float, float]:
    """Estimate, variance, plug-in, plug-in variance, baseline, its variance, covariance."""
    th, bl = r, design.n_targets + r
    xi = design.x_index[r]
    vxx = cov[np.ix_(xi, xi)]
    cxt = cov[xi, th]
    est = values[th] - values[xi] @ b
    var = cov[th, th] - 2.0 * b @ cxt + b @ vxx @ b
    cov_tb = cov[th, bl] - b @ cov[xi, bl]
    return (
        float(est),
        float(max(var, 0.0)),
        float(values[th]),
        float(cov[th, th]),
        float(values[bl]),
        float(cov[bl, bl]),
        float(cov_tb),
    )


def _row(
    design: _Design,
    values: NDArray[np.float64],
    cov: NDArray[np.float64],
    r: int,
    b: NDArray[np.float64],
    z: float,
) -> EstimateRow:
    est, var, plug, plug_var, base, base_var, cov_tb = _target_stats(values, cov, design, r, b)
    se = math.sqrt(var)
    if base != 0.0:
        ratio = est / base
        # Products, not ``**``: a float power raises OverflowError where a product gives inf.
        var_ratio = (var - 2.0 * ratio * cov_tb + ratio * ratio * base_var) / (base * base)
        se_ratio = math.sqrt(max(var_ratio, 0.0))
        pct, pct_lo, pct_hi = (
            100 * ratio,
            100 * (ratio - z * se_ratio),
            100 * (ratio + z * se_ratio),
        )
    else:
        pct = pct_lo = pct_hi = math.nan
    return EstimateRow(
        label=design.labels[r],
        event_time=design.event_times[r],
        estimate=est,
        se=se,
        ci_lower=est - z * se,
        ci_upper=est + z * se,
        beta=tuple(float(x) for x in b),
        plugin_estimate=plug,
        plugin_se=math.sqrt(max(plug_var, 0.0)),
        baseline=base,
        percent_change=pct,
        percent_ci_lower=pct_lo,
        percent_ci_upper=pct_hi,
    )


def _check_beta_level(beta: object, xhat: str, level: object) -> None:
    if beta is not None:
        if isinstance(beta, bool) or not isinstance(beta, Real) or not math.isfinite(float(beta)):
            raise ValueError(f"beta must be a finite number or None; got {beta!r}.")
        if xhat != "did" and float(beta) != 0.0:
            raise ValueError("a fixed beta other than 0 needs the scalar xhat='did'.")
    if isinstance(level, bool) or not isinstance(level, Real) or not 0.0 < float(level) < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1 (e.g. 0.95); got {level!r}.")


def efficient_estimate(
    panel: RolloutPanel,
    estimand: str = "simple",
    *,
    event_times: list[int] | tuple[int, ...] | range | None = None,
    never_treated: NeverTreated = "include",
    xhat: Xhat = "did",
    beta: float | None = None,
    level: float = 0.95,
) -> EfficientResult:
    """Estimate a staggered roll-out effect with the plug-in efficient estimator.

    Parameters
    ----------
    panel : RolloutPanel
        Balanced panel with each unit's first treated period.
    estimand : {"simple", "cohort", "calendar", "eventstudy"}, default "simple"
        Aggregation of the cohort-by-period effects (:mod:`.estimands`).
    event_times : sequence of int, optional
        Event times (periods since the start, ``>= 0``) for ``"eventstudy"``; default every
        identified one.
    never_treated : {"include", "exclude"}, default "include"
        Whether never-treated units are a cohort (as they are when the roll-out randomized
        them to "never", or to a wave after the data end) or left out (when they were never
        eligible, so their timing was not random).
    xhat : {"did", "all"}, default "did"
        Pre-treatment contrasts: the scalar Callaway-Sant'Anna contrast per target, or every
        pairwise contrast (only when cohorts x periods is small relative to cohort sizes).
    beta : float, optional
        Use this fixed coefficient instead of the estimated efficient one: ``0`` gives the
        difference of means, ``1`` (with ``xhat="did"``) Callaway & Sant'Anna's estimator.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    EfficientResult

    Raises
    ------
    ValueError
        On an invalid argument, fewer than two cohorts, a cohort with fewer than two units or
        an event time that cannot be identified.

    References
    ----------
    .. [1] Roth, J. & Sant'Anna, P. H. C. (2023). Efficient estimation for staggered rollout
       designs. *Journal of Political Economy Microeconomics*, 1(4), 669-709.
    """
    _check_beta_level(beta, xhat, level)
    design = _prepare(panel, estimand, event_times, never_treated, xhat)
    y = panel.outcomes[design.order]
    values, cov = functional_moments(y, design.bounds, design.functionals)
    z = float(norm.ppf(0.5 + float(level) / 2.0))
    betas = _betas(cov, design, beta)
    rows = [_row(design, values, cov, r, betas[r], z) for r in range(design.n_targets)]
    overall = rows[-1]
    return EfficientResult(
        estimand=estimand,
        overall=overall,
        event_study=tuple(rows[:-1]) if estimand == "eventstudy" else (),
        xhat=xhat,
        level=float(level),
        n_units=len(design.order),
        n_excluded=design.n_excluded,
        cohorts=design.cohorts,
        cohort_sizes=tuple(int(s) for s in design.sizes),
    )
