"""Reads of the recognition app, filtered in the database by the access rules.

Who sees a nomination:
- an approver (``commendation.approve``) whose chain covers the nomination's unit;
- the user who nominated (to follow it and read a decline's reason);
- everyone in the agency (``commendation.view``), once it is approved — the recognition page.
The nominated member sees their own only once approved (and then decides on publication).
The public sees only what ``published_commendations`` returns.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.agencies.models import Agency, Member, MemberStatus
from steadyhand.core.errors import NotFound
from steadyhand.incidents.models import Incident, IncidentStatus
from steadyhand.recognition.evidence import candidate_q, evidence_for
from steadyhand.recognition.models import (
    AwardType,
    NameDisplay,
    Nomination,
    NominationStatus,
)
from steadyhand.recognition.rules import step_refusal

SUGGESTION_LIMIT = 50
OPEN = (NominationStatus.NOMINATED, NominationStatus.SUPERVISOR_APPROVED)


def _related(qs: QuerySet[Nomination]) -> QuerySet[Nomination]:
    return qs.select_related("member", "member__unit", "unit", "award_type", "incident")


def award_types(*, actor: Actor, active_only: bool = True) -> QuerySet[AwardType]:
    qs = AwardType.objects.filter(agency_id=actor.agency_id)
    return qs.filter(active=True) if active_only else qs


def award_type_get(*, actor: Actor, award_type_id: int) -> AwardType:
    found = AwardType.objects.filter(agency_id=actor.agency_id, pk=award_type_id).first()
    if found is None:
        raise NotFound(f"No award type {award_type_id}.")
    return found


def nominations_visible(*, actor: Actor) -> QuerySet[Nomination]:
    in_chain = visible_q(actor, "commendation.approve", unit_path_field="unit__path")
    mine = Q(nominated_by_id=actor.user_id) if actor.user_id is not None else Q(pk__in=[])
    approved = (
        Q(status=NominationStatus.APPROVED) if can(actor, "commendation.view") else Q(pk__in=[])
    )
    return _related(
        Nomination.objects.filter(agency_id=actor.agency_id).filter(in_chain | mine | approved)
    )


def nomination_get_visible(*, actor: Actor, nomination_id: int) -> Nomination:
    found = nominations_visible(actor=actor).filter(pk=nomination_id).first()
    if found is None:
        raise NotFound(f"No nomination {nomination_id}.")
    return found


def nominations_awaiting(*, actor: Actor) -> list[Nomination]:
    """Open nominations in ``actor``'s chain whose open step ``actor`` may take now."""
    if not can(actor, "commendation.approve"):
        return []
    in_chain = visible_q(actor, "commendation.approve", unit_path_field="unit__path")
    rows = _related(Nomination.objects.filter(in_chain, status__in=OPEN)).order_by("created_at")
    return [n for n in rows if step_refusal(actor, n) is None]


def nominations_to_identify(*, actor: Actor) -> QuerySet[Nomination]:
    """Public nominations not yet matched to a member (agency-wide approvers only)."""
    in_chain = visible_q(actor, "commendation.approve", unit_path_field="unit__path")
    return _related(
        Nomination.objects.filter(in_chain, status__in=OPEN, member__isnull=True)
    ).order_by("created_at")


def nominations_by_me(*, actor: Actor) -> QuerySet[Nomination]:
    if actor.user_id is None:
        return Nomination.objects.none()
    return _related(
        Nomination.objects.filter(agency_id=actor.agency_id, nominated_by_id=actor.user_id)
    )


def my_commendations(*, actor: Actor) -> QuerySet[Nomination]:
    """The actor's own approved commendations, where they decide about publication."""
    if actor.member_id is None:
        return Nomination.objects.none()
    return _related(
        Nomination.objects.filter(
            agency_id=actor.agency_id, member_id=actor.member_id, status=NominationStatus.APPROVED
        )
    )


def recognition_list(*, actor: Actor) -> QuerySet[Nomination]:
    """The internal recognition page: every approved commendation of the agency."""
    if not can(actor, "commendation.view"):
        return Nomination.objects.none()
    return _related(
        Nomination.objects.filter(agency_id=actor.agency_id, status=NominationStatus.APPROVED)
    ).order_by("-approved_at", "-pk")


def nominable_members(*, actor: Actor) -> QuerySet[Member]:
    qs = Member.objects.filter(agency_id=actor.agency_id).exclude(status=MemberStatus.SEPARATED)
    if actor.member_id is not None:
        qs = qs.exclude(pk=actor.member_id)
    return qs.select_related("unit")


# Suggestions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    incident: Incident
    members: list[Member]
    reasons: list[str]


def suggestions(*, actor: Actor, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """Incidents in ``actor``'s chain whose record suggests a commendation, with the evidence
    and the members on scene not yet nominated for it (never the actor themselves)."""
    if not can(actor, "commendation.approve"):
        return []
    incidents = (
        Incident.objects.filter(
            visible_q(actor, "commendation.approve", unit_path_field="unit__path"),
            status=IncidentStatus.SUBMITTED,
        )
        .filter(candidate_q())
        .select_related("unit")
        .prefetch_related("subjects", "involvements__member__unit")
        .order_by("-occurred_at", "-pk")
    )
    found: list[Suggestion] = []
    candidates = list(incidents[: limit * 2])
    nominated_pairs = set(
        Nomination.objects.filter(incident__in=candidates).values_list("incident_id", "member_id")
    )
    for incident in candidates:
        nominated = {m for i, m in nominated_pairs if i == incident.pk}
        members = [
            i.member
            for i in incident.involvements.all()
            if i.member is not None
            and i.member_id not in nominated
            and i.member_id != actor.member_id
        ]
        reasons = evidence_for(incident)
        if members and reasons:
            found.append(Suggestion(incident=incident, members=members, reasons=reasons))
        if len(found) >= limit:
            break
    return found


def suggestion_incident(*, actor: Actor, incident_id: int) -> Incident:
    """An incident a suggestion names, if it lies in ``actor``'s chain."""
    found = Incident.objects.filter(
        visible_q(actor, "commendation.approve", unit_path_field="unit__path"), pk=incident_id
    ).first()
    if found is None:
        raise NotFound(f"No incident {incident_id}.")
    return found


# The public page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicCommendation:
    """What the public may read: no badge number, no case number, the member's chosen name."""

    name: str
    award: str
    citation: str
    month: date


def public_name(nomination: Nomination) -> str:
    member = nomination.member
    if member is None or nomination.name_display == NameDisplay.UNNAMED:
        return "An officer"
    if nomination.name_display == NameDisplay.FULL_NAME:
        return f"{member.get_rank_display()} {member.first_name} {member.last_name}"
    initial = member.last_name[:1]
    return f"{member.get_rank_display()} {member.first_name} {initial}."


def published_commendations(agency: Agency) -> list[PublicCommendation]:
    """For the public page: approved, consented and published commendations only."""
    rows = (
        Nomination.objects.filter(
            agency=agency,
            status=NominationStatus.APPROVED,
            consent_to_publish=True,
            published=True,
            member__isnull=False,
        )
        .select_related("member", "award_type")
        .order_by("-published_at", "-pk")
    )
    return [
        PublicCommendation(
            name=public_name(n),
            award=n.award_type.name if n.award_type else "Commendation",
            citation=n.public_citation,
            month=(n.approved_at or n.published_at or n.created_at).date().replace(day=1),
        )
        for n in rows
    ]
