"""The canonical form of an audit event, and its hash. Shared by writer and verifier."""

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical(value: Any) -> Any:
    """Round-trip through JSON so that what is hashed is exactly what the database returns."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def event_hash(
    *,
    agency_id: int,
    seq: int,
    occurred_at: datetime,
    kind: str,
    actor_user_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    reason: str,
    prev_hash: str,
) -> str:
    payload = {
        "agency_id": agency_id,
        "seq": seq,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        "kind": kind,
        "actor_user_id": actor_user_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "changes": changes,
        "reason": reason,
        "prev_hash": prev_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
