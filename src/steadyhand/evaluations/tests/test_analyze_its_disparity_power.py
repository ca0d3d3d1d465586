"""``steadyhand analyze its|disparity|power``: CSV or options in, JSON out, clear refusals."""

import csv
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    out = StringIO()
    call_command("analyze", *args, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.fixture
def series_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(4)
    path = tmp_path / "force.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["month", "uses_of_force", "officers"])
        for k in range(60):
            year, month = 2019 + k // 12, k % 12 + 1
            mu = 300 * 0.08 * (1 + 0.2 * np.sin(2 * np.pi * k / 12)) * (0.7 if k >= 36 else 1)
            w.writerow([f"{year}-{month:02d}", rng.poisson(mu), 300])
    return path


def test_its_reports_the_level_change(series_csv: Path) -> None:
    result = _json("its", str(series_csv), "--time", "month", "--outcome", "uses_of_force",
                   "--exposure", "officers", "--intervention", "2022-01")  # fmt: skip
    assert result["intervention"] == "2022-01"
    assert result["level_change_lower"] < 0.7 < result["level_change_upper"]
    assert len(result["counterfactual"]) == 60


def test_its_names_the_row_of_a_gap(series_csv: Path, tmp_path: Path) -> None:
    rows = series_csv.read_text().splitlines()
    broken = tmp_path / "gap.csv"
    broken.write_text("\n".join(rows[:10] + rows[11:]) + "\n")
    with pytest.raises(CommandError, match="row 11: months must be consecutive"):
        _json("its", str(broken), "--time", "month", "--outcome", "uses_of_force",
              "--intervention", "2022-01")  # fmt: skip


def test_disparity_needs_and_repeats_its_benchmark(tmp_path: Path) -> None:
    table = tmp_path / "by_race.csv"
    table.write_text("race,force,arrests\nblack,40,800\nwhite,25,1000\nasian,0,90\n")
    result = _json("disparity", str(table), "--group", "race", "--events", "force",
                   "--benchmark", "arrests", "--benchmark-name", "arrests 2024",
                   "--benchmark-kind", "encounters", "--reference", "white")  # fmt: skip
    black = next(g for g in result["groups"] if g["group"] == "black")
    assert black["ratio"] == pytest.approx(2.0)
    assert "arrest" in result["statement"].lower()
    with pytest.raises(CommandError, match="Name the benchmark"):
        _json("disparity", str(table), "--group", "race", "--events", "force",
              "--benchmark", "arrests", "--benchmark-name", "", "--benchmark-kind",
              "encounters", "--reference", "white")  # fmt: skip


def test_power_prints_the_minimum_detectable_effect() -> None:
    result = _json("power", "--units", "60", "--waves", "4", "--months", "30", "--rate", "3",
                   "--unit-cv", "0.3", "--dispersion", "0.1", "--effects=-0.1,-0.3",
                   "--replications", "20", "--seed", "2")  # fmt: skip
    assert [p["effect"] for p in result["points"]] == [-0.1, -0.3]
    assert result["points"][1]["power"] > result["points"][0]["power"]
    assert result["design"]["units"] == 60
