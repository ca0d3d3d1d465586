"""The public API the web app and the terminal use (documented in docs/simulator.md).

Everything here is pure Python; the scenario files are read once per process and cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from steadyhand.simulator.engine import RUN_FORMAT, Run, RunOver
from steadyhand.simulator.scenario import (
    SCENARIO_DIR,
    Model,
    Scenario,
    ScenarioError,
    load_model,
    load_scenario_file,
)


@dataclass(frozen=True, slots=True)
class ScenarioSummary:
    id: str
    title: str
    summary: str
    briefing: str
    indicators: tuple[str, ...]
    events: tuple[tuple[str, str], ...]  # (event id, label): what a trainer may inject

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "briefing": self.briefing,
            "indicators": list(self.indicators),
            "events": [{"id": i, "label": label} for i, label in self.events],
        }


@cache
def default_model() -> Model:
    return load_model()


@cache
def _scenarios() -> dict[str, Scenario]:
    model = default_model()
    scenarios: dict[str, Scenario] = {}
    errors: list[str] = []
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        try:
            scenario = load_scenario_file(path, model)
        except ScenarioError as exc:
            errors.extend(exc.errors)
            continue
        scenarios[scenario.id] = scenario
    if errors:
        raise ScenarioError(errors)
    return scenarios


def scenarios() -> Mapping[str, Scenario]:
    """Every bundled scenario by id (validated; a broken file raises ``ScenarioError``)."""
    return _scenarios()


def get_scenario(scenario_id: str) -> Scenario:
    try:
        return _scenarios()[scenario_id]
    except KeyError:
        known = ", ".join(sorted(_scenarios()))
        raise KeyError(f"no scenario {scenario_id!r}; known: {known}") from None


def list_scenarios() -> list[ScenarioSummary]:
    """Id, title, summary, briefing and injectable events of every scenario, sorted by title."""
    return sorted(
        (
            ScenarioSummary(
                s.id,
                s.title,
                s.summary,
                s.briefing,
                s.indicators,
                tuple((e.id, e.label) for e in s.events),
            )
            for s in _scenarios().values()
        ),
        key=lambda x: x.title,
    )


def start_run(scenario_id: str | Scenario, *, seed: int, model: Model | None = None) -> Run:
    """A new run of a scenario (its id, or a ``Scenario``); same seed + same steps = same run."""
    scenario = scenario_id if isinstance(scenario_id, Scenario) else get_scenario(scenario_id)
    return Run(scenario, seed, model or default_model())


def run_from_dict(data: Mapping[str, Any]) -> Run:
    """Rebuild a run stored with ``Run.to_dict()`` by replaying its steps."""
    if data.get("format") != RUN_FORMAT:
        raise ValueError(f"run format {data.get('format')!r} is not {RUN_FORMAT}")
    seed = data.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"run seed must be an integer, got {seed!r}")
    steps = data.get("steps", [])
    if not isinstance(steps, list):
        raise ValueError(f"run steps must be a list, got {type(steps).__name__}")
    run = start_run(str(data.get("scenario")), seed=seed)
    for i, step in enumerate(steps):
        if not isinstance(step, Mapping) or len(step) != 1:
            raise ValueError(f"steps[{i}] must be {{'action': code}} or {{'event': id}}")
        ((kind, code),) = step.items()
        if kind not in ("action", "event"):
            raise ValueError(f"steps[{i}]: unknown step kind {kind!r}")
        try:
            if kind == "action":
                run.take(str(code))
            else:
                run.inject(str(code))
        except RunOver as exc:
            # The stored steps outlive the replayed run (its scenario changed since): a stale
            # run, refused like any other that no longer replays, not an engine failure.
            raise ValueError(f"steps[{i}]: {exc}") from exc
    return run
