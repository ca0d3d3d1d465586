"""Efficient estimator for randomized staggered roll-outs (Roth & Sant'Anna 2023).

Checked against direct unit-level computations of the difference-of-means and Callaway-Sant'Anna
estimators it nests, and by simulation with a known planted effect.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from steadyhand.analytics.efficient import (
    RolloutPanel,
    efficient_estimate,
    fisher_test,
)
from steadyhand.analytics.efficient.estimator import _prepare
from steadyhand.analytics.efficient.moments import (
    functional_moments,
    project_units,
    projected_moments,
)

COHORTS = (3.0, 5.0, 7.0, np.inf)


def simulate(
    rng: np.random.Generator,
    *,
    n: int = 240,
    periods: int = 8,
    cohorts: tuple[float, ...] = COHORTS,
    effect: float = 0.0,
    kind: str = "additive",
    rho: float = 0.5,
    base: float = 4.0,
) -> RolloutPanel:
    """A randomized roll-out: equal-sized waves assigned by a random permutation of units.

    ``additive``: unit effect + AR(1) noise (autocorrelation ``rho``) + ``effect`` once treated.
    ``poisson``: counts with gamma-distributed unit rates (mean ``base``), multiplied by
    ``1 + effect`` once treated (``effect=-0.28`` is the demo's planted 28% reduction).
    """
    g = np.resize(np.asarray(cohorts), n)[rng.permutation(n)]
    t = np.arange(1, periods + 1, dtype=float)
    treated = t[None, :] >= g[:, None]
    if kind == "additive":
        noise = np.empty((n, periods))
        noise[:, 0] = rng.normal(size=n)
        for j in range(1, periods):
            noise[:, j] = rho * noise[:, j - 1] + np.sqrt(1 - rho**2) * rng.normal(size=n)
        y = rng.normal(size=(n, 1)) + noise + effect * treated
    else:
        rate = base * rng.gamma(4.0, 0.25, size=(n, 1))
        y = rng.poisson(rate * np.where(treated, 1.0 + effect, 1.0)).astype(float)
    return RolloutPanel.from_arrays(y, g, periods=t)


def _cells(panel: RolloutPanel) -> list[tuple[int, float]]:
    g = panel.first_treated
    last = panel.periods[-1] + 1 if np.isinf(g).any() else g.max()
    return [
        (j, c)
        for c in np.unique(g[np.isfinite(g)])
        for j, t in enumerate(panel.periods)
        if c <= t < last
    ]


def direct_simple(panel: RolloutPanel, did: bool) -> float:
    """Unit-level difference of means (or Callaway-Sant'Anna DiD), simple aggregation."""
    y, g = panel.outcomes, panel.first_treated
    num = den = 0.0
    for j, c in _cells(panel):
        treated, control = g == c, g > panel.periods[j]
        eff = y[treated, j].mean() - y[control, j].mean()
        if did:
            pre = int(np.searchsorted(panel.periods, c)) - 1
            eff -= y[treated, pre].mean() - y[control, pre].mean()
        num += treated.sum() * eff
        den += treated.sum()
    return num / den


def direct_event_time(panel: RolloutPanel, e: int) -> float:
    y, g = panel.outcomes, panel.first_treated
    num = den = 0.0
    for j, c in _cells(panel):
        if j - int(np.searchsorted(panel.periods, c)) != e:
            continue
        treated, control = g == c, g > panel.periods[j]
        pre = j - e - 1
        eff = y[treated, j].mean() - y[control, j].mean()
        eff -= y[treated, pre].mean() - y[control, pre].mean()
        num += treated.sum() * eff
        den += treated.sum()
    return num / den


def test_beta_zero_is_the_difference_of_means() -> None:
    panel = simulate(np.random.default_rng(1), effect=1.0)
    res = efficient_estimate(panel, "simple", beta=0.0)
    assert res.estimate == pytest.approx(direct_simple(panel, did=False), rel=1e-12)
    assert efficient_estimate(panel).overall.plugin_estimate == pytest.approx(res.estimate)


def test_beta_one_is_callaway_santanna_not_yet_treated() -> None:
    panel = simulate(np.random.default_rng(2), effect=1.0)
    assert efficient_estimate(panel, beta=1.0).estimate == pytest.approx(
        direct_simple(panel, did=True), rel=1e-12
    )
    es = efficient_estimate(panel, "eventstudy", event_times=[0, 1, 2], beta=1.0)
    for row in es.event_study:
        assert row.event_time is not None
        assert row.estimate == pytest.approx(direct_event_time(panel, row.event_time), rel=1e-12)


def test_never_treated_can_be_excluded_leaving_the_last_wave_as_control() -> None:
    panel = simulate(np.random.default_rng(3), effect=1.0)
    res = efficient_estimate(panel, never_treated="exclude")
    assert res.cohorts == (3.0, 5.0, 7.0)
    assert res.n_excluded == 60
    keep = np.isfinite(panel.first_treated)
    sub = RolloutPanel.from_arrays(panel.outcomes[keep], panel.first_treated[keep])
    assert efficient_estimate(sub, beta=0.0).estimate == pytest.approx(
        efficient_estimate(panel, never_treated="exclude", beta=0.0).estimate
    )


def test_result_does_not_depend_on_row_order() -> None:
    panel = simulate(np.random.default_rng(4), effect=1.0)
    perm = np.random.default_rng(5).permutation(panel.n_units)
    shuffled = RolloutPanel.from_arrays(panel.outcomes[perm], panel.first_treated[perm])
    a, b = efficient_estimate(panel, "calendar"), efficient_estimate(shuffled, "calendar")
    assert a.estimate == pytest.approx(b.estimate, rel=1e-10)
    assert a.se == pytest.approx(b.se, rel=1e-10)


@pytest.mark.parametrize("estimand", ["simple", "cohort", "calendar", "eventstudy"])
def test_estimate_is_unbiased_over_replications(estimand: str) -> None:
    rng = np.random.default_rng(10)
    est = np.array(
        [efficient_estimate(simulate(rng, effect=2.0), estimand).estimate for _ in range(150)]
    )
    # Mean within 4 Monte Carlo standard errors of the planted effect.
    assert abs(est.mean() - 2.0) < 4 * est.std(ddof=1) / np.sqrt(len(est))


def test_efficient_variance_is_below_difference_of_means_and_did() -> None:
    rng = np.random.default_rng(11)
    draws = []
    for _ in range(300):
        panel = simulate(rng, effect=1.0, rho=0.5)
        draws.append(
            [
                efficient_estimate(panel).estimate,
                efficient_estimate(panel, beta=0.0).estimate,
                efficient_estimate(panel, beta=1.0).estimate,
                efficient_estimate(panel).se,
            ]
        )
    eff, dim, did, se = np.array(draws).T
    assert eff.var() < dim.var()
    assert eff.var() < did.var()
    # The reported standard error tracks the sampling spread.
    assert np.mean(se) == pytest.approx(eff.std(), rel=0.15)


def test_xhat_all_uses_every_pre_treatment_contrast() -> None:
    panel = simulate(np.random.default_rng(12), effect=1.0, n=400)
    res = efficient_estimate(panel, xhat="all")
    # 2 periods with 4 untreated cohorts, 2 with 3, 2 with 2, 2 with 1 (never treated only).
    assert len(res.beta) == 2 * 3 + 2 * 2 + 2 * 1
    assert abs(res.estimate - 1.0) < 4 * res.se


def test_percent_change_recovers_the_planted_poisson_reduction() -> None:
    panel = simulate(np.random.default_rng(13), n=4000, effect=-0.28, kind="poisson")
    row = efficient_estimate(panel).overall
    assert row.percent_ci_lower < -28.0 < row.percent_ci_upper
    assert row.percent_change == pytest.approx(-28.0, abs=4.0)
    assert row.percent_change == pytest.approx(100 * row.estimate / row.baseline)
    assert row.baseline == pytest.approx(4.0, rel=0.1)


def test_event_study_rows_and_average() -> None:
    panel = simulate(np.random.default_rng(14), effect=1.0)
    res = efficient_estimate(panel, "eventstudy", event_times=range(4))
    assert [r.event_time for r in res.event_study] == [0, 1, 2, 3]
    assert res.overall.label == "average"
    assert all(r.ci_lower < r.estimate < r.ci_upper for r in res.event_study)


def test_results_and_panel_are_immutable() -> None:
    panel = simulate(np.random.default_rng(15))
    res = efficient_estimate(panel)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.overall = res.overall  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        panel.outcomes[0, 0] = 1.0


def test_from_long_matches_from_arrays() -> None:
    panel = simulate(np.random.default_rng(16), n=20, periods=5, cohorts=(3.0, np.inf))
    n, t = panel.outcomes.shape
    unit = np.repeat(np.arange(n), t)
    time = np.tile(panel.periods, n)
    g = np.repeat(np.where(np.isinf(panel.first_treated), np.nan, panel.first_treated), t)
    order = np.random.default_rng(0).permutation(n * t)
    long = RolloutPanel.from_long(unit[order], time[order], panel.outcomes.ravel()[order], g[order])
    np.testing.assert_array_equal(long.outcomes, panel.outcomes)
    np.testing.assert_array_equal(long.first_treated, panel.first_treated)


def test_fisher_p_value_is_small_under_a_large_effect_and_reproducible() -> None:
    panel = simulate(np.random.default_rng(20), effect=1.0)
    res = fisher_test(panel, n_permutations=200, seed=3)
    assert res.p_value < 0.01
    assert res.statistic == pytest.approx(res.estimate / res.se)
    assert res.estimate == pytest.approx(efficient_estimate(panel).estimate, rel=1e-12)
    assert fisher_test(panel, n_permutations=200, seed=3) == res


def test_projected_moments_match_direct_moments_for_a_reassignment() -> None:
    panel = simulate(np.random.default_rng(22), effect=1.0)
    design = _prepare(panel, "eventstudy", None, "include", "did")
    y = panel.outcomes[design.order]
    rows = np.random.default_rng(0).permutation(len(y))
    direct = functional_moments(y[rows], design.bounds, design.functionals)
    fast = projected_moments(
        project_units(y, design.functionals), design.bounds, rows, len(design.functionals)
    )
    np.testing.assert_allclose(fast[0], direct[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast[1], direct[1], rtol=1e-10, atol=1e-14)


def test_fisher_within_strata_is_large_under_the_null() -> None:
    panel = simulate(np.random.default_rng(21), effect=0.0)
    strata = np.arange(panel.n_units) % 2
    res = fisher_test(panel, "eventstudy", n_permutations=100, seed=1, strata=strata)
    assert res.stratified
    assert 0.0 <= res.p_value <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"estimand": "overall"}, "estimand must be one of"),
        ({"estimand": "simple", "event_times": [0]}, "only applies"),
        ({"estimand": "eventstudy", "event_times": [-1]}, "integers >= 0"),
        ({"estimand": "eventstudy", "event_times": [20]}, "event time 20 is not identified"),
        ({"never_treated": "drop"}, "never_treated must be"),
        ({"xhat": "cs"}, "xhat must be"),
        ({"xhat": "all", "beta": 1.0}, "needs the scalar"),
        ({"level": 95}, "level must be"),
    ],
)
def test_invalid_arguments_are_rejected(kwargs: dict[str, object], message: str) -> None:
    panel = simulate(np.random.default_rng(30))
    with pytest.raises(ValueError, match=message):
        efficient_estimate(panel, **kwargs)  # type: ignore[arg-type]


def test_invalid_designs_are_rejected() -> None:
    y = np.zeros((4, 3))
    with pytest.raises(ValueError, match="at least two cohorts"):
        efficient_estimate(RolloutPanel.from_arrays(y, [2, 2, 2, 2]))
    with pytest.raises(ValueError, match="at least 2 units"):
        efficient_estimate(RolloutPanel.from_arrays(y, [2, 2, 2, np.inf]))
    with pytest.raises(ValueError, match="finite"):
        RolloutPanel.from_arrays(np.array([[1.0, np.nan], [1.0, 2.0]]), [2, np.inf])
    with pytest.raises(ValueError, match="not balanced"):
        RolloutPanel.from_long([1, 1, 2], [1, 2, 1], [0.0, 0.0, 0.0], [2, 2, np.nan])
    with pytest.raises(ValueError, match="more than one first-treated"):
        RolloutPanel.from_long([1, 1, 2, 2], [1, 2, 1, 2], [0.0] * 4, [2, 3, np.nan, np.nan])
    panel = simulate(np.random.default_rng(31))
    with pytest.raises(ValueError, match="strata must have one entry"):
        fisher_test(panel, strata=[0, 1])
    with pytest.raises(ValueError, match="n_permutations"):
        fisher_test(panel, n_permutations=0)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("estimand", "xhat"), [("simple", "did"), ("eventstudy", "did"), ("simple", "all")]
)
def test_coverage_and_bias_with_the_planted_poisson_effect(estimand: str, xhat: str) -> None:
    rng = np.random.default_rng(100)
    truth = -0.28 * 4.0  # additive effect on the expected count: -28% of the mean rate
    est, cover, pct = [], [], []
    for _ in range(600):
        res = efficient_estimate(
            simulate(rng, n=800, periods=10, effect=-0.28, kind="poisson"),
            estimand,
            xhat=xhat,  # type: ignore[arg-type]
        )
        est.append(res.estimate)
        cover.append(res.overall.ci_lower <= truth <= res.overall.ci_upper)
        pct.append(res.overall.percent_ci_lower <= -28.0 <= res.overall.percent_ci_upper)
    bias = np.mean(est) - truth
    print(
        f"{estimand}/{xhat}: bias {bias:.4f} ({100 * bias / truth:.1f}% of effect), "
        f"coverage {np.mean(cover):.3f}, percent-change coverage {np.mean(pct):.3f}"
    )
    assert abs(bias) < 0.1 * abs(truth)
    assert 0.93 <= np.mean(cover) <= 0.97
    assert 0.93 <= np.mean(pct) <= 0.97


@pytest.mark.slow
def test_fisher_p_values_are_uniform_under_the_null() -> None:
    rng = np.random.default_rng(200)
    p = np.array(
        [fisher_test(simulate(rng, n=120), n_permutations=199, seed=i).p_value for i in range(400)]
    )
    print(f"share of p < 0.05: {np.mean(p < 0.05):.3f}; mean p {p.mean():.3f}")
    assert 0.03 <= np.mean(p < 0.05) <= 0.07
