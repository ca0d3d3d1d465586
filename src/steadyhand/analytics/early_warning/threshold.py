"""The baseline most agencies run: a fixed count of events within a rolling window.

"Three uses of force in 90 days" and its relatives are the classic early-warning thresholds
(Walker, Alpert & Kenney 2001; Walker 2003). They ignore exposure and assignment, so they flag
members on busy night shifts and in tactical units and miss members who use more force than
colleagues facing the same calls (Helsby et al. 2018 report the DSSG model's gains against such
a system in Charlotte-Mecklenburg). Kept here so every agency can see what peer adjustment
changes.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ThresholdResult", "threshold_rule"]


@dataclass(frozen=True, eq=False)
class ThresholdResult:
    """Per-member result of the threshold rule.

    Attributes
    ----------
    members : ndarray of str, shape (n,)
        Sorted member ids.
    max_in_window : ndarray of int, shape (n,)
        Most events in any window of ``window_days`` consecutive days.
    total : ndarray of int, shape (n,)
        All events.
    flagged : ndarray of bool, shape (n,)
        ``max_in_window >= count``.
    window_days, count : int
    """

    members: NDArray[np.str_]
    max_in_window: NDArray[np.int64]
    total: NDArray[np.int64]
    flagged: NDArray[np.bool_]
    window_days: int
    count: int

    def ranking(self) -> NDArray[np.str_]:
        """Members by most events in a window, then by total (what a threshold list shows)."""
        order = np.lexsort((self.members, -self.total, -self.max_in_window))
        return self.members[order]

    def top(self, k: int) -> NDArray[np.str_]:
        """The ``k`` members ranked highest by the rule."""
        if k < 0:
            raise ValueError(f"k must be zero or more, not {k}")
        return self.ranking()[:k]


def threshold_rule(
    member: ArrayLike,
    day: ArrayLike,
    *,
    members: ArrayLike | None = None,
    window_days: int = 90,
    count: int = 3,
) -> ThresholdResult:
    """Flag members with at least ``count`` events in any ``window_days``-day window.

    Parameters
    ----------
    member : array of str, shape (m,)
        Member of each event.
    day : array of int, shape (m,)
        Day number of each event (days since any origin).
    members : array of str, optional
        Every member to report, including those with no events (default: those in ``member``).
    window_days : int, default 90
    count : int, default 3

    Returns
    -------
    ThresholdResult

    Raises
    ------
    ValueError
        On mismatched lengths, non-integer days, or a window or count below 1.
    """
    if window_days < 1 or count < 1:
        raise ValueError("window_days and count must be at least 1")
    who = np.asarray(member).astype(str)
    days = np.asarray(day)
    if days.dtype.kind not in "iu":
        raise ValueError(f"day must hold integers, got dtype {days.dtype}")
    if who.shape != days.shape or who.ndim != 1:
        raise ValueError(f"member {who.shape} and day {days.shape} must be equal 1-d shapes")
    everyone = np.unique(np.concatenate([who, np.asarray(members if members is not None else [])
                                         .astype(str)]))  # fmt: skip
    idx = np.searchsorted(everyone, who)
    n = everyone.size
    order = np.lexsort((days, idx))
    idx_s, day_s = idx[order].astype(np.int64), days[order].astype(np.int64)
    # Events in [d, d + window) starting at each event: with events sorted by (member, day),
    # a combined key keeps each member's window from reaching into the next member's events.
    span = int(day_s.max() - day_s.min()) + window_days + 1 if day_s.size else 1
    key = idx_s * span + (day_s - (day_s.min() if day_s.size else 0))
    ends = np.searchsorted(key, key + window_days, side="left")
    in_window = ends - np.arange(key.size)
    max_in_window = np.zeros(n, dtype=np.int64)
    np.maximum.at(max_in_window, idx_s, in_window)
    total = np.bincount(idx_s, minlength=n).astype(np.int64)
    return ThresholdResult(
        members=everyone,
        max_in_window=max_in_window,
        total=total,
        flagged=max_in_window >= count,
        window_days=window_days,
        count=count,
    )
