"""Within-incident comparison: did this member escalate more than the others at the same calls?

At an incident attended by ``n_j`` members of whom ``m_j`` used force, the situation (the
subject, the place, the call) is shared, so it cancels when the members are compared with each
other. Under the null that every attendee is equally likely to escalate, member ``i`` is expected
to escalate ``m_j / n_j`` times there (the hypergeometric mean; with ``m_j = 1`` this is the
conditional-logit probability of being the one). Summed over incidents, the member's observed
``O_i = Σ_j y_ij`` and expected ``E_i = Σ_j m_j/n_j`` are a Mantel–Haenszel-style stratified
comparison with the incident as stratum (Ridgeway 2016, "Officer risk factors associated with
police shootings: a matched case–control study", Statistics and Public Policy 3(1); Ridgeway &
MacDonald 2009 for internal benchmarking against officers in the same situations).

Incidents where everyone or no one escalated carry no information about who escalates more and
are left out, as a conditional likelihood leaves them out. The ratio ``O_i/E_i`` is then shrunk
with the same gamma-Poisson prior as the peer rates (:mod:`.shrinkage`), after one correction:
an escalation indicator at one incident has null variance ``p_j (1 − p_j)`` with
``p_j = m_j/n_j``, less than the Poisson variance ``p_j``, so raw ``O_i`` and ``E_i`` would look
under-dispersed and the prior would shrink every member to 1. Scaling both by
``E_i / V_i`` (``V_i = Σ_j p_j (1 − p_j)``) gives effective counts whose null variance equals
their mean, as a quasi-Poisson model with member-specific dispersion ``V_i/E_i`` does
(McCullagh & Nelder 1989, ch. 9). The ratio ``O_i/E_i`` is unchanged by the scaling; only how
much evidence it carries is.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .data import CoAttendance, weighted_counts

FloatArray = NDArray[np.float64]


__all__ = ["WithinIncident", "within_incident"]


@dataclass(frozen=True, eq=False)
class WithinIncident:
    """Observed and expected escalations at informative shared incidents, per member.

    Attributes
    ----------
    observed, expected : ndarray, shape (n,)
        Aligned with the ``members`` passed to :func:`within_incident`.
    effective_observed, effective_expected : ndarray, shape (n,)
        ``O_i E_i / V_i`` and ``E_i² / V_i``: the counts used for shrinkage (zero when
        ``V_i = 0``).
    incidents : ndarray of int, shape (n,)
        Informative shared incidents each member attended.
    informative_incidents : int
        Incidents with several attendees where some but not all escalated.
    unmatched_rows : int
        Co-attendance rows whose member is not among ``members`` (ignored).
    """

    observed: FloatArray
    expected: FloatArray
    effective_observed: FloatArray
    effective_expected: FloatArray
    incidents: NDArray[np.int64]
    informative_incidents: int
    unmatched_rows: int


def within_incident(co: CoAttendance, members: NDArray[np.str_]) -> WithinIncident:
    """Stratified observed-minus-expected escalation, the incident as stratum.

    Parameters
    ----------
    co : CoAttendance
    members : ndarray of str, shape (n,)
        Sorted member ids to align the result with.

    Returns
    -------
    WithinIncident
    """
    n = members.size
    if co.incident.size == 0:
        zeros = np.zeros(n)
        return WithinIncident(
            zeros, zeros.copy(), zeros.copy(), zeros.copy(), np.zeros(n, dtype=np.int64), 0, 0
        )
    _, inc_idx = np.unique(co.incident, return_inverse=True)
    y = co.escalated.astype(np.float64)
    size = np.bincount(inc_idx)
    escalated = weighted_counts(inc_idx, weights=y)
    informative = (size >= 2) & (escalated > 0) & (escalated < size)
    rows = informative[inc_idx]
    pos = np.searchsorted(members, co.member)
    pos = np.minimum(pos, max(n - 1, 0))
    matched = (members[pos] == co.member) if n else np.zeros(co.member.size, dtype=bool)
    use = rows & matched
    share = escalated[inc_idx] / size[inc_idx]
    observed = weighted_counts(pos[use], weights=y[use], minlength=n)
    expected = weighted_counts(pos[use], weights=share[use], minlength=n)
    variance = np.bincount(pos[use], weights=(share * (1 - share))[use], minlength=n)
    scale = np.divide(expected, variance, out=np.zeros(n), where=variance > 0)
    count = np.bincount(pos[use], minlength=n).astype(np.int64)
    return WithinIncident(
        observed=observed,
        expected=expected,
        effective_observed=observed * scale,
        effective_expected=expected * scale,
        incidents=count,
        informative_incidents=int(informative.sum()),
        unmatched_rows=int((~matched).sum()),
    )
