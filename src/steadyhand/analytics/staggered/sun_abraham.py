"""Sun & Abraham (2021) interaction-weighted event study.

Sun, L. and Abraham, S. (2021). "Estimating dynamic treatment effects in event studies with
heterogeneous treatment effects." *Journal of Econometrics* 225(2), 175-199.

Step 1 regresses the outcome on unit and period fixed effects and a full set of cohort ×
relative-period interactions ``1{G_i = g} 1{t - g = e}`` for every treated cohort ``g`` and every
``e != -1``, using as controls the never-treated units (``control="never"``) or the last-treated
cohort (``control="last"``: periods from that cohort's first treated period on are dropped and
the cohort serves as control). Step 2 averages the cohort-specific effects CATT(g, e) with
weights equal to the cohorts' shares among the units observed at relative period ``e``.

On a balanced panel this fully saturated regression has a closed form: unit effects of cohort
``g`` are pinned by period ``g - 1`` and period effects by the control units, so

``CATT(g, e) = mean_{G=g}(Y_{g+e} - Y_{g-1}) - mean_{control}(Y_{g+e} - Y_{g-1})``,

which is Callaway & Sant'Anna's ATT(g, g+e) with the universal base period and the same control
units. We compute it that way (the regression with ``H × T`` interaction dummies would not fit in
memory on an officer-month panel) and take the standard errors from the influence function, the
unit-clustered sandwich of that regression (CR0); ``test_staggered`` checks both against an
explicit dummy-variable regression. The share weights are estimated, and their sampling
variation is included, as in SA (2021, Proposition 6).
"""

from __future__ import annotations

import numpy as np

from .aggregate import aggregate_fit
from .callaway_santanna import fit_group_time
from .panel import NEVER_TREATED, StaggeredPanel
from .results import Aggregate

SA_CONTROLS = ("never", "last")


def last_treated_as_control(panel: StaggeredPanel) -> StaggeredPanel:
    """Recode the last-treated cohort as control and drop the periods from its adoption on.

    Raises
    ------
    ValueError
        If fewer than two treated cohorts exist.
    """
    cohorts = np.unique(panel.cohort[np.isfinite(panel.cohort)])
    if cohorts.size < 2:
        raise ValueError("control='last' needs at least two treated cohorts.")
    last = cohorts[-1]
    keep_t = panel.periods < last
    cohort = np.where(panel.cohort == last, NEVER_TREATED, panel.cohort)
    return StaggeredPanel(
        units=panel.units,
        periods=panel.periods[keep_t],
        outcome=panel.outcome[:, keep_t],
        cohort=cohort,
        weights=None if panel.weights is None else panel.weights[:, keep_t],
        treatment=None,
        notes=(
            *panel.notes,
            f"cohort {int(last)} is the control group; periods from {int(last)} on were dropped.",
        ),
    )


def sun_abraham(
    panel: StaggeredPanel,
    *,
    control: str = "never",
    weighted: bool = False,
    event_times: tuple[int, int] | None = None,
    bootstrap: int = 0,
    multiplier: str = "rademacher",
    seed: int | None = None,
    level: float = 0.95,
) -> Aggregate:
    """Interaction-weighted event-study estimates.

    Parameters
    ----------
    panel : StaggeredPanel
    control : {"never", "last"}, default "never"
        Never-treated units, or the last-treated cohort, as the control cohort.
    weighted : bool, default False
        Weight units by ``panel.weights`` (constant within unit).
    event_times : (int, int), optional
        Inclusive window of relative periods reported (all are estimated; the reference period
        ``-1`` is normalised to 0 and not reported).
    bootstrap, multiplier, seed, level
        As in :func:`.aggregate.aggregate_fit` (uniform band over the reported event times).

    Returns
    -------
    Aggregate
        ``estimand="eventstudy"``; ``estimate`` averages the effects at ``e >= 0``.
    """
    if control not in SA_CONTROLS:
        raise ValueError(f"control must be one of {SA_CONTROLS}, not {control!r}.")
    data = last_treated_as_control(panel) if control == "last" else panel
    fit = fit_group_time(data, control="never", base="universal", weighted=weighted)
    return aggregate_fit(
        fit,
        "eventstudy",
        event_times=event_times,
        bootstrap=bootstrap,
        multiplier=multiplier,
        seed=seed,
        level=level,
    )
