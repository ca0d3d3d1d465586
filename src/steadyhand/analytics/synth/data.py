"""Validated inputs for synthetic control: the panel and the study specification.

A panel arrives in long format (one row per unit × time) and is pivoted once into dense
``time × unit`` arrays, so that every later step — predictor averages, the nested optimisation,
hundreds of placebo refits — works on contiguous numpy arrays without re-reading the rows.

Missing values
--------------
Covariates may be missing (``nan``) in some unit-years; the smoking panel of Abadie, Diamond &
Hainmueller (2010) has no ``lnincome`` before 1972 and no ``beer`` before 1984. As in the R
``Synth`` package, a predictor averaged over a window ignores missing values (``nanmean``); a
predictor whose window holds no value at all for some unit is an error. The outcome must be
complete for every unit and time used, because gaps and fit are computed from it.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Predictor:
    """A covariate (or the outcome) averaged over the times ``start`` to ``end`` inclusive.

    Attributes
    ----------
    column : str
        Name of the covariate, or of the outcome.
    start, end : float
        First and last time of the window, inclusive.
    op : str
        Aggregation; only ``"mean"`` (missing values ignored) is supported.
    """

    column: str
    start: float
    end: float
    op: str = "mean"

    @property
    def label(self) -> str:
        """Readable name such as ``retprice (1980-1988)``."""
        return f"{self.column} ({_fmt_time(self.start)}-{_fmt_time(self.end)})"


@dataclass(frozen=True)
class SpecialPredictor:
    """A covariate (or the outcome) averaged over a list of times, e.g. ``cigsale`` in 1975.

    Attributes
    ----------
    column : str
        Name of the covariate, or of the outcome.
    times : tuple of float
        The times averaged over (one time gives the value at that time).
    """

    column: str
    times: tuple[float, ...]

    @property
    def label(self) -> str:
        """Readable name such as ``cigsale (1975)``."""
        return f"{self.column} ({', '.join(_fmt_time(t) for t in self.times)})"


@dataclass(frozen=True)
class SynthSpec:
    """What to estimate: treated unit, intervention date, predictors, fit window, donor pool.

    Attributes
    ----------
    treated : str
        The unit exposed to the intervention.
    treatment_start : float
        First treated time; times strictly before it are the pre-period.
    predictors : tuple of Predictor
        Columns averaged over time windows.
    special_predictors : tuple of SpecialPredictor
        Columns averaged over listed times.
    fit_window : tuple of float
        ``(from, to)`` pre-period times, inclusive, whose outcome fit chooses the predictor
        weights V. The reported ``pre_rmspe`` is computed over this window.
    donors : tuple of str or None
        The donor pool; ``None`` means every unit other than the treated one.
    """

    treated: str
    treatment_start: float
    predictors: tuple[Predictor, ...] = ()
    special_predictors: tuple[SpecialPredictor, ...] = ()
    fit_window: tuple[float, float] | None = None
    donors: tuple[str, ...] | None = None

    @property
    def predictor_labels(self) -> tuple[str, ...]:
        """Names of the predictors in matrix order: windowed first, then special."""
        return tuple(p.label for p in self.predictors) + tuple(
            s.label for s in self.special_predictors
        )


@dataclass(frozen=True, eq=False)
class SynthPanel:
    """A balanced panel pivoted to ``time × unit`` arrays (read-only).

    Build it with :meth:`from_long` or :func:`read_panel_csv`.

    Attributes
    ----------
    units : tuple of str
        Unit names, sorted.
    times : ndarray, shape (T,)
        Sorted distinct times.
    outcome_name : str
        Name of the outcome column.
    outcome : ndarray, shape (T, J)
        Outcome by time and unit; ``nan`` where a unit has no row for a time.
    covariates : Mapping[str, ndarray of shape (T, J)]
        Covariates by name, ``nan`` where missing.
    """

    units: tuple[str, ...]
    times: FloatArray
    outcome_name: str
    outcome: FloatArray
    covariates: Mapping[str, FloatArray] = field(default_factory=dict)

    @classmethod
    def from_long(
        cls,
        *,
        unit: Sequence[str] | ArrayLike,
        time: ArrayLike,
        outcome: ArrayLike,
        outcome_name: str = "outcome",
        covariates: Mapping[str, ArrayLike] | None = None,
    ) -> SynthPanel:
        """Pivot long-format columns (one entry per unit × time row) into a panel.

        Parameters
        ----------
        unit : sequence of str, length n
            Unit of each row.
        time : array_like, length n
            Time of each row (years, months as numbers …); finite.
        outcome : array_like, length n
            Outcome of each row; ``nan`` allowed where not used.
        outcome_name : str
            Name the outcome is referred to by in predictors.
        covariates : mapping of str to array_like of length n, optional
            Further columns; ``nan`` marks a missing value.

        Raises
        ------
        ValueError
            If lengths differ, a time is not finite, a (unit, time) pair repeats, or a covariate
            is named like the outcome.
        """
        units_raw = np.asarray([str(u) for u in np.asarray(unit, dtype=object).ravel()])
        times_raw = np.asarray(time, dtype=np.float64).ravel()
        y_raw = np.asarray(outcome, dtype=np.float64).ravel()
        n = units_raw.size
        if n == 0:
            raise ValueError("the panel has no rows")
        if times_raw.size != n or y_raw.size != n:
            raise ValueError(
                f"unit, time and outcome must have the same length; got {n}, "
                f"{times_raw.size} and {y_raw.size}"
            )
        if not np.all(np.isfinite(times_raw)):
            raise ValueError("time contains missing or non-finite values")
        cov_raw: dict[str, FloatArray] = {}
        for name, values in (covariates or {}).items():
            if name == outcome_name:
                raise ValueError(f"covariate {name!r} has the same name as the outcome")
            arr = np.asarray(values, dtype=np.float64).ravel()
            if arr.size != n:
                raise ValueError(f"covariate {name!r} has {arr.size} values for {n} rows")
            cov_raw[name] = arr

        unit_names, unit_idx = np.unique(units_raw, return_inverse=True)
        time_values, time_idx = np.unique(times_raw, return_inverse=True)
        flat = time_idx * unit_names.size + unit_idx
        if np.unique(flat).size != n:
            counts = np.bincount(flat)
            dup = int(np.flatnonzero(counts > 1)[0])
            raise ValueError(
                f"unit {unit_names[dup % unit_names.size]!r} has more than one row for time "
                f"{_fmt_time(float(time_values[dup // unit_names.size]))}"
            )
        shape = (time_values.size, unit_names.size)

        def pivot(values: FloatArray) -> FloatArray:
            out = np.full(shape[0] * shape[1], np.nan)
            out[flat] = values
            grid = out.reshape(shape)
            grid.flags.writeable = False
            return grid

        time_values.flags.writeable = False
        return cls(
            units=tuple(str(u) for u in unit_names),
            times=time_values,
            outcome_name=outcome_name,
            outcome=pivot(y_raw),
            covariates={name: pivot(v) for name, v in cov_raw.items()},
        )

    def column(self, name: str) -> FloatArray:
        """The ``time × unit`` array of the outcome or a covariate called ``name``."""
        if name == self.outcome_name:
            return self.outcome
        try:
            return self.covariates[name]
        except KeyError:
            known = ", ".join([self.outcome_name, *sorted(self.covariates)])
            raise ValueError(f"unknown column {name!r}; the panel has: {known}") from None

    def unit_index(self, name: str) -> int:
        """Position of unit ``name`` in :attr:`units`."""
        try:
            return self.units.index(name)
        except ValueError:
            raise ValueError(
                f"unknown unit {name!r}; the panel has {len(self.units)} units, "
                f"e.g. {', '.join(self.units[:5])}"
            ) from None


def read_panel_csv(
    path: str | Path,
    *,
    unit: str,
    time: str,
    outcome: str,
    covariates: Sequence[str] | None = None,
) -> SynthPanel:
    """Read a long-format CSV into a :class:`SynthPanel`.

    Empty cells and ``NA`` become ``nan``. Covariates default to every other numeric column.

    Raises
    ------
    ValueError
        If a named column is absent or a value is not a number.
    """
    with Path(path).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        rows = list(reader)
    for col in (unit, time, outcome, *(covariates or ())):
        if col not in header:
            raise ValueError(f"{path}: no column {col!r}; columns are {', '.join(header)}")

    def number(value: str, col: str, line: int) -> float:
        text = value.strip()
        if text == "" or text.upper() in {"NA", "NAN"}:
            return math.nan
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{path}, line {line}: {col}={value!r} is not a number") from None

    if covariates is None:
        covariates = []
        for col in header:
            if col in (unit, time, outcome):
                continue
            try:
                for r in rows:
                    number(r[col], col, 0)
            except ValueError:
                continue
            covariates.append(col)
    cov = {
        c: [number(r[c], c, i + 2) for i, r in enumerate(rows)] for c in covariates if c != outcome
    }
    return SynthPanel.from_long(
        unit=[r[unit] for r in rows],
        time=[number(r[time], time, i + 2) for i, r in enumerate(rows)],
        outcome=[number(r[outcome], outcome, i + 2) for i, r in enumerate(rows)],
        outcome_name=outcome,
        covariates=cov,
    )


@dataclass(frozen=True)
class DesignMatrices:
    """The arrays the optimiser works on, for one treated unit and its donors.

    Attributes
    ----------
    treated : int
        Column of the treated unit in the panel.
    donors : ndarray of int, shape (J,)
        Columns of the donors in the panel.
    predictors : ndarray, shape (K, 1 + J)
        Predictor values; column 0 is the treated unit, then the donors in order.
    fit_times : ndarray of bool, shape (T,)
        Times in the fit window.
    pre_times : ndarray of bool, shape (T,)
        Times before treatment.
    """

    treated: int
    donors: NDArray[np.intp]
    predictors: FloatArray
    fit_times: NDArray[np.bool_]
    pre_times: NDArray[np.bool_]


def predictor_values(panel: SynthPanel, spec: SynthSpec) -> FloatArray:
    """Predictor values for every unit of the panel, shape ``(K, n_units)``.

    Each row is a column of the panel averaged (ignoring missing values) over the predictor's
    times. Validation of windows happens here so that the messages name the predictor.
    """
    times = panel.times
    rows: list[FloatArray] = []
    for p in spec.predictors:
        if p.op != "mean":
            raise ValueError(f"predictor {p.label}: op {p.op!r} is not supported; use 'mean'")
        if p.start > p.end:
            raise ValueError(f"predictor {p.label}: window starts after it ends")
        mask = (times >= p.start) & (times <= p.end)
        if not mask.any():
            raise ValueError(f"predictor {p.label}: no time of the panel falls in the window")
        rows.append(_nanmean_rows(panel.column(p.column)[mask]))
    for s in spec.special_predictors:
        if len(s.times) == 0:
            raise ValueError(f"special predictor on {s.column!r} lists no times")
        idx = np.searchsorted(times, np.asarray(s.times, dtype=np.float64))
        for t, i in zip(s.times, idx, strict=True):
            if i >= times.size or times[i] != t:
                raise ValueError(f"special predictor {s.label}: time {_fmt_time(t)} not in panel")
        rows.append(_nanmean_rows(panel.column(s.column)[idx]))
    if not rows:
        raise ValueError("the specification has no predictors; give predictors or special ones")
    return np.vstack(rows)


def design(
    panel: SynthPanel,
    spec: SynthSpec,
    values: FloatArray | None = None,
) -> DesignMatrices:
    """Validate ``spec`` against ``panel`` and assemble the optimiser's arrays.

    Parameters
    ----------
    panel : SynthPanel
    spec : SynthSpec
    values : ndarray, shape (K, n_units), optional
        Precomputed :func:`predictor_values` (placebo refits reuse them).

    Raises
    ------
    ValueError
        For an unknown treated or donor unit, a treatment start with no pre- or post-period in
        the data, an empty or post-treatment fit window, a missing outcome, or an empty donor pool.
    """
    treated = panel.unit_index(spec.treated)
    times = panel.times
    if not times[0] < spec.treatment_start <= times[-1]:
        raise ValueError(
            f"treatment_start {_fmt_time(spec.treatment_start)} must leave at least one pre- and "
            f"one post-treatment time in the data ({_fmt_time(times[0])}-{_fmt_time(times[-1])})"
        )
    pre = times < spec.treatment_start
    if spec.fit_window is None:
        fit = pre.copy()
    else:
        lo, hi = spec.fit_window
        if lo > hi:
            raise ValueError(f"fit_window {spec.fit_window} starts after it ends")
        if hi >= spec.treatment_start:
            raise ValueError(
                f"fit_window {spec.fit_window} must end before treatment_start "
                f"{_fmt_time(spec.treatment_start)}"
            )
        fit = (times >= lo) & (times <= hi)
        if not fit.any():
            raise ValueError(f"fit_window {spec.fit_window} contains no time of the panel")
    if spec.donors is None:
        donors = [j for j in range(len(panel.units)) if j != treated]
    else:
        donors = []
        for name in spec.donors:
            j = panel.unit_index(name)
            if j == treated:
                raise ValueError(f"the treated unit {name!r} cannot be its own donor")
            if j in donors:
                raise ValueError(f"donor {name!r} is listed twice")
            donors.append(j)
    if not donors:
        raise ValueError("the donor pool is empty")
    cols = np.asarray([treated, *donors], dtype=np.intp)
    y = panel.outcome[:, cols]
    bad = ~np.isfinite(y).all(axis=0)
    if bad.any():
        names = ", ".join(panel.units[c] for c in cols[bad])
        raise ValueError(f"outcome {panel.outcome_name!r} is missing for some times in: {names}")
    if values is None:
        values = predictor_values(panel, spec)
    x = values[:, cols]
    if not np.isfinite(x).all():
        k, j = np.argwhere(~np.isfinite(x))[0]
        raise ValueError(
            f"predictor {spec.predictor_labels[k]} has no value for {panel.units[cols[j]]!r}"
        )
    return DesignMatrices(
        treated=treated,
        donors=np.asarray(donors, dtype=np.intp),
        predictors=x,
        fit_times=fit,
        pre_times=pre,
    )


def _nanmean_rows(block: FloatArray) -> FloatArray:
    # nanmean without its all-nan warning; an all-missing unit gives nan, reported by design()
    ok = np.isfinite(block)
    n = ok.sum(axis=0)
    total = np.where(ok, block, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: FloatArray = total / n
    return mean


def _fmt_time(t: float) -> str:
    return str(int(t)) if float(t).is_integer() else repr(float(t))
