"""The validated, balanced panel every staggered roll-out estimator takes as input.

Conventions
-----------
* Periods are consecutive integers (years, or months counted from some origin). Event time is
  ``period - cohort``.
* A unit's *cohort* is the first period in which it is treated. Units never treated have a
  missing cohort (``None``, ``NaN``, empty string) or ``0``, as in the R package ``did``; ``0``
  is refused when 0 is itself one of the periods (it would be ambiguous).
* Treatment is absorbing: a unit of cohort ``g`` is treated in every period ``t >= g``.
* Units treated in or before the first period (*always treated*) carry no pre-period and are
  dropped with a note, as Callaway & Sant'Anna (2021) do. Units whose cohort lies after the last
  period are never treated within the sample and are recoded so, with a note (also as ``did``).
* Only balanced panels are accepted for now: every unit observed in every period, once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Cohort value stored for never-treated units.
NEVER_TREATED = math.inf

_A = TypeVar("_A", bound=np.ndarray[Any, Any])


def _as_float_column(values: Sequence[object], name: str) -> FloatArray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        # Already numbers (the common case from numpy or pandas): no per-row Python.
        return values.astype(np.float64, copy=True)
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, str) and v.strip() == ""):
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{name}: row {i} holds {v!r}, which is not a number.") from None
    return out


def _unit_index(unit: Sequence[object]) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]:
    """Unit labels as text, sorted as text, and each row's index into them.

    Integer ids are de-duplicated as numbers first (fast) and only the distinct ids are turned
    into text; the order is the same as sorting every row's text.
    """
    if isinstance(unit, np.ndarray) and unit.dtype.kind in "iu":
        distinct, inverse = np.unique(unit, return_inverse=True)
        labels = distinct.astype(str)
        order = np.argsort(labels, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        return labels[order], rank[inverse]
    labels_per_row = np.array([str(u) for u in unit])
    return np.unique(labels_per_row, return_inverse=True)


def _readonly(a: _A) -> _A:
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class StaggeredPanel:
    """A balanced unit × period panel with a staggered, absorbing treatment.

    Build one with :meth:`from_long`; the constructor does not validate.

    Attributes
    ----------
    units : ndarray of str, shape (n,)
        Unit identifiers, sorted.
    periods : ndarray of int64, shape (T,)
        Consecutive periods, ascending.
    outcome : ndarray of float64, shape (n, T)
        ``outcome[i, s]`` is unit ``i``'s outcome in ``periods[s]``.
    cohort : ndarray of float64, shape (n,)
        First treated period, or ``inf`` for never-treated units.
    weights : ndarray of float64, shape (n, T), or None
        Optional sampling or population weights.
    treatment : ndarray of float64, shape (n, T), or None
        Optional treatment indicator as supplied (used by two-way fixed effects when given);
        otherwise treatment is ``period >= cohort``.
    notes : tuple of str
        What validation changed (dropped or recoded units), in words.
    """

    units: npt.NDArray[np.str_]
    periods: IntArray
    outcome: FloatArray
    cohort: FloatArray
    weights: FloatArray | None
    treatment: FloatArray | None
    notes: tuple[str, ...]

    @property
    def n_units(self) -> int:
        """Number of units ``n``."""
        return int(self.outcome.shape[0])

    @property
    def n_periods(self) -> int:
        """Number of periods ``T``."""
        return int(self.outcome.shape[1])

    @property
    def treated(self) -> FloatArray:
        """Treatment indicator, shape (n, T): supplied ``treatment`` or ``period >= cohort``."""
        if self.treatment is not None:
            return self.treatment
        return (self.periods[None, :] >= self.cohort[:, None]).astype(np.float64)

    @property
    def unit_weights(self) -> FloatArray:
        """Time-invariant unit weights, shape (n,); ones when the panel has no weights.

        Raises
        ------
        ValueError
            If the weights vary over time within a unit (Callaway & Sant'Anna need one weight
            per unit).
        """
        if self.weights is None:
            return np.ones(self.n_units)
        w = self.weights[:, 0]
        if not np.allclose(self.weights, w[:, None], rtol=1e-10, atol=0.0):
            raise ValueError(
                "weights vary over time within a unit; this estimator needs one weight per unit "
                "(e.g. population in the first period)."
            )
        return np.array(w)

    @classmethod
    def from_long(
        cls,
        *,
        unit: Sequence[object],
        time: Sequence[object],
        outcome: Sequence[object],
        cohort: Sequence[object],
        weight: Sequence[object] | None = None,
        treatment: Sequence[object] | None = None,
    ) -> StaggeredPanel:
        """Validate long-format columns (one row per unit × period) and build the panel.

        Parameters
        ----------
        unit, time, outcome, cohort : sequences of equal length
            Unit identifier (any value; compared as text), integer period, numeric outcome, and
            the unit's first treated period (missing or 0 for never treated).
        weight : sequence, optional
            Positive weights.
        treatment : sequence, optional
            Treatment indicator as recorded (for two-way fixed effects).

        Raises
        ------
        ValueError
            On unequal lengths, non-integer or non-consecutive periods, missing outcomes,
            duplicated (unit, period) rows, an unbalanced panel, a cohort that changes within a
            unit or is not one of the periods, non-positive weights, or no treated cohort left.
        """
        n_rows = len(unit)
        for name, col in (("time", time), ("outcome", outcome), ("cohort", cohort)):
            if len(col) != n_rows:
                raise ValueError(f"{name} has {len(col)} rows but unit has {n_rows}.")
        if weight is not None and len(weight) != n_rows:
            raise ValueError(f"weight has {len(weight)} rows but unit has {n_rows}.")
        if treatment is not None and len(treatment) != n_rows:
            raise ValueError(f"treatment has {len(treatment)} rows but unit has {n_rows}.")
        if n_rows == 0:
            raise ValueError("the panel is empty.")

        t_f = _as_float_column(time, "time")
        bad = ~np.isfinite(t_f) | (t_f != np.round(t_f))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"time: row {i} holds {time[i]!r}; periods must be integers.")
        y = _as_float_column(outcome, "outcome")
        if not np.isfinite(y).all():
            i = int(np.argmax(~np.isfinite(y)))
            raise ValueError(f"outcome: row {i} is missing or not finite; drop or impute it.")
        g = _as_float_column(cohort, "cohort")

        units, ui = _unit_index(unit)
        periods_f, ti = np.unique(t_f, return_inverse=True)
        periods = periods_f.astype(np.int64)
        if periods.size > 1 and not np.all(np.diff(periods) == 1):
            raise ValueError(
                "periods must be consecutive integers (found gaps between "
                f"{periods[0]} and {periods[-1]}); number months or years without gaps."
            )
        n, n_t = units.size, periods.size
        cell = ui.astype(np.int64) * n_t + ti
        counts = np.bincount(cell, minlength=n * n_t)
        if (counts > 1).any():
            c = int(np.argmax(counts > 1))
            raise ValueError(
                f"unit {units[c // n_t]!r} has {counts[c]} rows for period {periods[c % n_t]}; "
                "each (unit, period) must appear once."
            )
        if (counts == 0).any():
            c = int(np.argmax(counts == 0))
            raise ValueError(
                f"the panel is unbalanced: {int((counts == 0).sum())} unit-periods are missing "
                f"(first: unit {units[c // n_t]!r}, period {periods[c % n_t]}). Only balanced "
                "panels are supported; drop units with missing periods or fill them."
            )

        def to_matrix(v: FloatArray) -> FloatArray:
            m = np.empty(n * n_t)
            m[cell] = v
            return m.reshape(n, n_t)

        # Cohort: one value per unit.
        zero_is_period = bool((periods == 0).any())
        if zero_is_period and (g == 0).any():
            raise ValueError(
                "cohort 0 is ambiguous because 0 is one of the periods; leave the cohort of "
                "never-treated units empty."
            )
        g = np.where(np.isnan(g) | (g == 0), NEVER_TREATED, g)
        gm = to_matrix(g)
        if not (gm == gm[:, :1]).all():
            i = int(np.argmax(~(gm == gm[:, :1]).all(axis=1)))
            raise ValueError(f"unit {units[i]!r} has more than one cohort; it must be constant.")
        unit_cohort = gm[:, 0].copy()
        finite = np.isfinite(unit_cohort)
        if (unit_cohort[finite] != np.round(unit_cohort[finite])).any():
            raise ValueError("cohort values must be integer periods (or empty for never treated).")

        notes: list[str] = []
        late = finite & (unit_cohort > periods[-1])
        if late.any():
            notes.append(
                f"{int(late.sum())} unit(s) first treated after the last period {periods[-1]} "
                "are never treated within the sample and were recoded as never treated."
            )
            unit_cohort[late] = NEVER_TREATED
        early = unit_cohort <= periods[0]
        keep = ~early
        if early.any():
            notes.append(
                f"{int(early.sum())} always-treated unit(s) (cohort <= first period "
                f"{periods[0]}) were dropped: they have no untreated period to compare."
            )

        ym = to_matrix(y)
        wm: FloatArray | None = None
        if weight is not None:
            w = _as_float_column(weight, "weight")
            if not (np.isfinite(w) & (w > 0)).all():
                raise ValueError("weight must be finite and greater than zero in every row.")
            wm = to_matrix(w)[keep]
        dm: FloatArray | None = None
        if treatment is not None:
            d = _as_float_column(treatment, "treatment")
            if not np.isfinite(d).all():
                raise ValueError("treatment has missing values.")
            dm = to_matrix(d)[keep]
        unit_cohort = unit_cohort[keep]
        if not np.isfinite(unit_cohort).any():
            raise ValueError("no treated cohort remains: every unit is never treated.")
        return cls(
            units=_readonly(units[keep]),
            periods=_readonly(periods),
            outcome=_readonly(ym[keep]),
            cohort=_readonly(unit_cohort),
            weights=None if wm is None else _readonly(wm),
            treatment=None if dm is None else _readonly(dm),
            notes=tuple(notes),
        )
