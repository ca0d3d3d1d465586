"""Event rates with exact (Garwood) Poisson confidence intervals.

Used wherever Steadyhand reports "so many events per so much exposure" — uses of force per
1,000 arrests, complaints per 100 officer-years — so that small counts carry honest uncertainty.
"""

import math
from dataclasses import dataclass
from numbers import Integral, Real

from scipy.stats import chi2


@dataclass(frozen=True)
class RateEstimate:
    """A rate and its confidence interval, all expressed per ``per`` units of exposure.

    Attributes
    ----------
    rate : float
        Point estimate, ``events / exposure * per``.
    lower, upper : float
        Bounds of the exact confidence interval, on the same scale as ``rate``.
    events : int
        The observed count.
    exposure : float
        The exposure the count was observed over (officer-years, arrests, contacts …).
    """

    rate: float
    lower: float
    upper: float
    events: int
    exposure: float


def rate_with_exact_poisson_ci(
    events: int, exposure: float, per: float = 1.0, level: float = 0.95
) -> RateEstimate:
    """Estimate a Poisson rate with the exact (Garwood) two-sided confidence interval.

    For ``k`` events the interval for the expected count is

    ``[chi2.ppf(a / 2, 2k) / 2, chi2.ppf(1 - a / 2, 2k + 2) / 2]`` with ``a = 1 - level``,

    and the lower bound is 0 when ``k = 0``. Both bounds are divided by ``exposure`` and
    multiplied by ``per``. The interval inverts two one-sided Poisson tests, so its coverage is
    at least ``level`` for every true rate (it is conservative for small counts).

    Parameters
    ----------
    events : int
        Number of events observed; a non-negative integer.
    exposure : float
        Exposure over which they were observed; finite and greater than zero.
    per : float, default 1.0
        Report the rate per this many units of exposure (e.g. ``1000`` for "per 1,000 arrests").
    level : float, default 0.95
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    RateEstimate
        The rate, the interval bounds, and the inputs they came from.

    Raises
    ------
    ValueError
        If ``events`` is not a non-negative integer, ``exposure`` or ``per`` is not a finite
        positive number, or ``level`` is not strictly between 0 and 1.

    References
    ----------
    .. [1] Garwood, F. (1936). Fiducial limits for the Poisson distribution. *Biometrika*,
       28(3/4), 437-442.
    .. [2] Ulm, K. (1990). A simple method to calculate the confidence interval of a
       standardized mortality ratio (SMR). *American Journal of Epidemiology*, 131(2), 373-375.

    Examples
    --------
    >>> est = rate_with_exact_poisson_ci(10, 1.0)
    >>> round(est.lower, 3), round(est.upper, 2)
    (4.795, 18.39)
    """
    if isinstance(events, bool) or not isinstance(events, Integral) or events < 0:
        raise ValueError(f"events must be a non-negative integer count; got {events!r}.")
    _require_positive_finite("exposure", exposure)
    _require_positive_finite("per", per)
    if isinstance(level, bool) or not isinstance(level, Real) or not 0.0 < float(level) < 1.0:
        raise ValueError(f"level must be strictly between 0 and 1 (e.g. 0.95); got {level!r}.")

    k = int(events)
    alpha = 1.0 - float(level)
    lower_count = 0.0 if k == 0 else float(chi2.ppf(alpha / 2.0, 2 * k)) / 2.0
    upper_count = float(chi2.ppf(1.0 - alpha / 2.0, 2 * k + 2)) / 2.0
    scale = float(per) / float(exposure)
    return RateEstimate(
        rate=k * scale,
        lower=lower_count * scale,
        upper=upper_count * scale,
        events=k,
        exposure=float(exposure),
    )


def _require_positive_finite(name: str, value: float) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, Real)
        or not math.isfinite(float(value))
        or value <= 0
    ):
        raise ValueError(f"{name} must be a finite number greater than zero; got {value!r}.")
