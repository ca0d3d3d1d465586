"""Staggered roll-out difference in differences.

Build a :class:`StaggeredPanel` (validated, balanced), then estimate with :func:`twfe`,
:func:`callaway_santanna` / :func:`cs_aggregate`, or :func:`sun_abraham`.
"""

from __future__ import annotations

from .aggregate import ESTIMANDS, aggregate_fit
from .callaway_santanna import callaway_santanna, fit_group_time
from .panel import NEVER_TREATED, StaggeredPanel
from .results import Aggregate, GroupTimeEffects, TWFEResult
from .sun_abraham import sun_abraham
from .twfe import twfe


def cs_aggregate(
    panel: StaggeredPanel,
    estimand: str,
    *,
    control: str = "never",
    base: str = "varying",
    weighted: bool = False,
    event_times: tuple[int, int] | None = None,
    bootstrap: int = 0,
    multiplier: str = "rademacher",
    seed: int | None = None,
    level: float = 0.95,
) -> Aggregate:
    """Callaway & Sant'Anna ATT(g, t) aggregated into ``estimand``.

    See :func:`.callaway_santanna.fit_group_time` and :func:`.aggregate.aggregate_fit` for the
    parameters.
    """
    fit = fit_group_time(panel, control=control, base=base, weighted=weighted)
    return aggregate_fit(
        fit,
        estimand,
        event_times=event_times,
        bootstrap=bootstrap,
        multiplier=multiplier,
        seed=seed,
        level=level,
    )


__all__ = [
    "ESTIMANDS",
    "NEVER_TREATED",
    "Aggregate",
    "GroupTimeEffects",
    "StaggeredPanel",
    "TWFEResult",
    "aggregate_fit",
    "callaway_santanna",
    "cs_aggregate",
    "fit_group_time",
    "sun_abraham",
    "twfe",
]
