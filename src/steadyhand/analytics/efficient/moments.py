r"""Cohort sufficient statistics: means and covariances of linear functionals.

For functionals ``F`` (shape ``(m, G, T)``) the estimates are
:math:`\hat v = \sum_g F_g \bar Y_g` and, treating cohorts as independent samples of sizes
:math:`N_g`, their covariance is estimated by :math:`\hat V = \sum_g F_g \hat S_g F_g' / N_g`
with :math:`\hat S_g` the within-cohort sample covariance of the outcome paths (Roth &
Sant'Anna 2023, Proposition 2.1, without its heterogeneity term -- see ``estimator``).

Cost is one pass over the outcome matrix: ``O(N T min(m, T))`` flops and no unit-level loop.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["functional_moments"]


def functional_moments(
    outcomes: NDArray[np.float64],
    bounds: NDArray[np.intp],
    functionals: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Estimate the values and the covariance matrix of linear functionals of cohort means.

    Parameters
    ----------
    outcomes : ndarray, shape (N, T)
        Outcome matrix with units sorted by cohort.
    bounds : ndarray of int, shape (G + 1,)
        Cohort ``g`` occupies rows ``bounds[g]:bounds[g + 1]``; each has at least 2 rows.
    functionals : ndarray, shape (m, G, T)
        Weights on the cohort-by-period means.

    Returns
    -------
    values : ndarray, shape (m,)
    covariance : ndarray, shape (m, m)
    """
    m, g_count, t_count = functionals.shape
    values = np.zeros(m)
    cov = np.zeros((m, m))
    for g in range(g_count):
        block = outcomes[bounds[g] : bounds[g + 1]]
        n_g = block.shape[0]
        f_g = functionals[:, g, :]
        active = np.flatnonzero(np.any(f_g != 0.0, axis=1))
        if active.size == 0:
            continue
        f_act = f_g[active]
        mean = block.mean(axis=0)
        values[active] += f_act @ mean
        if active.size <= t_count:
            z = block @ f_act.T
            z -= z.mean(axis=0)
            s = (z.T @ z) / (n_g - 1)
        else:
            c = block - mean
            s = f_act @ ((c.T @ c) / (n_g - 1)) @ f_act.T
        cov[np.ix_(active, active)] += s / n_g
    return values, cov


Projection = tuple[NDArray[np.intp], NDArray[np.float64]]


def project_units(
    outcomes: NDArray[np.float64], functionals: NDArray[np.float64]
) -> list[Projection]:
    """Project every unit's outcome path on every cohort's functionals, once.

    For a randomization test the functionals depend only on the cohort sizes, which
    re-randomization keeps, so each unit's projection under each cohort can be computed once;
    each draw then only regroups rows (``O(N m^2)`` instead of ``O(N T m)``).

    Parameters
    ----------
    outcomes : ndarray, shape (N, T)
    functionals : ndarray, shape (m, G, T)

    Returns
    -------
    list of (active, z)
        Per cohort: indices of the functionals that put weight on it and the ``(N, len(active))``
        projections of all units.
    """
    out: list[Projection] = []
    for g in range(functionals.shape[1]):
        f_g = functionals[:, g, :]
        active = np.flatnonzero(np.any(f_g != 0.0, axis=1))
        out.append((active, outcomes @ f_g[active].T))
    return out


def projected_moments(
    projections: list[Projection], bounds: NDArray[np.intp], rows: NDArray[np.intp], m: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Same as :func:`functional_moments` for the assignment "rows ``rows[bounds[g]:bounds[g+1]]``
    form cohort ``g``", from :func:`project_units` output.

    Parameters
    ----------
    projections : list of (active, z)
        From :func:`project_units`.
    bounds : ndarray of int, shape (G + 1,)
        Cohort boundaries in ``rows``.
    rows : ndarray of int, shape (N,)
        Unit (row of the projected outcome matrix) in each position.
    m : int
        Number of functionals.

    Returns
    -------
    values : ndarray, shape (m,)
    covariance : ndarray, shape (m, m)
    """
    values = np.zeros(m)
    cov = np.zeros((m, m))
    for g, (active, z_all) in enumerate(projections):
        if active.size == 0:
            continue
        z = z_all[rows[bounds[g] : bounds[g + 1]]]
        n_g = z.shape[0]
        mean = z.mean(axis=0)
        values[active] += mean
        z = z - mean
        cov[np.ix_(active, active)] += (z.T @ z) / ((n_g - 1) * n_g)
    return values, cov
