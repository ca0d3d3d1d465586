"""Checks the recognition services share (not services: they write nothing)."""

from steadyhand.access.actor import Actor
from steadyhand.agencies.models import Member
from steadyhand.core.errors import InvalidInput
from steadyhand.incidents.models import Incident
from steadyhand.incidents.selectors import incidents_visible
from steadyhand.recognition.models import AwardType

MAX_NARRATIVE = 10_000


def _check_narrative(narrative: str) -> str:
    narrative = narrative.strip()
    if not narrative:
        raise InvalidInput({"narrative": ["Say what the member did that deserves recognition."]})
    if len(narrative) > MAX_NARRATIVE:
        raise InvalidInput({"narrative": [f"Keep it under {MAX_NARRATIVE} characters."]})
    return narrative


def _check_member(*, actor: Actor, member: Member) -> Member:
    if member.agency_id != actor.agency_id:
        raise InvalidInput({"member": ["Choose a member of your agency."]})
    return member


def _check_incident(*, actor: Actor, incident: Incident | None) -> Incident | None:
    """The incident must be of the agency and one the nominator may see (no guessing ids)."""
    if incident is None:
        return None
    if not incidents_visible(actor=actor).filter(pk=incident.pk).exists():
        raise InvalidInput({"incident": ["There is no such incident that you may see."]})
    return incident


def _check_award(*, actor: Actor, award_type: AwardType | None) -> AwardType | None:
    if award_type is None:
        return None
    if award_type.agency_id != actor.agency_id or not award_type.active:
        raise InvalidInput({"award_type": ["Choose one of the agency's current awards."]})
    return award_type
