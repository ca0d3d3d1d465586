"""The one decorator views use: a logged-in agency user allowed ``action`` at all.

Object-level checks happen in selectors (``*_get_visible``) and services (``ensure``); this only
refuses early, with a 403 page, a user whose roles never allow the action.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from steadyhand.access.policy import can
from steadyhand.core.views import error_page, handles_refusals


def requires(action: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        guarded = handles_refusals(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
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
