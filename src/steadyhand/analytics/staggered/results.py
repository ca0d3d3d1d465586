"""Immutable results of the staggered roll-out estimators."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .panel import FloatArray


@dataclass(frozen=True)
class TWFEResult:
    """Static two-way fixed effects coefficient.

    Attributes
    ----------
    estimate, se : float
        Coefficient on treatment and its standard error clustered by unit.
    n_units, n_periods : int
    weighted : bool
    """

    estimate: float
    se: float
    n_units: int
    n_periods: int
    weighted: bool


@dataclass(frozen=True)
class GroupTimeEffects:
    """Group-time average treatment effects ATT(g, t) (Callaway & Sant'Anna 2021).

    Attributes
    ----------
    cohort, period, base_period : ndarray of int64, shape (K,)
        For each estimated ATT(g, t): the cohort ``g``, the period ``t`` and the period the
        change is measured from.
    att, se : ndarray of float64, shape (K,)
        Estimates and analytic (influence-function) standard errors.
    lower, upper : ndarray of float64, shape (K,)
        Confidence band: uniform over all ATT(g, t) when bootstrapped, pointwise otherwise.
    uniform : bool
    critical_value, level : float
    control : str
        ``"never"`` or ``"notyet"``.
    base : str
        ``"varying"`` or ``"universal"``.
    notes : tuple of str
    """

    cohort: npt.NDArray[np.int64]
    period: npt.NDArray[np.int64]
    base_period: npt.NDArray[np.int64]
    att: FloatArray
    se: FloatArray
    lower: FloatArray
    upper: FloatArray
    uniform: bool
    critical_value: float
    level: float
    control: str
    base: str
    notes: tuple[str, ...]

    @property
    def event_time(self) -> npt.NDArray[np.int64]:
        """``period - cohort`` for each ATT(g, t)."""
        return self.period - self.cohort


@dataclass(frozen=True)
class Aggregate:
    """An aggregated treatment effect (one of the Roth & Sant'Anna 2023 estimands).

    Attributes
    ----------
    estimand : str
        ``"simple"``, ``"cohort"``, ``"calendar"`` or ``"eventstudy"``.
    estimate, se : float
        The overall summary (for ``eventstudy``: the average over non-negative event times in
        the window) and its standard error from the aggregated influence function.
    labels : ndarray of int64, shape (m,)
        Cohorts, calendar periods or event times of the disaggregated effects (empty for
        ``simple``).
    estimates, ses : ndarray of float64, shape (m,)
        The disaggregated effects and their standard errors.
    lower, upper : ndarray of float64, shape (m,)
        Confidence band for the disaggregated effects: uniform (simultaneous) when a bootstrap
        was run, pointwise normal otherwise.
    uniform : bool
        Whether ``lower``/``upper`` are a uniform band.
    critical_value : float
    level : float
    percent, percent_lower, percent_upper : float
        The overall estimate as a percent change of the treated units' mean outcome in the base
        period, with a delta-method interval (NaN when that baseline mean is zero).
    baseline : float
        That baseline mean.
    """

    estimand: str
    estimate: float
    se: float
    labels: npt.NDArray[np.int64]
    estimates: FloatArray
    ses: FloatArray
    lower: FloatArray
    upper: FloatArray
    uniform: bool
    critical_value: float
    level: float
    percent: float
    percent_lower: float
    percent_upper: float
    baseline: float
