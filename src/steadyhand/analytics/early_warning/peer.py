"""Peer-adjusted expected counts: what a member's peers would have had with the same exposure.

For each row (member × period × peer group) the expected count of an outcome is the row's
exposure times the rate of the *other* members of the same peer group, pooled over the rows
being scored. Leaving the member out matters in small groups: a high-force officer in a squad of
four would otherwise raise their own benchmark (internal benchmarking, Walker 2003,
"Early Intervention Systems for Law Enforcement Agencies", COPS Office; Ridgeway & MacDonald
2009, "Doubly robust internal benchmarking and false discovery rates for detecting racial bias
in police stops", JASA 104). A member alone in a peer group is compared with the agency rate.

Exposure (calls attended, arrests) is the denominator, so a member on a busy night shift is
expected to have more force reports than one on days — the confound fixed-count thresholds
ignore (Helsby et al. 2018, "Early Intervention Systems: Predicting Adverse Interactions Between
Police and the Public", Criminal Justice Policy Review 29(2)).

Small peer groups
-----------------
A squad's night-tactical cell may hold three members, and a rate from two colleagues is mostly
noise. When peer keys were made with :func:`.data.peer_key`, the expected rate is built in two
layers: a Poisson log-linear model with main effects of unit, shift and assignment (fitted by
iterative proportional fitting on the margins, which is its maximum-likelihood solution; Bishop,
Fienberg & Holland 1975, ch. 3), then the leave-one-out cell's own departure from that model,
shrunk by a pseudo-count of ``smoothing`` expected events:

    ``rate = main × (O_g − O_ig + c) / (M_g − M_ig + c)``

with ``M`` the main-effects expectation. Large cells keep their own rate; small ones fall back
on "members of this unit, on this shift, in this assignment" as a whole.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .data import KEY_SEPARATOR, MemberPeriods, weighted_counts

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


__all__ = ["PeerCounts", "peer_counts"]


@dataclass(frozen=True, eq=False)
class PeerCounts:
    """Per-member observed and peer-expected counts of each outcome.

    Attributes
    ----------
    members : ndarray of str, shape (n,)
        Sorted member ids; every other array is in this order.
    exposure : ndarray, shape (n,)
        Total exposure per member.
    observed, expected : mapping of outcome to ndarray, shape (n,)
    primary_peer_group : ndarray of str, shape (n,)
        The peer group where the member had most exposure (shown in explanations).
    peer_rate : mapping of outcome to ndarray, shape (n,)
        Rate per unit of exposure among the others of the primary peer group.
    peer_size : ndarray of int, shape (n,)
        Members (other than this one) with exposure in the primary peer group.
    """

    members: NDArray[np.str_]
    exposure: FloatArray
    observed: dict[str, FloatArray]
    expected: dict[str, FloatArray]
    primary_peer_group: NDArray[np.str_]
    peer_rate: dict[str, FloatArray]
    peer_size: IntArray


def _main_effects_rate(
    levels: list[NDArray[np.int64]], x: FloatArray, o: FloatArray, iterations: int = 50
) -> FloatArray:
    """Per-row rate under a Poisson model with main effects of each factor (IPF)."""
    total_x = float(x.sum())
    rate = np.full(x.size, float(o.sum()) / total_x if total_x > 0 else 0.0)
    targets = [weighted_counts(lv, weights=o) for lv in levels]
    for _ in range(iterations):
        worst = 0.0
        for lv, target in zip(levels, targets, strict=True):
            fitted = weighted_counts(lv, weights=x * rate, minlength=target.size)
            factor = np.divide(target, fitted, out=np.ones_like(target), where=fitted > 0)
            rate = rate * factor[lv]
            worst = max(worst, float(np.abs(factor - 1).max()))
        if worst < 1e-8:
            break
    return rate


def _key_parts(groups: NDArray[np.str_]) -> list[NDArray[np.int64]] | None:
    """Level indices of each part of the peer keys, per group; None if keys do not split."""
    split = [str(g).split(KEY_SEPARATOR) for g in groups]
    width = len(split[0])
    if width < 2 or any(len(parts) != width for parts in split):
        return None
    columns = [np.unique(np.array([p[j] for p in split]), return_inverse=True)[1]
               for j in range(width)]  # fmt: skip
    return [c.astype(np.int64) for c in columns]


def peer_counts(data: MemberPeriods, *, smoothing: float = 5.0) -> PeerCounts:
    """Observed and leave-one-out peer-expected counts of every outcome, per member.

    Parameters
    ----------
    data : MemberPeriods
    smoothing : float, default 5
        Pseudo-count (in expected events) pulling a small cell's rate toward the
        main-effects model of its unit, shift and assignment. 0 uses each cell's own
        leave-one-out rate; it applies only when peer keys come from :func:`.data.peer_key`.

    Returns
    -------
    PeerCounts

    Notes
    -----
    With ``O_g, X_g`` the events and exposure of peer group ``g`` and ``O_ig, X_ig`` those of
    member ``i`` within it, a row of ``i`` in ``g`` with exposure ``x`` expects
    ``x (O_g − O_ig) / (X_g − X_ig)`` events; when no one else has exposure in ``g`` it expects
    ``x (O − O_i) / (X − X_i)`` from the whole agency. Cost is a few sorts of the rows: linear
    in rows up to ``log`` factors, so ten years of monthly rows for 35,000 members is seconds.
    """
    if not (np.isfinite(smoothing) and smoothing >= 0):
        raise ValueError(f"smoothing must be a finite pseudo-count, zero or more, not {smoothing}")
    members, m_idx = np.unique(data.member, return_inverse=True)
    groups, g_idx = np.unique(data.peer_group, return_inverse=True)
    parts = _key_parts(groups) if smoothing > 0 else None
    n_m, n_g = members.size, groups.size
    pair = m_idx.astype(np.int64) * n_g + g_idx
    pairs, p_idx = np.unique(pair, return_inverse=True)
    pair_member, pair_group = pairs // n_g, pairs % n_g
    x = data.exposure
    x_pair = weighted_counts(p_idx, weights=x, minlength=pairs.size)
    x_group = weighted_counts(g_idx, weights=x, minlength=n_g)
    x_member = weighted_counts(m_idx, weights=x, minlength=n_m)
    x_total = float(x.sum())
    others_x_row = (x_group[pair_group] - x_pair)[p_idx]
    alone = others_x_row <= 0
    others_x_agency = (x_total - x_member)[m_idx]

    # Primary peer group: the pair with most exposure for each member (ties: first group).
    order = np.lexsort((-x_pair, pair_member))
    first = order[np.r_[True, pair_member[order][1:] != pair_member[order][:-1]]]
    primary_pair = np.empty(n_m, dtype=np.int64)
    primary_pair[pair_member[first]] = first
    primary_group = pair_group[primary_pair]
    has_exposure = (x_pair > 0).astype(np.int64)
    group_members = weighted_counts(pair_group, weights=has_exposure, minlength=n_g)
    peer_size = (group_members[primary_group] - has_exposure[primary_pair]).astype(np.int64)

    observed: dict[str, FloatArray] = {}
    expected: dict[str, FloatArray] = {}
    peer_rate: dict[str, FloatArray] = {}
    for outcome, counts in data.events.items():
        o = counts.astype(np.float64)
        o_pair = weighted_counts(p_idx, weights=o, minlength=pairs.size)
        o_group = weighted_counts(g_idx, weights=o, minlength=n_g)
        o_member = weighted_counts(m_idx, weights=o, minlength=n_m)
        o_total = float(o.sum())
        agency_rate = np.divide(
            (o_total - o_member)[m_idx],
            others_x_agency,
            out=np.zeros(x.size),
            where=others_x_agency > 0,
        )
        group_rate = np.divide(
            (o_group[pair_group] - o_pair)[p_idx],
            others_x_row,
            out=np.zeros(x.size),
            where=~alone,
        )
        rate = np.where(alone, agency_rate, group_rate)
        if parts is not None:
            main = _main_effects_rate([p[g_idx] for p in parts], x, o)
            m_row = x * main
            m_pair = weighted_counts(p_idx, weights=m_row, minlength=pairs.size)
            m_group = weighted_counts(g_idx, weights=m_row, minlength=n_g)
            others_m = (m_group[pair_group] - m_pair)[p_idx]
            others_o = (o_group[pair_group] - o_pair)[p_idx]
            rate = main * (others_o + smoothing) / (others_m + smoothing)
        observed[outcome] = o_member
        expected[outcome] = weighted_counts(m_idx, weights=x * rate, minlength=n_m)
        others_x = x_group[primary_group] - x_pair[primary_pair]
        peer_rate[outcome] = np.divide(
            o_group[primary_group] - o_pair[primary_pair],
            others_x,
            out=np.full(n_m, np.nan),
            where=others_x > 0,
        )
    return PeerCounts(
        members=members,
        exposure=x_member,
        observed=observed,
        expected=expected,
        primary_peer_group=groups[primary_group],
        peer_rate=peer_rate,
        peer_size=peer_size,
    )
