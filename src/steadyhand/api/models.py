"""API tokens: a secret that lets another system act as one user, with that user's roles.

Only a SHA-256 digest of the secret is stored; the secret itself is shown once, when the token
is created. A stolen database therefore yields no usable token. Tokens expire and can be revoked;
both take effect on the next request.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency


class ApiToken(models.Model):
    # The agency the token was issued in. A user moved to another agency loses the token's use:
    # authentication refuses a token whose agency is not its user's.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'RMS push'.")
    # The first characters of the secret, so that a holder can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_idx")]

    def __str__(self) -> str:
        return f"API token “{self.name}” ({self.prefix}…)"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id, owner_user_id=self.user_id)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired
