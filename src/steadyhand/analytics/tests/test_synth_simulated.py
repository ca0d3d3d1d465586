"""Synthetic control on simulated panels where the right answer is known."""

import numpy as np
import pytest

from steadyhand.analytics.synth import (
    Predictor,
    SpecialPredictor,
    SynthPanel,
    SynthSpec,
    simplex_weights,
    synth_fit,
)

TRUE_W = np.array([0.5, 0.3, 0.2, 0.0, 0.0, 0.0, 0.0, 0.0])
EFFECT = -7.5


def convex_panel(seed: int = 3) -> tuple[SynthPanel, SynthSpec]:
    """Eight donors; the treated unit is exactly 0.5/0.3/0.2 of the first three, plus an
    effect of -7.5 from period 15 on."""
    rng = np.random.default_rng(seed)
    n_t, n_d = 20, TRUE_W.size
    times = np.arange(1, n_t + 1, dtype=float)
    y0 = 50 + np.cumsum(rng.normal(0, 2, size=(n_t, n_d)), axis=0) + rng.normal(0, 5, n_d)
    x = rng.normal(10, 3, size=(n_t, n_d))
    y1 = y0 @ TRUE_W + np.where(times >= 15, EFFECT, 0.0)
    x1 = x @ TRUE_W
    names = ["treated"] + [f"d{j}" for j in range(n_d)]
    y = np.column_stack([y1, y0])
    xx = np.column_stack([x1, x])
    unit = np.repeat(np.array(names)[None, :], n_t, axis=0).ravel()
    time = np.repeat(times, n_d + 1)
    panel = SynthPanel.from_long(
        unit=unit, time=time, outcome=y.ravel(), outcome_name="y", covariates={"x": xx.ravel()}
    )
    spec = SynthSpec(
        treated="treated",
        treatment_start=15,
        predictors=(Predictor("x", 1, 14),),
        special_predictors=tuple(SpecialPredictor("y", (t,)) for t in (2, 5, 8, 11, 14)),
        fit_window=(1, 14),
    )
    return panel, spec


def test_recovers_exact_convex_combination_and_effect() -> None:
    panel, spec = convex_panel()
    fit = synth_fit(panel, spec)
    w = np.array([fit.weights[f"d{j}"] for j in range(TRUE_W.size)])
    np.testing.assert_allclose(w, TRUE_W, atol=1e-6)
    assert fit.pre_rmspe < 1e-6
    post = fit.gap_values[fit.times >= 15]
    np.testing.assert_allclose(post, EFFECT, atol=1e-5)


def test_long_format_rows_in_any_order() -> None:
    panel, spec = convex_panel()
    order = np.random.default_rng(0).permutation(panel.outcome.size)
    unit = np.repeat(np.array(panel.units)[None, :], panel.times.size, axis=0).ravel()
    time = np.repeat(panel.times, len(panel.units))
    shuffled = SynthPanel.from_long(
        unit=unit[order],
        time=time[order],
        outcome=panel.outcome.ravel()[order],
        outcome_name="y",
        covariates={"x": panel.covariates["x"].ravel()[order]},
    )
    np.testing.assert_array_equal(shuffled.outcome, panel.outcome)
    assert synth_fit(shuffled, spec).gap_at(20) == pytest.approx(EFFECT, abs=1e-5)


@pytest.mark.parametrize("seed", range(20))
def test_inner_problem_is_solved_exactly(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k, j = rng.integers(2, 9), rng.integers(2, 40)
    x0 = rng.normal(size=(k, j)) * rng.uniform(0.1, 100, size=(k, 1))
    x1 = rng.normal(size=k) * 2
    v = rng.dirichlet(np.ones(k))
    w = simplex_weights(x1, x0, v)
    assert (w >= 0).all()
    assert w.sum() == pytest.approx(1, abs=1e-12)

    # Karush-Kuhn-Tucker conditions on the simplex: the gradient is equal (to its minimum)
    # on every donor with positive weight and no smaller on the others.
    grad = -2 * x0.T @ (v * (x1 - x0 @ w))
    scale = np.abs(x0.T @ (v[:, None] * x0)).max() * (1 + np.abs(x1).max())
    floor = grad[w > 1e-9].min()
    assert np.ptp(grad[w > 1e-9]) <= 1e-7 * scale
    assert grad.min() >= floor - 1e-7 * scale


def test_inner_problem_when_treated_is_inside_the_hull() -> None:
    x0 = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    w = simplex_weights(np.array([0.25, 0.25]), x0, np.array([0.5, 0.5]))
    np.testing.assert_allclose(w, [0.5, 0.25, 0.25], atol=1e-12)
