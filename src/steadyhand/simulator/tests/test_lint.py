import dataclasses

from steadyhand.simulator import get_scenario
from steadyhand.simulator.lint import lint, static_problems


def test_every_bundled_scenario_passes_the_linter() -> None:
    report = lint(120)
    assert report.ok, "\n".join(report.problems)
    assert len(report.scenarios) >= 8


def test_the_linter_notices_an_act_without_lines() -> None:
    scenario = get_scenario("knife_crisis")
    lines = {k: v for k, v in scenario.lines.items() if k != "advances"}
    broken = dataclasses.replace(scenario, lines=lines)
    assert any("lines.advances" in p for p in static_problems(broken))


def test_the_linter_notices_an_unwinnable_scenario() -> None:
    scenario = get_scenario("intoxicated_bar")
    hopeless = dataclasses.replace(
        scenario, acts={k: v for k, v in scenario.acts.items() if k not in ("complies", "talks")}
    )
    from steadyhand.simulator.lint import _dynamic_problems, measure

    rates = {p: measure(hopeless, p, 60) for p in ("good", "poor", "random")}
    assert any("not winnable" in p for p in _dynamic_problems(hopeless, rates))
