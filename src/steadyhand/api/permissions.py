"""The glue between DRF and the one registry: views name actions; ``can`` decides.

A view class declares ``required_actions`` (HTTP method → action). ``RegistryPermission`` refuses
early, with 403, an actor whose roles never allow the method's action — what ``@requires`` does
for the pages. Records are then fetched through the selectors (``NotFound`` → 404, the same for
"missing" and "another agency's") and written through the services (``ensure``).

A view whose list spans several actions (import batches of every kind) names them in
``any_of_actions``: holding any one opens the route, and its selector filters row by row.

``guarded`` turns a view class into a URL callback carrying ``required_action`` (its GET action)
like a page does, so the architecture test sees every API route guarded, and
``required_actions``, which src/steadyhand/api/tests/test_api_refusals.py walks method by method.
"""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.registry import get_action
from steadyhand.accounts.selectors import actor_for_user
from steadyhand.api.models import ApiToken

if TYPE_CHECKING:
    # Only for annotations: DRF imports this module while rest_framework.views is loading.
    from rest_framework.views import APIView

ACTOR_ATTRIBUTE = "_steadyhand_actor"


def api_actor(request: Request) -> Actor | None:
    """The actor of an API request: the token's user, or the session's (built like
    ``ActorMiddleware`` does; a token never counts as a second factor)."""
    if hasattr(request, ACTOR_ATTRIBUTE):
        actor: Actor | None = getattr(request, ACTOR_ATTRIBUTE)
        return actor
    user: Any = request.user
    actor = None
    if user is not None and user.is_authenticated:
        verified = not isinstance(request.auth, ApiToken) and bool(
            getattr(user, "is_verified", lambda: False)()
        )
        actor = actor_for_user(user, verified_2fa=verified)
    setattr(request, ACTOR_ATTRIBUTE, actor)
    return actor


def method_actions(view: Any) -> Mapping[str, str]:
    return getattr(view, "required_actions", {})


class RegistryPermission(BasePermission):
    message = "Your roles do not allow this."

    def has_permission(self, request: Request, view: "APIView") -> bool:
        actor = api_actor(request)
        if actor is None:
            return False
        actions = method_actions(view)
        method = "GET" if request.method in ("HEAD", "OPTIONS") else str(request.method)
        action = actions.get(method)
        if action is None:
            # A method the view declares no action for is not allowed to anyone.
            return False
        any_of = getattr(view, "any_of_actions", {}).get(method)
        if any_of:
            return any(can(actor, a) for a in any_of)
        return can(actor, action)


def guarded(view_class: type["APIView"], **initkwargs: Any) -> Callable[..., Any]:
    """``view_class.as_view()`` marked with its read action (``required_action``) and all of
    its actions (``required_actions``), each checked against the registry now."""
    actions = dict(method_actions(view_class))
    if not actions:
        raise TypeError(f"{view_class.__name__} declares no required_actions.")
    any_of = getattr(view_class, "any_of_actions", {})
    for action in [*actions.values(), *(a for group in any_of.values() for a in group)]:
        get_action(action)  # an unregistered action fails at import, not at request time
    callback = view_class.as_view(**initkwargs)
    callback.required_action = actions.get("GET") or next(iter(actions.values()))  # type: ignore[attr-defined]
    callback.required_actions = actions  # type: ignore[attr-defined]
    return callback
