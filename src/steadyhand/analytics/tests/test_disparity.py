"""Disparity against a named benchmark."""

import math

import pytest

from steadyhand.analytics.disparity import BENCHMARK_STATEMENTS, disparity


def test_rate_ratios_against_residents_use_poisson_intervals() -> None:
    result = disparity(
        {"black": 120, "white": 60},
        {"black": 100_000, "white": 150_000},
        benchmark_name="residents, ACS 2023",
        benchmark_kind="population",
        reference="white",
    )
    black = next(g for g in result.groups if g.group == "black")
    assert black.rate == pytest.approx(1.2)
    assert black.ratio == pytest.approx((120 / 100_000) / (60 / 150_000))
    half = 1.959964 * math.sqrt(1 / 120 + 1 / 60)
    assert black.ratio_lower == pytest.approx(black.ratio * math.exp(-half), rel=1e-5)
    assert result.statement == BENCHMARK_STATEMENTS["population"]
    white = next(g for g in result.groups if g.group == "white")
    assert white.ratio == 1.0


def test_an_encounter_benchmark_uses_katz_intervals() -> None:
    result = disparity(
        {"black": 30, "white": 20},
        {"black": 300, "white": 400},
        benchmark_name="arrests 2024",
        benchmark_kind="encounters",
        reference="white",
        per=100,
    )
    black = next(g for g in result.groups if g.group == "black")
    assert black.ratio == pytest.approx(2.0)
    half = 1.959964 * math.sqrt(1 / 30 - 1 / 300 + 1 / 20 - 1 / 400)
    assert black.ratio_upper == pytest.approx(2.0 * math.exp(half), rel=1e-5)
    assert "understates" in result.statement


def test_a_zero_count_has_no_ratio_rather_than_zero() -> None:
    result = disparity(
        {"asian": 0, "white": 10},
        {"asian": 500, "white": 1000},
        benchmark_name="arrests",
        benchmark_kind="encounters",
        reference="white",
    )
    asian = next(g for g in result.groups if g.group == "asian")
    assert asian.ratio is None
    assert asian.rate_upper > 0


@pytest.mark.parametrize(
    ("events", "bench", "name", "message"),
    [
        ({"a": 1}, {"a": 10, "b": 5}, " ", "Name the benchmark"),
        ({"a": 1, "c": 2}, {"a": 10, "b": 5}, "x", "No benchmark for group"),
        ({"a": 20}, {"a": 10, "b": 5}, "x", "more events"),
        ({"a": 1}, {"a": 0, "b": 5}, "x", "must be positive"),
    ],
)
def test_a_disparity_without_a_proper_benchmark_is_refused(
    events: dict,
    bench: dict,
    name: str,
    message: str,  # type: ignore[type-arg]
) -> None:
    with pytest.raises(ValueError, match=message):
        disparity(events, bench, benchmark_name=name, benchmark_kind="encounters", reference="b")
