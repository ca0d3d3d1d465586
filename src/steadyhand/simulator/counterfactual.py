"""Decision points: which of the trainee's choices, made differently, changed the chance of force.

P(force) at a decision counts force used from that decision on; P(resolution) is the chance the
encounter ends resolved or stabilised (earlier force does not change that).

For each trainee action at step ``i`` the run is rebuilt up to just before it. From there,
``k`` continuations are played for the choice actually made and for each alternative, each
continuation ``j`` on its own random stream ``cf{j}`` shared by every alternative (common random
numbers: same seed, same persona, same state at ``i``, same draws afterwards), so differences
come from the choice and not from luck.

Continuation policy (stated in every debrief): after the swapped step, the trainee's own later
steps are replayed in order (injected events too). A later *force* choice is replayed only if
the person is resisting at least as much as when the trainee chose it (the trainee used force
because of that resistance; if the change prevented it, so is the force); otherwise, and for
an action no longer available, the reference ``good`` policy chooses. Once the trainee's steps
run out the reference ``good`` policy plays on until the run ends.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from steadyhand.simulator.engine import Run
from steadyhand.simulator.policies import good
from steadyhand.simulator.state import PEACEFUL
from steadyhand.vocabulary import CDM_STEP_OF_KIND, FORCE_TYPES, TACTICS, CdmStep, Term

CONTINUATION_POLICY = (
    "After the changed choice, the trainee's own later choices in order (force only if the "
    "person resisted at least as much as when the trainee chose it; a choice that is no longer "
    "possible is made by the reference good-tactics policy), then the reference good-tactics "
    "policy until the encounter ends; same seed and persona, common random numbers."
)
# The alternatives tried at each decision: one from each family of ICAT's options.
ALTERNATIVES = (
    "create_distance",
    "take_cover",
    "tactical_pause",
    "designate_one_voice",
    "introduce_self",
    "active_listening",
    "empathy",
    "offer_options",
    "one_clear_directive",
    "observe",
    "ask_family",
    "request_crisis_team",
    "request_interpreter",
    "contain",
)
MAX_CONTINUATION_STEPS = 150


@dataclass(frozen=True, slots=True)
class DecisionPoint:
    """One of the trainee's choices with the alternative that would have changed most."""

    turn: int  # index into the run's steps
    cdm_step: CdmStep
    chosen: str
    chosen_label: str
    alternative: str
    alternative_label: str
    p_force_chosen: float
    p_force_alternative: float
    p_resolution_chosen: float
    p_resolution_alternative: float
    k: int

    @property
    def delta_force(self) -> float:
        return self.p_force_alternative - self.p_force_chosen

    @property
    def delta_resolution(self) -> float:
        return self.p_resolution_alternative - self.p_resolution_chosen

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "cdm_step": self.cdm_step.value,
            "chosen": self.chosen,
            "chosen_label": self.chosen_label,
            "alternative": self.alternative,
            "alternative_label": self.alternative_label,
            "p_force_chosen": round(self.p_force_chosen, 3),
            "p_force_alternative": round(self.p_force_alternative, 3),
            "delta_force": round(self.delta_force, 3),
            "p_resolution_chosen": round(self.p_resolution_chosen, 3),
            "p_resolution_alternative": round(self.p_resolution_alternative, 3),
            "delta_resolution": round(self.delta_resolution, 3),
            "k": self.k,
        }


def _term(code: str) -> Term:
    return TACTICS.get(code) or FORCE_TYPES[code]


# A later step: (kind, code, resistance the trainee faced when choosing it).
_Later = list[tuple[str, str, int]]


def _continue(branch: Run, first: str, later: _Later) -> tuple[bool, bool]:
    """Play ``first`` then the continuation; return (force used, peaceful)."""
    rng = random.Random(0)  # the good policy is deterministic; the argument is unused
    force_before = len(branch.state.force)
    branch.advance(first)
    for kind, code, faced in later:
        if branch.outcome is not None:
            break
        if kind == "event":
            branch.inject(code)
            continue
        keep = code in branch.actions() and (
            code not in FORCE_TYPES or int(branch.state.resistance) >= faced
        )
        branch.advance(code if keep else good(branch, rng))
    steps = 0
    while branch.outcome is None and steps < MAX_CONTINUATION_STEPS:
        branch.advance(good(branch, rng))
        steps += 1
    outcome = branch.outcome
    # Force from the decision on (earlier force is the same in every branch).
    force = len(branch.state.force) > force_before
    return force, outcome is not None and outcome.kind in PEACEFUL


def _rates(start: Run, first: str, later: _Later, k: int) -> tuple[float, float]:
    force = peaceful = 0
    for j in range(k):
        f, p = _continue(start.branch(f"cf{j}"), first, later)
        force += f
        peaceful += p
    return force / k, peaceful / k


def decision_points(run: Run, *, k: int = 16, top: int = 3) -> tuple[DecisionPoint, ...]:
    """The ``top`` trainee choices whose best alternative changed P(force) most (then P(peace))."""
    replay = Run(run.scenario, run.seed, run.model)
    faced: list[int] = []
    for kind, code in run.steps:
        faced.append(int(replay.state.resistance))
        if kind == "action":
            replay.advance(code)
        else:
            replay.inject(code)
    steps = [(kind, code, r) for (kind, code), r in zip(run.steps, faced, strict=True)]
    replay = Run(run.scenario, run.seed, run.model)
    candidates: list[DecisionPoint] = []
    for i, (kind, code) in enumerate(run.steps):
        if kind == "action":
            later = steps[i + 1 :]
            available = replay.actions()
            p_force, p_peace = _rates(replay, code, later, k)
            best: DecisionPoint | None = None
            for alternative in ALTERNATIVES:
                if alternative == code or alternative not in available:
                    continue
                a_force, a_peace = _rates(replay, alternative, later, k)
                point = DecisionPoint(
                    turn=i,
                    cdm_step=CDM_STEP_OF_KIND[_term(code).kind],
                    chosen=code,
                    chosen_label=_term(code).label,
                    alternative=alternative,
                    alternative_label=_term(alternative).label,
                    p_force_chosen=p_force,
                    p_force_alternative=a_force,
                    p_resolution_chosen=p_peace,
                    p_resolution_alternative=a_peace,
                    k=k,
                )
                if best is None or (point.delta_force, -point.delta_resolution) < (
                    best.delta_force,
                    -best.delta_resolution,
                ):
                    best = point
            if best is not None and (best.delta_force < 0 or best.delta_resolution > 0):
                candidates.append(best)
            replay.advance(code)
        else:
            replay.inject(code)
    candidates.sort(key=lambda p: (p.delta_force, -p.delta_resolution, p.turn))
    return tuple(candidates[:top])
