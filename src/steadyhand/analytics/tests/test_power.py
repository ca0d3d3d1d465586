"""Power by simulation for a randomized roll-out."""

import pytest

from steadyhand.analytics.power import PowerPoint, _mde, simulate_power


def test_power_rises_with_the_effect_and_the_seed_reproduces_it() -> None:
    kwargs = dict(
        units=80, waves=4, months=30, rate=3.0, effects=[0.0, -0.3], unit_cv=0.3,
        dispersion=0.1, replications=40, seed=5,
    )  # fmt: skip
    first = simulate_power(**kwargs)  # type: ignore[arg-type]
    again = simulate_power(**kwargs)  # type: ignore[arg-type]
    assert first == again
    null, effect = first.points
    assert null.power <= 0.2  # about 5% under the null, with 40 replications' noise
    assert effect.power >= 0.8
    assert effect.mean_estimate_percent == pytest.approx(-30, abs=4)
    assert first.minimum_detectable_effect is not None
    assert -0.3 <= first.minimum_detectable_effect < 0


def test_progress_is_reported_for_every_replication() -> None:
    seen: list[tuple[int, int]] = []
    simulate_power(
        units=8, waves=2, months=20, rate=1.0, effects=[-0.2], replications=10,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    assert seen[-1] == (10, 10)
    assert len(seen) == 10


def test_the_minimum_detectable_effect_interpolates_between_effects() -> None:
    points = [PowerPoint(-0.1, 0.3, -10), PowerPoint(-0.2, 0.7, -20), PowerPoint(-0.3, 0.9, -30)]
    assert _mde(points, 0.8) == pytest.approx(-0.25)
    assert _mde(points[:2], 0.8) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"units": 3, "waves": 2}, "two units per wave"),
        ({"months": 13}, "pre-period"),
        ({"rate": 0}, "rate must be positive"),
        ({"effects": [-1.0]}, "above -1"),
    ],
)
def test_impossible_designs_are_refused(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    design = dict(units=20, waves=4, months=30, rate=1.0, effects=[-0.2], replications=10)
    with pytest.raises(ValueError, match=message):
        simulate_power(**{**design, **kwargs})  # type: ignore[arg-type]
