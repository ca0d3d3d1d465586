"""Interrupted time series on simulated series with a known change."""

import numpy as np
import pytest

from steadyhand.analytics.its import interrupted_time_series


def _series(
    seed: int, *, n: int = 72, start: int = 48, level: float = 0.72, nb_alpha: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    months = t % 12 + 1
    season = 0.25 * np.sin(2 * np.pi * (months - 1) / 12)
    exposure = 400 + 2 * t  # officers on patrol grow slowly
    mu = exposure * 0.05 * np.exp(0.002 * t + season) * np.where(t >= start, level, 1.0)
    if nb_alpha > 0:
        mu = mu * rng.gamma(1 / nb_alpha, nb_alpha, size=n)
    return rng.poisson(mu), exposure, months


def test_a_level_change_is_recovered_with_poisson_counts() -> None:
    counts, exposure, months = _series(1)
    result = interrupted_time_series(counts, 48, exposure=exposure, months=months)
    assert result.model == "poisson"
    assert result.level_change_lower < 0.72 < result.level_change_upper
    assert result.level_change_upper < 1
    assert result.slope_change_lower < 1 < result.slope_change_upper
    assert result.fitted.shape == result.counterfactual.shape == (72,)
    # Before the intervention the counterfactual is the fit itself.
    np.testing.assert_allclose(result.fitted[:48], result.counterfactual[:48])


def test_overdispersed_counts_switch_to_the_negative_binomial() -> None:
    counts, exposure, months = _series(2, nb_alpha=0.15)
    result = interrupted_time_series(counts, 48, exposure=exposure, months=months)
    assert result.dispersion > 1.5
    assert result.model == "negative_binomial"
    assert result.alpha is not None
    assert result.alpha > 0
    assert result.level_change_lower < 0.72 < result.level_change_upper


def test_fourier_seasons_and_no_seasons_both_fit() -> None:
    counts, exposure, months = _series(3)
    for seasonality in ("fourier", "none"):
        result = interrupted_time_series(
            counts, 48, exposure=exposure, months=months, seasonality=seasonality
        )
        assert result.level_change < 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"counts": [1, 2, -1, 3, 4, 5, 6, 7], "intervention": 4}, "non-negative whole"),
        ({"counts": [1.5] * 20, "intervention": 10}, "non-negative whole"),
        ({"counts": [3] * 20, "intervention": 19, "seasonality": "none"}, "2 after"),
        ({"counts": [3] * 20, "intervention": 10}, "calendar month"),
        ({"counts": [3] * 30, "intervention": 20, "months": [1] * 30, "exposure": [0] * 30},
         "exposure must be positive"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_the_reason(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=message):
        interrupted_time_series(**kwargs)


@pytest.mark.slow
def test_coverage_of_the_level_change_over_300_series() -> None:
    covered = 0
    for seed in range(300):
        counts, exposure, months = _series(1000 + seed, nb_alpha=0.05)
        r = interrupted_time_series(counts, 48, exposure=exposure, months=months)
        covered += r.level_change_lower < 0.72 < r.level_change_upper
    assert 0.92 <= covered / 300 <= 0.98
