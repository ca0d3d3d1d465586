"""The step function: one trainee action in, the person's response and the new scene out.

Each turn (design notes, ``../shared/design/SIMULATOR.md``):

1. the action's authored, state-conditioned effects apply (model.toml and the scenario's
   ``[[effects]]``; conditions are read from the state *before* the turn);
2. the engine's general dynamics apply: each extra voice raises agitation; closing inside the
   person's trigger distance raises it; time outside it lets it fall towards a floor; repeated
   directives cost more each time; a little noise and an occasional spike nobody controls;
3. resources arrive, facts are revealed;
4. the person's act is drawn from a softmax over authored utilities (a discrete-choice model);
5. the act changes the scene, a line is picked from the line bank, terminal checks run.

Randomness: every turn draws a fixed number of uniforms from its own generator, seeded from
``(seed, stream, turn)``, and the persona from ``(seed, "persona")``. So a run is reproduced by
its seed and its list of steps, and a counterfactual that swaps one action at turn ``t`` sees the
same persona and (on the same stream) the same random numbers: common random numbers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from operator import mul
from typing import Any

from steadyhand.simulator.scenario import (
    Condition,
    Effect,
    Model,
    Resource,
    Rule,
    Scenario,
)
from steadyhand.simulator.state import (
    OUTCOME_LABELS,
    PEACEFUL,
    ActionOption,
    Outcome,
    OutcomeKind,
    Persona,
    SceneView,
    SimState,
    TurnResult,
)
from steadyhand.vocabulary import (
    FORCE_TYPES,
    SUBJECT_ACT_RESISTANCE,
    SUBJECT_ACTS,
    TACTICS,
    EventKind,
    ForceLevel,
    Resistance,
    force_factor,
)

RUN_FORMAT = 1
MAX_TURNS = 120
DIRECTIVES = frozenset({"one_clear_directive", "repeated_directive", "force_warning"})
# Acts of the officer that ask for compliance: a "complies" right after one ends the encounter.
REQUESTS = frozenset(
    {*DIRECTIVES, "offer_options", "threat", "point_weapon", "approach", "explain_reason"}
)
SPOKEN = frozenset(
    code for code, t in TACTICS.items() if t.kind in (EventKind.COMMUNICATION, EventKind.COMMAND)
)
CALM_ACTS = frozenset({"talks", "complies", "drops_weapon"})
# The officer's forced response when attacked (the trainee does not choose it; it is force used).
ASSAULT_RESPONSE = "takedown"
WEAPON_RESPONSE_LESS_LETHAL = "cew"
WEAPON_RESPONSE = "firearm_discharge"

# Positions of the uniforms each turn draws (always all of them, so streams stay aligned).
_NOISE, _SPIKE, _ETA, _ACT, _LINE, _INJ_SUBJECT, _INJ_OFFICER, _MISC = range(8)
_FIXED_DRAWS = 8
SPIKE_NARRATION = "Something outside your control sets the person off: a siren, a shout nearby."


class RunOver(RuntimeError):
    """The run has ended; no more actions or events can be applied."""


class UnknownAction(ValueError):
    """The action code is not one of the actions available now."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    """Per-scenario lookups built once, so a turn does no searching."""

    rules: dict[str, tuple[Rule, ...]]
    acts: tuple[
        tuple[str, tuple[float, ...], float, float], ...
    ]  # code, coefficients, floor, ceiling
    act_effects: dict[str, Effect]
    requests: dict[str, tuple[Resource, ...]]
    reveals: dict[str, tuple[int, ...]]  # action -> indexes of facts it may reveal
    resources: dict[str, Resource]
    # Available actions by (no one-voice, no cover, no witnesses, contained): computed lazily.
    available: dict[tuple[bool, ...], tuple[tuple[str, ...], frozenset[str]]]


_COMPILED: dict[tuple[int, int], tuple[Scenario, Model, _Compiled]] = {}


def _compile(scenario: Scenario, model: Model) -> _Compiled:
    key = (id(scenario), id(model))
    cached = _COMPILED.get(key)
    if cached is not None and cached[0] is scenario and cached[1] is model:
        return cached[2]
    rules: dict[str, list[Rule]] = {}
    for rule in (*model.rules, *scenario.rules):
        rules.setdefault(rule.action, []).append(rule)
    requests: dict[str, list[Resource]] = {}
    for resource in scenario.resources:
        requests.setdefault(resource.requested_by, []).append(resource)
    reveals: dict[str, list[int]] = {}
    for i, fact in enumerate(scenario.facts):
        for action in fact.revealed_by:
            reveals.setdefault(action, []).append(i)
    compiled = _Compiled(
        rules={k: tuple(v) for k, v in rules.items()},
        acts=tuple(
            (code, act.coefficients, act.floor, act.ceiling) for code, act in scenario.acts.items()
        ),
        act_effects=dict(model.act_effects),
        requests={k: tuple(v) for k, v in requests.items()},
        reveals={k: tuple(v) for k, v in reveals.items()},
        resources={r.id: r for r in scenario.resources},
        available={},
    )
    _COMPILED[key] = (scenario, model, compiled)
    return compiled


def _uniform(rng: random.Random, low: float, high: float) -> float:
    return low + rng.random() * (high - low)


def draw_persona(scenario: Scenario, seed: int) -> Persona:
    """The run's persona: every range drawn uniformly, each trigger/soother kept with its chance."""
    rng = random.Random(f"steadyhand-sim:{seed}:persona")
    spec = scenario.persona
    # The order of the draws is part of the reproducibility contract: do not reorder.
    baseline = _uniform(rng, spec.baseline_agitation.low, spec.baseline_agitation.high)
    rapport = _uniform(rng, spec.rapport.low, spec.rapport.high)
    rationality = _uniform(rng, spec.rationality.low, spec.rationality.high)
    trigger_m = _uniform(rng, spec.trigger_distance_m.low, spec.trigger_distance_m.high)
    calming = _uniform(rng, spec.calming_rate.low, spec.calming_rate.high)
    strength = _uniform(rng, spec.trigger_strength.low, spec.trigger_strength.high)
    triggers = frozenset(code for code, p in sorted(spec.triggers.items()) if rng.random() < p)
    soothers = frozenset(code for code, p in sorted(spec.soothers.items()) if rng.random() < p)
    return Persona(
        baseline_agitation=baseline,
        rapport=rapport,
        rationality=rationality,
        trigger_distance_m=trigger_m,
        calming_rate=calming,
        trigger_strength=strength,
        triggers=triggers,
        soothers=soothers,
    )


def initial_state(scenario: Scenario, persona: Persona) -> SimState:
    resistance = Resistance.DEADLY if scenario.weapon == "in_hand" else Resistance.VERBAL
    return SimState(
        turn=0,
        elapsed_s=0.0,
        agitation=persona.baseline_agitation,
        rapport=persona.rapport,
        rationality=persona.rationality,
        comm_factor=scenario.comm_factor,
        weapon=scenario.weapon,
        resistance=resistance,
        max_resistance=resistance,
        distance_m=scenario.distance_m,
        cover=False,
        officers=scenario.officers,
        one_voice=scenario.officers == 1,
        contained=scenario.contained,
        bystanders=scenario.bystanders,
        less_lethal=scenario.less_lethal,
        facts_known={f.id for f in scenario.facts if f.known},
        en_route={},
        on_scene=set(),
        voices=1,
    )


def _holds(when: Condition, s: SimState, trigger_m: float) -> bool:
    # Written out rather than looped over fields: this runs hundreds of thousands of times.
    if when.rapport_at_least is not None and s.rapport < when.rapport_at_least:
        return False
    if when.rapport_below is not None and s.rapport >= when.rapport_below:
        return False
    if when.agitation_at_least is not None and s.agitation < when.agitation_at_least:
        return False
    if when.agitation_below is not None and s.agitation >= when.agitation_below:
        return False
    if when.inside_trigger is not None and (s.distance_m < trigger_m) != when.inside_trigger:
        return False
    if when.voices_above is not None and _voices(s) <= when.voices_above:
        return False
    if when.fact_known is not None and when.fact_known not in s.facts_known:
        return False
    if when.fact_unknown is not None and when.fact_unknown in s.facts_known:
        return False
    if when.weapon is not None and s.weapon != when.weapon:
        return False
    if when.repeats_at_least is not None and s.repeat_count < when.repeats_at_least:
        return False
    if when.turn_at_most is not None and s.turn >= when.turn_at_most:
        return False
    if when.resource_on_scene is not None and when.resource_on_scene not in s.on_scene:
        return False
    if when.cover is not None and s.cover != when.cover:
        return False
    return not (when.contained is not None and s.contained != when.contained)


def _voices(s: SimState) -> int:
    """Officers giving instructions: all of them, unless one voice has been designated."""
    return 1 if s.one_voice else s.officers


def _clamp(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


class Run:
    """One play of a scenario: created by ``start_run``, advanced by ``take`` and ``inject``.

    A run is fully determined by (scenario, seed, steps); ``to_dict``/``from_dict`` store and
    rebuild it by replaying the steps.
    """

    def __init__(self, scenario: Scenario, seed: int, model: Model) -> None:
        self.scenario = scenario
        self.seed = int(seed)
        self.model = model
        self.persona = draw_persona(scenario, self.seed)
        self.state = initial_state(scenario, self.persona)
        self.steps: list[tuple[str, str]] = []  # ("action", code) or ("event", id)
        self.results: list[TurnResult] = []
        self.outcome: Outcome | None = None
        self._record = True  # False in bulk simulation (``advance``): no TurnResults built
        self._c = _compile(scenario, model)
        self._stream = "main"
        self._branch_turn = 0

    # --- reading ---------------------------------------------------------------------------

    @property
    def terminal(self) -> bool:
        return self.outcome is not None

    def actions(self) -> list[str]:
        """Codes of the actions available now (see ``available_actions`` for labels)."""
        return list(self._available()[0])

    def _available(self) -> tuple[tuple[str, ...], frozenset[str]]:
        s, sc = self.state, self.scenario
        if self.outcome is not None:
            return (), frozenset()
        key = (
            s.one_voice or s.officers < 2,
            s.cover or not sc.cover_available,
            not sc.witnesses,
            s.contained,
        )
        cached = self._c.available.get(key)
        if cached is None:
            hidden = {
                code
                for code, hide in zip(
                    ("designate_one_voice", "take_cover", "ask_family", "contain"), key, strict=True
                )
                if hide
            }
            codes = tuple(code for code in sc.actions if code not in hidden)
            cached = self._c.available[key] = (codes, frozenset(codes))
        return cached

    def available_actions(self) -> list[ActionOption]:
        options = []
        for code in self.actions():
            t = TACTICS.get(code) or FORCE_TYPES[code]
            options.append(ActionOption(code, t.label, t.kind.value, t.description))
        return options

    def view(self) -> SceneView:
        s = self.state
        trigger = self.persona.trigger_distance_m
        speaking: tuple[str, ...]
        if s.last_officer_act is None:
            speaking = ()
        elif s.voices > 1:
            speaking = ("You", *(f"Officer {i}" for i in range(2, s.voices + 1)))
        elif s.last_officer_act in SPOKEN:
            speaking = ("You",)
        else:
            speaking = ()
        labels = {f.id: f.label for f in self.scenario.facts}
        resources = self._c.resources
        return SceneView(
            elapsed_s=round(s.elapsed_s, 1),
            distance_m=round(s.distance_m, 1),
            trigger_hint="close" if s.distance_m < trigger else "at a distance",
            cover=s.cover,
            officers=s.officers,
            speaking=speaking,
            bystanders=s.bystanders,
            weapon="not seen" if s.weapon == "concealed" else s.weapon,
            demeanour=demeanour(s.agitation),
            facts_known=tuple(labels[f] for f in sorted(s.facts_known) if f in labels),
            resources_en_route=tuple(resources[r].label for r in sorted(s.en_route)),
            resources_on_scene=tuple(resources[r].label for r in sorted(s.on_scene)),
        )

    # --- acting ----------------------------------------------------------------------------

    def take(self, action: str) -> TurnResult:
        """Apply one trainee action and the person's response; the turn's result is kept."""
        self._record = True
        result = self._take(action)
        assert result is not None  # _record is set, so _result always builds one
        return result

    def advance(self, action: str) -> None:
        """``take`` without building a result: for bulk simulation (linter, counterfactuals)."""
        self._record = False
        self._take(action)

    def _take(self, action: str) -> TurnResult | None:
        if self.outcome is not None:
            raise RunOver(f"the run ended ({self.outcome.kind.value}); start a new run")
        if action not in self._available()[1]:
            raise UnknownAction(
                f"{action!r} is not available now in {self.scenario.id}; "
                f"choose one of: {', '.join(self.actions())}"
            )
        self.steps.append(("action", action))
        return self._turn(action)

    def inject(self, event_id: str) -> TurnResult:
        """Apply a scenario-declared event (trainer mode); no time passes, no act."""
        if self.outcome is not None:
            raise RunOver(f"the run ended ({self.outcome.kind.value}); start a new run")
        event = self.scenario.event(event_id)
        self.steps.append(("event", event_id))
        narration = [event.narration]
        self._apply(event.effect, spoken=False, narration=narration)
        self._record = True
        result = self._result("event", event_id, event.label, None, None, narration)
        assert result is not None
        return result

    def _draws(self) -> list[float]:
        s = self.state
        stream = self._stream if s.turn >= self._branch_turn else "main"
        rng = random.Random(f"steadyhand-sim:{self.seed}:{stream}:{s.turn}")
        return [rng.random() for _ in range(_FIXED_DRAWS + len(self.scenario.facts))]

    def _apply(self, e: Effect, *, spoken: bool, narration: list[str]) -> None:
        """Apply the set-valued parts of an effect (deltas are summed by the caller)."""
        s = self.state
        if e.cover is not None:
            s.cover = e.cover
        if e.one_voice is not None:
            s.one_voice = e.one_voice
        if e.contained is not None:
            if e.contained and s.officers < 2:
                narration.append("One officer cannot hold a perimeter; backup would make it one.")
            else:
                s.contained = e.contained
                if e.contained:
                    s.bystanders //= 2
        if e.weapon is not None:
            s.weapon = e.weapon
        if e.comm_factor is not None:
            s.comm_factor = max(s.comm_factor, e.comm_factor)
        if e.less_lethal is not None:
            s.less_lethal = e.less_lethal
        s.officers = max(1, s.officers + e.officers)
        s.bystanders = max(0, s.bystanders + e.bystanders)
        if e.distance:
            s.distance_m = min(self.scenario.max_distance_m, max(0.5, s.distance_m + e.distance))
        if not spoken:
            s.agitation = _clamp(s.agitation + e.agitation)
            s.rapport = _clamp(s.rapport + e.rapport)
            s.rationality = _clamp(s.rationality + e.rationality)

    def _turn(self, action: str) -> TurnResult | None:
        s, c, d, p = self.state, self._c, self.model.dynamics, self.persona
        u = self._draws()
        narration: list[str] = []
        trigger = p.trigger_distance_m
        effects = [r.effect for r in c.rules.get(action, ()) if _holds(r.when, s, trigger)]
        spoken = action in SPOKEN

        # History: the same act again, or an explicit repeat, counts as a repetition.
        if action == "repeated_directive" or (
            action == s.last_officer_act and action in DIRECTIVES
        ):
            s.repeat_count += 1
        elif action in DIRECTIVES or action != s.last_officer_act:
            s.repeat_count = 0
        s.last_officer_act = action

        d_agitation = sum(e.agitation for e in effects)
        d_rapport = sum(e.rapport for e in effects)
        d_rationality = sum(e.rationality for e in effects)
        seconds = sum(e.seconds for e in effects) or d.default_seconds
        bonus: dict[str, float] = {}
        for e in effects:
            for act, value in e.act_bonus.items():
                bonus[act] = bonus.get(act, 0.0) + value
        if action in p.triggers:
            d_agitation += p.trigger_strength
        if action in p.soothers:
            d_agitation -= 0.04
            d_rapport += 0.04
        if spoken:
            # Only what gets through helps: language, deafness and disability cut the gains.
            if d_rapport > 0:
                d_rapport *= s.comm_factor
            if d_agitation < 0:
                d_agitation *= s.comm_factor
        if action in DIRECTIVES:
            d_agitation += d.repeat_penalty * s.repeat_count
        s.voices = _voices(s)
        d_agitation += d.voice_penalty * (s.voices - 1)

        before = s.distance_m
        for e in effects:
            self._apply(e, spoken=True, narration=narration)
        if s.distance_m < before and action == "approach":
            s.cover = False
        if before >= trigger > s.distance_m:
            d_agitation += d.crossing_penalty

        # Time passes.
        s.elapsed_s += seconds
        closeness = max(0.0, (trigger - s.distance_m) / trigger) if trigger > 0 else 0.0
        if closeness > 0:
            d_agitation += d.trigger_rate * closeness
        d_agitation += (u[_NOISE] - 0.5) * 2.0 * d.noise
        if u[_SPIKE] < d.spike_chance:
            d_agitation += d.spike_size
            narration.append(SPIKE_NARRATION)
        agitation = s.agitation + d_agitation + d.reversion * (p.baseline_agitation - s.agitation)
        if closeness == 0:
            floor = d.calming_floor * p.baseline_agitation
            calm = p.calming_rate * seconds / 60.0 * (1.5 if s.cover else 1.0)
            if agitation > floor:
                agitation = max(floor, agitation - calm)
        s.agitation = _clamp(agitation)
        s.rapport = _clamp(s.rapport + d_rapport)
        s.rationality = _clamp(
            s.rationality
            + d_rationality
            + d.rationality_rate * ((1.0 - s.agitation) - s.rationality)
        )

        self._requests(action, u[_ETA], narration)
        self._arrivals(narration)
        self._reveals(action, u, narration)

        if action in FORCE_TYPES:
            level = FORCE_TYPES[action].level or ForceLevel.CONTROL
            s.force.append((action, int(level), int(s.resistance)))
            if action != "point_weapon":
                self._injuries(u, int(level), int(s.resistance))
                self._end(OutcomeKind.FORCE_USED)
                return self._result(
                    "action", action, FORCE_TYPES[action].label, None, None, narration
                )

        act = self._choose_act(s, closeness, bonus, u[_ACT])
        s.turn += 1
        self._consequences(act, u, narration)
        s.last_subject_act = act
        if self.outcome is None:
            self._terminal_checks()
        lines = self.scenario.lines[act]
        line = lines[min(len(lines) - 1, int(u[_LINE] * len(lines)))]
        label = (TACTICS.get(action) or FORCE_TYPES[action]).label
        return self._result("action", action, label, act, line, narration)

    def _choose_act(
        self, s: SimState, closeness: float, bonus: dict[str, float], draw: float
    ) -> str:
        features = (
            1.0,
            s.agitation,
            s.rapport,
            s.rationality,
            closeness,
            1.0 if s.weapon == "in_hand" else 0.0,
            float(s.voices - 1),
            float(s.repeat_count),
            1.0 if s.contained else 0.0,
            min(1.0, s.bystanders / 5.0),
        )
        codes: list[str] = []
        utilities: list[float] = []
        bounds: list[tuple[float, float]] = []
        for code, coefficients, floor, ceiling in self._c.acts:
            if code == "displays_weapon" and s.weapon != "concealed":
                continue
            if code in ("drops_weapon", "attacks_with_weapon") and s.weapon != "in_hand":
                continue
            codes.append(code)
            utility = bonus.get(code, 0.0) + sum(map(mul, features, coefficients))
            utilities.append(utility)
            bounds.append((floor, ceiling))
        top = max(utilities)
        weights = [math.exp(v - top) for v in utilities]
        total = sum(weights)
        weights = [min(max(w / total, lo), hi) for w, (lo, hi) in zip(weights, bounds, strict=True)]
        target = draw * sum(weights)
        for code, w in zip(codes, weights, strict=True):
            target -= w
            if target < 0:
                return code
        return codes[-1]

    def _requests(self, action: str, draw: float, narration: list[str]) -> None:
        s = self.state
        if not action.startswith("request_"):
            return
        resources = self._c.requests.get(action, ())
        if not resources:
            narration.append(
                f"Dispatch: no {TACTICS[action].label.lower()[8:]} available for this call."
            )
        for r in resources:
            if r.id in s.en_route or r.id in s.on_scene:
                where = "on scene" if r.id in s.on_scene else "on the way"
                narration.append(f"Dispatch: {r.label} is already {where}.")
                continue
            eta = r.eta_s.low + draw * (r.eta_s.high - r.eta_s.low)
            s.en_route[r.id] = s.elapsed_s + eta
            narration.append(
                f"Dispatch: {r.label} on the way, about {max(1, round(eta / 60))} min."
            )

    def _arrivals(self, narration: list[str]) -> None:
        s = self.state
        for rid, at in sorted(s.en_route.items()):
            if at <= s.elapsed_s:
                del s.en_route[rid]
                s.on_scene.add(rid)
                resource = self._c.resources[rid]
                self._apply(resource.on_arrival, spoken=False, narration=narration)
                narration.append(f"{resource.label} arrives.")

    def _reveals(self, action: str, u: Sequence[float], narration: list[str]) -> None:
        s = self.state
        for i in self._c.reveals.get(action, ()):
            fact = self.scenario.facts[i]
            if fact.id not in s.facts_known and u[_FIXED_DRAWS + i] < fact.chance:
                s.facts_known.add(fact.id)
                self._apply(fact.on_reveal, spoken=False, narration=narration)
                narration.append(f"You learn: {fact.label}")

    def _consequences(self, act: str, u: Sequence[float], narration: list[str]) -> None:
        s, d = self.state, self.model.dynamics
        effect = self._c.act_effects.get(act)
        if effect is not None:
            self._apply(effect, spoken=False, narration=narration)
        resistance = SUBJECT_ACT_RESISTANCE[act]
        if act in ("advances", "threatens") and s.weapon == "in_hand":
            resistance = Resistance.DEADLY if s.distance_m <= d.weapon_reach_m else resistance
        s.resistance = resistance
        s.max_resistance = max(s.max_resistance, resistance)
        if act in CALM_ACTS:
            s.calm_streak += 1
        elif act != "silent":
            s.calm_streak = 0

        if act == "complies":
            if s.weapon == "in_hand":
                s.weapon = "dropped"
            if s.last_officer_act in REQUESTS and s.agitation < d.comply_agitation:
                self._end(OutcomeKind.RESOLVED)
        elif act == "flees":
            if s.contained:
                narration.append("The person tries to leave, but the perimeter holds.")
                s.agitation = _clamp(s.agitation + 0.05)
            else:
                self._end(OutcomeKind.FLIGHT)
        elif act == "assaults":
            # A rush covers a few metres before anyone can step back.
            s.distance_m = max(0.5, s.distance_m - d.rush_m)
            if s.distance_m <= d.reach_m:
                self._forced_response(ASSAULT_RESPONSE, u, narration)
            elif s.bystanders > 0 and not s.contained and u[_MISC] < 0.5:
                s.injuries.append("third_party_injured")
                narration.append("The person strikes a bystander.")
                self._end(OutcomeKind.INJURY)
            else:
                narration.append("The person rushes towards you but stops short.")
                s.cover = False
        elif act == "attacks_with_weapon":
            cover_holds = s.cover and u[_MISC] < d.cover_holds
            if s.distance_m > d.weapon_reach_m:
                # A charge covers ground fast: from beyond reach it ends inside it.
                narration.append("The person charges towards you with the weapon.")
                s.distance_m = max(d.reach_m + 0.5, s.distance_m - 6.0)
            if s.distance_m > d.weapon_reach_m:
                pass
            elif cover_holds and s.distance_m > d.reach_m:
                narration.append("The person charges; your cover stays between you.")
                s.distance_m = max(d.reach_m + 0.5, s.distance_m - 2.0)
            else:
                response = WEAPON_RESPONSE_LESS_LETHAL if s.less_lethal else WEAPON_RESPONSE
                self._forced_response(response, u, narration)
        elif act == "self_harm":
            s.injuries.append("subject_injured")
            self._end(OutcomeKind.SELF_HARM)

    def _forced_response(self, code: str, u: Sequence[float], narration: list[str]) -> None:
        s = self.state
        level = int(FORCE_TYPES[code].level or ForceLevel.CONTROL)
        s.force.append((code, level, int(s.resistance)))
        narration.append(f"You have to respond with force: {FORCE_TYPES[code].label.lower()}.")
        self._injuries(u, level, int(s.resistance))
        self._end(OutcomeKind.FORCE_USED)

    def _injuries(self, u: Sequence[float], level: int, resistance: int) -> None:
        d, s = self.model.dynamics, self.state
        if u[_INJ_SUBJECT] < d.force_subject_injury.get(str(level), 0.0):
            s.injuries.append("subject_injured")
        if u[_INJ_OFFICER] < d.force_officer_injury.get(str(resistance), 0.0):
            s.injuries.append("officer_injured")

    def _terminal_checks(self) -> None:
        s, d = self.state, self.model.dynamics
        trigger = self.persona.trigger_distance_m
        specialists = any(self._c.resources[r].takes_over for r in s.on_scene)
        safe_weapon = s.weapon != "in_hand" or (s.cover and s.distance_m >= trigger)
        if specialists and s.agitation < d.stabilise_agitation and safe_weapon:
            self._end(OutcomeKind.STABILISED)
        elif (
            s.calm_streak >= d.resolve_calm_turns
            and s.rapport >= d.resolve_rapport
            and s.agitation < d.resolve_agitation
            and s.weapon != "in_hand"
        ):
            self._end(OutcomeKind.RESOLVED)
        elif s.elapsed_s >= self.scenario.time_limit_s or s.turn >= MAX_TURNS:
            self._end(OutcomeKind.TIME_OUT)

    def _end(self, kind: OutcomeKind) -> None:
        s = self.state
        resolution = {
            OutcomeKind.RESOLVED: self.scenario.resolution,
            OutcomeKind.STABILISED: "handed_to_specialists",
            OutcomeKind.FORCE_USED: "custody_with_force",
            OutcomeKind.FLIGHT: "subject_fled",
        }.get(kind, "other_resolution")
        top = max(s.force, key=lambda f: f[1], default=None)
        self.outcome = Outcome(
            kind=kind,
            label=OUTCOME_LABELS[kind],
            resolution=resolution,
            peaceful=kind in PEACEFUL and not s.force,
            force_codes=tuple(f[0] for f in s.force),
            force_level=ForceLevel(top[1]) if top else ForceLevel.NONE,
            resistance_at_force=Resistance(top[2]) if top else None,
            max_resistance=s.max_resistance,
            force_factor=force_factor(top[1], top[2]) if top else None,
            injuries=tuple(dict.fromkeys(s.injuries)),
            turns=s.turn,
            elapsed_s=round(s.elapsed_s, 1),
        )

    def _result(
        self,
        kind: str,
        code: str,
        label: str,
        act: str | None,
        line: str | None,
        narration: list[str],
    ) -> TurnResult | None:
        if not self._record:
            return None
        result = TurnResult(
            index=len(self.steps) - 1,
            kind=kind,
            code=code,
            label=label,
            subject_act=act,
            subject_act_label=SUBJECT_ACTS[act].label if act else None,
            line=line,
            narration=tuple(narration),
            view=self.view(),
            outcome=self.outcome,
        )
        self.results.append(result)
        return result

    # --- storing and branching -------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Everything needed to rebuild the run: scenario id, seed and the steps in order."""
        return {
            "format": RUN_FORMAT,
            "scenario": self.scenario.id,
            "seed": self.seed,
            "steps": [{kind: code} for kind, code in self.steps],
        }

    def branch(self, stream: str) -> Run:
        """A copy continuing on another random stream from the next turn (counterfactuals)."""
        other = Run.__new__(Run)
        other.scenario, other.seed, other.model = self.scenario, self.seed, self.model
        other.persona, other.state = self.persona, self.state.copy()
        other.steps, other.results, other.outcome = list(self.steps), [], self.outcome
        other._record, other._c = False, self._c
        other._stream, other._branch_turn = stream, self.state.turn
        return other


def demeanour(agitation: float) -> str:
    """The cue an officer can see; the number stays hidden."""
    if agitation < 0.3:
        return "calm"
    if agitation < 0.55:
        return "tense"
    if agitation < 0.8:
        return "agitated"
    return "highly agitated"
