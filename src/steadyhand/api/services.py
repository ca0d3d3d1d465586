"""Writes for API tokens: create (the secret is returned once) and revoke. Each is audited."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.api.models import ApiToken
from steadyhand.api.tokens import SECRET_PREFIX, new_secret, token_digest
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound, PermissionDenied

DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 365


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    # Shown to the holder once; only its digest is stored.
    secret: str


def _own(actor: Actor) -> Scope:
    return Scope(agency_id=actor.agency_id, owner_user_id=actor.user_id)


@transaction.atomic
def api_token_create(
    *, actor: Actor, name: str, lifetime_days: int = DEFAULT_LIFETIME_DAYS
) -> IssuedToken:
    """Issue a token that acts as ``actor``'s user, with whatever roles that user holds."""
    if actor.user_id is None:
        raise PermissionDenied("api.token", "Only a person's login can hold API tokens.")
    ensure(actor, "api.token", _own(actor))
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Give the token a name that says what it is for."]
    elif len(name) > 100:
        errors["name"] = ["Keep the name under 100 characters."]
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        errors["lifetime_days"] = [
            f"A token lives between 1 and {MAX_LIFETIME_DAYS} days; {lifetime_days} is outside."
        ]
    if errors:
        raise InvalidInput(errors)
    secret = new_secret()
    token = ApiToken.objects.create(
        agency_id=actor.agency_id,
        user_id=actor.user_id,
        name=name,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        digest=token_digest(secret),
        expires_at=timezone.now() + timedelta(days=lifetime_days),
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=token,
        changes={"name": [None, name], "expires_at": [None, token.expires_at.isoformat()]},
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of ``actor``'s own tokens; it stops working on the next request."""
    if actor.user_id is None:
        raise NotFound(f"No API token {token_id}.")
    token = (
        ApiToken.objects.select_for_update()
        .filter(pk=token_id, agency_id=actor.agency_id, user_id=actor.user_id)
        .first()
    )
    if token is None:
        raise NotFound(f"No API token {token_id}.")
    ensure(actor, "api.token", token)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            changes={"revoked_at": [None, token.revoked_at.isoformat()]},
        )
    return token
