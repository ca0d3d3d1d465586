"""Scenarios as data: the TOML schema, its loader and its validator.

A scenario file (``scenarios/<id>.toml``) holds everything that is particular to one encounter:
the starting scene, the ranges a persona is drawn from, the facts that are hidden and what
reveals them, the resources that can be called, the events a trainer may inject, extra
state-conditioned effects of trainee actions, and the subject's line bank. What is common to
every encounter (the shared effects table and the subject's choice model) lives in
``model.toml`` next to this module and is loaded with the same validator.

Every error names the file and the field (``knife_crisis.toml: persona.trigger_distance_m: …``)
and all errors of a file are reported at once, so an author fixes a file in one pass.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steadyhand.vocabulary import (
    ARMED_WITH,
    FORCE_TYPES,
    INDICATORS,
    RESOLUTIONS,
    SUBJECT_ACTS,
    TACTICS,
)

SCENARIO_DIR = Path(__file__).with_name("scenarios")
MODEL_FILE = Path(__file__).with_name("model.toml")

# Everything a trainee can do: the incident-timeline tactics and force types, nothing else.
ACTION_CODES: tuple[str, ...] = (*TACTICS, *FORCE_TYPES)
WEAPON_STATES = ("none", "concealed", "in_hand", "dropped")
# The state features the subject's choice model weighs (see model.toml [acts]).
FEATURES = (
    "bias",
    "agitation",
    "rapport",
    "rationality",
    "closeness",
    "weapon_in_hand",
    "extra_voices",
    "repeats",
    "contained",
    "crowd",
)


class ScenarioError(ValueError):
    """A scenario or model file does not follow the schema; ``errors`` lists every problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True, slots=True)
class Condition:
    """When an effect applies; every field that is set must hold (all ``None``: always)."""

    rapport_at_least: float | None = None
    rapport_below: float | None = None
    agitation_at_least: float | None = None
    agitation_below: float | None = None
    inside_trigger: bool | None = None
    voices_above: int | None = None
    fact_known: str | None = None
    fact_unknown: str | None = None
    weapon: str | None = None
    repeats_at_least: int | None = None
    turn_at_most: int | None = None
    resource_on_scene: str | None = None
    cover: bool | None = None
    contained: bool | None = None


@dataclass(frozen=True, slots=True)
class Effect:
    """A change to the state. Numbers without ``set`` in their meaning are deltas."""

    agitation: float = 0.0
    rapport: float = 0.0
    rationality: float = 0.0
    distance: float = 0.0
    seconds: float = 0.0
    officers: int = 0
    bystanders: int = 0
    cover: bool | None = None  # set
    one_voice: bool | None = None  # set
    contained: bool | None = None  # set
    weapon: str | None = None  # set, one of WEAPON_STATES
    comm_factor: float | None = None  # set: how much of what is said gets through (0-1)
    less_lethal: bool | None = None  # set
    act_bonus: Mapping[str, float] = field(default_factory=dict)  # utility added this turn


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of an effects table: the action, the condition, the effect."""

    action: str
    when: Condition
    effect: Effect


@dataclass(frozen=True, slots=True)
class Range:
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class PersonaSpec:
    """The ranges a run's persona is drawn from (uniformly), and trigger/soother probabilities."""

    baseline_agitation: Range
    rapport: Range
    rationality: Range
    trigger_distance_m: Range
    calming_rate: Range  # agitation lost per minute spent outside the trigger distance
    trigger_strength: Range  # agitation added when the officer does one of the person's triggers
    triggers: Mapping[str, float]
    soothers: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Fact:
    id: str
    label: str
    revealed_by: tuple[str, ...]
    chance: float
    known: bool
    on_reveal: Effect


@dataclass(frozen=True, slots=True)
class Resource:
    id: str
    label: str
    requested_by: str
    eta_s: Range
    takes_over: bool  # a specialist: a calm scene can be handed over on arrival
    on_arrival: Effect


@dataclass(frozen=True, slots=True)
class InjectableEvent:
    """Something a trainer can make happen mid-run ("second unit arrives")."""

    id: str
    label: str
    narration: str
    effect: Effect


@dataclass(frozen=True, slots=True)
class ActModel:
    """The subject's utility for one act: coefficients on ``FEATURES`` (a discrete-choice model)."""

    code: str
    coefficients: tuple[float, ...]
    # Irreducible risk: whatever the utilities say, the act's probability stays in [floor, ceiling]
    # (then the distribution is renormalised), so good tactics can fail and poor ones succeed.
    floor: float = 0.0
    ceiling: float = 1.0


@dataclass(frozen=True, slots=True)
class Dynamics:
    """Engine constants shared by every scenario (model.toml ``[dynamics]``)."""

    reach_m: float
    rush_m: float
    weapon_reach_m: float
    cover_holds: float
    voice_penalty: float
    trigger_rate: float
    crossing_penalty: float
    repeat_penalty: float
    noise: float
    spike_chance: float
    spike_size: float
    calming_floor: float
    reversion: float
    rationality_rate: float
    resolve_calm_turns: int
    resolve_rapport: float
    resolve_agitation: float
    stabilise_agitation: float
    comply_agitation: float
    default_seconds: float
    force_subject_injury: Mapping[str, float]
    force_officer_injury: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Model:
    """model.toml: dynamics, the shared effects table, and the default choice model."""

    dynamics: Dynamics
    rules: tuple[Rule, ...]
    acts: Mapping[str, ActModel]
    act_effects: Mapping[str, Effect]


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    summary: str
    briefing: str
    indicators: tuple[str, ...]
    armed_with: str
    weapon: str
    resolution: str
    time_limit_s: float
    distance_m: float
    max_distance_m: float  # how far the officer can back off (a landing, a bridge, a yard)
    cover_available: bool
    officers: int
    bystanders: int
    contained: bool
    less_lethal: bool
    comm_factor: float
    witnesses: bool
    actions: tuple[str, ...]
    persona: PersonaSpec
    acts: Mapping[str, ActModel]
    facts: tuple[Fact, ...]
    resources: tuple[Resource, ...]
    events: tuple[InjectableEvent, ...]
    rules: tuple[Rule, ...]
    lines: Mapping[str, tuple[str, ...]]
    source: str

    def event(self, event_id: str) -> InjectableEvent:
        for event in self.events:
            if event.id == event_id:
                return event
        known = ", ".join(e.id for e in self.events) or "none"
        raise KeyError(f"{self.id}: no injectable event {event_id!r} (declared: {known})")


# --- validation -----------------------------------------------------------------------------


class _Checker:
    """Reads typed values out of parsed TOML, collecting errors that name file and field."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{self.source}: {where}: {message}")

    def table(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            self.error(_join(where, key), f"expected a table, got {type(value).__name__}")
            return {}
        return value

    def tables(self, data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.error(_join(where, key), "expected an array of tables ([[" + key + "]])")
            return []
        return value

    def text(
        self, data: Mapping[str, Any], key: str, where: str, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.error(_join(where, key), "required text is missing or empty")
            return ""
        return value.strip()

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        default: float | None = None,
        low: float = float("-inf"),
        high: float = float("inf"),
    ) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(_join(where, key), f"expected a number, got {value!r}")
            return 0.0 if default is None else default
        if not low <= value <= high:
            self.error(_join(where, key), f"{value} is outside {low}..{high}")
        return float(value)

    def integer(
        self, data: Mapping[str, Any], key: str, where: str, default: int, low: int = 0
    ) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.error(_join(where, key), f"expected a whole number ≥ {low}, got {value!r}")
            return default
        return value

    def flag(self, data: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error(_join(where, key), f"expected true or false, got {value!r}")
            return default
        return value

    def choice(
        self, value: Any, allowed: Sequence[str] | Mapping[str, Any], where: str, what: str
    ) -> str:
        if not isinstance(value, str) or value not in allowed:
            hint = ", ".join(list(allowed)[:12])
            self.error(where, f"{value!r} is not a known {what} (e.g. {hint}; docs/vocabulary.md)")
            return ""
        return value

    def codes(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        allowed: Sequence[str] | Mapping[str, Any],
        what: str,
    ) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.error(_join(where, key), f"expected a list of {what} codes")
            return ()
        return tuple(
            self.choice(v, allowed, f"{_join(where, key)}[{i}]", what) for i, v in enumerate(value)
        )

    def range(
        self, data: Mapping[str, Any], key: str, where: str, low: float, high: float
    ) -> Range:
        value = data.get(key)
        name = _join(where, key)
        if (
            not isinstance(value, list)
            or len(value) != 2
            or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)
        ):
            self.error(name, f"expected [low, high], got {value!r}")
            return Range(low, low)
        lo, hi = float(value[0]), float(value[1])
        if not low <= lo <= hi <= high:
            self.error(name, f"[{lo}, {hi}] must satisfy {low} ≤ low ≤ high ≤ {high}")
        return Range(lo, hi)

    def unknown_keys(self, data: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                self.error(_join(where, key), f"unknown field (allowed: {', '.join(allowed)})")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


_CONDITION_FIELDS = {
    "rapport_at_least": float,
    "rapport_below": float,
    "agitation_at_least": float,
    "agitation_below": float,
    "inside_trigger": bool,
    "voices_above": int,
    "fact_known": str,
    "fact_unknown": str,
    "weapon": str,
    "repeats_at_least": int,
    "turn_at_most": int,
    "resource_on_scene": str,
    "cover": bool,
    "contained": bool,
}
_EFFECT_NUMBERS = ("agitation", "rapport", "rationality", "distance", "seconds")
_EFFECT_INTS = ("officers", "bystanders")
_EFFECT_FLAGS = ("cover", "one_voice", "contained", "less_lethal")
EFFECT_FIELDS = (
    *_EFFECT_NUMBERS,
    *_EFFECT_INTS,
    *_EFFECT_FLAGS,
    "weapon",
    "comm_factor",
    "act_bonus",
)


def _condition(check: _Checker, data: Any, where: str) -> Condition:
    if not isinstance(data, Mapping):
        check.error(where, "expected an inline table, e.g. { rapport_at_least = 0.5 }")
        return Condition()
    check.unknown_keys(data, list(_CONDITION_FIELDS), where)
    values: dict[str, Any] = {}
    for key, kind in _CONDITION_FIELDS.items():
        if key not in data:
            continue
        value = data[key]
        ok = (
            isinstance(value, kind) and not isinstance(value, bool)
            if kind is not bool
            else isinstance(value, bool)
        )
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            check.error(_join(where, key), f"expected {kind.__name__}, got {value!r}")
            continue
        if key == "weapon":
            check.choice(value, WEAPON_STATES, _join(where, key), "weapon state")
        values[key] = value
    return Condition(**values)


def _effect(
    check: _Checker, data: Mapping[str, Any], where: str, extra: Sequence[str] = ()
) -> Effect:
    check.unknown_keys(data, [*EFFECT_FIELDS, *extra], where)
    values: dict[str, Any] = {}
    for key in _EFFECT_NUMBERS:
        if key in data:
            values[key] = check.number(data, key, where, low=-100.0, high=10_000.0)
    for key in _EFFECT_INTS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int):
                check.error(_join(where, key), f"expected a whole number, got {value!r}")
            else:
                values[key] = value
    for key in _EFFECT_FLAGS:
        if key in data:
            values[key] = check.flag(data, key, where, False)
    if "weapon" in data:
        values["weapon"] = check.choice(
            data["weapon"], WEAPON_STATES, _join(where, "weapon"), "weapon state"
        )
    if "comm_factor" in data:
        values["comm_factor"] = check.number(data, "comm_factor", where, low=0.0, high=1.0)
    if "act_bonus" in data:
        bonus = check.table(data, "act_bonus", where)
        checked: dict[str, float] = {}
        for act in bonus:
            check.choice(act, SUBJECT_ACTS, _join(where, f"act_bonus.{act}"), "subject act")
            checked[act] = check.number(bonus, act, _join(where, "act_bonus"), low=-20, high=20)
        values["act_bonus"] = checked
    return Effect(**values)


def _rules(check: _Checker, data: Mapping[str, Any]) -> tuple[Rule, ...]:
    rules = []
    for i, row in enumerate(check.tables(data, "effects", "")):
        where = f"effects[{i}]"
        actions = row.get("action")
        names = actions if isinstance(actions, list) else [actions]
        when = _condition(check, row.get("when", {}), _join(where, "when"))
        effect = _effect(
            check, {k: v for k, v in row.items() if k not in ("action", "when")}, where
        )
        for name in names:
            code = check.choice(name, ACTION_CODES, _join(where, "action"), "trainee action")
            if code:
                rules.append(Rule(code, when, effect))
    return tuple(rules)


def _acts(
    check: _Checker, data: Mapping[str, Any], base: Mapping[str, ActModel] | None
) -> dict[str, ActModel]:
    acts: dict[str, ActModel] = {}
    for code, spec in check.table(data, "acts", "").items():
        where = f"acts.{code}"
        if not check.choice(code, SUBJECT_ACTS, where, "subject act"):
            continue
        if not isinstance(spec, Mapping):
            check.error(where, "expected a table of coefficients, e.g. { bias = -2.0 }")
            continue
        check.unknown_keys(spec, (*FEATURES, "floor", "ceiling"), where)
        inherited = base.get(code) if base is not None else None
        floor = check.number(
            spec, "floor", where, default=inherited.floor if inherited else 0.0, low=0.0, high=0.5
        )
        ceiling = check.number(
            spec,
            "ceiling",
            where,
            default=inherited.ceiling if inherited else 1.0,
            low=0.0,
            high=1.0,
        )
        if base is None:
            coefficients = tuple(check.number(spec, f, where, default=0.0) for f in FEATURES)
        elif code not in base:
            check.error(where, "model.toml has no choice model for this act")
            continue
        else:
            # A scenario adjusts the shared model: its numbers are added to the defaults.
            defaults = base[code].coefficients
            coefficients = tuple(
                d + check.number(spec, f, where, default=0.0)
                for f, d in zip(FEATURES, defaults, strict=True)
            )
        acts[code] = ActModel(code, coefficients, floor, ceiling)
    return acts


def load_model(path: Path = MODEL_FILE) -> Model:
    """Read and validate model.toml, the shared effects table and choice model."""
    check = _Checker(path.name)
    data = _read(path, check)
    dyn = check.table(data, "dynamics", "")
    numbers = {
        name: check.number(dyn, name, "dynamics", low=0.0, high=10_000.0)
        for name in (
            "reach_m", "rush_m", "weapon_reach_m", "cover_holds", "voice_penalty",
            "trigger_rate", "crossing_penalty", "repeat_penalty", "noise", "spike_chance",
            "spike_size", "calming_floor", "reversion", "rationality_rate", "resolve_rapport",
            "resolve_agitation", "stabilise_agitation", "comply_agitation", "default_seconds",
        )
    }  # fmt: skip
    injuries: dict[str, Mapping[str, float]] = {}
    for name in ("force_subject_injury", "force_officer_injury"):
        table = check.table(dyn, name, "dynamics")
        injuries[name] = {
            str(level): check.number(table, level, f"dynamics.{name}", low=0.0, high=1.0)
            for level in table
        }
    dynamics = Dynamics(
        **numbers,
        resolve_calm_turns=check.integer(dyn, "resolve_calm_turns", "dynamics", 3, low=1),
        force_subject_injury=injuries["force_subject_injury"],
        force_officer_injury=injuries["force_officer_injury"],
    )
    act_effects = {
        code: _effect(check, spec, f"act_effects.{code}")
        for code, spec in check.table(data, "act_effects", "").items()
        if check.choice(code, SUBJECT_ACTS, f"act_effects.{code}", "subject act")
        and isinstance(spec, Mapping)
    }
    model = Model(dynamics, _rules(check, data), _acts(check, data, None), act_effects)
    if check.errors:
        raise ScenarioError(check.errors)
    return model


def _read(path: Path, check: _Checker) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ScenarioError([f"{path.name}: file not found at {path}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{path.name}: not valid TOML: {exc}"]) from None


_TOP_FIELDS = (
    "id", "title", "summary", "briefing", "indicators", "armed_with", "weapon", "resolution",
    "time_limit_s", "distance_m", "max_distance_m", "cover_available", "officers", "bystanders",
    "contained",
    "less_lethal", "comm_factor", "witnesses", "actions", "persona", "acts", "facts",
    "resources", "events", "effects", "lines",
)  # fmt: skip


def parse_scenario(data: Mapping[str, Any], model: Model, source: str) -> Scenario:
    """Validate parsed TOML against the schema; raise ``ScenarioError`` listing every problem."""
    check = _Checker(source)
    check.unknown_keys(data, _TOP_FIELDS, "")
    scenario_id = check.text(data, "id", "")
    if scenario_id and source.endswith(".toml") and Path(source).stem != scenario_id:
        check.error("id", f"{scenario_id!r} must match the file name {Path(source).stem!r}")
    persona = _persona(check, check.table(data, "persona", ""))
    facts = _facts(check, data)
    fact_ids = {f.id for f in facts}
    resources = _resources(check, data)
    events = tuple(
        InjectableEvent(
            id=check.text(row, "id", f"events[{i}]"),
            label=check.text(row, "label", f"events[{i}]"),
            narration=check.text(row, "narration", f"events[{i}]"),
            effect=_effect(
                check,
                {k: v for k, v in row.items() if k not in ("id", "label", "narration")},
                f"events[{i}]",
            ),
        )
        for i, row in enumerate(check.tables(data, "events", ""))
    )
    rules = _rules(check, data)
    for i, rule in enumerate(rules):
        for name in (rule.when.fact_known, rule.when.fact_unknown):
            if name is not None and name not in fact_ids:
                check.error(f"effects[{i}].when", f"fact {name!r} is not declared in [[facts]]")
    acts = _acts(check, data, model.acts)
    if not acts:
        check.error("acts", "declare at least one subject act the person can do")
    lines: dict[str, tuple[str, ...]] = {}
    for act, texts in check.table(data, "lines", "").items():
        check.choice(act, SUBJECT_ACTS, f"lines.{act}", "subject act")
        if (
            not isinstance(texts, list)
            or not texts
            or not all(isinstance(t, str) and t.strip() for t in texts)
        ):
            check.error(f"lines.{act}", "expected a non-empty list of lines")
            continue
        lines[act] = tuple(t.strip() for t in texts)
    for act in acts:
        if act not in lines:
            check.error(
                f"lines.{act}", "the person can do this act but the line bank has no line for it"
            )
    actions = check.codes(data, "actions", "", ACTION_CODES, "trainee action") or ACTION_CODES
    scenario = Scenario(
        id=scenario_id,
        title=check.text(data, "title", ""),
        summary=check.text(data, "summary", ""),
        briefing=check.text(data, "briefing", ""),
        indicators=check.codes(data, "indicators", "", INDICATORS, "indicator"),
        armed_with=check.choice(data.get("armed_with", "none"), ARMED_WITH, "armed_with", "weapon"),
        weapon=check.choice(data.get("weapon", "none"), WEAPON_STATES, "weapon", "weapon state"),
        resolution=check.choice(data.get("resolution"), RESOLUTIONS, "resolution", "resolution"),
        time_limit_s=check.number(data, "time_limit_s", "", default=1200.0, low=60.0, high=7200.0),
        distance_m=check.number(data, "distance_m", "", low=0.5, high=50.0),
        max_distance_m=check.number(data, "max_distance_m", "", default=15.0, low=0.5, high=50.0),
        cover_available=check.flag(data, "cover_available", "", True),
        officers=check.integer(data, "officers", "", 1, low=1),
        bystanders=check.integer(data, "bystanders", "", 0),
        contained=check.flag(data, "contained", "", False),
        less_lethal=check.flag(data, "less_lethal", "", False),
        comm_factor=check.number(data, "comm_factor", "", default=1.0, low=0.0, high=1.0),
        witnesses=check.flag(data, "witnesses", "", False),
        actions=tuple(a for a in actions if a),
        persona=persona,
        acts=acts,
        facts=facts,
        resources=resources,
        events=events,
        rules=rules,
        lines=lines,
        source=source,
    )
    if check.errors:
        raise ScenarioError(check.errors)
    return scenario


def _persona(check: _Checker, data: Mapping[str, Any]) -> PersonaSpec:
    where = "persona"
    probabilities: dict[str, dict[str, float]] = {}
    for kind in ("triggers", "soothers"):
        table = check.table(data, kind, where)
        probabilities[kind] = {}
        for code in table:
            check.choice(code, ACTION_CODES, f"{where}.{kind}.{code}", "trainee action")
            probabilities[kind][code] = check.number(
                table, code, f"{where}.{kind}", low=0.0, high=1.0
            )
    return PersonaSpec(
        baseline_agitation=check.range(data, "baseline_agitation", where, 0.0, 1.0),
        rapport=check.range(data, "rapport", where, 0.0, 1.0),
        rationality=check.range(data, "rationality", where, 0.0, 1.0),
        trigger_distance_m=check.range(data, "trigger_distance_m", where, 0.0, 30.0),
        calming_rate=check.range(data, "calming_rate", where, 0.0, 1.0),
        trigger_strength=check.range(data, "trigger_strength", where, 0.0, 1.0),
        triggers=probabilities["triggers"],
        soothers=probabilities["soothers"],
    )


def _facts(check: _Checker, data: Mapping[str, Any]) -> tuple[Fact, ...]:
    facts = []
    for i, row in enumerate(check.tables(data, "facts", "")):
        where = f"facts[{i}]"
        check.unknown_keys(
            row, ("id", "label", "revealed_by", "chance", "known", "on_reveal"), where
        )
        facts.append(
            Fact(
                id=check.text(row, "id", where),
                label=check.text(row, "label", where),
                revealed_by=check.codes(row, "revealed_by", where, ACTION_CODES, "trainee action"),
                chance=check.number(row, "chance", where, default=1.0, low=0.0, high=1.0),
                known=check.flag(row, "known", where, False),
                on_reveal=_effect(
                    check, check.table(row, "on_reveal", where), f"{where}.on_reveal"
                ),
            )
        )
    return tuple(facts)


def _resources(check: _Checker, data: Mapping[str, Any]) -> tuple[Resource, ...]:
    resources = []
    for i, row in enumerate(check.tables(data, "resources", "")):
        where = f"resources[{i}]"
        check.unknown_keys(
            row, ("id", "label", "requested_by", "eta_s", "takes_over", "on_arrival"), where
        )
        resources.append(
            Resource(
                id=check.text(row, "id", where),
                label=check.text(row, "label", where),
                requested_by=check.choice(
                    row.get("requested_by"), TACTICS, f"{where}.requested_by", "tactic"
                ),
                eta_s=check.range(row, "eta_s", where, 0.0, 7200.0),
                takes_over=check.flag(row, "takes_over", where, False),
                on_arrival=_effect(
                    check, check.table(row, "on_arrival", where), f"{where}.on_arrival"
                ),
            )
        )
    return tuple(resources)


def load_scenario_file(path: Path, model: Model) -> Scenario:
    """Load one scenario file; errors name the file and the field."""
    check = _Checker(path.name)
    return parse_scenario(_read(path, check), model, path.name)
