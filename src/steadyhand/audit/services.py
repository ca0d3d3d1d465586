"""Appending to the audit log. Called by every service, inside the service's transaction."""

from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction

from steadyhand.access.actor import Actor
from steadyhand.audit.hashing import GENESIS_HASH, canonical, event_hash
from steadyhand.audit.models import AuditChainHead, AuditEvent, EventKind


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    kind: str = EventKind.WRITE,
    agency_id: int | None = None,
) -> AuditEvent:
    """Append one event to the actor's agency chain.

    Must run inside the caller's transaction (``transaction.atomic``): the change and its audit
    event commit together or not at all.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the writing transaction.")
    chain_agency = agency_id if agency_id is not None else actor.agency_id
    try:
        head = AuditChainHead.objects.select_for_update().get(agency_id=chain_agency)
    except AuditChainHead.DoesNotExist:  # the agency's first event
        head = AuditChainHead.objects.create(agency_id=chain_agency)
    # Microsecond precision survives both SQLite and PostgreSQL unchanged.
    occurred_at = datetime.now(UTC)
    fields = {
        "agency_id": chain_agency,
        "seq": head.last_seq + 1,
        "occurred_at": occurred_at,
        "kind": str(kind),
        "actor_user_id": actor.user_id,
        "actor_label": actor.label[:150],
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": str(obj)[:255] if obj is not None else "",
        "changes": canonical(changes or {}),
        "reason": reason,
        "prev_hash": head.last_hash or GENESIS_HASH,
    }
    digest = event_hash(**fields)
    event = AuditEvent.objects.create(**fields, hash=digest)
    AuditChainHead.objects.filter(agency_id=chain_agency).update(
        last_seq=event.seq, last_hash=digest
    )
    return event


@transaction.atomic
def audit_read(*, actor: Actor, obj: models.Model, reason: str = "") -> AuditEvent:
    """Log that ``actor`` opened a protected record (PRODUCT.md, non-negotiable 2)."""
    return audit_record(
        actor=actor,
        action=f"{obj._meta.model_name}.read",
        obj=obj,
        kind=EventKind.READ,
        reason=reason,
    )
