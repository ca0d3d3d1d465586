"""What a run is made of: the persona, the (hidden) state, and the results a turn hands back.

``SimState`` is the engine's working copy and is mutated turn by turn; everything handed to a
caller (``TurnResult``, ``SceneView``, ``Outcome``) is a frozen dataclass with ``to_dict()`` so
the web app can store it as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from steadyhand.vocabulary import ForceLevel, Resistance


class OutcomeKind(StrEnum):
    """How a run ended (the terminal checks of the design notes)."""

    RESOLVED = "resolved"
    STABILISED = "stabilised"  # held calm and safe until specialists took over
    FORCE_USED = "force_used"
    INJURY = "injury"  # someone was hurt without police force (a bystander, the officer)
    FLIGHT = "flight"
    SELF_HARM = "self_harm"
    TIME_OUT = "time_out"


PEACEFUL = frozenset({OutcomeKind.RESOLVED, OutcomeKind.STABILISED})

OUTCOME_LABELS: dict[OutcomeKind, str] = {
    OutcomeKind.RESOLVED: "Resolved without force",
    OutcomeKind.STABILISED: "Stabilised until specialists took over",
    OutcomeKind.FORCE_USED: "Force was used",
    OutcomeKind.INJURY: "Someone was injured",
    OutcomeKind.FLIGHT: "The person fled",
    OutcomeKind.SELF_HARM: "The person harmed themself",
    OutcomeKind.TIME_OUT: "Still unresolved when the exercise time ran out",
}


@dataclass(frozen=True, slots=True)
class Persona:
    """The person behind this run, drawn from the scenario's ranges by the run's seed."""

    baseline_agitation: float
    rapport: float
    rationality: float
    trigger_distance_m: float
    calming_rate: float
    trigger_strength: float
    triggers: frozenset[str]
    soothers: frozenset[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline_agitation": round(self.baseline_agitation, 3),
            "rapport": round(self.rapport, 3),
            "rationality": round(self.rationality, 3),
            "trigger_distance_m": round(self.trigger_distance_m, 2),
            "calming_rate": round(self.calming_rate, 3),
            "trigger_strength": round(self.trigger_strength, 3),
            "triggers": sorted(self.triggers),
            "soothers": sorted(self.soothers),
        }


@dataclass(slots=True)
class SimState:
    """The engine's mutable state of one encounter (hidden from the trainee, shown to trainers)."""

    turn: int
    elapsed_s: float
    agitation: float
    rapport: float
    rationality: float
    comm_factor: float
    weapon: str
    resistance: Resistance
    max_resistance: Resistance
    distance_m: float
    cover: bool
    officers: int
    one_voice: bool
    contained: bool
    bystanders: int
    less_lethal: bool
    facts_known: set[str]
    en_route: dict[str, float]  # resource id -> arrival time (elapsed seconds)
    on_scene: set[str]
    last_officer_act: str | None = None
    last_subject_act: str | None = None
    repeat_count: int = 0
    calm_streak: int = 0
    voices: int = 1  # officers giving instructions on the last spoken turn
    force: list[tuple[str, int, int]] = field(default_factory=list)  # (code, level, resistance)
    injuries: list[str] = field(default_factory=list)

    def copy(self) -> SimState:
        return SimState(
            self.turn, self.elapsed_s, self.agitation, self.rapport, self.rationality,
            self.comm_factor, self.weapon, self.resistance, self.max_resistance,
            self.distance_m, self.cover, self.officers, self.one_voice, self.contained,
            self.bystanders, self.less_lethal, set(self.facts_known), dict(self.en_route),
            set(self.on_scene), self.last_officer_act, self.last_subject_act,
            self.repeat_count, self.calm_streak, self.voices, list(self.force),
            list(self.injuries),
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The full state, numbers rounded: for trainer mode and debugging, not for trainees."""
        return {
            "turn": self.turn,
            "elapsed_s": round(self.elapsed_s, 1),
            "agitation": round(self.agitation, 3),
            "rapport": round(self.rapport, 3),
            "rationality": round(self.rationality, 3),
            "comm_factor": round(self.comm_factor, 2),
            "weapon": self.weapon,
            "resistance": int(self.resistance),
            "max_resistance": int(self.max_resistance),
            "distance_m": round(self.distance_m, 2),
            "cover": self.cover,
            "officers": self.officers,
            "one_voice": self.one_voice,
            "contained": self.contained,
            "bystanders": self.bystanders,
            "less_lethal": self.less_lethal,
            "facts_known": sorted(self.facts_known),
            "en_route": {k: round(v, 1) for k, v in sorted(self.en_route.items())},
            "on_scene": sorted(self.on_scene),
            "last_officer_act": self.last_officer_act,
            "last_subject_act": self.last_subject_act,
            "repeat_count": self.repeat_count,
            "calm_streak": self.calm_streak,
            "voices": self.voices,
            "force": [list(f) for f in self.force],
            "injuries": list(self.injuries),
        }


@dataclass(frozen=True, slots=True)
class ActionOption:
    """One thing the trainee can do now: a TACTICS or FORCE_TYPES code with its label."""

    code: str
    label: str
    group: str  # the vocabulary EventKind value: communication, command, positioning, …
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "group": self.group,
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class SceneView:
    """What the trainee can see: positions, who is speaking, cues; never the hidden numbers."""

    elapsed_s: float
    distance_m: float
    trigger_hint: str  # "close" / "at a distance": what an officer would sense, not the number
    cover: bool
    officers: int
    speaking: tuple[str, ...]  # who gave instructions on the last turn ("You", "Officer 2")
    bystanders: int
    weapon: str  # none / concealed (shown as not seen) / in_hand / dropped
    demeanour: str  # a cue from agitation: calm, tense, agitated, highly agitated
    facts_known: tuple[str, ...]  # labels
    resources_en_route: tuple[str, ...]  # labels
    resources_on_scene: tuple[str, ...]  # labels

    def to_dict(self) -> dict[str, Any]:
        return {
            "elapsed_s": self.elapsed_s,
            "distance_m": self.distance_m,
            "trigger_hint": self.trigger_hint,
            "cover": self.cover,
            "officers": self.officers,
            "speaking": list(self.speaking),
            "bystanders": self.bystanders,
            "weapon": self.weapon,
            "demeanour": self.demeanour,
            "facts_known": list(self.facts_known),
            "resources_en_route": list(self.resources_en_route),
            "resources_on_scene": list(self.resources_on_scene),
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the run ended, on the vocabulary's ladders and codes."""

    kind: OutcomeKind
    label: str
    resolution: str  # a vocabulary RESOLUTIONS code
    peaceful: bool
    force_codes: tuple[str, ...]  # FORCE_TYPES codes, in order
    force_level: ForceLevel
    resistance_at_force: Resistance | None
    max_resistance: Resistance
    force_factor: int | None  # vocabulary.force_factor of the highest force; None if no force
    injuries: tuple[str, ...]  # OTHER_TERMS codes: subject_injured, officer_injured, …
    turns: int
    elapsed_s: float

    @property
    def force_used(self) -> bool:
        return bool(self.force_codes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "label": self.label,
            "resolution": self.resolution,
            "peaceful": self.peaceful,
            "force_used": self.force_used,
            "force_codes": list(self.force_codes),
            "force_level": int(self.force_level),
            "resistance_at_force": (
                None if self.resistance_at_force is None else int(self.resistance_at_force)
            ),
            "max_resistance": int(self.max_resistance),
            "force_factor": self.force_factor,
            "injuries": list(self.injuries),
            "turns": self.turns,
            "elapsed_s": self.elapsed_s,
        }


@dataclass(frozen=True, slots=True)
class TurnResult:
    """What one step produced. ``kind`` is "action" (a trainee turn) or "event" (injected)."""

    index: int  # position in the run's step list
    kind: str
    code: str  # the trainee action code, or the injected event id
    label: str
    subject_act: str | None  # a SUBJECT_ACTS code (None for injected events and force)
    subject_act_label: str | None
    line: str | None  # what the person says or does, from the line bank
    narration: tuple[str, ...]  # what else happened: arrivals, facts learnt, the event
    view: SceneView
    outcome: Outcome | None  # set on the turn that ended the run

    @property
    def terminal(self) -> bool:
        return self.outcome is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "code": self.code,
            "label": self.label,
            "subject_act": self.subject_act,
            "subject_act_label": self.subject_act_label,
            "line": self.line,
            "narration": list(self.narration),
            "view": self.view.to_dict(),
            "terminal": self.terminal,
            "outcome": None if self.outcome is None else self.outcome.to_dict(),
        }
