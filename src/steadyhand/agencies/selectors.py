"""Reads for agencies, units and members, scoped to the actor's agency and chain of command."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

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


def unit_ancestors(*, unit: Unit) -> list[Unit]:
    """The units above ``unit``, root first, read from its path in one query."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part][:-1]
    return list(Unit.objects.filter(agency_id=unit.agency_id, pk__in=ids).order_by("depth"))


@dataclass
class UnitNode:
    """One unit of the tree page, with the members the actor may see in it.

    ``members_here`` counts the unit's own members, ``members_total`` adds its sub-units'; both
    are None when the actor may see no member records at all.
    """

    unit: Unit
    members_here: int | None
    members_total: int | None
    children: list["UnitNode"] = field(default_factory=list)


def unit_tree(*, actor: Actor) -> list[UnitNode]:
    """The agency's unit tree (roots first, siblings by name) with per-unit member counts.

    The counts come from the same single query as the units, filtered to the members the actor
    may see (an officer counts only themself), so the page never reveals more than the member
    list would.
    """
    units = unit_list(actor=actor)
    counting = can(actor, "member.view")
    if counting:
        visible_members = visible_q(
            actor,
            "member.view",
            agency_field="members__agency_id",
            unit_path_field="path",
            owner_user_field="members__user_account__id",
        )
        units = units.annotate(member_count=Count("members", filter=visible_members))
    nodes: dict[int, UnitNode] = {}
    roots: list[UnitNode] = []
    for unit in units:  # path order: every parent comes before its children
        here = unit.member_count if counting else None  # type: ignore[attr-defined]
        node = UnitNode(unit=unit, members_here=here, members_total=here)
        nodes[unit.pk] = node
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(node)
    if counting:
        for node in nodes.values():
            # Add the unit's own count to every ancestor named in its path.
            for ancestor_id in node.unit.path.strip("/").split("/")[:-1]:
                ancestor = nodes.get(int(ancestor_id))
                if ancestor is not None and ancestor.members_total is not None:
                    ancestor.members_total += node.members_here or 0
    for node in nodes.values():
        node.children.sort(key=lambda child: (child.unit.name.lower(), child.unit.pk))
    return roots


def member_list_visible(
    *, actor: Actor, search: str = "", unit: Unit | None = None, status: str = ""
) -> QuerySet[Member]:
    members = Member.objects.filter(
        visible_q(
            actor, "member.view", unit_path_field="unit__path", owner_user_field="user_account__id"
        )
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
