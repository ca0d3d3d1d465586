"""Augmented synthetic control: the synthetic control plus a ridge correction of its
pre-period imbalance (Ben-Michael, Feller & Rothstein 2021, "The Augmented Synthetic Control
Method", JASA 116(536), ridge ASCM, eq. 5).

When the treated unit lies outside the donors' convex hull no weights reproduce its pre-period
path, and the synthetic control is biased by the remaining imbalance. Ridge ASCM estimates that
bias with a ridge regression of the donors' outcome at each time on their pre-period outcomes
and subtracts it:

    Y1_aug(t) = sum_j w_j Y_j(t) + (X_1 - sum_j w_j X_j)' eta_t,
    eta_t = (X0c' X0c + lambda I)^-1 X0c' Y0c(t)

where ``X`` holds the pre-period outcomes (rows: donors; ``c``: centred on the donor mean). When
the synthetic control already balances the pre-period outcomes, the correction vanishes.
``lambda`` is chosen by holding out the last pre-period times: each candidate's ridge, fitted on
the earlier pre-period times, predicts the held-out times, and the one with the smallest squared
error of the augmented prediction for the treated unit wins (a simplified version of the paper's
cross-validation, which also refits the weights).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .data import SynthPanel
from .results import SynthFit

FloatArray = NDArray[np.float64]
DEFAULT_LAMBDAS = tuple(10.0**k for k in range(-3, 7))

__all__ = ["AugmentedFit", "augmented_synth"]


@dataclass(frozen=True)
class AugmentedFit:
    """A ridge-augmented synthetic control.

    Attributes
    ----------
    times : ndarray, shape (T,)
    treated_outcome, synthetic_outcome, augmented_outcome : ndarray, shape (T,)
        The treated unit, the plain synthetic control, and the augmented one.
    correction : ndarray, shape (T,)
        ``augmented - synthetic``: the estimated bias of the plain synthetic control.
    ridge_lambda : float
        The ridge penalty chosen.
    imbalance : float
        Root mean squared pre-period gap of the plain synthetic control (what is corrected).
    """

    treated: str
    treatment_start: float
    times: FloatArray
    treated_outcome: FloatArray
    synthetic_outcome: FloatArray
    augmented_outcome: FloatArray
    correction: FloatArray
    ridge_lambda: float
    imbalance: float

    @property
    def gap_values(self) -> FloatArray:
        return self.treated_outcome - self.augmented_outcome

    def gap_at(self, time: float) -> float:
        hit = np.flatnonzero(self.times == time)
        if hit.size == 0:
            raise ValueError(f"time {time} is not in the panel")
        return float(self.gap_values[hit[0]])

    def to_dict(self) -> dict[str, object]:
        return {
            "treated": self.treated,
            "ridge_lambda": self.ridge_lambda,
            "imbalance": self.imbalance,
            "gaps": {
                str(int(t) if float(t).is_integer() else float(t)): float(g)
                for t, g in zip(self.times, self.gap_values, strict=True)
            },
            "correction": [float(c) for c in self.correction],
        }


def _ridge(x: FloatArray, y: FloatArray, lam: float) -> FloatArray:
    """Coefficients of each column of ``y`` on ``x`` (both donor-centred), shape (p, k)."""
    p = x.shape[1]
    return np.asarray(np.linalg.solve(x.T @ x + lam * np.eye(p), x.T @ y), dtype=np.float64)


def _correction(
    x0: FloatArray, x1: FloatArray, y0: FloatArray, w: FloatArray, lam: float
) -> FloatArray:
    """The ridge bias estimate ``(X1 - w'X0)' eta_t`` for every column of ``y0``."""
    mean_x, mean_y = x0.mean(axis=0), y0.mean(axis=0)
    eta = _ridge(x0 - mean_x, y0 - mean_y, lam)
    return np.asarray((x1 - w @ x0) @ eta, dtype=np.float64)


def augmented_synth(
    panel: SynthPanel,
    fit: SynthFit,
    *,
    lambdas: Sequence[float] = DEFAULT_LAMBDAS,
    holdout: int | None = None,
) -> AugmentedFit:
    """Augment ``fit`` (a synthetic control of ``panel``) with a ridge bias correction.

    Parameters
    ----------
    panel : SynthPanel
        The panel ``fit`` was computed on.
    fit : SynthFit
        The synthetic control to augment (its donor weights are kept).
    lambdas : sequence of float
        Candidate ridge penalties.
    holdout : int, optional
        Pre-period times held out to choose ``lambda`` (default: a quarter of them, 1 to 5).

    Raises
    ------
    ValueError
        If a donor lacks the outcome at some time, or there are too few pre-period times.
    """
    units = list(panel.units)
    treated = units.index(fit.treated)
    donors = [units.index(name) for name in fit.weights]
    w = np.array([fit.weights[name] for name in fit.weights], dtype=np.float64)
    outcome = np.asarray(panel.outcome, dtype=np.float64)  # times x units
    if not np.isfinite(outcome[:, [*donors, treated]]).all():
        raise ValueError(
            "augmentation needs every donor's and the treated unit's outcome at every time."
        )
    pre = np.asarray(panel.times < fit.treatment_start)
    n_pre = int(pre.sum())
    if n_pre < 3:
        raise ValueError("augmentation needs at least three pre-treatment times.")
    x0 = outcome[pre][:, donors].T  # donors x pre times
    x1 = outcome[pre, treated]
    y0 = outcome[:, donors].T  # donors x all times
    k = holdout if holdout is not None else min(5, max(1, n_pre // 4))
    if not 1 <= k < n_pre - 1:
        raise ValueError(f"holdout must leave at least two pre-period times; got {k} of {n_pre}.")
    train, test = slice(0, n_pre - k), slice(n_pre - k, n_pre)
    best_lam, best_err = float(lambdas[0]), np.inf
    for lam in lambdas:
        synthetic = w @ x0[:, test]
        predicted = synthetic + _correction(x0[:, train], x1[train], x0[:, test], w, lam)
        err = float(np.mean((x1[test] - predicted) ** 2))
        if err < best_err:
            best_lam, best_err = float(lam), err
    correction = _correction(x0, x1, y0, w, best_lam)
    synthetic_all = w @ y0
    imbalance = float(np.sqrt(np.mean((x1 - w @ x0) ** 2)))
    return AugmentedFit(
        treated=fit.treated,
        treatment_start=fit.treatment_start,
        times=np.asarray(panel.times, dtype=np.float64),
        treated_outcome=outcome[:, treated],
        synthetic_outcome=synthetic_all,
        augmented_outcome=synthetic_all + correction,
        correction=correction,
        ridge_lambda=best_lam,
        imbalance=imbalance,
    )
