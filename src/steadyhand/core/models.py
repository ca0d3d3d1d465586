from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A record edited by people: ``version`` rises on every save a service makes.

    Edit forms carry the version they were read at; ``core.versioning.check_version`` refuses a
    save whose version is stale instead of silently overwriting someone else's change.
    """

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
