"""``Authorization: Bearer sh_…``: a token acting as its user, with that user's roles.

A request with a token carries no session and no cookie, so it is not subject to CSRF; a request
without one falls through to DRF's session authentication, which enforces CSRF as the pages do.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from steadyhand.api.models import ApiToken
from steadyhand.api.tokens import SECRET_PREFIX, token_digest

KEYWORD = "Bearer"
# ``last_used_at`` is bookkeeping for the holder's token list, not an audit trail (the audit log
# records what the token did); writing it at most once a minute keeps reads read-only.
LAST_USED_GRANULARITY = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() != KEYWORD.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as 'Authorization: Bearer <token>'."
            )
        secret = parts[1].decode("latin-1")
        if not secret.startswith(SECRET_PREFIX):
            raise exceptions.AuthenticationFailed("That is not a Steadyhand API token.")
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).first()
        # One message for every refusal: a guesser learns nothing about which tokens exist.
        refused = exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        if token is None or not token.is_active:
            raise refused
        user = token.user
        if not user.is_active or user.agency_id != token.agency_id:
            raise refused
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token to the OpenAPI schema (drf-spectacular finds it by subclassing)."""

    target_class = "steadyhand.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from /account/api-tokens/ (acts with its user's roles).",
        }
