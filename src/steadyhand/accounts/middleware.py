"""Resolve ``request.actor`` once per request; hold back users who still owe a second factor."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

from steadyhand.access.actor import Actor
from steadyhand.accounts.selectors import actor_for_user, two_factor_required


def _is_verified(user: Any) -> bool:
    # django-otp's OTPMiddleware adds ``is_verified`` to the request's user.
    return bool(getattr(user, "is_verified", lambda: False)())


def _actor(request: HttpRequest) -> Actor | None:
    user: Any = request.user
    if not user.is_authenticated:
        return None
    return actor_for_user(user, verified_2fa=_is_verified(user))


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: _actor(request))  # type: ignore[attr-defined]
        return self.get_response(request)


# Pages a user who owes a second factor may still reach.
TWO_FACTOR_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/public/", "/health")


class TwoFactorRequiredMiddleware:
    """If the agency requires 2FA for one of the user's roles, nothing but the login and 2FA
    pages is reachable until the session is verified with a TOTP device."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
            and not _is_verified(user)
            and two_factor_required(user=user)
        ):
            return redirect("accounts:two_factor")
        return self.get_response(request)
