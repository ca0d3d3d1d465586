"""The one decorator views use: a logged-in agency user allowed ``action`` at all.

Object-level checks happen in selectors (``*_get_visible``) and services (``ensure``); this only
refuses early, with a 403 page, a user whose roles never allow the action.

A *public* action (``Action.public``: the community complaint form) needs no login. Its URL names
the agency (``<slug:agency_slug>``); the view runs as an anonymous actor of that agency, with no
user and no role, so services and the audit log treat it like any other actor.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.registry import ACTIONS
from steadyhand.agencies.models import Agency
from steadyhand.core.views import error_page, handles_refusals

# The audit log's name for someone using a public page.
PUBLIC_ACTOR_LABEL = "public:web-form"


def public_actor(*, agency_id: int) -> Actor:
    """Anyone at all, acting on one agency's public pages: no user, no role."""
    return Actor(agency_id=agency_id, user_id=None, label=PUBLIC_ACTOR_LABEL)


def requires(
    action: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        # An unregistered name is not an error here: the architecture test names it instead.
        if action in ACTIONS and ACTIONS[action].public:
            return _public(view, action)
        guarded = handles_refusals(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = request.actor  # type: ignore[attr-defined]
            if not actor or not can(actor, action):
                return error_page(
                    request,
                    status=403,
                    heading="Not allowed",
                    message="Your roles do not include this page.",
                )
            return guarded(request, *args, **kwargs)

        wrapper.required_action = action  # type: ignore[attr-defined]
        return wrapper

    return decorator


def _public(view: Callable[..., HttpResponseBase], action: str) -> Callable[..., HttpResponseBase]:
    """Run ``view`` as the public actor of the agency named by the URL's ``agency_slug``.

    Marked ``public_action`` rather than ``required_action``: no role is refused, so the
    automatic refusal tests have nothing to check (tests/test_architecture.py knows both).
    """
    guarded = handles_refusals(view)

    @wraps(view)
    def wrapper(
        request: HttpRequest, *args: Any, agency_slug: str, **kwargs: Any
    ) -> HttpResponseBase:
        agency = Agency.objects.filter(slug=agency_slug).first()
        if agency is None:
            return error_page(
                request,
                status=404,
                heading="Not found",
                message="There is no agency at this address. Check the link you followed.",
            )
        actor = public_actor(agency_id=agency.pk)
        # Even a logged-in member is a member of the public here: the page acts for no one.
        request.actor = actor  # type: ignore[attr-defined]
        if not can(actor, action):
            return error_page(request, status=403, heading="Not allowed", message="")
        return guarded(request, *args, agency=agency, **kwargs)

    wrapper.public_action = action  # type: ignore[attr-defined]
    return wrapper
