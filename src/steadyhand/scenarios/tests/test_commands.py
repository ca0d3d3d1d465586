import io
import json

import pytest
from django.core.management import CommandError, call_command

SCRIPT = "ask_dispatch,take_cover,request_crisis_team,introduce_self,explain_reason,empathy"


def _drill(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("drill", *args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_drill_lists_the_scenarios() -> None:
    assert "knife_crisis" in _drill("--list")


def test_a_scripted_drill_replays_identically_and_debriefs() -> None:
    first = _drill("knife_crisis", "--seed", "4", "--script", SCRIPT, "--k", "2")
    second = _drill("knife_crisis", "--seed", "4", "--script", SCRIPT, "--k", "2")
    assert first == second
    assert "Debrief" in first
    assert "1. Collect information" in first


def test_drill_json_carries_the_run_for_replay() -> None:
    out = _drill("knife_crisis", "--seed", "4", "--script", SCRIPT, "--json", "--no-debrief")
    data = json.loads(out)
    assert data["run"]["seed"] == 4
    assert [s["action"] for s in data["run"]["steps"]] == SCRIPT.split(",")[
        : len(data["run"]["steps"])
    ]


def test_drill_reads_choices_from_stdin() -> None:
    out = _drill("juvenile_store", "--seed", "3", "--no-debrief", stdin="1\nfoo\nempathy\nq\n")
    assert "> You: Introduce self" in out
    assert "'foo' is not one of the choices." in out


def test_drill_injects_trainer_events() -> None:
    out = _drill(
        "knife_crisis",
        "--seed",
        "4",
        "--script",
        SCRIPT,
        "--inject",
        "2:second_unit",
        "--no-debrief",
    )
    assert "> Event: Second unit arrives" in out


def test_drill_refuses_unknown_scenarios_and_actions() -> None:
    with pytest.raises(CommandError, match="no scenario"):
        _drill("alien_landing")
    with pytest.raises(CommandError, match="not available"):
        _drill("knife_crisis", "--seed", "1", "--script", "dance")


def test_lint_scenarios_passes_with_few_runs() -> None:
    out = io.StringIO()
    call_command("lint_scenarios", "--runs", "30", "--scenario", "knife_crisis", stdout=out)
    assert "knife_crisis" in out.getvalue()
