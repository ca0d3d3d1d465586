"""A simulated agency with planted high-risk members, for tests and the benchmark.

Members differ in exposure by shift and assignment (night patrol attends more calls; tactical
units meet more resistance per call), so a raw count flags busy assignments. A share of members
is planted with a higher propensity to use force and draw complaints, independent of race and
sex. Incidents are built from calls attended by one to several members of the same unit, shift
and assignment; the situation's severity is shared by everyone at the incident.

Like pyfixest's ``dgps`` module, the truth is known, so an estimator can be judged against it.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .data import CoAttendance, MemberPeriods, peer_key

__all__ = ["SimulatedAgency", "simulate_agency"]

SHIFTS = ("day", "evening", "night")
ASSIGNMENTS = ("patrol", "tactical", "traffic")
RACES = ("white", "black", "hispanic", "asian")
SEXES = ("male", "female")
# Calls attended per month, by assignment and shift: the exposure a threshold ignores.
CALLS = {"patrol": (18.0, 26.0, 34.0), "tactical": (10.0, 14.0, 18.0), "traffic": (22, 22, 16)}
# Chance per call that a member of baseline propensity uses force in an average situation.
FORCE_PER_CALL = {"patrol": 0.006, "tactical": 0.025, "traffic": 0.002}
NIGHT_SEVERITY = 1.4
COMPLAINT_PER_CALL = 0.002
INJURY_PER_FORCE = 0.3
DAYS_PER_MONTH = 30


@dataclass(frozen=True, eq=False)
class SimulatedAgency:
    """Everything simulated, with the planted truth.

    Attributes
    ----------
    periods : MemberPeriods
        Monthly exposure and counts of ``force``, ``complaint`` and ``injury``.
    co_attendance : CoAttendance
        Every member at every incident where someone used force.
    incident_month : ndarray of int
        Month of each co-attendance row.
    event_member, event_day : ndarray
        One row per use of force (for the threshold rule).
    members : ndarray of str
        Sorted member ids.
    planted : ndarray of bool
        Planted high-risk members, aligned with ``members``.
    race, sex, shift, assignment : ndarray of str
        Attributes aligned with ``members`` (shift and assignment of the first month).
    """

    periods: MemberPeriods
    co_attendance: CoAttendance
    incident_month: NDArray[np.int64]
    event_member: NDArray[np.str_]
    event_day: NDArray[np.int64]
    members: NDArray[np.str_]
    planted: NDArray[np.bool_]
    race: NDArray[np.str_]
    sex: NDArray[np.str_]
    shift: NDArray[np.str_]
    assignment: NDArray[np.str_]


def simulate_agency(
    *,
    n_members: int = 1000,
    months: int = 36,
    seed: int = 0,
    unit_size: int = 60,
    planted_share: float = 0.05,
    planted_force_ratio: float = 2.5,
    planted_complaint_ratio: float = 2.0,
    heterogeneity: float = 0.25,
    reshift_per_year: float = 0.15,
) -> SimulatedAgency:
    """Simulate ``months`` of calls, force, complaints and injuries for ``n_members``.

    Parameters
    ----------
    n_members, months, seed : int
    unit_size : int
        Members per unit; peer groups are unit × shift × assignment.
    planted_share : float
        Share of members planted as high-risk.
    planted_force_ratio, planted_complaint_ratio : float
        Their propensity multipliers.
    heterogeneity : float
        Standard deviation of log propensity among ordinary members.
    reshift_per_year : float
        Share of members moved to another shift each January.

    Returns
    -------
    SimulatedAgency
    """
    if n_members < 10 or months < 1:
        raise ValueError("simulate at least 10 members and 1 month")
    rng = np.random.default_rng(seed)
    n = n_members
    members = np.array([f"m{i:06d}" for i in range(n)])
    unit = np.arange(n) // unit_size
    assignment = rng.choice(3, size=n, p=[0.7, 0.15, 0.15])
    shift = rng.choice(3, size=n, p=[0.35, 0.35, 0.30])
    # Demographics correlate with assignment and shift (as they do in real agencies), not
    # with the planted risk: tactical units are mostly men; night patrol is staffed by newer,
    # more diverse members.
    female_p = np.where(assignment == 1, 0.05, 0.22)
    sex = np.where(rng.random(n) < female_p, 1, 0)
    race_p = np.where((shift == 2)[:, None], [[0.38, 0.30, 0.26, 0.06]], [[0.56, 0.22, 0.17, 0.05]])
    race = (rng.random(n)[:, None] > np.cumsum(race_p, axis=1)).sum(axis=1)
    planted = rng.random(n) < planted_share
    base = np.exp(rng.normal(0.0, heterogeneity, n))
    theta_force = base * np.where(planted, planted_force_ratio, 1.0)
    theta_complaint = base * np.where(planted, planted_complaint_ratio, 1.0)
    calls_table = np.array([CALLS[a] for a in ASSIGNMENTS], dtype=float)
    force_base = np.array([FORCE_PER_CALL[a] for a in ASSIGNMENTS])

    rows_member, rows_month, rows_group, rows_x = [], [], [], []
    rows_force, rows_complaint, rows_injury = [], [], []
    co_inc, co_mem, co_esc, co_month = [], [], [], []
    ev_member, ev_day = [], []
    incident_offset = 0
    cur_shift = shift.copy()
    for month in range(months):
        if month and month % 12 == 0:
            move = rng.random(n) < reshift_per_year
            cur_shift[move] = rng.choice(3, size=int(move.sum()))
        cell = (unit * 3 + assignment) * 3 + cur_shift
        calls = rng.poisson(calls_table[assignment, cur_shift])
        att_member = np.repeat(np.arange(n), calls)
        att_cell = cell[att_member]
        order = np.lexsort((rng.random(att_member.size), att_cell))
        att_member, att_cell = att_member[order], att_cell[order]
        start = rng.random(att_member.size) < 0.6
        start[0] = True
        start[1:] |= att_cell[1:] != att_cell[:-1]
        incident = np.cumsum(start) - 1
        # A member cannot attend the same incident twice: keep one row.
        key = incident.astype(np.int64) * n + att_member
        _, keep = np.unique(key, return_index=True)
        att_member, incident, att_cell = att_member[keep], incident[keep], att_cell[keep]
        n_inc = int(incident.max()) + 1
        inc_night = np.zeros(n_inc, dtype=bool)
        inc_night[incident] = cur_shift[att_member] == 2
        severity = np.exp(rng.normal(0.0, 0.5, n_inc)) * np.where(inc_night, NIGHT_SEVERITY, 1.0)
        hazard = force_base[assignment[att_member]] * severity[incident] * theta_force[att_member]
        force = rng.random(att_member.size) < -np.expm1(-hazard)
        x = np.bincount(att_member, minlength=n).astype(float)
        f = np.bincount(att_member, weights=force, minlength=n).astype(np.int64)
        complaints = rng.poisson(COMPLAINT_PER_CALL * x * theta_complaint)
        injuries = rng.binomial(f, INJURY_PER_FORCE)
        rows_member.append(members)
        rows_month.append(np.full(n, month))
        rows_group.append(cell)
        rows_x.append(x)
        rows_force.append(f)
        rows_complaint.append(complaints)
        rows_injury.append(injuries)
        any_force = np.zeros(n_inc, dtype=bool)
        any_force[incident[force]] = True
        sel = any_force[incident]
        co_inc.append(incident[sel] + incident_offset)
        co_mem.append(att_member[sel])
        co_esc.append(force[sel])
        co_month.append(np.full(int(sel.sum()), month))
        incident_offset += n_inc
        ev_member.append(att_member[force])
        ev_day.append(month * DAYS_PER_MONTH + rng.integers(0, DAYS_PER_MONTH, int(force.sum())))

    cells = np.concatenate(rows_group)
    names = np.array(
        [
            peer_key(f"u{u:04d}", SHIFTS[s], ASSIGNMENTS[a])
            for u in range(int(unit.max()) + 1)
            for a in range(3)
            for s in range(3)
        ]
    )
    periods = MemberPeriods.from_arrays(
        member=np.concatenate(rows_member),
        period=np.concatenate(rows_month),
        peer_group=names[cells],
        exposure=np.concatenate(rows_x),
        events={
            "force": np.concatenate(rows_force),
            "complaint": np.concatenate(rows_complaint),
            "injury": np.concatenate(rows_injury),
        },
    )
    co = CoAttendance.from_arrays(
        incident=np.concatenate(co_inc),
        member=members[np.concatenate(co_mem)],
        escalated=np.concatenate(co_esc),
    )
    return SimulatedAgency(
        periods=periods,
        co_attendance=co,
        incident_month=np.concatenate(co_month).astype(np.int64),
        event_member=members[np.concatenate(ev_member)],
        event_day=np.concatenate(ev_day).astype(np.int64),
        members=members,
        planted=planted,
        race=np.array(RACES)[race],
        sex=np.array(SEXES)[sex],
        shift=np.array(SHIFTS)[shift],
        assignment=np.array(ASSIGNMENTS)[assignment],
    )
