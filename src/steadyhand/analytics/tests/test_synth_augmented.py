"""Ridge-augmented synthetic control (Ben-Michael, Feller & Rothstein 2021)."""

import numpy as np
import pytest

from steadyhand.analytics.synth import (
    SpecialPredictor,
    SynthPanel,
    SynthSpec,
    synth_fit,
    synth_from_weights,
)
from steadyhand.analytics.synth.augmented import augmented_synth
from steadyhand.analytics.tests.synth_specs import smoking


def _factor_panel(treated_loading: float, seed: int = 3) -> tuple[SynthPanel, SynthSpec]:
    """Donors y = a + b f(t) + noise; the treated unit's loading ``b`` may lie outside theirs.
    No effect is planted: every post-period gap is bias (or noise)."""
    rng = np.random.default_rng(seed)
    times = np.arange(1, 41)
    f = np.cumsum(rng.normal(0.5, 1.0, times.size))
    loadings = rng.uniform(0.5, 1.5, 20)
    units, time_col, values = [], [], []
    for j, b in enumerate([treated_loading, *loadings]):
        name = "treated" if j == 0 else f"donor{j:02d}"
        y = 10 + b * f + rng.normal(0, 0.3, times.size)
        units += [name] * times.size
        time_col += list(times)
        values += list(y)
    panel = SynthPanel.from_long(unit=units, time=time_col, outcome=values)
    spec = SynthSpec(
        treated="treated",
        treatment_start=31,
        special_predictors=tuple(SpecialPredictor("outcome", (t,)) for t in range(5, 31, 5)),
        fit_window=(1, 30),
    )
    return panel, spec


def test_prop99_augmentation_keeps_the_published_picture() -> None:
    panel, spec = smoking()
    fit = synth_fit(panel, spec)
    aug = augmented_synth(panel, fit)
    np.testing.assert_allclose(aug.synthetic_outcome, fit.synthetic_outcome, atol=1e-9)
    assert aug.imbalance == pytest.approx(fit.pre_rmspe_all, rel=1e-6)
    # California's fit is already good (RMSPE 1.75), so the correction is modest and the 2000
    # gap stays near the published -26 packs.
    assert -32 < aug.gap_at(2000) < -18
    assert abs(aug.gap_at(2000) - fit.gap_at(2000)) < 6


def test_a_unit_outside_the_hull_is_corrected() -> None:
    panel, spec = _factor_panel(treated_loading=2.2)
    fit = synth_fit(panel, spec)
    aug = augmented_synth(panel, fit)
    post = panel.times >= 31
    scm_bias = np.abs(fit.gap_values[post]).mean()
    aug_bias = np.abs(aug.gap_values[post]).mean()
    assert aug_bias < scm_bias / 2


def test_a_balanced_synthetic_control_needs_no_correction() -> None:
    panel, spec = _factor_panel(treated_loading=1.0, seed=5)
    # Make the treated unit exactly the average of two donors.
    outcome = np.array(panel.outcome)
    units = list(panel.units)
    outcome[:, units.index("treated")] = (
        outcome[:, units.index("donor01")] + outcome[:, units.index("donor02")]
    ) / 2
    exact = SynthPanel(
        units=panel.units, times=panel.times, outcome_name="outcome", outcome=outcome
    )
    fit = synth_from_weights(exact, spec, {"donor01": 0.5, "donor02": 0.5})
    aug = augmented_synth(exact, fit)
    np.testing.assert_allclose(aug.correction, 0, atol=1e-8)


def test_too_few_pre_periods_are_refused() -> None:
    panel, _ = _factor_panel(treated_loading=1.0)
    spec = SynthSpec(
        treated="treated",
        treatment_start=3,
        special_predictors=(SpecialPredictor("outcome", (1, 2)),),
        fit_window=(1, 2),
    )
    fit = synth_from_weights(panel, spec, {"donor01": 1.0})
    with pytest.raises(ValueError, match="at least three pre-treatment times"):
        augmented_synth(panel, fit)
