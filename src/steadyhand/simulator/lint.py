"""The scenario linter: static checks, then thousands of seeded runs per scenario and policy.

A scenario passes when

- every act the person can do has lines, every action the effects and facts name is
  available in the scenario, every fact can be revealed by an available action;
- it is winnable: the ``good`` policy ends peacefully in at least ``MIN_GOOD_PEACEFUL`` of runs;
- good tactics are not a guarantee: the ``good`` policy still sees force or harm sometimes
  (irreducible risk), and the ``poor`` policy sometimes ends peacefully;
- it is not trivially winnable: the ``poor`` policy uses force at least ``MIN_FORCE_GAP`` more
  often than the ``good`` one, and the ``random`` policy ends peacefully in at most
  ``MAX_RANDOM_PEACEFUL`` of runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from steadyhand.simulator.api import default_model, scenarios
from steadyhand.simulator.engine import Run
from steadyhand.simulator.policies import POLICIES
from steadyhand.simulator.scenario import Model, Scenario
from steadyhand.simulator.state import OutcomeKind

MIN_GOOD_PEACEFUL = 0.6
MIN_FORCE_GAP = 0.25
MAX_RANDOM_PEACEFUL = 0.9
LINT_POLICIES = ("good", "poor", "typical", "random")


@dataclass(frozen=True, slots=True)
class PolicyRates:
    """Measured rates for one scenario and one policy over ``runs`` seeds."""

    policy: str
    runs: int
    force: float  # any force used (pointing a weapon included)
    peaceful: float  # resolved or stabilised with no force at all
    outcomes: dict[str, int]
    escalation_non_resistant: float | None  # see docs/simulator.md (the Terrill analogue)
    mean_turns: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "runs": self.runs,
            "force": round(self.force, 3),
            "peaceful": round(self.peaceful, 3),
            "outcomes": dict(self.outcomes),
            "escalation_non_resistant": (
                None
                if self.escalation_non_resistant is None
                else round(self.escalation_non_resistant, 3)
            ),
            "mean_turns": round(self.mean_turns, 1),
        }


@dataclass(frozen=True, slots=True)
class ScenarioLint:
    scenario_id: str
    rates: dict[str, PolicyRates]
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class LintReport:
    runs: int
    scenarios: tuple[ScenarioLint, ...]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.scenarios)

    @property
    def problems(self) -> list[str]:
        return [p for s in self.scenarios for p in s.problems]

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "ok": self.ok,
            "scenarios": {
                s.scenario_id: {
                    "ok": s.ok,
                    "problems": list(s.problems),
                    "rates": {k: v.to_dict() for k, v in s.rates.items()},
                }
                for s in self.scenarios
            },
        }


# Escalation in Terrill's sense, whose force scale starts with verbal force (commands, threats):
# the officer answers a non-resistant act (the person talking, complying, putting the weapon
# down) with a repeated command, a warning, a threat, closing in, or force. One clear directive
# after rapport is what de-escalation leads up to, so it does not count.
ESCALATIONS = frozenset({"repeated_directive", "force_warning", "threat", "approach"})
NON_RESISTANT = frozenset({"complies", "talks", "drops_weapon"})


def static_problems(scenario: Scenario) -> list[str]:
    """Checks that need no simulation: lines, reachable facts, actions the data refers to."""
    name = scenario.source
    problems = []
    available = set(scenario.actions)
    for act in scenario.acts:
        if not scenario.lines.get(act):
            problems.append(f"{name}: lines.{act}: the person can do this act but has no line")
    for fact in scenario.facts:
        if not fact.known and not available.intersection(fact.revealed_by):
            problems.append(f"{name}: facts.{fact.id}: no available action can reveal it")
    for rule in scenario.rules:
        if rule.action not in available:
            problems.append(f"{name}: effects: {rule.action!r} is not an available action")
    for resource in scenario.resources:
        if resource.requested_by not in available:
            problems.append(
                f"{name}: resources.{resource.id}: {resource.requested_by!r} unavailable"
            )
    return problems


def measure(
    scenario: Scenario, policy: str, runs: int, *, model: Model | None = None, first_seed: int = 0
) -> PolicyRates:
    """Play ``runs`` seeded runs of one policy and count outcomes."""
    model = model or default_model()
    kinds: Counter[str] = Counter()
    force = peaceful = turns = 0
    escalated = exposed = 0
    chooser = POLICIES[policy]
    for seed in range(first_seed, first_seed + runs):
        run = Run(scenario, seed, model)
        outcome = _play_tracking(run, chooser)
        kinds[outcome[0].kind.value] += 1
        force += outcome[0].force_used
        peaceful += outcome[0].peaceful
        turns += outcome[0].turns
        if outcome[1]:
            exposed += 1
            escalated += outcome[2]
    return PolicyRates(
        policy=policy,
        runs=runs,
        force=force / runs,
        peaceful=peaceful / runs,
        outcomes=dict(sorted(kinds.items())),
        escalation_non_resistant=escalated / exposed if exposed else None,
        mean_turns=turns / runs,
    )


def _play_tracking(run: Run, chooser: Any) -> tuple[Any, bool, bool]:
    """Play to the end; also note whether the person was ever non-resistant and, if so, whether
    the officer escalated on a turn right after a non-resistant act."""
    import random

    rng = random.Random(f"steadyhand-policy:{run.seed}")
    exposed = escalated = False
    while run.outcome is None:
        action = chooser(run, rng)
        if run.state.last_subject_act in NON_RESISTANT:
            exposed = True
            if action in ESCALATIONS or action in _FORCE:
                escalated = True
        run.advance(action)
    return run.outcome, exposed, escalated


def lint(
    runs: int = 1000, *, scenario_ids: Iterable[str] | None = None, model: Model | None = None
) -> LintReport:
    """Lint the bundled scenarios (or some of them) with ``runs`` seeds per policy."""
    model = model or default_model()
    bundled = scenarios()
    chosen = sorted(bundled) if scenario_ids is None else list(scenario_ids)
    results = []
    for scenario_id in chosen:
        scenario = bundled[scenario_id]
        problems = static_problems(scenario)
        rates = {p: measure(scenario, p, runs, model=model) for p in LINT_POLICIES}
        problems += _dynamic_problems(scenario, rates)
        results.append(ScenarioLint(scenario_id, rates, tuple(problems)))
    return LintReport(runs, tuple(results))


def _dynamic_problems(scenario: Scenario, rates: dict[str, PolicyRates]) -> list[str]:
    name = scenario.source
    good, poor, rand = rates["good"], rates["poor"], rates["random"]
    problems = []
    if good.peaceful < MIN_GOOD_PEACEFUL:
        problems.append(
            f"{name}: not winnable: good tactics end peacefully in {good.peaceful:.0%} of runs "
            f"(need ≥ {MIN_GOOD_PEACEFUL:.0%})"
        )
    if good.peaceful >= 1.0:
        problems.append(f"{name}: no irreducible risk: good tactics never fail")
    if poor.peaceful <= 0.0:
        problems.append(f"{name}: a morality play: poor tactics never end peacefully")
    if poor.force - good.force < MIN_FORCE_GAP:
        problems.append(
            f"{name}: tactics barely matter: force {poor.force:.0%} with poor tactics vs "
            f"{good.force:.0%} with good (need a gap ≥ {MIN_FORCE_GAP:.0%})"
        )
    if rand.peaceful > MAX_RANDOM_PEACEFUL:
        problems.append(
            f"{name}: trivially winnable: random choices end peacefully in {rand.peaceful:.0%}"
        )
    if rates["good"].outcomes.get(OutcomeKind.TIME_OUT.value, 0) > good.runs * 0.2:
        problems.append(f"{name}: good tactics time out in over 20% of runs; lengthen the time")
    return problems


from steadyhand.vocabulary import FORCE_TYPES as _FORCE  # noqa: E402  (kept near its one use)
