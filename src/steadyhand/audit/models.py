"""The append-only, hash-chained audit log (one chain per agency)."""

from typing import Any, NoReturn

from django.db import models

from steadyhand.agencies.models import Agency


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only; they cannot be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only; they cannot be deleted.")


class EventKind(models.TextChoices):
    WRITE = "write", "Change"
    READ = "read", "Read of a protected record"
    ACCESS = "access", "Login / logout"


class AuditEvent(models.Model):
    """One thing that happened. ``hash`` covers every field and the previous event's hash.

    Altering any stored field, removing an event from the middle, or cutting the end of the
    chain is found by ``audit.verify.verify_chain``.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="audit_events")
    seq = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "seq"], name="audit_seq_unique_in_agency"),
        ]
        indexes = [
            models.Index(fields=["agency", "object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["agency", "actor_user_id"], name="audit_actor_idx"),
        ]
        ordering = ["agency_id", "seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only; they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only; they cannot be deleted.")


class AuditChainHead(models.Model):
    """The last link of an agency's chain. Locked ``FOR UPDATE`` to append, so concurrent
    writers queue; it also lets the verifier notice events cut from the end of the chain."""

    agency = models.OneToOneField(
        Agency, on_delete=models.PROTECT, primary_key=True, related_name="audit_head"
    )
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.agency_id}: #{self.last_seq}"
