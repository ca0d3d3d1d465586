"""Validated inputs: member × period exposure and event counts, and incident co-attendance.

Rows, not members, carry the peer group, because a member who moves from day to night shift in
March is compared with day-shift peers for January–February and night-shift peers afterwards.
Arrays are copied once and made read-only so the results can keep references safely.

Non-negotiable 1 of the product (no after-action-review content is ever an input) is kept by
construction: the only inputs are counts, exposure, peer keys and who used force at which
incident. There is no field in which review text, decision points or lessons could travel.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

__all__ = ["KEY_SEPARATOR", "CoAttendance", "MemberPeriods", "peer_key"]

# Peer-group keys are joined with a separator that cannot appear in unit codes from the
# registry (they are slugs) so that ("a", "b|c") and ("a|b", "c") stay distinct in practice.
KEY_SEPARATOR = " / "


def peer_key(unit: str, shift: str, assignment: str) -> str:
    """The peer-group key of one row: unit, shift and assignment, as one readable string.

    Parameters
    ----------
    unit, shift, assignment : str
        The three parts of the comparison group (Walker 2003 recommends comparing officers
        with others of the same assignment and shift, not the whole agency).

    Returns
    -------
    str
        ``"unit / shift / assignment"``.
    """
    for name, part in (("unit", unit), ("shift", shift), ("assignment", assignment)):
        if not part:
            raise ValueError(f"peer_key: {name} is empty; every row needs a complete peer group")
        if KEY_SEPARATOR in part:
            raise ValueError(f"peer_key: {name} {part!r} contains {KEY_SEPARATOR!r}")
    return KEY_SEPARATOR.join((unit, shift, assignment))


def weighted_counts(
    index: NDArray[np.intp] | NDArray[np.int64],
    *,
    weights: NDArray[np.generic],
    minlength: int = 0,
) -> FloatArray:
    """Sum of ``weights`` per index, as floats (``np.bincount`` is typed as returning ints)."""
    return np.asarray(np.bincount(index, weights=weights, minlength=minlength), dtype=np.float64)


def _readonly(array: NDArray[np.generic]) -> NDArray[np.generic]:
    array.setflags(write=False)
    return array


def _ids(values: ArrayLike, name: str) -> NDArray[np.str_]:
    ids = np.asarray(values).astype(str)
    if ids.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {ids.shape}")
    empty = np.flatnonzero(ids == "")
    if empty.size:
        raise ValueError(f"{name}: row {int(empty[0])} is empty; every row needs a value")
    return ids


@dataclass(frozen=True, eq=False)
class MemberPeriods:
    """Exposure and adverse-event counts, one row per member × period × peer group.

    Attributes
    ----------
    member : ndarray of str, shape (n,)
        Member identifier (an opaque id, never a name).
    period : ndarray of int, shape (n,)
        Period index (e.g. months since an origin); used for temporal splits.
    peer_group : ndarray of str, shape (n,)
        Peer-group key of the row, usually :func:`peer_key` of unit, shift and assignment.
    exposure : ndarray of float, shape (n,)
        Calls attended or arrests made in the row: the denominator of every rate. Non-negative.
    events : mapping of str to ndarray of int, shape (n,)
        Counts of each adverse outcome (``"force"``, ``"complaint"``, ``"injury"`` …).

    Raises
    ------
    ValueError
        On mismatched lengths, negative or non-finite exposure, negative or fractional counts,
        or events recorded in a row with no exposure (a rate would be infinite).
    """

    member: NDArray[np.str_]
    period: IntArray
    peer_group: NDArray[np.str_]
    exposure: FloatArray
    events: Mapping[str, IntArray]

    @classmethod
    def from_arrays(
        cls,
        *,
        member: ArrayLike,
        period: ArrayLike,
        peer_group: ArrayLike,
        exposure: ArrayLike,
        events: Mapping[str, ArrayLike],
    ) -> "MemberPeriods":
        """Validate and freeze the inputs (see the class docstring for each field)."""
        members = _ids(member, "member")
        n = members.size
        groups = _ids(peer_group, "peer_group")
        periods = np.asarray(period)
        if periods.dtype.kind not in "iu":
            raise ValueError(f"period must hold integers, got dtype {periods.dtype}")
        expo = np.asarray(exposure, dtype=np.float64)
        for name, arr in (("peer_group", groups), ("period", periods), ("exposure", expo)):
            if arr.shape != (n,):
                raise ValueError(f"{name} has shape {arr.shape}; expected ({n},) like member")
        bad = np.flatnonzero(~np.isfinite(expo) | (expo < 0))
        if bad.size:
            row = int(bad[0])
            raise ValueError(
                f"exposure: row {row} (member {members[row]}) is {expo[row]}; exposure must be "
                "a finite count of calls or arrests, zero or more"
            )
        if not events:
            raise ValueError("events: give at least one outcome (e.g. 'force')")
        counts: dict[str, IntArray] = {}
        for outcome, values in events.items():
            raw = np.asarray(values, dtype=np.float64)
            if raw.shape != (n,):
                raise ValueError(f"events[{outcome!r}] has shape {raw.shape}; expected ({n},)")
            bad = np.flatnonzero(~np.isfinite(raw) | (raw < 0) | (raw != np.round(raw)))
            if bad.size:
                row = int(bad[0])
                raise ValueError(
                    f"events[{outcome!r}]: row {row} (member {members[row]}) is {raw[row]}; "
                    "counts must be whole numbers, zero or more"
                )
            orphan = np.flatnonzero((raw > 0) & (expo == 0))
            if orphan.size:
                row = int(orphan[0])
                raise ValueError(
                    f"events[{outcome!r}]: row {row} (member {members[row]}) has events but no "
                    "exposure; record the calls or arrests of that period, or drop the row"
                )
            counts[outcome] = _readonly(raw.astype(np.int64))  # type: ignore[assignment]
        return cls(
            member=_readonly(members),  # type: ignore[arg-type]
            period=_readonly(periods.astype(np.int64)),  # type: ignore[arg-type]
            peer_group=_readonly(groups),  # type: ignore[arg-type]
            exposure=_readonly(expo),  # type: ignore[arg-type]
            events=dict(counts),
        )

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Names of the adverse outcomes, in input order."""
        return tuple(self.events)

    def select(self, rows: BoolArray) -> "MemberPeriods":
        """The rows where ``rows`` is true (e.g. a training window of periods)."""
        return MemberPeriods.from_arrays(
            member=self.member[rows],
            period=self.period[rows],
            peer_group=self.peer_group[rows],
            exposure=self.exposure[rows],
            events={k: v[rows] for k, v in self.events.items()},
        )


@dataclass(frozen=True, eq=False)
class CoAttendance:
    """Who attended which incident, and who escalated (used force) there.

    Attributes
    ----------
    incident : ndarray of str, shape (m,)
        Incident identifier; one row per member at the incident.
    member : ndarray of str, shape (m,)
        Member identifier, in the same id space as :class:`MemberPeriods`.
    escalated : ndarray of bool, shape (m,)
        Whether this member used force (or escalated) at this incident.

    Raises
    ------
    ValueError
        On mismatched lengths or a member listed twice at one incident.
    """

    incident: NDArray[np.str_]
    member: NDArray[np.str_]
    escalated: BoolArray

    @classmethod
    def from_arrays(
        cls, *, incident: ArrayLike, member: ArrayLike, escalated: ArrayLike
    ) -> "CoAttendance":
        """Validate and freeze the inputs (see the class docstring for each field)."""
        incidents = _ids(incident, "incident")
        members = _ids(member, "member")
        flags = np.asarray(escalated)
        if flags.dtype != np.bool_:
            if not np.isin(flags, (0, 1)).all():
                raise ValueError("escalated must be true/false (or 0/1) for every row")
            flags = flags.astype(bool)
        n = incidents.size
        for name, arr in (("member", members), ("escalated", flags)):
            if arr.shape != (n,):
                raise ValueError(f"{name} has shape {arr.shape}; expected ({n},) like incident")
        if n:
            _, inc_idx = np.unique(incidents, return_inverse=True)
            _, mem_idx = np.unique(members, return_inverse=True)
            pair = inc_idx.astype(np.int64) * (int(mem_idx.max()) + 1) + mem_idx
            _, first, counts = np.unique(pair, return_index=True, return_counts=True)
            if (counts > 1).any():
                row = int(first[np.argmax(counts > 1)])
                raise ValueError(
                    f"member {members[row]} is listed more than once at incident "
                    f"{incidents[row]}; give one row per member per incident"
                )
        return cls(
            incident=_readonly(incidents),  # type: ignore[arg-type]
            member=_readonly(members),  # type: ignore[arg-type]
            escalated=_readonly(flags),  # type: ignore[arg-type]
        )
