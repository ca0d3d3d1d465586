"""Turn ``can``'s rules into one WHERE clause, so selectors filter in the database."""

from collections.abc import Callable

from django.db.models import Q

from steadyhand.access.actor import Actor
from steadyhand.access.registry import get_action


def visible_q(
    actor: Actor,
    action_name: str,
    *,
    agency_field: str = "agency_id",
    unit_path_field: str | None = None,
    owner_user_field: str | None = None,
    owned_q: Callable[[int], Q] | None = None,
) -> Q:
    """Rows of ``actor``'s agency on which ``action_name`` is allowed, as a ``Q``.

    Mirrors ``policy.can`` row by row (a test checks the two agree): agency-wide grants see the
    agency, unit-scoped grants see their subtrees (``path LIKE prefix%``), self roles see rows
    they own. Returns a ``Q`` that matches nothing when nothing is allowed.

    ``owned_q(user_id)`` describes ownership through a many-valued relation (the members
    involved in an incident) as a ``pk__in`` subquery, so that no join multiplies the rows.
    """
    action = get_action(action_name)
    nothing = Q(pk__in=[])
    if actor.roles & action.walled_from:
        return nothing
    in_agency = Q(**{agency_field: actor.agency_id})
    if action.public:
        return in_agency
    grants = actor.grants_for(action.roles)
    if grants and (not action.scoped or any(g.agency_wide for g in grants)):
        return in_agency
    allowed = nothing
    if unit_path_field is not None:
        for grant in grants:
            allowed |= Q(**{f"{unit_path_field}__startswith": grant.unit_path})
    if actor.roles & action.self_roles and owner_user_field and actor.user_id is not None:
        allowed |= Q(**{owner_user_field: actor.user_id})
    if actor.roles & action.self_roles and owned_q is not None and actor.user_id is not None:
        allowed |= owned_q(actor.user_id)
    return in_agency & allowed
