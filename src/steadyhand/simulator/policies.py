"""Reference policies: scripted trainees for the linter, the calibration and counterfactuals.

They read the run's state and persona (the cues an experienced officer would read: demeanour,
distance, whether the person is talking), which a human trainee only sees through the scene.

- ``good``: one voice, distance and cover first, gather information, call specialists, introduce
  and explain, then listen and empathise; options and one clear directive once rapport exists.
- ``poor``: approach, command, repeat the command, warn, then use force (ICAT's "what not to do").
- ``typical``: each turn a coin flip between the good and the poor choice; a stand-in for mixed
  everyday practice, used for the Terrill comparison.
- ``random``: any available non-force action, uniformly (a trainee clicking at random; force
  comes only from the person's attacks).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from steadyhand.simulator.engine import Run
from steadyhand.simulator.state import Outcome
from steadyhand.vocabulary import FORCE_TYPES

Policy = Callable[[Run, random.Random], str]

_LISTENING_CYCLE = ("active_listening", "empathy", "open_question", "reassure", "empathy")
_INFO = ("ask_dispatch", "ask_family", "observe")


def _done(run: Run) -> set[str]:
    # Recomputed each turn: runs are short (tens of steps), and it keeps policies stateless.
    return {code for kind, code in run.steps if kind == "action"}


def good(run: Run, rng: random.Random) -> str:
    s, sc, p = run.state, run.scenario, run.persona
    available = set(run.actions())
    done = _done(run)
    if "designate_one_voice" in available:
        return "designate_one_voice"
    if s.distance_m < p.trigger_distance_m + (1.0 if s.weapon == "in_hand" else 0.0):
        return "create_distance"
    if s.weapon == "in_hand" and "take_cover" in available:
        return "take_cover"
    revealing = {a for f in sc.facts if f.id not in s.facts_known for a in f.revealed_by}
    for code in _INFO:
        if code in available and code in revealing and code not in done:
            return code
    for resource in sc.resources:
        wanted = resource.takes_over or resource.requested_by == "request_interpreter"
        if wanted and resource.requested_by not in done:
            return resource.requested_by
    if "contain" in available and s.officers >= 2 and (s.bystanders or "flees" in sc.acts):
        return "contain"
    for code in ("introduce_self", "explain_reason"):
        if code not in done:
            return code
    if s.rapport >= 0.5 and s.last_subject_act in ("talks", "silent", "complies", "drops_weapon"):
        if s.last_officer_act != "offer_options":
            return "offer_options"
        return "one_clear_directive"
    if s.agitation >= 0.8 and s.last_officer_act != "tactical_pause":
        return "tactical_pause"
    return _LISTENING_CYCLE[s.turn % len(_LISTENING_CYCLE)]


def poor(run: Run, rng: random.Random) -> str:
    s = run.state
    available = set(run.actions())
    done = _done(run)
    if s.distance_m > 2.0 and "approach" in available:
        return "approach"
    if "one_clear_directive" not in done:
        return "one_clear_directive"
    if s.repeat_count < 2:
        return "repeated_directive"
    if "force_warning" not in done:
        return "force_warning"
    if s.weapon == "in_hand":
        if s.less_lethal:
            return "cew"
        if "point_weapon" not in done:
            return "point_weapon"
        return (
            "repeated_directive" if s.repeat_count < 4 else "cew" if s.less_lethal else "takedown"
        )
    return "control_hold"


# The typical officer: each run draws a share of good choices from this range, then flips that
# coin every turn. Calibrated to Terrill (2005); see
# docs/simulator.md.
TYPICAL_GOOD_SHARE = (0.92, 1.0)


def typical(run: Run, rng: random.Random) -> str:
    # The run's share of good choices comes from its own generator, so it is fixed per run.
    low, high = TYPICAL_GOOD_SHARE
    share = low + random.Random(f"steadyhand-typical:{run.seed}").random() * (high - low)
    return good(run, rng) if rng.random() < share else poor(run, rng)


def uniform(run: Run, rng: random.Random) -> str:
    actions = [a for a in run.actions() if a not in FORCE_TYPES]
    return actions[min(len(actions) - 1, int(rng.random() * len(actions)))]


POLICIES: dict[str, Policy] = {"good": good, "poor": poor, "typical": typical, "random": uniform}


def play(run: Run, policy: Policy, *, policy_seed: int | None = None) -> Outcome:
    """Play ``run`` to the end with ``policy``; the policy's own randomness comes from its seed."""
    rng = random.Random(f"steadyhand-policy:{run.seed if policy_seed is None else policy_seed}")
    while run.outcome is None:
        run.advance(policy(run, rng))
    return run.outcome
