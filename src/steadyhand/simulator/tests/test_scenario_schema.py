from pathlib import Path

import pytest

from steadyhand.simulator import ScenarioError, default_model, scenarios
from steadyhand.simulator.scenario import SCENARIO_DIR, load_model, load_scenario_file

GOOD = (SCENARIO_DIR / "juvenile_store.toml").read_text(encoding="utf-8")


def _load(tmp_path: Path, text: str, name: str = "juvenile_store.toml") -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    load_scenario_file(path, default_model())


def test_the_eight_required_scenarios_are_bundled_and_valid() -> None:
    bundled = scenarios()
    assert len(bundled) >= 8
    indicators = {i for s in bundled.values() for i in s.indicators}
    assert {"mental_health_crisis", "substance_use", "disability", "language_barrier"} <= indicators
    assert any(s.officers >= 2 for s in bundled.values())  # the two-officer call
    assert any(s.bystanders >= 5 for s in bundled.values())  # the crowd


def test_a_copy_of_a_good_file_loads(tmp_path: Path) -> None:
    _load(tmp_path, GOOD)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            ("trigger_distance_m = [1.5, 3.0]", "trigger_distance_m = [3.0, 1.5]"),
            "persona.trigger_distance_m",
        ),
        (("[acts.flees]", "[acts.flies]"), "acts.flies"),
        (
            ('revealed_by = ["ask_dispatch"]', 'revealed_by = ["ask_the_oracle"]'),
            "facts[1].revealed_by[0]",
        ),
        (('resolution = "referred"', 'resolution = "sent_home"'), "resolution"),
        (("distance_m = 3.0", 'distance_m = "close"'), "distance_m"),
        (('action = "empathy"', 'action = "hug"'), "effects[1].action"),
        (
            ('when = { fact_known = "first_time" }', 'when = { fact_known = "birthday" }'),
            "effects[0].when",
        ),
        (("officers = 1\n", 'officers = 1\ncolour = "red"\n'), "colour"),
        (("flees = [", "fleez = ["), "lines.flees"),
    ],
)
def test_errors_name_the_file_and_the_field(
    tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(ScenarioError) as caught:
        _load(tmp_path, GOOD.replace(old, new, 1))
    assert any(e.startswith(f"juvenile_store.toml: {field}:") for e in caught.value.errors), (
        caught.value
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    broken = GOOD.replace('resolution = "referred"', 'resolution = "x"').replace(
        "[acts.flees]", "[acts.flies]"
    )
    with pytest.raises(ScenarioError) as caught:
        _load(tmp_path, broken)
    assert len(caught.value.errors) >= 2


def test_the_id_must_match_the_file_name(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"other\.toml: id:"):
        _load(tmp_path, GOOD, "other.toml")


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"juvenile_store\.toml: not valid TOML"):
        _load(tmp_path, GOOD + "\n[[[")


def test_the_shared_model_is_valid() -> None:
    model = load_model()
    assert model.rules
    assert model.acts
