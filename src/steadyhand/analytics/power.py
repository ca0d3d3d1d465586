"""Power and minimum detectable effect of a randomized roll-out, by simulation.

Before training starts an agency should know whether its design can detect the effect it hopes
for (Louisville's ICAT study reported a 28% fall in uses of force). Closed-form power formulas
assume away what matters here — staggered waves, overdispersed counts, units that differ — so
this simulates the study instead: draw unit-by-month counts with the stated baseline rate,
between-unit heterogeneity (a gamma frailty per unit: clustering) and overdispersion (a gamma
frailty per unit-month: negative-binomial counts), randomize units to waves, apply a
multiplicative effect from each unit's wave on, estimate with the efficient estimator for
randomized timing (:mod:`.efficient`), and count how often its 95% interval excludes zero.
The minimum detectable effect is the smallest effect whose power reaches the target, found by
linear interpolation on the grid of effects simulated.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .efficient.estimator import efficient_estimate
from .efficient.panel import RolloutPanel

ProgressFn = Callable[[int, int], None]

__all__ = ["PowerPoint", "PowerResult", "simulate_power"]


@dataclass(frozen=True)
class PowerPoint:
    effect: float  # multiplicative change in the rate, e.g. -0.28 for 28% fewer
    power: float
    mean_estimate_percent: float


@dataclass(frozen=True)
class PowerResult:
    points: tuple[PowerPoint, ...]
    target_power: float
    minimum_detectable_effect: float | None  # None: no simulated effect reached the target
    replications: int
    design: dict[str, float | int]


def _simulate_panel(
    rng: np.random.Generator,
    *,
    units: int,
    waves: int,
    months: int,
    pre_months: int,
    wave_months: int,
    rate: float,
    unit_cv: float,
    dispersion: float,
    effect: float,
) -> RolloutPanel:
    # Randomized, balanced wave assignment; the last wave may start after the data end.
    wave_of = rng.permutation(np.arange(units) % waves)
    first_treated = pre_months + wave_of * wave_months
    first_treated_f = np.where(first_treated < months, first_treated, np.inf).astype(np.float64)
    unit_rate = rate * (
        rng.gamma(1 / unit_cv**2, unit_cv**2, size=units) if unit_cv > 0 else np.ones(units)
    )
    mean = np.repeat(unit_rate[:, None], months, axis=1)
    treated = np.arange(months)[None, :] >= first_treated[:, None]
    mean = np.where(treated, mean * (1 + effect), mean)
    if dispersion > 0:
        mean = mean * rng.gamma(1 / dispersion, dispersion, size=mean.shape)
    counts = rng.poisson(mean).astype(np.float64)
    return RolloutPanel.from_arrays(
        counts, first_treated_f, periods=np.arange(months, dtype=np.float64)
    )


def simulate_power(
    *,
    units: int,
    waves: int,
    months: int,
    rate: float,
    effects: Sequence[float],
    pre_months: int = 12,
    wave_months: int = 3,
    unit_cv: float = 0.5,
    dispersion: float = 0.3,
    replications: int = 200,
    target_power: float = 0.8,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> PowerResult:
    """Simulated power of the efficient estimator's test for each effect in ``effects``.

    Parameters
    ----------
    units : int
        Units randomized to waves (squads, or officers for an officer-level design).
    waves : int
        Number of waves; units are split evenly and at random.
    months : int
        Months of data in all, including ``pre_months`` before the first wave.
    rate : float
        Baseline events per unit per month (e.g. 0.4 uses of force per squad-month).
    effects : sequence of float
        Multiplicative effects to simulate, e.g. ``[-0.1, -0.2, -0.3]`` (negative: fewer).
    pre_months, wave_months : int
        Months before the first wave, and between waves.
    unit_cv : float, default 0.5
        Coefficient of variation of unit baseline rates (clustering).
    dispersion : float, default 0.3
        Negative-binomial dispersion of monthly counts (``var = mu + dispersion * mu^2``).
    replications : int, default 200
    target_power : float, default 0.8
    seed : int, default 0
        The same seed gives the same result.
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication.

    Raises
    ------
    ValueError
        On an impossible design (too few units or months, non-positive rate, effect <= -1).
    """
    if units < 2 * waves or waves < 2:
        raise ValueError("need at least two waves and two units per wave.")
    if pre_months < 1 or months <= pre_months + wave_months:
        raise ValueError("months must cover the pre-period and at least one wave's start.")
    if not rate > 0:
        raise ValueError("rate must be positive.")
    if not effects or any(e <= -1 for e in effects):
        raise ValueError("effects must be multiplicative changes above -1 (e.g. -0.28).")
    if replications < 10:
        raise ValueError("use at least 10 replications (200 or more for a decision).")
    rng = np.random.default_rng(seed)
    total = len(effects) * replications
    done = 0
    points = []
    for effect in effects:
        rejections = 0
        percents = []
        for _ in range(replications):
            panel = _simulate_panel(
                rng,
                units=units,
                waves=waves,
                months=months,
                pre_months=pre_months,
                wave_months=wave_months,
                rate=rate,
                unit_cv=unit_cv,
                dispersion=dispersion,
                effect=effect,
            )
            row = efficient_estimate(panel, "simple").overall
            if row.ci_upper < 0 or row.ci_lower > 0:
                rejections += 1
            if np.isfinite(row.percent_change):
                percents.append(row.percent_change)
            done += 1
            if progress is not None:
                progress(done, total)
        points.append(
            PowerPoint(
                effect=float(effect),
                power=rejections / replications,
                mean_estimate_percent=float(np.mean(percents)) if percents else float("nan"),
            )
        )
    return PowerResult(
        points=tuple(points),
        target_power=target_power,
        minimum_detectable_effect=_mde(points, target_power),
        replications=replications,
        design={
            "units": units,
            "waves": waves,
            "months": months,
            "pre_months": pre_months,
            "wave_months": wave_months,
            "rate": rate,
            "unit_cv": unit_cv,
            "dispersion": dispersion,
            "seed": seed,
        },
    )


def _mde(points: Sequence[PowerPoint], target: float) -> float | None:
    """The smallest |effect| reaching ``target`` power, interpolated between grid points."""
    ordered = sorted(points, key=lambda p: abs(p.effect))
    previous: PowerPoint | None = None
    for point in ordered:
        if point.power >= target:
            if previous is None or previous.power >= point.power:
                return point.effect
            share = (target - previous.power) / (point.power - previous.power)
            return previous.effect + share * (point.effect - previous.effect)
        previous = point
    return None
