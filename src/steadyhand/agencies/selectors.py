"""Reads for agencies, units and members, scoped to the actor's agency and chain of command."""

from django.db.models import Q, QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.core.errors import NotFound


def agency_get(*, actor: Actor) -> Agency:
    return Agency.objects.get(pk=actor.agency_id)


def unit_list(*, actor: Actor) -> QuerySet[Unit]:
    """The whole unit tree of the actor's agency, in tree order (``path``)."""
    if not can(actor, "unit.view"):
        return Unit.objects.none()
    return Unit.objects.filter(agency_id=actor.agency_id).order_by("path")


def unit_get_visible(*, actor: Actor, unit_id: int, action: str = "unit.view") -> Unit:
    unit = Unit.objects.filter(pk=unit_id, agency_id=actor.agency_id).first()
    if unit is None or not can(actor, action, unit):
        raise NotFound(f"No unit {unit_id}.")
    return unit


def unit_subtree(*, unit: Unit) -> QuerySet[Unit]:
    """``unit`` and everything below it: one indexed prefix query."""
    return Unit.objects.filter(agency_id=unit.agency_id, path__startswith=unit.path)


def member_list_visible(
    *, actor: Actor, search: str = "", unit: Unit | None = None, status: str = ""
) -> QuerySet[Member]:
    members = Member.objects.filter(
        visible_q(actor, "member.view", unit_path_field="unit__path",
                  owner_user_field="user_account__id")
    ).select_related("unit", "supervisor")
    if unit is not None:
        members = members.filter(unit__path__startswith=unit.path)
    if status:
        members = members.filter(status=status)
    for word in search.split():
        members = members.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(badge__iexact=word)
        )
    return members.order_by("last_name", "first_name", "badge")


def member_get_visible(*, actor: Actor, member_id: int, action: str = "member.view") -> Member:
    """Fetch and authorise in one step: missing and not-allowed look the same."""
    member = (
        Member.objects.filter(pk=member_id, agency_id=actor.agency_id)
        .select_related("unit", "supervisor", "user_account")
        .first()
    )
    if member is None or not can(actor, action, member):
        raise NotFound(f"No member {member_id}.")
    return member


def member_chain(*, member: Member) -> list[Member]:
    """The member's supervisors, nearest first."""
    chain: list[Member] = []
    current = member.supervisor
    while current is not None and current not in chain:
        chain.append(current)
        current = current.supervisor
    return chain
