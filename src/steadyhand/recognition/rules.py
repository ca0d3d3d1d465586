"""Who may take the open step of a nomination, beyond holding ``commendation.approve`` over it.

The chain approves in two steps: first a supervisor (or a commander) over the member's unit,
then a commander over it who did not take the first step. Nobody approves their own
commendation. Kept apart from the services so that pages hide the buttons by the same rule the
services enforce (the services still decide).
"""

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.roles import Role
from steadyhand.recognition.models import Nomination, NominationStatus

_FIRST_STEP = frozenset({Role.SUPERVISOR, Role.COMMANDER})
_SECOND_STEP = frozenset({Role.COMMANDER})


def _holds_over(actor: Actor, roles: frozenset[Role], nomination: Nomination) -> bool:
    return any(g.covers(nomination.unit.path) for g in actor.grants_for(roles))


def step_refusal(actor: Actor, nomination: Nomination) -> str | None:
    """Why ``actor`` may not approve or decline ``nomination`` now (None: they may)."""
    if not can(actor, "commendation.approve", nomination):
        return "You may approve nominations only in your chain of command."
    if not nomination.is_open:
        return f"This nomination is {nomination.get_status_display().lower()}: nothing to decide."
    if nomination.member_id is None:
        return "Identify the member this nomination is about before deciding on it."
    if actor.member_id is not None and actor.member_id == nomination.member_id:
        return "You cannot decide on a nomination of yourself."
    if nomination.status == NominationStatus.NOMINATED:
        if _holds_over(actor, _FIRST_STEP, nomination):
            return None
        return "The first approval needs a supervisor over the member's unit."
    # System actors (the demo, the CLI) have no user id to compare.
    if actor.user_id is not None and nomination.supervisor_approved_by_id == actor.user_id:
        return "You took the first approval; a different commander takes the second."
    if _holds_over(actor, _SECOND_STEP, nomination):
        return None
    return "The final approval needs a commander over the member's unit."


def may_publish(actor: Actor, nomination: Nomination) -> bool:
    """Publishing is a commander's decision over the member's unit (the member consents first)."""
    return can(actor, "commendation.approve", nomination) and _holds_over(
        actor, _SECOND_STEP, nomination
    )
