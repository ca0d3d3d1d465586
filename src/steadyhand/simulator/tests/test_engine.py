import json

import pytest

from steadyhand.simulator import (
    RunOver,
    UnknownAction,
    list_scenarios,
    run_from_dict,
    scenarios,
    start_run,
)
from steadyhand.simulator.policies import POLICIES, play
from steadyhand.vocabulary import FORCE_TYPES, SUBJECT_ACTS, TACTICS

SCRIPT = [
    "observe",
    "introduce_self",
    "approach",
    "one_clear_directive",
    "repeated_directive",
    "empathy",
    "create_distance",
    "active_listening",
    "offer_options",
    "tactical_pause",
] * 3


def _play(scenario_id: str, seed: int) -> list[dict]:
    run = start_run(scenario_id, seed=seed)
    for code in SCRIPT:
        if run.terminal:
            break
        run.take(code)
    return [r.to_dict() for r in run.results]


@pytest.mark.parametrize("scenario_id", sorted(scenarios()))
def test_same_seed_and_choices_give_the_same_run(scenario_id: str) -> None:
    assert _play(scenario_id, 7) == _play(scenario_id, 7)


def test_different_seeds_give_different_people() -> None:
    personas = {start_run("knife_crisis", seed=s).persona for s in range(5)}
    assert len(personas) == 5
    runs = {json.dumps(_play("knife_crisis", s)) for s in range(5)}
    assert len(runs) > 1


def test_a_stored_run_replays_to_the_same_results() -> None:
    run = start_run("two_officer_driveway", seed=11)
    run.take("designate_one_voice")
    run.inject("partner_orders")
    run.take("introduce_self")
    run.take("observe")
    stored = json.loads(json.dumps(run.to_dict()))
    again = run_from_dict(stored)
    assert [r.to_dict() for r in again.results] == [r.to_dict() for r in run.results]
    assert again.state.to_dict() == run.state.to_dict()
    assert stored["steps"][1] == {"event": "partner_orders"}


def test_a_malformed_stored_run_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        run_from_dict({"format": 99, "scenario": "knife_crisis", "seed": 1, "steps": []})
    with pytest.raises(ValueError, match="steps\\[0\\]"):
        run_from_dict({"format": 1, "scenario": "knife_crisis", "seed": 1, "steps": [{"x": "y"}]})


def test_actions_are_vocabulary_codes_with_labels() -> None:
    run = start_run("crowd_festival", seed=1)
    options = run.available_actions()
    assert {o.code for o in options} <= set(TACTICS) | set(FORCE_TYPES)
    assert all(o.label and o.group for o in options)
    assert "designate_one_voice" in run.actions()  # two officers, no one designated yet
    run.take("designate_one_voice")
    assert "designate_one_voice" not in run.actions()


def test_turn_results_use_the_vocabulary_and_serialise() -> None:
    run = start_run("knife_crisis", seed=3)
    result = run.take("introduce_self")
    assert result is not None
    assert result.subject_act in SUBJECT_ACTS
    assert result.line in run.scenario.lines[result.subject_act]
    assert result.view.speaking == ("You",)
    json.dumps(result.to_dict())


def test_an_unavailable_action_and_a_finished_run_are_refused() -> None:
    run = start_run("knife_crisis", seed=3)
    with pytest.raises(UnknownAction, match="not available"):
        run.take("drive_away")
    run.take("takedown")
    assert run.terminal
    assert run.outcome is not None
    assert run.outcome.force_used
    with pytest.raises(RunOver):
        run.take("empathy")
    with pytest.raises(RunOver):
        run.inject("second_unit")


def test_force_is_scored_against_the_resistance_faced() -> None:
    run = start_run("juvenile_store", seed=2)
    run.take("takedown")
    outcome = run.outcome
    assert outcome is not None
    assert outcome.force_codes == ("takedown",)
    assert outcome.force_factor == int(outcome.force_level) - int(outcome.resistance_at_force or 0)
    assert outcome.force_factor > 0  # a takedown against someone who was only arguing


def test_an_injected_event_changes_the_scene_without_a_turn() -> None:
    run = start_run("knife_crisis", seed=4)
    before = run.state.copy()
    result = run.inject("second_unit")
    assert result is not None
    assert result.subject_act is None
    assert run.state.officers == before.officers + 1
    assert run.state.turn == before.turn
    assert run.state.agitation > before.agitation
    with pytest.raises(KeyError, match="no injectable event"):
        run.inject("alien_landing")


def test_every_scenario_is_listed_with_events() -> None:
    listed = list_scenarios()
    assert len(listed) >= 8
    assert all(s.title and s.summary and s.briefing and s.events for s in listed)


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_every_policy_finishes_every_scenario(policy: str) -> None:
    for scenario_id in scenarios():
        run = start_run(scenario_id, seed=1)
        outcome = play(run, POLICIES[policy])
        assert outcome.turns >= 1
