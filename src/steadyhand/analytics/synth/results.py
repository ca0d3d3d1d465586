"""Immutable results of a synthetic-control fit and of its placebo analyses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BalanceRow:
    """One predictor: treated value, synthetic value and plain donor average.

    Abadie, Diamond & Hainmueller (2010), Table 1, report these three columns.
    """

    predictor: str
    treated: float
    synthetic: float
    donor_mean: float


@dataclass(frozen=True, eq=False)
class SynthFit:
    """A fitted synthetic control (Abadie, Diamond & Hainmueller 2010).

    Attributes
    ----------
    treated : str
        The treated unit.
    treatment_start : float
        First treated time.
    weights : Mapping[str, float]
        Donor weights W (non-negative, summing to one), every donor listed.
    v : Mapping[str, float]
        Predictor weights V on the standardised predictors, summing to one (empty when the
        weights were given rather than fitted).
    times : ndarray, shape (T,)
        All times of the panel.
    treated_outcome, synthetic_outcome : ndarray, shape (T,)
        Outcome path of the treated unit and of its synthetic control.
    fit_times : ndarray of bool, shape (T,)
        Times of the fit window (used to choose V and for ``pre_rmspe``).
    pre_rmspe : float
        Root mean squared gap over the fit window.
    pre_rmspe_all : float
        Root mean squared gap over every time before treatment.
    post_rmspe : float
        Root mean squared gap over times from ``treatment_start`` on.
    predictor_loss : float
        ``(X1 - X0 W)' V (X1 - X0 W)`` on the standardised predictors (``nan`` if not fitted).
    balance : tuple of BalanceRow
        Predictor balance table, in predictor order.
    """

    treated: str
    treatment_start: float
    weights: Mapping[str, float]
    v: Mapping[str, float]
    times: FloatArray
    treated_outcome: FloatArray
    synthetic_outcome: FloatArray
    fit_times: NDArray[np.bool_]
    pre_rmspe: float
    pre_rmspe_all: float
    post_rmspe: float
    predictor_loss: float
    balance: tuple[BalanceRow, ...]

    @property
    def gap_values(self) -> FloatArray:
        """Treated minus synthetic outcome at every time, shape (T,)."""
        return self.treated_outcome - self.synthetic_outcome

    @property
    def gaps(self) -> dict[float, float]:
        """Treated minus synthetic outcome by time (integral times as ``int``)."""
        return {_time_key(t): float(g) for t, g in zip(self.times, self.gap_values, strict=True)}

    @property
    def rmspe_ratio(self) -> float:
        """Post- over pre-treatment RMSPE (Abadie, Diamond & Hainmueller 2010, fig. 5)."""
        return self.post_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else float("inf")

    def gap_at(self, time: float) -> float:
        """The gap at ``time``; raises ``ValueError`` if the panel has no such time."""
        hit = np.flatnonzero(self.times == time)
        if hit.size == 0:
            raise ValueError(f"time {time} is not in the panel")
        return float(self.gap_values[hit[0]])

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary (weights, V, gaps, RMSPEs, balance)."""
        return {
            "treated": self.treated,
            "treatment_start": _time_key(self.treatment_start),
            "weights": dict(self.weights),
            "v": dict(self.v),
            "gaps": {str(k): v for k, v in self.gaps.items()},
            "pre_rmspe": self.pre_rmspe,
            "pre_rmspe_all": self.pre_rmspe_all,
            "post_rmspe": self.post_rmspe,
            "balance": [
                {
                    "predictor": b.predictor,
                    "treated": b.treated,
                    "synthetic": b.synthetic,
                    "donor_mean": b.donor_mean,
                }
                for b in self.balance
            ],
        }


@dataclass(frozen=True, eq=False)
class PlaceboTest:
    """In-space placebo inference (Abadie, Diamond & Hainmueller 2010, sec. 4).

    Every donor in turn is treated as if it had been treated, with the real treated unit removed
    from its donor pool. Units are ranked by post/pre RMSPE ratio.

    Attributes
    ----------
    treated : SynthFit
        The fit for the real treated unit.
    placebos : Mapping[str, SynthFit]
        The fit for each donor treated as placebo.
    ratios : Mapping[str, float]
        Post/pre RMSPE ratio of every unit, the treated one included.
    p_value : float
        ``(1 + #placebos with ratio >= treated ratio) / (1 + N)`` over the N placebos kept,
        i.e. the treated unit's rank from the top divided by the number of units (Abadie 2021,
        sec. 7.2; Abadie, Diamond & Hainmueller 2010 report 1/39 for California).
    excluded : tuple of str
        Placebos left out of ``p_value`` because their pre-period RMSPE exceeded
        ``max_pre_rmspe_ratio`` times the treated unit's.
    max_pre_rmspe_ratio : float or None
        The exclusion threshold, if any.
    """

    treated: SynthFit
    placebos: Mapping[str, SynthFit]
    ratios: Mapping[str, float]
    p_value: float
    excluded: tuple[str, ...]
    max_pre_rmspe_ratio: float | None

    def excluding(self, max_pre_rmspe_ratio: float | None) -> PlaceboTest:
        """The same placebos with another exclusion threshold (no refitting).

        Placebos whose pre-period RMSPE exceeds ``max_pre_rmspe_ratio`` times the treated
        unit's are left out of the p-value; ``None`` keeps them all.
        """
        if max_pre_rmspe_ratio is not None and not max_pre_rmspe_ratio > 0:
            raise ValueError("max_pre_rmspe_ratio must be positive")
        excluded: tuple[str, ...] = ()
        if max_pre_rmspe_ratio is not None:
            limit = max_pre_rmspe_ratio * self.treated.pre_rmspe
            excluded = tuple(n for n, f in self.placebos.items() if f.pre_rmspe > limit)
        kept = [self.ratios[n] for n in self.placebos if n not in excluded]
        own = self.ratios[self.treated.treated]
        p_value = (1 + sum(r >= own for r in kept)) / (1 + len(kept))
        return PlaceboTest(
            treated=self.treated,
            placebos=self.placebos,
            ratios=self.ratios,
            p_value=float(p_value),
            excluded=excluded,
            max_pre_rmspe_ratio=max_pre_rmspe_ratio,
        )

    @property
    def rank(self) -> int:
        """Rank of the treated unit's ratio among the kept units (1 = largest)."""
        return round(self.p_value * (1 + len(self.placebos) - len(self.excluded)))


@dataclass(frozen=True, eq=False)
class LeaveOneOut:
    """Leave-one-donor-out refits (Abadie, Diamond & Hainmueller 2015, sec. 5).

    Attributes
    ----------
    full : SynthFit
        The fit with every donor.
    without : Mapping[str, SynthFit]
        For each donor with positive weight in ``full``, the fit without it.
    """

    full: SynthFit
    without: Mapping[str, SynthFit]


def _time_key(t: float) -> float:
    return int(t) if float(t).is_integer() else float(t)
