"""Interrupted time series for one agency: segmented Poisson or negative-binomial regression.

When a whole agency adopts training at once there is no untrained comparison group; the best it
can do is compare the months after the change with the trend the months before predicted
(Wagner et al. 2002; Bernal, Cummins & Gasparrini 2017, "Interrupted time series regression for
the evaluation of public health interventions: a tutorial", IJE 46(1)). The model is

    log E[y_t] = log(exposure_t) + b0 + b1 t + b2 post_t + b3 (t - t0) post_t + season(t)

so ``exp(b2)`` is the immediate change in the rate (a rate ratio) and ``exp(b3)`` its monthly
change in slope. Seasonality enters as month-of-year effects or Fourier terms. Counts of force
are usually overdispersed: with ``model="auto"`` a Poisson fit whose Pearson dispersion exceeds
``1.5`` is replaced by a negative binomial (NB2) fit, whose dispersion is estimated by maximum
likelihood (statsmodels).
"""

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod.families import Poisson
from statsmodels.genmod.generalized_linear_model import GLM

Seasonality = Literal["none", "month", "fourier"]
Model = Literal["auto", "poisson", "negative_binomial"]
DISPERSION_THRESHOLD = 1.5

__all__ = ["ItsResult", "interrupted_time_series"]


@dataclass(frozen=True)
class ItsResult:
    """Result of :func:`interrupted_time_series`.

    Attributes
    ----------
    model : str
        ``"poisson"``, ``"negative_binomial"``, or ``"quasi_poisson"`` (overdispersed counts
        whose negative-binomial likelihood failed to converge), the model actually fitted.
    level_change, level_change_lower, level_change_upper : float
        Rate ratio of the immediate change at the intervention, with its interval.
    slope_change, slope_change_lower, slope_change_upper : float
        Rate ratio per period of the change in trend after the intervention.
    pre_trend : float
        Rate ratio per period before the intervention.
    effect_at_end, effect_at_end_lower, effect_at_end_upper : float
        Rate ratio of observed-model to counterfactual in the last period: level and slope
        change combined (``exp(b2 + b3 * (T - 1 - t0))``), with a delta-method interval.
    dispersion : float
        Pearson chi-square over residual degrees of freedom of the Poisson fit (1 if Poisson
        is right; much more means overdispersion).
    alpha : float or None
        The negative binomial's dispersion parameter (``var = mu + alpha mu^2``), if fitted.
    fitted, counterfactual : ndarray
        Expected counts per period under the fitted model, and with the intervention terms set
        to zero (what the pre-period trend and seasons predict).
    level : float
        Confidence level.
    """

    model: str
    level_change: float
    level_change_lower: float
    level_change_upper: float
    slope_change: float
    slope_change_lower: float
    slope_change_upper: float
    pre_trend: float
    effect_at_end: float
    effect_at_end_lower: float
    effect_at_end_upper: float
    dispersion: float
    alpha: float | None
    fitted: NDArray[np.float64]
    counterfactual: NDArray[np.float64]
    level: float

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "level_change": self.level_change,
            "level_change_lower": self.level_change_lower,
            "level_change_upper": self.level_change_upper,
            "slope_change": self.slope_change,
            "slope_change_lower": self.slope_change_lower,
            "slope_change_upper": self.slope_change_upper,
            "pre_trend": self.pre_trend,
            "effect_at_end": self.effect_at_end,
            "effect_at_end_lower": self.effect_at_end_lower,
            "effect_at_end_upper": self.effect_at_end_upper,
            "dispersion": self.dispersion,
            "alpha": self.alpha,
            "fitted": self.fitted.tolist(),
            "counterfactual": self.counterfactual.tolist(),
            "level": self.level,
        }


def _design(
    n: int, start: int, months: NDArray[np.int64] | None, seasonality: Seasonality
) -> tuple[NDArray[np.float64], list[str]]:
    t = np.arange(n, dtype=np.float64)
    post = (t >= start).astype(np.float64)
    since = np.where(post > 0, t - start, 0.0)
    columns = [np.ones(n), t, post, since]
    names = ["const", "trend", "level_change", "slope_change"]
    if seasonality != "none":
        if months is None:
            raise ValueError("seasonality needs the calendar month (1-12) of every period.")
        if seasonality == "month":
            for m in range(2, 13):
                columns.append((months == m).astype(np.float64))
                names.append(f"month_{m}")
        else:
            for k in (1, 2):
                angle = 2 * np.pi * k * (months - 1) / 12
                columns += [np.sin(angle), np.cos(angle)]
                names += [f"sin{k}", f"cos{k}"]
    return np.column_stack(columns), names


def _negative_binomial(
    y: NDArray[np.float64],
    x: NDArray[np.float64],
    offset: NDArray[np.float64] | None,
    start: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], float] | None:
    """NB2 by maximum likelihood: (coefficients, their covariance, alpha), or None if the fit
    fails to converge or to give a usable covariance."""
    try:
        with warnings.catch_warnings():
            # Trial steps of the optimiser may visit impossible dispersions; convergence is
            # checked below, so its warnings along the way are noise.
            warnings.simplefilter("ignore")
            fit = NegativeBinomial(y, x, loglike_method="nb2", offset=offset).fit(
                disp=0, maxiter=200, start_params=np.append(start, 0.1)
            )
            cov = np.asarray(fit.cov_params(), dtype=np.float64)[:-1, :-1]
    except (ValueError, np.linalg.LinAlgError):
        return None
    params = np.asarray(fit.params, dtype=np.float64)
    converged = bool(fit.mle_retvals.get("converged", False))
    if not converged or not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return None
    return params[:-1], cov, float(params[-1])


def interrupted_time_series(
    counts: ArrayLike,
    intervention: int,
    *,
    exposure: ArrayLike | None = None,
    months: ArrayLike | None = None,
    seasonality: Seasonality = "month",
    model: Model = "auto",
    level: float = 0.95,
) -> ItsResult:
    """Fit a segmented count regression with an intervention at period index ``intervention``.

    Parameters
    ----------
    counts : array_like of int, shape (T,)
        Events per period (e.g. uses of force per month), in time order, without gaps.
    intervention : int
        Index of the first period after the intervention (``1 <= intervention <= T - 1``).
    exposure : array_like, shape (T,), optional
        Exposure per period (officer-months, calls, arrests); the model is then for rates.
    months : array_like of int, shape (T,), optional
        Calendar month (1-12) of each period; required unless ``seasonality="none"``.
    seasonality : {"month", "fourier", "none"}, default "month"
        Month-of-year effects (11 terms), two Fourier harmonics (4 terms), or none.
    model : {"auto", "poisson", "negative_binomial"}, default "auto"
    level : float, default 0.95

    Returns
    -------
    ItsResult

    Raises
    ------
    ValueError
        On too few periods on either side, negative or non-integer counts, or bad exposure.
    """
    y = np.asarray(counts, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError("counts must be one series (one value per period).")
    n = y.size
    if not np.all(np.isfinite(y)) or np.any(y < 0) or np.any(y != np.round(y)):
        raise ValueError("counts must be non-negative whole numbers, one per period.")
    month_array = None if months is None else np.asarray(months, dtype=np.int64)
    if month_array is not None and (
        month_array.shape != (n,) or np.any(month_array < 1) or np.any(month_array > 12)
    ):
        raise ValueError("months must give the calendar month (1-12) of every period.")
    x, _ = _design(n, intervention, month_array, seasonality)
    pre_needed = 3 + (x.shape[1] - 4)
    if intervention < max(pre_needed, 3) or n - intervention < 2:
        raise ValueError(
            f"need at least {max(pre_needed, 3)} periods before the intervention (for the trend "
            f"and the seasons) and 2 after; got {intervention} before and {n - intervention} "
            "after."
        )
    offset = None
    if exposure is not None:
        e = np.asarray(exposure, dtype=np.float64)
        if e.shape != (n,) or not np.all(np.isfinite(e)) or np.any(e <= 0):
            raise ValueError("exposure must be positive and finite, one value per period.")
        offset = np.log(e)
    if not 0 < level < 1:
        raise ValueError("level must be strictly between 0 and 1.")

    poisson = GLM(y, x, family=Poisson(), offset=offset).fit()
    dispersion = float(poisson.pearson_chi2 / poisson.df_resid)
    use_nb = model == "negative_binomial" or (model == "auto" and dispersion > DISPERSION_THRESHOLD)
    alpha: float | None = None
    fitted_model = "poisson"
    params = np.asarray(poisson.params, dtype=np.float64)
    cov = np.asarray(poisson.cov_params(), dtype=np.float64)
    if use_nb:
        nb_fit = _negative_binomial(y, x, offset, poisson.params)
        if nb_fit is not None:
            params, cov, alpha = nb_fit
            fitted_model = "negative_binomial"
        else:
            # The likelihood did not converge (typically a dispersion near its boundary): keep
            # the Poisson means and widen their intervals by the Pearson dispersion instead.
            cov = cov * dispersion
            fitted_model = "quasi_poisson"
    z = float(norm.ppf(0.5 + level / 2))
    se = np.sqrt(np.diag(cov))

    def ratio(index: int) -> tuple[float, float, float]:
        b, s = params[index], se[index]
        return float(np.exp(b)), float(np.exp(b - z * s)), float(np.exp(b + z * s))

    level_rr = ratio(2)
    slope_rr = ratio(3)
    # The combined effect in the last period: b2 + b3 * k, with its variance.
    k = float(n - 1 - intervention)
    gradient = np.zeros(params.size)
    gradient[2], gradient[3] = 1.0, k
    combined = float(gradient @ params)
    combined_se = float(np.sqrt(gradient @ cov @ gradient))
    linear = x @ params + (offset if offset is not None else 0.0)
    without = x.copy()
    without[:, 2:4] = 0.0
    counterfactual_linear = without @ params + (offset if offset is not None else 0.0)
    return ItsResult(
        model=fitted_model,
        level_change=level_rr[0],
        level_change_lower=level_rr[1],
        level_change_upper=level_rr[2],
        slope_change=slope_rr[0],
        slope_change_lower=slope_rr[1],
        slope_change_upper=slope_rr[2],
        pre_trend=float(np.exp(params[1])),
        effect_at_end=float(np.exp(combined)),
        effect_at_end_lower=float(np.exp(combined - z * combined_se)),
        effect_at_end_upper=float(np.exp(combined + z * combined_se)),
        dispersion=dispersion,
        alpha=alpha,
        fitted=np.exp(linear),
        counterfactual=np.exp(counterfactual_linear),
        level=level,
    )
