"""``can`` decides; ``ensure`` enforces. Pure functions of an ``Actor`` and a ``Scope``.

Services call ``ensure`` before they write; selectors filter with ``scope_filter`` helpers in the
domain apps; templates only use ``can`` to hide buttons, never to protect anything.
"""

from dataclasses import dataclass
from typing import Protocol

from steadyhand.access.actor import Actor
from steadyhand.access.registry import get_action
from steadyhand.core.errors import PermissionDenied


@dataclass(frozen=True)
class Scope:
    """Where a record sits: its agency, its unit (None: agency-level) and its owners, if any.

    ``owner_user_ids`` holds further owners of a shared record (the members involved in an
    incident); ``owner_user_id`` the one owner of everything else.
    """

    agency_id: int
    unit_path: str | None = None
    owner_user_id: int | None = None
    owner_user_ids: frozenset[int] = frozenset()

    def is_owned_by(self, user_id: int | None) -> bool:
        return user_id is not None and (
            self.owner_user_id == user_id or user_id in self.owner_user_ids
        )


class Scoped(Protocol):
    def access_scope(self) -> Scope: ...


def can(actor: Actor, action_name: str, obj: Scoped | Scope | None = None) -> bool:
    """May ``actor`` take ``action_name`` (on ``obj``, if given)?

    Without ``obj`` the question is "may they take this action on anything at all" — used for
    navigation and list pages, whose selectors then filter row by row.
    """
    action = get_action(action_name)
    if actor.roles & action.walled_from:
        return False
    scope = obj if isinstance(obj, Scope) or obj is None else obj.access_scope()
    if scope is not None and scope.agency_id != actor.agency_id:
        return False
    if action.public:
        return True
    for grant in actor.grants_for(action.roles):
        if scope is None or not action.scoped or grant.covers(scope.unit_path):
            return True
    if actor.roles & action.self_roles:
        if scope is None:
            return True
        return scope.is_owned_by(actor.user_id)
    return False


def ensure(actor: Actor, action_name: str, obj: Scoped | Scope | None = None) -> None:
    if not can(actor, action_name, obj):
        description = get_action(action_name).description
        raise PermissionDenied(action_name, f"You are not allowed to: {description}")
