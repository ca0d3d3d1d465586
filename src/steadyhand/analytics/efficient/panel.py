"""A validated, balanced unit-by-period panel for staggered roll-out designs.

The efficient estimator only ever needs the outcome matrix (units x periods) and, per unit, the
period in which it was first treated. This module checks those once, so the estimator and the
randomization test can work on plain arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["RolloutPanel"]


@dataclass(frozen=True)
class RolloutPanel:
    """Balanced panel of outcomes with each unit's first treated period.

    Build it with :meth:`from_arrays` (a wide matrix) or :meth:`from_long` (one row per
    unit-period, as in a CSV); both validate their input and raise ``ValueError`` with a message
    saying what was wrong.

    Attributes
    ----------
    outcomes : ndarray of float, shape (n_units, n_periods)
        Outcome of each unit in each period; finite. Read-only.
    first_treated : ndarray of float, shape (n_units,)
        The period label in which each unit is first treated; ``inf`` for units never treated
        (including units treated only after the last observed period). Read-only.
    periods : ndarray of float, shape (n_periods,)
        Period labels, strictly increasing. Read-only.
    units : ndarray, shape (n_units,)
        Unit identifiers (row labels). Read-only.
    """

    outcomes: NDArray[np.float64]
    first_treated: NDArray[np.float64]
    periods: NDArray[np.float64]
    units: NDArray[np.generic]

    def __post_init__(self) -> None:
        y = np.array(self.outcomes, dtype=np.float64)
        g = np.array(self.first_treated, dtype=np.float64)
        p = np.array(self.periods, dtype=np.float64)
        u = np.array(self.units)
        if y.ndim != 2:
            raise ValueError(f"outcomes must be a 2-D array (units x periods); got {y.ndim}-D.")
        n, t = y.shape
        if n < 2 or t < 2:
            raise ValueError(f"need at least 2 units and 2 periods; got {n} x {t}.")
        if not np.all(np.isfinite(y)):
            bad = np.argwhere(~np.isfinite(y))[0]
            raise ValueError(
                f"outcomes must be finite; unit row {bad[0]}, period column {bad[1]} is "
                f"{y[bad[0], bad[1]]!r}. Fill or drop missing unit-periods (the panel must be "
                "balanced)."
            )
        if g.shape != (n,):
            raise ValueError(f"first_treated must have one entry per unit ({n}); got {g.shape}.")
        g = np.where(np.isnan(g), np.inf, g)
        if np.any(g == -np.inf):
            raise ValueError("first_treated cannot be -inf; use +inf or NaN for never treated.")
        if p.shape != (t,):
            raise ValueError(f"periods must have one label per column ({t}); got {p.shape}.")
        if not np.all(np.isfinite(p)) or np.any(np.diff(p) <= 0):
            raise ValueError("periods must be finite and strictly increasing.")
        if u.shape != (n,):
            raise ValueError(f"units must have one identifier per row ({n}); got {u.shape}.")
        # Treated only after the window: observationally never treated.
        g = np.where(g > p[-1], np.inf, g)
        for name, arr in (("outcomes", y), ("first_treated", g), ("periods", p), ("units", u)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @classmethod
    def from_arrays(
        cls,
        outcomes: ArrayLike,
        first_treated: ArrayLike,
        periods: ArrayLike | None = None,
        units: ArrayLike | None = None,
    ) -> RolloutPanel:
        """Build a panel from a wide outcome matrix.

        Parameters
        ----------
        outcomes : array_like, shape (n_units, n_periods)
            Outcomes; row ``i`` is unit ``i``, column ``j`` is period ``periods[j]``.
        first_treated : array_like, shape (n_units,)
            First treated period label per unit; ``NaN`` or ``inf`` for never treated.
        periods : array_like, optional
            Period labels (default ``1, 2, ..., n_periods``).
        units : array_like, optional
            Unit identifiers (default ``0, 1, ..., n_units - 1``).

        Returns
        -------
        RolloutPanel
        """
        y = np.asarray(outcomes, dtype=np.float64)
        if y.ndim != 2:
            raise ValueError(f"outcomes must be a 2-D array (units x periods); got {y.ndim}-D.")
        p = np.arange(1, y.shape[1] + 1, dtype=np.float64) if periods is None else periods
        u = np.arange(y.shape[0]) if units is None else units
        return cls(
            outcomes=y,
            first_treated=np.asarray(first_treated, dtype=np.float64),
            periods=np.asarray(p, dtype=np.float64),
            units=np.asarray(u),
        )

    @classmethod
    def from_long(
        cls,
        unit: ArrayLike,
        time: ArrayLike,
        outcome: ArrayLike,
        first_treated: ArrayLike,
    ) -> RolloutPanel:
        """Build a panel from long data (one row per unit-period).

        Parameters
        ----------
        unit, time, outcome, first_treated : array_like, shape (n_rows,)
            Unit identifier, numeric period, outcome and first treated period (``NaN`` for
            never treated) of each row. Every unit must appear exactly once in every period and
            carry a single first-treated value.

        Returns
        -------
        RolloutPanel
        """
        u = np.asarray(unit)
        tm = np.asarray(time, dtype=np.float64)
        y = np.asarray(outcome, dtype=np.float64)
        g = np.asarray(first_treated, dtype=np.float64)
        if not (u.ndim == tm.ndim == y.ndim == g.ndim == 1):
            raise ValueError("unit, time, outcome and first_treated must be 1-D columns.")
        if not (len(u) == len(tm) == len(y) == len(g)):
            raise ValueError(
                "unit, time, outcome and first_treated must have the same length; got "
                f"{len(u)}, {len(tm)}, {len(y)}, {len(g)}."
            )
        units, ui = np.unique(u, return_inverse=True)
        periods, ti = np.unique(tm, return_inverse=True)
        n, t = len(units), len(periods)
        if len(u) != n * t:
            raise ValueError(
                f"the panel is not balanced: {n} units x {t} periods needs {n * t} rows, "
                f"got {len(u)}. Every unit must be observed in every period."
            )
        flat = ui * t + ti
        seen = np.bincount(flat, minlength=n * t)
        if np.any(seen != 1):
            k = int(np.argmax(seen != 1))
            raise ValueError(
                f"the panel is not balanced: unit {units[k // t]!r} has {seen[k]} rows in "
                f"period {periods[k % t]!r} (need exactly one)."
            )
        wide = np.empty(n * t)
        wide[flat] = y
        g_key = np.where(np.isnan(g), np.inf, g)
        g_unit = np.full(n, np.nan)
        g_unit[ui] = g_key
        if np.any(g_unit[ui] != g_key):
            k = int(ui[np.argmax(g_unit[ui] != g_key)])
            raise ValueError(
                f"unit {units[k]!r} has more than one first-treated value; it must be constant "
                "within a unit."
            )
        return cls(outcomes=wide.reshape(n, t), first_treated=g_unit, periods=periods, units=units)

    @property
    def n_units(self) -> int:
        """Number of units (rows)."""
        return int(self.outcomes.shape[0])

    @property
    def n_periods(self) -> int:
        """Number of periods (columns)."""
        return int(self.outcomes.shape[1])

    def cohort_positions(self) -> NDArray[np.intp]:
        """Column index of each unit's first treated period.

        Returns
        -------
        ndarray of int, shape (n_units,)
            ``k`` if the unit is first treated in ``periods[k]`` (a label between two periods
            rounds up to the next observed one); ``n_periods`` for never treated.
        """
        pos = np.searchsorted(self.periods, self.first_treated, side="left")
        return np.asarray(pos, dtype=np.intp)
