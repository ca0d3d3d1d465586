"""Nominating: by a member, from a suggestion (one click), or by the public."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.agencies.models import Member, Unit
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.incidents.models import Incident
from steadyhand.recognition.evidence import evidence_for, evidence_text
from steadyhand.recognition.models import (
    AwardType,
    Channel,
    Nomination,
)
from steadyhand.recognition.notices import tell_about
from steadyhand.recognition.services.common import (
    _check_award,
    _check_incident,
    _check_member,
    _check_narrative,
)

# Nominating ----------------------------------------------------------------------------------


def _created(actor: Actor, nomination: Nomination) -> None:
    audit_record(
        actor=actor,
        action="commendation.nominate",
        obj=nomination,
        changes={
            "member": [None, nomination.member_id],
            "incident": [None, nomination.incident_id],
            "channel": [None, nomination.channel],
            "award_type": [None, nomination.award_type_id],
        },
    )
    tell_about(actor=actor, nomination=nomination)


@transaction.atomic
def nomination_create(
    *,
    actor: Actor,
    member: Member,
    narrative: str,
    incident: Incident | None = None,
    award_type: AwardType | None = None,
) -> Nomination:
    """A member (any role) nominates a colleague."""
    ensure(actor, "commendation.nominate")
    member = _check_member(actor=actor, member=member)
    if actor.member_id is not None and actor.member_id == member.pk:
        raise InvalidInput({"member": ["You cannot nominate yourself."]})
    nomination = Nomination.objects.create(
        agency_id=actor.agency_id,
        member=member,
        unit=member.unit,
        incident=_check_incident(actor=actor, incident=incident),
        award_type=_check_award(actor=actor, award_type=award_type),
        narrative=_check_narrative(narrative),
        channel=Channel.MEMBER,
        nominated_by_id=actor.user_id,
    )
    _created(actor, nomination)
    return nomination


@transaction.atomic
def nomination_from_suggestion(*, actor: Actor, incident: Incident, member: Member) -> Nomination:
    """One click from a suggestion: the evidence becomes the narrative.

    Only an approver over the incident's unit sees suggestions, so only they may take one;
    the member must have been on scene, and not already be nominated for the incident.
    """
    ensure(actor, "commendation.nominate")
    ensure(actor, "commendation.approve", incident)
    if incident.agency_id != actor.agency_id:
        raise NotFound(f"No incident {incident.pk}.")
    if not incident.involvements.filter(member=member).exists():
        raise InvalidInput({"member": ["This member was not on scene at that incident."]})
    if actor.member_id is not None and actor.member_id == member.pk:
        raise InvalidInput({"member": ["You cannot nominate yourself."]})
    if Nomination.objects.filter(incident=incident, member=member).exists():
        raise InvalidInput({"member": ["This member is already nominated for this incident."]})
    reasons = evidence_for(incident)
    if not reasons:
        raise InvalidInput({"incident": ["This incident does not suggest a commendation."]})
    nomination = Nomination.objects.create(
        agency_id=actor.agency_id,
        member=member,
        unit=member.unit,
        incident=incident,
        narrative=evidence_text(incident, reasons),
        channel=Channel.SUGGESTION,
        nominated_by_id=actor.user_id,
    )
    _created(actor, nomination)
    return nomination


@transaction.atomic
def nomination_submit_public(
    *,
    actor: Actor,
    narrative: str,
    officer_description: str,
    occurred_on: date | None = None,
    public_name: str = "",
    public_contact: str = "",
) -> Nomination:
    """A nomination from the public web form, by the anonymous actor of the agency's page.

    It names no member (the public does not see the roster): it waits at the agency's root
    unit for an agency-wide approver to identify the officer.
    """
    ensure(actor, "commendation.nominate_public")
    description = officer_description.strip()
    if not description:
        raise InvalidInput(
            {"officer_description": ["Tell us who the officer was: a name, badge or description."]}
        )
    if occurred_on is not None and occurred_on > timezone.localdate():
        raise InvalidInput({"occurred_on": ["The date cannot be in the future."]})
    root = Unit.objects.get(agency_id=actor.agency_id, parent__isnull=True)
    nomination = Nomination.objects.create(
        agency_id=actor.agency_id,
        unit=root,
        narrative=_check_narrative(narrative),
        channel=Channel.PUBLIC,
        officer_description=description[:300],
        occurred_on=occurred_on,
        public_name=public_name.strip()[:200],
        public_contact=public_contact.strip()[:200],
    )
    audit_record(
        actor=actor,
        action="commendation.nominate_public",
        obj=nomination,
        changes={
            "channel": [None, Channel.PUBLIC],
            "anonymous": [None, not (nomination.public_name or nomination.public_contact)],
        },
    )
    tell_about(actor=actor, nomination=nomination)
    return nomination
