"""The debrief: a rubric (outcome, tactics, CDM process) and decision points, by CDM step.

Rubric items and why they are there (design notes; ICAT take-aways):

- collect information — information gathered before the first command, approach or force
  (Fridell & Binder: information exchange may be the critical phase); hidden facts learnt.
- assess — re-assessed after a change (a new threat, an arrival, an injected event, a sudden
  escalation): the next choice was not more of the same pressure; distance kept outside the
  person's trigger distance ("distance + cover = time").
- powers and policy — force level against the resistance faced (``vocabulary.force_factor``);
  force chosen against someone offering no more than passive resistance.
- options — one voice when more than one officer; specialists requested where the scenario has
  them; cover taken against a weapon; options offered.
- act, review, re-assess — introduction or reason early (Rho et al. 2023); no command loop
  (Sykes & Brent); pivoted when a tactic failed; the outcome and injuries.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from steadyhand.simulator.counterfactual import (
    CONTINUATION_POLICY,
    DecisionPoint,
)
from steadyhand.simulator.counterfactual import decision_points as find_decision_points
from steadyhand.simulator.engine import DIRECTIVES, SPOKEN, Run
from steadyhand.simulator.state import Outcome, OutcomeKind, SimState
from steadyhand.vocabulary import (
    CDM_LABELS,
    DE_ESCALATION_TACTICS,
    FORCE_LEVEL_LABELS,
    FORCE_TYPES,
    RESISTANCE_LABELS,
    TACTICS,
    CdmStep,
    ForceLevel,
    Resistance,
)

PRESSURE = frozenset({*DIRECTIVES, "threat", "approach", *FORCE_TYPES})
INFORMATION = frozenset({"ask_dispatch", "ask_family", "observe", "open_question"})
ESCALATING_ACTS = frozenset(
    {
        "verbal_refusal", "threatens", "pulls_away", "flees", "advances", "assaults",
        "displays_weapon", "attacks_with_weapon", "self_harm", "passive_resistance",
    }
)  # fmt: skip
REASSESS_BAD = frozenset({"approach", "threat", "repeated_directive", "force_warning"})
# Moves that are themselves a re-assessment: step back, look, ask, slow down, call for help.
REASSESSING = frozenset(
    {"observe", "tactical_pause", "create_distance", "take_cover", "ask_dispatch", "ask_family"}
    | {code for code in TACTICS if code.startswith("request_")}
)
PROCESS_ITEMS = frozenset({"info_before_action", "reassessed_after_change", "pivoted_when_failed"})
OUTCOME_SCORES = {
    OutcomeKind.RESOLVED: 100,
    OutcomeKind.STABILISED: 90,
    OutcomeKind.TIME_OUT: 50,
    OutcomeKind.FLIGHT: 40,
    OutcomeKind.FORCE_USED: 20,
    OutcomeKind.INJURY: 10,
    OutcomeKind.SELF_HARM: 10,
}


@dataclass(frozen=True, slots=True)
class RubricItem:
    code: str
    cdm_step: CdmStep
    label: str
    met: bool | None  # None: did not apply to this run
    detail: str
    turns: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "cdm_step": self.cdm_step.value,
            "cdm_label": CDM_LABELS[self.cdm_step],
            "label": self.label,
            "met": self.met,
            "detail": self.detail,
            "turns": list(self.turns),
        }


@dataclass(frozen=True, slots=True)
class Debrief:
    scenario_id: str
    seed: int
    outcome: Outcome | None
    items: tuple[RubricItem, ...]
    decision_points: tuple[DecisionPoint, ...]
    continuation_policy: str
    k: int
    scores: dict[str, int]
    summary: str

    @property
    def by_step(self) -> dict[CdmStep, tuple[RubricItem, ...]]:
        return {step: tuple(i for i in self.items if i.cdm_step == step) for step in CdmStep}

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario_id": self.scenario_id,
            "seed": self.seed,
            "outcome": None if self.outcome is None else self.outcome.to_dict(),
            "items": [i.to_dict() for i in self.items],
            "by_step": {
                step.value: {
                    "label": CDM_LABELS[step],
                    "items": [i.to_dict() for i in items],
                    "decision_points": [
                        p.to_dict() for p in self.decision_points if p.cdm_step == step
                    ],
                }
                for step, items in self.by_step.items()
            },
            "decision_points": [p.to_dict() for p in self.decision_points],
            "continuation_policy": self.continuation_policy,
            "k": self.k,
            "scores": dict(self.scores),
            "summary": self.summary,
        }


@dataclass(frozen=True, slots=True)
class _Step:
    index: int
    kind: str
    code: str
    before: SimState
    after: SimState
    subject_act: str | None
    arrivals: bool


def _history(run: Run) -> list[_Step]:
    replay = Run(run.scenario, run.seed, run.model)
    steps = []
    for i, (kind, code) in enumerate(run.steps):
        before = replay.state.copy()
        if kind == "action":
            replay.advance(code)
        else:
            replay.inject(code)
        after = replay.state.copy()
        act = after.last_subject_act if kind == "action" and after.turn > before.turn else None
        steps.append(
            _Step(i, kind, code, before, after, act, len(after.on_scene) > len(before.on_scene))
        )
    return steps


def _label(code: str) -> str:
    return (TACTICS.get(code) or FORCE_TYPES[code]).label.lower()


def score_run(run: Run, *, decision_points: bool = True, k: int = 16) -> Debrief:
    """Score a run (finished or not) and, unless told not to, find its decision points."""
    history = _history(run)
    actions = [s for s in history if s.kind == "action"]
    items = [
        *_collect(run, actions),
        *_assess(run, history, actions),
        *_powers(run, actions),
        *_options(run, history, actions),
        *_act_review(run, history, actions),
    ]
    points = find_decision_points(run, k=k) if decision_points and actions else ()
    scores = _scores(run.outcome, items)
    return Debrief(
        scenario_id=run.scenario.id,
        seed=run.seed,
        outcome=run.outcome,
        items=tuple(items),
        decision_points=points,
        continuation_policy=CONTINUATION_POLICY,
        k=k,
        scores=scores,
        summary=_summary(run.outcome, items, points),
    )


def _collect(run: Run, actions: list[_Step]) -> list[RubricItem]:
    step = CdmStep.COLLECT_INFORMATION
    first_pressure = next((s.index for s in actions if s.code in PRESSURE), None)
    info = [s.index for s in actions if s.code in INFORMATION]
    before = [i for i in info if first_pressure is None or i < first_pressure]
    if before:
        detail = "You gathered information before any command, approach or force."
    elif info:
        detail = "You gathered information only after pressing the person."
    else:
        detail = "You did not ask dispatch, family or the person what was going on, nor observe."
    items = [
        RubricItem(
            "info_before_action",
            step,
            "Information before action",
            bool(before),
            detail,
            tuple(before),
        )
    ]
    hidden = [f for f in run.scenario.facts if not f.known]
    if hidden:
        known = run.state.facts_known
        learnt = [f.label for f in hidden if f.id in known]
        missed = [f for f in hidden if f.id not in known]
        detail = f"You learnt {len(learnt)} of {len(hidden)} things that were not in the call."
        if missed:
            ways = sorted({_label(a) for f in missed for a in f.revealed_by})
            detail += f" Ways to learn more: {', '.join(ways)}."
        items.append(RubricItem("facts_learnt", step, "Hidden facts learnt", bool(learnt), detail))
    return items


def _assess(run: Run, history: list[_Step], actions: list[_Step]) -> list[RubricItem]:
    step = CdmStep.ASSESS
    items = []
    changes: list[int] = []
    for n, s in enumerate(history):
        escalated = s.after.resistance > s.before.resistance and s.subject_act in ESCALATING_ACTS
        weapon = s.after.weapon == "in_hand" and s.before.weapon != "in_hand"
        if s.kind == "event" or s.arrivals or escalated or weapon:
            changes.append(n)
    responses = []
    good = []
    for n in changes:
        previous = next((h.code for h in reversed(history[: n + 1]) if h.kind == "action"), None)
        following = next((h for h in history[n + 1 :] if h.kind == "action"), None)
        if following is None:
            continue
        responses.append(following.index)
        if following.code in REASSESSING or (
            following.code not in REASSESS_BAD and following.code != previous
        ):
            good.append(following.index)
    if responses:
        share = len(good) / len(responses)
        items.append(
            RubricItem(
                "reassessed_after_change",
                step,
                "Re-assessed after a change",
                share >= 0.5,
                f"After {len(responses)} change(s) in the scene you changed approach "
                f"{len(good)} time(s) rather than pressing on with the same thing.",
                tuple(i for i in responses if i not in good),
            )
        )
    else:
        items.append(
            RubricItem(
                "reassessed_after_change",
                step,
                "Re-assessed after a change",
                None,
                "Nothing changed sharply during this run.",
            )
        )
    trigger = run.persona.trigger_distance_m
    if actions:
        close = [s.index for s in actions if s.after.distance_m < trigger]
        share = 1 - len(close) / len(actions)
        items.append(
            RubricItem(
                "distance_kept",
                step,
                "Kept a safe distance",
                share >= 0.7,
                f"You stayed outside this person's comfort distance (about {trigger:.1f} m) "
                f"on {share:.0%} of your turns.",
                tuple(close),
            )
        )
    return items


def _powers(run: Run, actions: list[_Step]) -> list[RubricItem]:
    step = CdmStep.POWERS_AND_POLICY
    outcome = run.outcome
    force = run.state.force
    if not force:
        return [
            RubricItem(
                "force_proportional",
                step,
                "Force in proportion to resistance",
                None,
                "No force was used.",
            )
        ]
    code, level, resistance = max(force, key=lambda f: f[1])
    factor = level - resistance
    detail = (
        f"Highest force: {FORCE_LEVEL_LABELS[ForceLevel(level)].lower()} ({_label(code)}) against "
        f"{RESISTANCE_LABELS[Resistance(resistance)].lower()}; force factor {factor:+d}."
    )
    force_turns = tuple(s.index for s in actions if s.code in FORCE_TYPES)
    items = [
        RubricItem(
            "force_proportional",
            step,
            "Force in proportion to resistance",
            factor <= 0,
            detail,
            force_turns,
        )
    ]
    chosen_low = [
        s.index
        for s in actions
        if s.code in FORCE_TYPES and s.before.resistance <= Resistance.PASSIVE
    ]
    items.append(
        RubricItem(
            "force_when_low_resistance",
            step,
            "No force against low resistance",
            not chosen_low,
            "You chose force while the person offered at most passive resistance."
            if chosen_low
            else "Force was used only against active resistance or an attack.",
            tuple(chosen_low),
        )
    )
    del outcome
    return items


def _options(run: Run, history: list[_Step], actions: list[_Step]) -> list[RubricItem]:
    step = CdmStep.OPTIONS
    items = []
    codes = [s.code for s in actions]
    multi = [s.index for s in actions if s.after.voices > 1]
    if any(s.after.officers > 1 for s in history):
        items.append(
            RubricItem(
                "one_voice",
                step,
                "One voice",
                len(multi) <= 1,
                f"More than one officer gave instructions on {len(multi)} turn(s)."
                + ("" if "designate_one_voice" in codes else " Nobody was designated to speak."),
                tuple(multi),
            )
        )
    specialists = [
        r for r in run.scenario.resources if r.takes_over or r.requested_by == "request_interpreter"
    ]
    if specialists:
        asked = [r.label for r in specialists if r.requested_by in codes]
        items.append(
            RubricItem(
                "specialists_requested",
                step,
                "Specialists requested",
                bool(asked),
                f"Requested: {', '.join(asked)}."
                if asked
                else f"Available but not requested: {', '.join(r.label for r in specialists)}.",
            )
        )
    armed = any(s.after.weapon == "in_hand" for s in history)
    if armed and run.scenario.cover_available:
        items.append(
            RubricItem(
                "cover_used",
                step,
                "Cover against a weapon",
                "take_cover" in codes,
                "You took cover."
                if "take_cover" in codes
                else "A weapon was out and you never took cover.",
            )
        )
    offered = [s.index for s in actions if s.code == "offer_options"]
    items.append(
        RubricItem(
            "options_offered",
            step,
            "Options offered",
            bool(offered),
            "You gave the person choices that end safely."
            if offered
            else "You never offered the person a choice.",
            tuple(offered),
        )
    )
    return items


def _act_review(run: Run, history: list[_Step], actions: list[_Step]) -> list[RubricItem]:
    step = CdmStep.ACT_REVIEW
    items = []
    # Rho et al. (2023): what matters is what the officer says first, so count spoken moves.
    spoken = [s for s in actions if s.code in SPOKEN]
    early = [s.index for s in spoken[:2] if s.code in ("introduce_self", "explain_reason")]
    items.append(
        RubricItem(
            "early_introduction",
            step,
            "Introduction or reason early",
            bool(early),
            "The first things you said were who you are or why you were there."
            if early
            else "You did not introduce yourself or explain why you were there early on.",
            tuple(early),
        )
    )
    repeats = [
        s.index
        for s in actions
        if s.code == "repeated_directive"
        or (s.code in DIRECTIVES and s.before.last_officer_act == s.code)
    ]
    items.append(
        RubricItem(
            "no_command_loop",
            step,
            "No command loop",
            len(repeats) <= 1,
            f"You repeated a directive {len(repeats)} time(s).",
            tuple(repeats),
        )
    )
    failures = 0
    stuck: list[int] = []
    for a, b in itertools.pairwise(actions):
        if a.subject_act in ESCALATING_ACTS and a.code not in ("tactical_pause",):
            failures += 1
            if b.code == a.code or (a.code in DIRECTIVES and b.code in DIRECTIVES):
                stuck.append(b.index)
    items.append(
        RubricItem(
            "pivoted_when_failed",
            step,
            "Pivoted when a tactic failed",
            None if failures == 0 else len(stuck) <= failures / 2,
            "No tactic met resistance."
            if failures == 0
            else f"{failures} of your moves met resistance; "
            f"you tried the same again {len(stuck)} time(s).",
            tuple(stuck),
        )
    )
    share = sum(s.code in DE_ESCALATION_TACTICS for s in actions) / len(actions) if actions else 0.0
    items.append(
        RubricItem(
            "de_escalation_share",
            step,
            "De-escalation tactics used",
            share >= 0.5 if actions else None,
            f"{share:.0%} of your moves were de-escalation tactics.",
        )
    )
    outcome = run.outcome
    if outcome is not None:
        injuries = ", ".join(i.replace("_", " ") for i in outcome.injuries) or "none"
        items.append(
            RubricItem(
                "outcome",
                step,
                "Outcome",
                outcome.peaceful,
                f"{outcome.label} after {outcome.turns} turns "
                f"({outcome.elapsed_s / 60:.0f} min). Injuries: {injuries}.",
            )
        )
    return items


def _scores(outcome: Outcome | None, items: list[RubricItem]) -> dict[str, int]:
    def share(selected: list[RubricItem]) -> int:
        applicable = [i for i in selected if i.met is not None]
        return (
            round(100 * sum(bool(i.met) for i in applicable) / len(applicable)) if applicable else 0
        )

    outcome_score = 0
    if outcome is not None:
        outcome_score = OUTCOME_SCORES[outcome.kind]
        if outcome.force_used and outcome.kind != OutcomeKind.FORCE_USED:
            outcome_score -= 20
        if outcome.force_factor is not None and outcome.force_factor > 0:
            outcome_score -= 20
        outcome_score = max(0, outcome_score - 10 * len(outcome.injuries))
    process = [i for i in items if i.code in PROCESS_ITEMS]
    tactics = [i for i in items if i.code not in PROCESS_ITEMS and i.code != "outcome"]
    return {"outcome": outcome_score, "tactics": share(tactics), "cdm_process": share(process)}


def _summary(
    outcome: Outcome | None, items: list[RubricItem], points: tuple[DecisionPoint, ...]
) -> str:
    parts = [outcome.label + "." if outcome else "The run has not ended."]
    strengths = [i.label.lower() for i in items if i.met is True and i.code != "outcome"]
    gaps = [i.label.lower() for i in items if i.met is False and i.code != "outcome"]
    if strengths:
        parts.append(f"Done well: {', '.join(strengths[:4])}.")
    if gaps:
        parts.append(f"To work on: {', '.join(gaps[:4])}.")
    if points:
        p = points[0]
        parts.append(
            f"The choice that mattered most: at move {p.turn + 1}, {p.alternative_label.lower()} "
            f"instead of {p.chosen_label.lower()} would have changed the chance of force from "
            f"{p.p_force_chosen:.0%} to {p.p_force_alternative:.0%}."
        )
    return " ".join(parts)
