"""Synthetic control refuses bad input with messages that say what to fix."""

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from steadyhand.analytics.synth import (
    Predictor,
    SpecialPredictor,
    SynthPanel,
    SynthSpec,
    in_time_placebo,
    read_panel_csv,
    synth_fit,
    synth_from_weights,
)
from steadyhand.analytics.synth.data import predictor_values

from .synth_specs import smoking


@pytest.fixture(scope="module")
def data() -> tuple:
    return smoking()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"treated": "Atlantis"}, "unknown unit 'Atlantis'"),
        ({"treatment_start": 1970}, "treatment_start 1970 must leave"),
        ({"treatment_start": 2001}, "treatment_start 2001 must leave"),
        ({"fit_window": (1960, 1965)}, "contains no time"),
        ({"fit_window": (1980, 1975)}, "starts after it ends"),
        ({"fit_window": (1970, 1990)}, "must end before treatment_start"),
        ({"donors": ("Utah", "Atlantis")}, "unknown unit 'Atlantis'"),
        ({"donors": ("Utah", "California")}, "cannot be its own donor"),
        ({"donors": ("Utah", "Utah")}, "listed twice"),
        ({"donors": ()}, "donor pool is empty"),
        ({"predictors": (), "special_predictors": ()}, "no predictors"),
        ({"predictors": (Predictor("beer", 1970, 1975),)}, "beer (1970-1975) has no value"),
        ({"predictors": (Predictor("beer", 1988, 1984),)}, "window starts after it ends"),
        ({"predictors": (Predictor("beer", 2010, 2012),)}, "no time of the panel"),
        ({"predictors": (Predictor("beer", 1984, 1988, op="median"),)}, "op 'median'"),
        ({"predictors": (Predictor("tobacco", 1984, 1988),)}, "unknown column 'tobacco'"),
        ({"special_predictors": (SpecialPredictor("cigsale", (1969,)),)}, "time 1969 not in"),
        ({"special_predictors": (SpecialPredictor("cigsale", ()),)}, "lists no times"),
    ],
)
def test_bad_specification(data: tuple, change: dict, message: str) -> None:
    panel, spec = data
    bad = dataclasses.replace(spec, **change)
    with pytest.raises(ValueError, match=re.escape(message)):
        synth_fit(panel, bad)


def test_missing_covariates_are_ignored_in_averages(data: tuple) -> None:
    panel, spec = data
    # lnincome starts in 1972: the 1970-1975 average uses 1972-1975 only.
    one = dataclasses.replace(spec, predictors=(Predictor("lnincome", 1970, 1975),))
    values = predictor_values(panel, one)[0]
    ca = panel.unit_index("California")
    rows = (panel.times >= 1972) & (panel.times <= 1975)
    assert values[ca] == pytest.approx(panel.covariates["lnincome"][rows, ca].mean())


def test_published_weights_must_name_donors(data: tuple) -> None:
    with pytest.raises(ValueError, match="not in the donor pool"):
        synth_from_weights(*data, {"California": 1.0})
    with pytest.raises(ValueError, match="negative"):
        synth_from_weights(*data, {"Utah": -0.5})


def test_in_time_placebo_must_fall_in_pre_period(data: tuple) -> None:
    with pytest.raises(ValueError, match="strictly inside the pre-period"):
        in_time_placebo(*data, 1995)


def test_fixed_v_is_validated(data: tuple) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        synth_fit(*data, v=np.ones(3))


def test_panel_rejects_duplicates_and_ragged_columns() -> None:
    with pytest.raises(ValueError, match="more than one row for time 1"):
        SynthPanel.from_long(unit=["a", "a"], time=[1, 1], outcome=[1.0, 2.0])
    with pytest.raises(ValueError, match="same length"):
        SynthPanel.from_long(unit=["a", "b"], time=[1], outcome=[1.0, 2.0])
    with pytest.raises(ValueError, match="no rows"):
        SynthPanel.from_long(unit=[], time=[], outcome=[])


def test_missing_outcome_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("u,t,y,x\na,1,1,1\na,2,2,1\nb,1,1,2\nb,2,,2\nc,1,3,3\nc,2,4,3\n")
    panel = read_panel_csv(path, unit="u", time="t", outcome="y")
    spec = SynthSpec(treated="a", treatment_start=2, predictors=(Predictor("x", 1, 1),))
    with pytest.raises(ValueError, match="outcome 'y' is missing for some times in: b"):
        synth_fit(panel, spec)
    with pytest.raises(ValueError, match="no column 'z'"):
        read_panel_csv(path, unit="u", time="t", outcome="z")
    path.write_text("u,t,y\na,1,oops\n")
    with pytest.raises(ValueError, match="line 2: y='oops' is not a number"):
        read_panel_csv(path, unit="u", time="t", outcome="y")
