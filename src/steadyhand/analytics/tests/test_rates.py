"""Exact Poisson rate intervals, checked against published values and the Poisson definition."""

import dataclasses
import math

import numpy as np
import pytest
from scipy.stats import poisson

from steadyhand.analytics.rates import RateEstimate, rate_with_exact_poisson_ci

# Exact 95% limits for the expected count, as tabulated by Garwood (1936) and reproduced in
# standard references (e.g. Ulm 1990; Sahai & Khurshid 1993, table 1).
PUBLISHED_95 = [
    (0, 0.0, 3.689),
    (1, 0.0253, 5.572),
    (2, 0.2422, 7.225),
    (5, 1.623, 11.67),
    (10, 4.795, 18.39),
    (20, 12.22, 30.89),
]


@pytest.mark.parametrize(("events", "lower", "upper"), PUBLISHED_95)
def test_matches_published_exact_limits(events: int, lower: float, upper: float) -> None:
    est = rate_with_exact_poisson_ci(events, 1.0)
    assert est.rate == events
    assert est.lower == pytest.approx(lower, abs=6e-4, rel=5e-4)
    assert est.upper == pytest.approx(upper, abs=6e-4, rel=5e-4)


def test_zero_events_has_a_zero_lower_bound_and_the_rule_of_three_upper_bound() -> None:
    est = rate_with_exact_poisson_ci(0, 1.0)
    assert est.rate == 0.0
    assert est.lower == 0.0
    # With no events the exact upper limit is -ln(alpha / 2).
    assert est.upper == pytest.approx(-math.log(0.025))


@pytest.mark.parametrize("events", [1, 3, 7, 42, 250])
@pytest.mark.parametrize("level", [0.8, 0.9, 0.95, 0.99])
def test_limits_invert_the_one_sided_poisson_tests(events: int, level: float) -> None:
    # The definition, computed with the Poisson distribution rather than chi-squared: at the
    # lower limit P(X >= k) = alpha/2, at the upper limit P(X <= k) = alpha/2.
    alpha = 1 - level
    est = rate_with_exact_poisson_ci(events, 1.0, level=level)
    assert poisson.sf(events - 1, est.lower) == pytest.approx(alpha / 2, rel=1e-6)
    assert poisson.cdf(events, est.upper) == pytest.approx(alpha / 2, rel=1e-6)


def test_exposure_and_per_rescale_every_number() -> None:
    # 12 uses of force over 3,400 arrests, reported per 1,000 arrests.
    base = rate_with_exact_poisson_ci(12, 1.0)
    est = rate_with_exact_poisson_ci(12, 3400.0, per=1000.0)
    factor = 1000.0 / 3400.0
    assert est.rate == pytest.approx(12 * factor)
    assert est.lower == pytest.approx(base.lower * factor)
    assert est.upper == pytest.approx(base.upper * factor)
    assert est.events == 12
    assert est.exposure == 3400.0
    assert est.lower < est.rate < est.upper


def test_a_higher_level_gives_a_wider_interval() -> None:
    narrow = rate_with_exact_poisson_ci(8, 2.0, level=0.9)
    wide = rate_with_exact_poisson_ci(8, 2.0, level=0.99)
    assert wide.lower < narrow.lower
    assert wide.upper > narrow.upper


def test_accepts_numpy_scalars() -> None:
    est = rate_with_exact_poisson_ci(np.int64(10), np.float64(1.0))
    assert est.upper == pytest.approx(18.39, abs=6e-3)
    assert type(est.events) is int


def test_result_is_immutable() -> None:
    est = rate_with_exact_poisson_ci(3, 1.0)
    assert isinstance(est, RateEstimate)
    with pytest.raises(dataclasses.FrozenInstanceError):
        est.rate = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"events": -1, "exposure": 1.0}, "events must be a non-negative integer"),
        ({"events": 2.5, "exposure": 1.0}, "events must be a non-negative integer"),
        ({"events": True, "exposure": 1.0}, "events must be a non-negative integer"),
        ({"events": 3, "exposure": 0.0}, "exposure must be a finite number greater than zero"),
        ({"events": 3, "exposure": -2.0}, "exposure must be a finite number greater than zero"),
        ({"events": 3, "exposure": math.inf}, "exposure must be a finite number"),
        ({"events": 3, "exposure": math.nan}, "exposure must be a finite number"),
        ({"events": 3, "exposure": 1.0, "per": 0}, "per must be a finite number"),
        ({"events": 3, "exposure": 1.0, "level": 1.0}, "level must be strictly between 0 and 1"),
        ({"events": 3, "exposure": 1.0, "level": 0.0}, "level must be strictly between 0 and 1"),
        ({"events": 3, "exposure": 1.0, "level": 95}, "level must be strictly between 0 and 1"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        rate_with_exact_poisson_ci(**kwargs)  # type: ignore[arg-type]
