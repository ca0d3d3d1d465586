"""Disparity in force or complaints by subject race, against a benchmark the analyst names.

A rate needs a denominator, and every denominator for police outcomes is contested (Fridell
2004, "By the Numbers"; Knox, Lowe & Mummolo 2020, "Administrative records mask racially biased
policing"). Residents ignore who is actually stopped; arrests and stops are themselves police
decisions, so a disparity already present in them is hidden when they are the benchmark. This
module therefore refuses to compute a disparity without a named benchmark, and returns the
statement of what that benchmark can and cannot show with every result.

Two kinds of benchmark:

- ``"population"`` (residents, officer-hours): exposure. Counts are Poisson given exposure;
  rate ratio intervals use ``var(log RR) = 1/a + 1/c``.
- ``"encounters"`` (arrests, stops, calls attended): the events are a subset of the
  benchmark's counts, so each group's rate is a proportion; intervals use Katz's
  ``var(log RR) = 1/a - 1/n1 + 1/c - 1/n0``.

Rates use exact Poisson intervals (:mod:`.rates`).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from scipy.stats import norm

from .rates import rate_with_exact_poisson_ci

BenchmarkKind = Literal["population", "encounters"]

BENCHMARK_STATEMENTS: dict[str, str] = {
    "population": (
        "Rates per resident compare each group's share of force with its share of the "
        "population. They do not account for who comes into contact with police, which varies "
        "with deployment, calls for service and much else; a difference here shows unequal "
        "outcomes, not by itself their cause."
    ),
    "encounters": (
        "Rates per encounter (arrest, stop or call) compare how often encounters with each "
        "group involve force. Encounters are themselves police decisions: if members of one "
        "group are stopped or arrested more readily, that disparity is already in the "
        "denominator and this ratio understates it (Knox, Lowe & Mummolo 2020)."
    ),
}

__all__ = ["BENCHMARK_STATEMENTS", "DisparityResult", "GroupRate", "disparity"]


@dataclass(frozen=True)
class GroupRate:
    """One group's rate and its ratio to the reference group."""

    group: str
    events: int
    benchmark: float
    rate: float
    rate_lower: float
    rate_upper: float
    ratio: float | None
    ratio_lower: float | None
    ratio_upper: float | None


@dataclass(frozen=True)
class DisparityResult:
    benchmark_name: str
    benchmark_kind: str
    reference: str
    per: float
    groups: tuple[GroupRate, ...]
    statement: str
    level: float


def _ratio(
    a: int, n1: float, c: int, n0: float, kind: str, z: float
) -> tuple[float | None, float | None, float | None]:
    if a == 0 or c == 0:
        # A zero count has no finite log ratio; report none rather than a misleading 0 or inf.
        return None, None, None
    rr = (a / n1) / (c / n0)
    # Exposure denominators: Poisson counts. Encounter denominators: proportions (Katz).
    poisson = kind == "population"
    var = 1 / a + 1 / c if poisson else max(1 / a - 1 / n1 + 1 / c - 1 / n0, 0.0)
    half = z * math.sqrt(var)
    return rr, rr * math.exp(-half), rr * math.exp(half)


def disparity(
    events: Mapping[str, int],
    benchmark: Mapping[str, float],
    *,
    benchmark_name: str,
    benchmark_kind: BenchmarkKind,
    reference: str,
    per: float = 1000.0,
    level: float = 0.95,
) -> DisparityResult:
    """Rates by group against a named benchmark, and rate ratios to ``reference``.

    Parameters
    ----------
    events : mapping of group to int
        Events (uses of force, complaints) per group.
    benchmark : mapping of group to float
        The benchmark count per group (residents, arrests …); every group with events needs one.
    benchmark_name : str
        What the benchmark is, in words ("arrests 2024", "residents (ACS 2023)"); required.
    benchmark_kind : {"population", "encounters"}
    reference : str
        The group every other is compared with.
    per : float, default 1000
    level : float, default 0.95

    Raises
    ------
    ValueError
        If the benchmark is unnamed, a group lacks a benchmark, events exceed an encounter
        benchmark, or the reference group is absent.
    """
    if not benchmark_name.strip():
        raise ValueError(
            "Name the benchmark (e.g. 'arrests 2024' or 'residents, ACS 2023'): a disparity "
            "means nothing without saying what it is measured against."
        )
    if benchmark_kind not in BENCHMARK_STATEMENTS:
        raise ValueError(
            f"benchmark_kind must be 'population' or 'encounters', not {benchmark_kind!r}."
        )
    missing = sorted(set(events) - set(benchmark))
    if missing:
        raise ValueError(f"No benchmark for group(s) {', '.join(missing)}.")
    if reference not in benchmark:
        raise ValueError(f"The reference group {reference!r} is not in the benchmark.")
    for group, n in benchmark.items():
        if not n > 0:
            raise ValueError(f"The benchmark for {group!r} must be positive; got {n!r}.")
        if benchmark_kind == "encounters" and events.get(group, 0) > n:
            raise ValueError(
                f"{group!r} has more events ({events[group]}) than encounters ({n}); with an "
                "encounter benchmark every event must be one of the encounters."
            )
    z = float(norm.ppf(0.5 + level / 2))
    c, n0 = int(events.get(reference, 0)), float(benchmark[reference])
    groups = []
    for group in sorted(benchmark):
        a, n1 = int(events.get(group, 0)), float(benchmark[group])
        rate = rate_with_exact_poisson_ci(a, n1, per=per, level=level)
        ratio = (1.0, None, None) if group == reference else _ratio(a, n1, c, n0, benchmark_kind, z)
        groups.append(
            GroupRate(
                group=group,
                events=a,
                benchmark=n1,
                rate=rate.rate,
                rate_lower=rate.lower,
                rate_upper=rate.upper,
                ratio=ratio[0],
                ratio_lower=ratio[1],
                ratio_upper=ratio[2],
            )
        )
    return DisparityResult(
        benchmark_name=benchmark_name,
        benchmark_kind=benchmark_kind,
        reference=reference,
        per=per,
        groups=tuple(groups),
        statement=BENCHMARK_STATEMENTS[benchmark_kind],
        level=level,
    )
