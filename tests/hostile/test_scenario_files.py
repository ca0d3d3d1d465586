"""Hostile scenario files: the bundled scenarios (and the shared model.toml) with wrong types,
unknown keys, missing sections, out-of-range numbers, unknown or copied references, or broken
TOML text, load as a playable scenario or fail with a ScenarioError whose every line names the
file and the field; a mutated scenario that loads plays and scores without crashing; a stored
run that is tampered with is refused with a ValueError-family error, never a crash."""

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from steadyhand.simulator import RunOver, ScenarioError, run_from_dict, score_run
from steadyhand.simulator.api import default_model, start_run
from steadyhand.simulator.scenario import (
    MODEL_FILE,
    SCENARIO_DIR,
    Scenario,
    load_model,
    load_scenario_file,
    parse_scenario,
)
from tests.hostile.support import FAST, assert_clear, mutated_document, toml_values

SCENARIOS = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def _document(name: str) -> dict[str, Any]:
    return tomllib.loads((SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def _assert_names_file_and_field(exc: ScenarioError, source: str) -> None:
    assert exc.errors, "a ScenarioError without problems"
    for line in exc.errors:
        assert line.startswith(f"{source}: "), line
        assert len(line) > len(source) + 4, line


def _play(scenario: Scenario, choices: list[int], seed: int) -> None:
    """Play a few turns choosing among the actions offered; score the run."""
    run = start_run(scenario, seed=seed)
    for choice in choices:
        if run.terminal:
            with pytest.raises(RunOver):
                run.take("verbal_direction")
            break
        actions = run.actions()
        assert actions, "a live run offers no action"
        run.take(actions[choice % len(actions)])
        run.view()
    for injected in scenario.events[:1]:
        if not run.terminal:
            run.inject(injected.id)
    score_run(run, decision_points=False)
    # Replayed against the bundled file, as the web app replays a stored run after the scenario
    # changed: a run or one of the errors scenarios.selectors.run_engine turns into a refusal.
    try:
        run_from_dict(run.to_dict())
    except (ValueError, KeyError, ScenarioError) as exc:
        assert_clear(exc)


@pytest.mark.parametrize("name", SCENARIOS)
@FAST
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_a_mutated_scenario_loads_and_plays_or_names_the_field(
    name: str, data: Any, seed: int
) -> None:
    source = f"{name}.toml"
    document = data.draw(mutated_document(_document(name)))
    try:
        scenario = parse_scenario(document, default_model(), source)
    except ScenarioError as exc:
        _assert_names_file_and_field(exc, source)
        event("refused")
        return
    event("loaded")
    _play(scenario, data.draw(st.lists(st.integers(0, 50), max_size=6)), seed)


@FAST
@given(data=st.data())
def test_mangled_scenario_text_loads_or_names_the_file(data: Any, tmp_path_factory: Any) -> None:
    name = data.draw(st.sampled_from(SCENARIOS))
    lines = (SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8").splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "cut", "dup", "junk"]))
        if op == "drop":
            del lines[at]
        elif op == "cut":
            lines[at] = lines[at][: data.draw(st.integers(0, len(lines[at])))]
        elif op == "dup":
            lines.insert(at, lines[at])
        else:
            lines.insert(at, data.draw(st.text(max_size=20)))
    path = tmp_path_factory.mktemp("scenario") / f"{name}.toml"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        scenario = load_scenario_file(path, default_model())
    except ScenarioError as exc:
        _assert_names_file_and_field(exc, path.name)
        return
    _play(scenario, [0, 1, 2], seed=1)


@FAST
@given(data=st.data())
def test_a_mutated_model_loads_or_names_the_field(data: Any, tmp_path_factory: Any) -> None:
    lines = MODEL_FILE.read_text(encoding="utf-8").splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines) - 1))
        line = lines[at]
        if "=" in line and not line.lstrip().startswith("#"):
            key = line.split("=", 1)[0]
            value = data.draw(st.sampled_from(["-1", "1e308", "inf", "nan", '"x"', "[]", "{}"]))
            lines[at] = f"{key}= {value}"
        else:
            del lines[at]
    path = tmp_path_factory.mktemp("model") / "model.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        model = load_model(path)
    except ScenarioError as exc:
        _assert_names_file_and_field(exc, "model.toml")
        return
    scenario = parse_scenario(_document(SCENARIOS[0]), model, f"{SCENARIOS[0]}.toml")
    run = start_run(scenario, seed=3, model=model)
    for _ in range(5):
        if run.terminal:
            break
        run.take(run.actions()[0])


stored_runs = st.fixed_dictionaries(
    {},
    optional={
        "format": st.one_of(st.just(1), toml_values),
        "seed": st.one_of(st.integers(), toml_values),
        "scenario": st.one_of(st.sampled_from(SCENARIOS), toml_values),
        "steps": st.one_of(
            st.lists(
                st.one_of(
                    st.dictionaries(
                        st.sampled_from(["action", "event", "other"]),
                        st.one_of(st.sampled_from(["verbal_direction", "cover", "x"]), toml_values),
                        max_size=2,
                    ),
                    toml_values,
                ),
                max_size=5,
            ),
            toml_values,
        ),
    },
)


@FAST
@given(data=stored_runs)
def test_a_tampered_stored_run_rebuilds_or_is_refused(data: dict[str, Any]) -> None:
    """The web app catches ValueError, KeyError and ScenarioError (scenarios.selectors)."""
    try:
        run_from_dict(data)
    except (ValueError, KeyError, ScenarioError) as exc:
        assert_clear(exc)
        event(type(exc).__name__)


def test_stored_steps_that_are_not_a_list_are_refused() -> None:
    """Found by the property above in CI: an integer for ``steps`` raised TypeError."""
    with pytest.raises(ValueError, match="steps must be a list"):
        run_from_dict({"format": 1, "steps": 0, "scenario": SCENARIOS[0], "seed": 0})


def test_a_real_stored_run_replays() -> None:
    run = start_run(SCENARIOS[0], seed=5)
    run.take(run.actions()[0])
    assert run_from_dict(run.to_dict()).to_dict() == run.to_dict()


def test_scenario_dir_is_what_the_app_reads() -> None:
    assert Path(SCENARIO_DIR).is_dir()
    assert SCENARIOS


def test_a_stored_run_longer_than_its_replay_is_refused_as_stale() -> None:
    """Fixed bug: replaying steps past the end raised RunOver (a RuntimeError), which
    scenarios.selectors.run_engine does not catch, so the page failed with a server error."""
    run = start_run("knife_crisis", seed=1)
    while not run.terminal:
        run.take(run.actions()[-1])
    stored = run.to_dict()
    stored["steps"].append({"action": "verbal_direction"})
    with pytest.raises(ValueError, match=r"steps\[\d+\]: the run ended"):
        run_from_dict(stored)
