"""Reads of incidents, filtered in the database by the access rules.

An identified incident is a protected record: opening one (``incident_get_visible``) is logged.
Lists are not logged row by row; they show case numbers, dates and outcomes, not people.
"""

from django.db import transaction
from django.db.models import Q, QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.querying import visible_q
from steadyhand.audit.services import audit_read
from steadyhand.core.errors import NotFound
from steadyhand.incidents.models import Incident, Involvement


def _involved(user_id: int) -> Q:
    return Q(
        pk__in=Involvement.objects.filter(member__user_account__id=user_id).values("incident_id")
    ) | Q(reported_by__user_account__id=user_id)


def incidents_visible(*, actor: Actor, action: str = "incident.view") -> QuerySet[Incident]:
    """Incidents ``actor`` may take ``action`` on: their chain of command's, and their own."""
    return Incident.objects.filter(
        visible_q(actor, action, unit_path_field="unit__path", owned_q=_involved)
    ).select_related("unit")


def incident_get_visible(*, actor: Actor, incident_id: int, log_read: bool = True) -> Incident:
    """One incident, or ``NotFound`` whether it is missing or not ``actor``'s to see.

    The read is logged (PRODUCT.md: every read of an identified incident).
    """
    incident = incidents_visible(actor=actor).filter(pk=incident_id).first()
    if incident is None:
        raise NotFound(f"No incident {incident_id}.")
    if log_read:
        with transaction.atomic():
            audit_read(actor=actor, obj=incident)
    return incident


def involvement_of(*, actor: Actor, incident: Incident) -> Involvement | None:
    """``actor``'s own involvement in ``incident``, if they were there."""
    if actor.member_id is None:
        return None
    return incident.involvements.filter(member_id=actor.member_id).first()
