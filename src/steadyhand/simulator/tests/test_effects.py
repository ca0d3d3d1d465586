"""The state-conditioned effects the issue names, each seen on its own (no noise, no spikes).

Two runs with the same seed share the persona and every random draw (common random numbers),
so the difference between them is the effect and nothing else.
"""

from steadyhand.simulator.api import get_scenario
from steadyhand.simulator.engine import Run
from steadyhand.simulator.scenario import Model


def _run(model: Model, scenario_id: str = "two_officer_driveway", seed: int = 5) -> Run:
    run = Run(get_scenario(scenario_id), seed, model)
    return run


def test_each_extra_voice_raises_agitation(quiet_model: Model) -> None:
    after = []
    for officers in (1, 2, 3):
        run = _run(quiet_model)
        run.state.officers = officers
        run.state.one_voice = officers == 1
        run.state.distance_m = 10.0
        run.take("open_question")
        after.append(run.state.agitation)
    assert after[0] < after[1] < after[2]


def test_closing_inside_the_trigger_distance_raises_agitation(quiet_model: Model) -> None:
    far, near = _run(quiet_model), _run(quiet_model)
    trigger = far.persona.trigger_distance_m
    far.state.distance_m = trigger + 3.5
    near.state.distance_m = trigger + 1.0
    far.take("approach")  # still outside
    near.take("approach")  # crosses inside
    assert far.state.distance_m >= trigger > near.state.distance_m
    assert near.state.agitation > far.state.agitation


def test_time_at_a_safe_distance_lowers_agitation(quiet_model: Model) -> None:
    run = _run(quiet_model, "knife_crisis")
    run.state.distance_m = run.scenario.max_distance_m
    run.state.agitation = 0.9
    levels = [run.state.agitation]
    for _ in range(3):
        run.take("tactical_pause")
        levels.append(run.state.agitation)
        if run.terminal:
            break
    assert levels[-1] < levels[0]


def test_a_directive_lands_only_after_rapport(quiet_model: Model) -> None:
    def compliance(rapport: float) -> float:
        complied = 0
        for seed in range(300):
            run = _run(quiet_model, "intoxicated_bar", seed)
            run.state.distance_m = 6.0
            run.state.rapport = rapport
            run.state.agitation = 0.5
            run.take("one_clear_directive")
            complied += run.state.last_subject_act == "complies"
        return complied / 300

    low, high = compliance(0.2), compliance(0.7)
    assert high > low + 0.1


def test_repeating_a_directive_costs_more_each_time(quiet_model: Model) -> None:
    once, thrice = _run(quiet_model), _run(quiet_model)
    for run in (once, thrice):
        run.state.distance_m = 10.0
        run.state.one_voice = True
    thrice.state.repeat_count = 2
    thrice.state.last_officer_act = "repeated_directive"
    once.take("repeated_directive")
    thrice.take("repeated_directive")
    assert thrice.state.agitation > once.state.agitation


def test_a_hidden_fact_is_revealed_by_its_action(quiet_model: Model) -> None:
    revealed = 0
    for seed in range(50):
        run = _run(quiet_model, "deaf_cyclist", seed)
        run.take("observe")
        if "deaf" in run.state.facts_known:
            revealed += 1
            assert run.state.comm_factor >= 0.6  # the officer adapts once they know
    assert 20 < revealed < 50


def test_a_requested_specialist_arrives_and_can_take_over(quiet_model: Model) -> None:
    run = _run(quiet_model, "knife_crisis", 8)
    run.take("request_crisis_team")
    assert "crisis_team" in run.state.en_route
    arrival = run.state.en_route["crisis_team"]
    while not run.terminal and run.state.elapsed_s < arrival:
        run.take("tactical_pause")
    assert run.terminal or "crisis_team" in run.state.on_scene
