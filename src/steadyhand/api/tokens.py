"""The shape of an API token's secret and its stored digest (pure; shared by the service that
issues tokens and the authentication that checks them)."""

import hashlib
import secrets

SECRET_PREFIX = "sh_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    """SHA-256 of the secret: a stolen database holds no usable token. The secret has 256 bits
    of entropy, so a fast hash is enough (no password stretching needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
