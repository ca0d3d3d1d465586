"""Multiplier bootstrap (Callaway & Sant'Anna 2021, Algorithm 1) shared by the estimators.

Draw ``b`` perturbs each unit's influence function by an i.i.d. multiplier ``xi_bi`` with mean 0
and variance 1: ``theta*_b - theta = sum_i xi_bi psi_i / n``. Multipliers are generated in blocks
of draws; every caller uses the same blocks, so a seed gives the same multipliers everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from .panel import FloatArray

MULTIPLIERS = ("rademacher", "mammen")
_BOOT_CHUNK_CELLS = 8_000_000


def _multipliers(rng: np.random.Generator, shape: tuple[int, int], kind: str) -> FloatArray:
    if kind == "rademacher":
        return rng.integers(0, 2, size=shape).astype(np.float64) * 2.0 - 1.0
    s5 = math.sqrt(5.0)
    low = rng.random(shape) < (s5 + 1) / (2 * s5)
    return np.where(low, (1 - s5) / 2, (1 + s5) / 2)


def multiplier_blocks(
    n: int, *, reps: int, multiplier: str, seed: int | None
) -> Iterator[tuple[int, int, FloatArray]]:
    """Yield ``(lo, hi, xi)`` with ``xi`` the multipliers of draws ``lo .. hi-1``, shape (hi-lo, n).

    Raises
    ------
    ValueError
        On an unknown multiplier, a negative number of draws or no units.
    """
    if multiplier not in MULTIPLIERS:
        raise ValueError(f"multiplier must be one of {MULTIPLIERS}, not {multiplier!r}.")
    if reps < 0:
        raise ValueError("bootstrap must be a non-negative number of draws.")
    if n < 1:
        raise ValueError("the bootstrap needs at least one unit.")
    rng = np.random.default_rng(seed)
    chunk = max(1, _BOOT_CHUNK_CELLS // n)
    for lo in range(0, reps, chunk):
        hi = min(reps, lo + chunk)
        yield lo, hi, _multipliers(rng, (hi - lo, n), multiplier)


def bootstrap_draws(
    influence: FloatArray, *, reps: int, multiplier: str, seed: int | None
) -> FloatArray:
    """Multiplier-bootstrap draws of ``theta* - theta`` from an (n, m) influence matrix."""
    if influence.ndim != 2:
        raise ValueError(f"the influence matrix must be (n, m), not of shape {influence.shape}.")
    n = influence.shape[0]
    out = np.empty((reps, influence.shape[1]))
    for lo, hi, xi in multiplier_blocks(n, reps=reps, multiplier=multiplier, seed=seed):
        out[lo:hi] = xi @ influence / n
    return out


def sup_t_critical_value(draws: FloatArray, se: FloatArray, level: float) -> float:
    """The ``level`` quantile of ``max_j |draw_j| / se_j``: the uniform-band critical value.

    Raises
    ------
    ValueError
        If ``draws`` is not a non-empty (reps, m) matrix.
    """
    if draws.ndim != 2 or draws.shape[0] == 0:
        raise ValueError(f"need at least one bootstrap draw of shape (reps, m), not {draws.shape}.")
    safe = np.where(se > 0, se, np.inf)
    return float(np.quantile(np.abs(draws / safe).max(axis=1), level))
