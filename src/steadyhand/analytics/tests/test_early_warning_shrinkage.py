"""The gamma-Poisson prior against simulations with a known truth."""

import numpy as np
import pytest

from steadyhand.analytics.early_warning import (
    CoAttendance,
    fit_gamma_prior,
    posterior_mean,
    posterior_prob_above,
    within_incident,
)


@pytest.mark.parametrize("method", ["ml", "moments"])
def test_the_prior_recovers_a_known_spread_of_rate_ratios(method: str) -> None:
    rng = np.random.default_rng(42)
    expected = rng.uniform(2, 20, 4000)
    theta = rng.gamma(shape=4.0, scale=1 / 4.0, size=expected.size)  # mean 1, variance 0.25
    observed = rng.poisson(theta * expected).astype(float)
    prior = fit_gamma_prior(observed, expected, method=method)  # type: ignore[arg-type]
    assert prior.mean == pytest.approx(1.0, abs=0.03)
    assert prior.shape == pytest.approx(4.0, rel=0.2)
    # Shrinkage estimates the ratios better than the raw ratios do.
    shrunk = posterior_mean(prior, observed, expected)
    assert np.mean((shrunk - theta) ** 2) < np.mean((observed / expected - theta) ** 2)


def test_without_real_variation_everyone_shrinks_to_the_mean() -> None:
    rng = np.random.default_rng(1)
    expected = np.full(2000, 5.0)
    observed = rng.poisson(expected).astype(float)
    prior = fit_gamma_prior(observed, expected)
    assert prior.shape > 20  # between-member variance 1/α: near zero, as simulated
    raw = np.ptp(observed / expected)
    assert np.ptp(posterior_mean(prior, observed, expected)) < raw / 5


def test_posterior_probability_rises_with_evidence() -> None:
    prior = fit_gamma_prior(np.array([1.0, 2, 3, 9, 0, 4]), np.array([2.0, 2, 3, 3, 2, 3]))
    low, high = posterior_prob_above(prior, np.array([4.0, 40.0]), np.array([2.0, 20.0]))
    assert 0.5 < low < high


def test_within_incident_recovers_a_member_who_escalates_more_at_shared_calls() -> None:
    rng = np.random.default_rng(7)
    members = np.array([f"m{i:02d}" for i in range(20)])
    propensity = np.ones(20)
    propensity[3] = 3.0
    incident, member, escalated = [], [], []
    for j in range(4000):
        pair = rng.choice(20, size=2, replace=False)
        # The situation is shared: a severe call raises both members' chances.
        severity = rng.lognormal(0, 1)
        for m in pair:
            incident.append(str(j))
            member.append(members[m])
            escalated.append(rng.random() < 1 - np.exp(-0.05 * severity * propensity[m]))
    co = CoAttendance.from_arrays(incident=incident, member=member, escalated=escalated)
    result = within_incident(co, members)
    ratio = result.observed / result.expected
    assert int(np.argmax(ratio)) == 3
    assert ratio[3] > 1.3
    assert np.median(ratio) == pytest.approx(1.0, abs=0.15)
