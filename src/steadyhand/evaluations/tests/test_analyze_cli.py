"""``steadyhand analyze staggered``: from a CSV to JSON, for each method, and clear refusals."""

import csv
import json
import math
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steadyhand.analytics.staggered.simulate import constant_effect, simulate_panel

EFFECT = 2.0


@pytest.fixture(scope="module")
def panel_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    panel = simulate_panel(n_units=300, n_periods=8, cohorts=[3, 5, 7], never_share=0.25,
                           effect=constant_effect(EFFECT), seed=11)  # fmt: skip
    path = tmp_path_factory.mktemp("analyze") / "panel.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["officer", "month", "first_trained", "force"])
        for i, unit in enumerate(panel.units):
            cohort = "" if math.isinf(panel.cohort[i]) else int(panel.cohort[i])
            for j, period in enumerate(panel.periods):
                writer.writerow([unit, int(period), cohort, panel.outcome[i, j]])
    return path


def _run(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("analyze", "staggered", *args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


COLUMNS = ("--unit", "officer", "--time", "month", "--cohort", "first_trained",
           "--outcome", "force")  # fmt: skip


@pytest.mark.parametrize("method", ["efficient", "cs"])
def test_each_method_recovers_the_planted_effect(panel_csv: Path, method: str) -> None:
    result = _run(str(panel_csv), *COLUMNS, "--method", method)
    estimate, se = result["estimate"], result["se"]
    assert isinstance(estimate, float)
    assert isinstance(se, float)
    assert abs(estimate - EFFECT) < 4 * se


def test_efficient_event_study_with_a_fisher_test(panel_csv: Path) -> None:
    options = ("--method", "efficient", "--estimand", "eventstudy", "--event-times", "0:1")
    result = _run(str(panel_csv), *COLUMNS, *options, "--fisher", "99", "--seed", "3")
    rows = result["event_study"]
    assert isinstance(rows, list)
    assert [row["event_time"] for row in rows] == [0, 1]
    assert result["fisher_p_value"] == pytest.approx(1 / 100)  # the effect is large


def test_a_missing_column_is_named(panel_csv: Path) -> None:
    with pytest.raises(CommandError, match="first_trained_month"):
        _run(str(panel_csv), "--unit", "officer", "--time", "month", "--cohort",
             "first_trained_month", "--outcome", "force")  # fmt: skip


def test_fisher_needs_the_efficient_method(panel_csv: Path) -> None:
    with pytest.raises(CommandError, match="--fisher"):
        _run(str(panel_csv), *COLUMNS, "--method", "cs", "--fisher", "10")


PROP99 = Path(__file__).parents[4] / "docs" / "studies" / "prop99.json"


def test_synth_reproduces_proposition_99_from_a_study_file() -> None:
    out = StringIO()
    call_command("analyze", "synth", str(PROP99), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["pre_rmspe"] <= 1.76  # ADH 2010's published weights give 1.76
    assert result["gaps"]["2000"] == pytest.approx(-26, abs=3)
    top = sorted(result["weights"], key=result["weights"].get, reverse=True)[:5]
    assert set(top) == {"Utah", "Nevada", "Montana", "Colorado", "Connecticut"}


def test_a_study_without_a_treated_unit_is_refused(tmp_path: Path) -> None:
    study = tmp_path / "study.json"
    study.write_text(json.dumps({"data": "x.csv", "unit": "u", "time": "t", "outcome": "y"}))
    with pytest.raises(CommandError, match="missing treated, treatment_start"):
        call_command("analyze", "synth", str(study), "--json", stdout=StringIO())
