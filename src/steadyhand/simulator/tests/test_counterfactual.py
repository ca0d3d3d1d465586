import json

from steadyhand.simulator import CONTINUATION_POLICY, score_run, start_run
from steadyhand.simulator.counterfactual import _rates, decision_points
from steadyhand.simulator.policies import POLICIES, play
from steadyhand.vocabulary import CdmStep


def _poor_run():
    run = start_run("knife_crisis", seed=5)
    for code in ("approach", "one_clear_directive", "repeated_directive", "repeated_directive"):
        run.take(code)
    run.take("takedown")
    return run


def test_the_force_choice_is_a_decision_point_with_a_safer_alternative() -> None:
    points = decision_points(_poor_run(), k=8)
    assert 1 <= len(points) <= 3
    top = points[0]
    assert top.chosen == "takedown"
    assert top.p_force_chosen == 1.0
    assert top.p_force_alternative < top.p_force_chosen
    assert top.delta_force < 0
    assert top.cdm_step == CdmStep.ACT_REVIEW


def test_common_random_numbers_make_the_comparison_exact() -> None:
    run = start_run("intoxicated_bar", seed=9)
    run.take("introduce_self")
    a = _rates(run, "empathy", [], 6)
    b = _rates(run, "empathy", [], 6)
    assert a == b  # same seed, persona and streams: no sampling noise between arms


def test_the_decision_points_are_sorted_by_change_in_force() -> None:
    run = start_run("two_officer_driveway", seed=2)
    play(run, POLICIES["poor"])
    points = decision_points(run, k=8)
    deltas = [p.delta_force for p in points]
    assert deltas == sorted(deltas)


def test_the_debrief_is_organised_by_cdm_step_and_serialises() -> None:
    debrief = score_run(_poor_run(), k=4)
    data = json.loads(json.dumps(debrief.to_dict()))
    assert set(data["by_step"]) == {s.value for s in CdmStep}
    assert data["continuation_policy"] == CONTINUATION_POLICY
    codes = {i["code"]: i for i in data["items"]}
    assert codes["force_proportional"]["met"] is False
    assert codes["no_command_loop"]["met"] is False
    assert codes["info_before_action"]["met"] is False
    assert data["scores"]["outcome"] < 50


def test_good_play_scores_well() -> None:
    run = start_run("knife_crisis", seed=1)
    play(run, POLICIES["good"])
    debrief = score_run(run, decision_points=False)
    assert debrief.decision_points == ()
    met = {i.code: i.met for i in debrief.items}
    assert met["info_before_action"]
    assert met["specialists_requested"]
    assert met["cover_used"]
    assert debrief.scores["tactics"] >= 70
