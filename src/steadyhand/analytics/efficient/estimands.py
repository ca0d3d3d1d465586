r"""Target parameters and pre-treatment contrasts as linear functionals of cohort means.

Every quantity the efficient estimator uses is a linear combination of the cohort-by-period
means :math:`\bar Y_{g,t}` (Roth & Sant'Anna 2023, section 2). With cohorts
:math:`g = 1, \dots, G` (cohort ``g`` first treated in column :math:`p_g`; never treated units
form a cohort with :math:`p_g = T`) and periods :math:`t = 0, \dots, T-1`, a functional is an
array ``w`` of shape ``(G, T)`` and its estimate is :math:`\sum_{g,t} w_{g,t} \bar Y_{g,t}`.

Identified cells. Under no anticipation :math:`Y_{it}(g') = Y_{it}(\infty)` whenever
:math:`t < p_{g'}`, and with random timing every cohort's mean estimates the all-unit mean of
its potential outcomes. So for each treated cell :math:`(t, g)` with :math:`p_g \le t` and at least
one cohort not yet treated at ``t`` (set :math:`NYT(t) = \{g' : p_{g'} > t\}`),

.. math:: \widehat{ATE}(t, g) = \bar Y_{g,t} - \sum_{g' \in NYT(t)}
          \frac{N_{g'}}{N_{NYT(t)}} \bar Y_{g',t}

is unbiased for :math:`ATE(t,g) = N^{-1}\sum_i [Y_{it}(g) - Y_{it}(\infty)]`. This is the
plug-in :math:`\hat\theta_0` (``beta = 0``): a difference of means, comparing with the pooled
not-yet-treated units as Callaway & Sant'Anna (2021) do.

Aggregations (the weights :math:`a_{t,g}` of Roth & Sant'Anna 2023, eq. 3, the same as
Callaway & Sant'Anna's aggregations), over identified cells only:

* ``simple``: :math:`a_{t,g} \propto N_g`.
* ``cohort``: :math:`\theta_g = |T_g|^{-1} \sum_{t \in T_g} ATE(t,g)`, then
  :math:`\sum_g N_g \theta_g / \sum_g N_g`.
* ``calendar``: :math:`\theta_t = \sum_g N_g ATE(t,g) / \sum_g N_g` over cohorts treated by ``t``,
  then the plain average over periods.
* ``eventstudy`` at event time :math:`l \ge 0`: :math:`\sum_g N_g ATE(p_g + l, g) / \sum_g N_g`.

Pre-treatment contrasts :math:`\hat X` (mean zero under random timing and no anticipation):

* ``"did"`` (one per target): :math:`\sum_{t,g} a_{t,g} [\bar Y_{g,p_g-1} - \sum_{g' \in NYT(t)}
  \frac{N_{g'}}{N_{NYT(t)}} \bar Y_{g',p_g-1}]` -- the same comparison one period before
  cohort ``g`` starts. :math:`\hat\theta_0 - 1 \cdot \hat X` is Callaway & Sant'Anna's
  not-yet-treated estimator; ``beta = 0`` is the difference of means (Roth & Sant'Anna 2023,
  section 2.2).
* ``"all"``: every contrast :math:`\bar Y_{g,t} - \bar Y_{r(t),t}` between a cohort not yet
  treated at ``t`` and the latest-treated cohort :math:`r(t)`; these span all mean-zero linear
  combinations of pre-treatment means, so the efficient estimator does not depend on the choice
  of plug-in. Its dimension grows with cohorts x periods; use it only when that is small
  relative to the cohort sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = ["Estimand", "TargetFunctionals", "build_all_contrasts", "build_targets"]

Estimand = Literal["simple", "cohort", "calendar", "eventstudy"]
ESTIMANDS: tuple[str, ...] = ("simple", "cohort", "calendar", "eventstudy")


@dataclass(frozen=True)
class TargetFunctionals:
    """Functionals for a list of targets (one per row).

    Attributes
    ----------
    labels : tuple of str
        Name of each target (``"simple"``, ``"event_time=3"``, ``"average"`` ...).
    event_times : tuple of int or None
        Event time of each target (``None`` for aggregates).
    theta : ndarray, shape (n_targets, G, T)
        Plug-in difference-of-means functional.
    baseline : ndarray, shape (n_targets, G, T)
        The same weights applied to the not-yet-treated comparison means: the untreated mean
        the effect is compared with (the denominator of the percent change).
    did : ndarray, shape (n_targets, G, T)
        The scalar Callaway-Sant'Anna pre-treatment contrast for each target.
    """

    labels: tuple[str, ...]
    event_times: tuple[int | None, ...]
    theta: NDArray[np.float64]
    baseline: NDArray[np.float64]
    did: NDArray[np.float64]


def _cells(pos: NDArray[np.intp], n_periods: int) -> list[tuple[int, int]]:
    """Identified treated cells ``(t, cohort index)``: treated by ``t`` and a cohort not yet."""
    last = int(pos.max())
    return [(t, k) for k in range(len(pos)) for t in range(int(pos[k]), n_periods) if t < last]


def _add_cell(
    theta: NDArray[np.float64],
    baseline: NDArray[np.float64],
    did: NDArray[np.float64],
    pos: NDArray[np.intp],
    sizes: NDArray[np.float64],
    t: int,
    k: int,
    w: float,
) -> None:
    nyt = pos > t
    share = np.where(nyt, sizes, 0.0) / sizes[nyt].sum()
    theta[k, t] += w
    theta[:, t] -= w * share
    baseline[:, t] += w * share
    pre = int(pos[k]) - 1
    did[k, pre] += w
    did[:, pre] -= w * share


def build_targets(
    pos: NDArray[np.intp],
    sizes: NDArray[np.float64],
    n_periods: int,
    estimand: str,
    event_times: tuple[int, ...] | None,
) -> TargetFunctionals:
    """Weights of the target parameters for a given cohort structure.

    Parameters
    ----------
    pos : ndarray of int, shape (G,)
        Sorted column at which each cohort is first treated (``n_periods`` for never treated);
        all at least 1.
    sizes : ndarray of float, shape (G,)
        Number of units in each cohort.
    n_periods : int
        Number of periods ``T``.
    estimand : {"simple", "cohort", "calendar", "eventstudy"}
        Aggregation (see module docstring).
    event_times : tuple of int or None
        Event times for ``"eventstudy"`` (default: every identified ``l >= 0``). An extra last
        target, ``"average"``, is their plain mean.

    Returns
    -------
    TargetFunctionals
    """
    g_count = len(pos)
    cells = _cells(pos, n_periods)
    if not cells:
        raise ValueError(
            "no treated cell can be compared with a not-yet-treated cohort: at least two "
            "cohorts (or a cohort and never-treated units) with different start periods are "
            "needed."
        )
    weight_sets: list[dict[tuple[int, int], float]] = []
    labels: list[str] = []
    times: list[int | None] = []
    if estimand == "simple":
        total = sum(sizes[k] for _, k in cells)
        weight_sets.append({(t, k): float(sizes[k] / total) for t, k in cells})
        labels.append("simple")
        times.append(None)
    elif estimand == "cohort":
        by_cohort: dict[int, list[int]] = {}
        for t, k in cells:
            by_cohort.setdefault(k, []).append(t)
        total = sum(sizes[k] for k in by_cohort)
        weight_sets.append(
            {(t, k): float(sizes[k] / total / len(ts)) for k, ts in by_cohort.items() for t in ts}
        )
        labels.append("cohort")
        times.append(None)
    elif estimand == "calendar":
        by_time: dict[int, list[int]] = {}
        for t, k in cells:
            by_time.setdefault(t, []).append(k)
        weight_sets.append(
            {
                (t, k): float(sizes[k] / sizes[ks].sum() / len(by_time))
                for t, ks in by_time.items()
                for k in ks
            }
        )
        labels.append("calendar")
        times.append(None)
    elif estimand == "eventstudy":
        cellset = set(cells)
        available = sorted({t - int(pos[k]) for t, k in cells})
        wanted = tuple(available) if event_times is None else event_times
        for e in wanted:
            members = [k for k in range(g_count) if (int(pos[k]) + e, k) in cellset]
            if not members:
                raise ValueError(
                    f"event time {e} is not identified: no cohort is observed {e} periods after "
                    "it starts while another cohort is still untreated. Identified event times: "
                    f"{available[0]}..{available[-1]}."
                )
            total = float(sizes[members].sum())
            weight_sets.append({(int(pos[k]) + e, k): float(sizes[k] / total) for k in members})
            labels.append(f"event_time={e}")
            times.append(e)
        avg: dict[tuple[int, int], float] = {}
        for ws in weight_sets:
            for key, w in ws.items():
                avg[key] = avg.get(key, 0.0) + w / len(weight_sets)
        weight_sets.append(avg)
        labels.append("average")
        times.append(None)
    else:
        raise ValueError(f"estimand must be one of {ESTIMANDS}; got {estimand!r}.")

    shape = (len(weight_sets), g_count, n_periods)
    theta, baseline, did = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for r, ws in enumerate(weight_sets):
        for (t, k), w in ws.items():
            _add_cell(theta[r], baseline[r], did[r], pos, sizes, t, k, w)
    return TargetFunctionals(tuple(labels), tuple(times), theta, baseline, did)


def build_all_contrasts(pos: NDArray[np.intp], n_periods: int) -> NDArray[np.float64]:
    """Every basic pre-treatment contrast between cohorts not yet treated.

    Parameters
    ----------
    pos : ndarray of int, shape (G,)
        Sorted first-treated column of each cohort (``n_periods`` for never treated).
    n_periods : int
        Number of periods ``T``.

    Returns
    -------
    ndarray, shape (K, G, T)
        Row ``(g, t)``: :math:`\\bar Y_{g,t} - \\bar Y_{r(t),t}` where :math:`r(t)` is the
        latest-treated cohort, for each ``t`` and each other cohort untreated at ``t``.
    """
    g_count = len(pos)
    rows: list[NDArray[np.float64]] = []
    ref = g_count - 1  # pos is sorted: the last cohort is untreated longest
    for t in range(n_periods):
        for k in range(ref):
            if pos[k] > t:
                row = np.zeros((g_count, n_periods))
                row[k, t] = 1.0
                row[ref, t] = -1.0
                rows.append(row)
    if not rows:
        return np.zeros((0, g_count, n_periods))
    return np.stack(rows)
