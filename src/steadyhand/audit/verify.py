"""Walk an agency's chain and report the first event that was altered, removed or cut off."""

from collections.abc import Iterator
from dataclasses import dataclass

from steadyhand.audit.hashing import GENESIS_HASH, canonical, event_hash
from steadyhand.audit.models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: int | None
    problem: str


@dataclass(frozen=True)
class ChainReport:
    agency_id: int
    events_checked: int
    first_break: ChainBreak | None
    # The last verified link. Record it somewhere the database's administrators cannot write
    # (a ticket, a printed report); passing it back as an anchor later proves that nobody
    # rewrote the log and recomputed every hash after it.
    head_seq: int = 0
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events(agency_id: int) -> Iterator[AuditEvent]:
    # Streams in seq order; an agency may have millions of events.
    return AuditEvent.objects.filter(agency_id=agency_id).order_by("seq").iterator(chunk_size=2000)


def verify_chain(agency_id: int, *, anchors: dict[int, str] | None = None) -> ChainReport:
    """Check every event of ``agency_id`` in order; ``anchors`` maps seq to a hash recorded
    earlier outside the database, which the stored event must still carry."""
    anchors = anchors or {}
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for event in _events(agency_id):
        if event.seq != expected_seq:
            return ChainReport(
                agency_id,
                checked,
                ChainBreak(
                    expected_seq,
                    None,
                    f"event #{expected_seq} is missing (the next stored event is #{event.seq}): "
                    "events were removed",
                ),
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                agency_id,
                checked,
                ChainBreak(
                    event.seq,
                    event.pk,
                    f"event #{event.seq} does not link to the event before it: "
                    "its predecessor was altered or replaced",
                ),
            )
        recomputed = event_hash(
            agency_id=event.agency_id,
            seq=event.seq,
            occurred_at=event.occurred_at,
            kind=event.kind,
            actor_user_id=event.actor_user_id,
            actor_label=event.actor_label,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            object_repr=event.object_repr,
            changes=canonical(event.changes),
            reason=event.reason,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return ChainReport(
                agency_id,
                checked,
                ChainBreak(
                    event.seq,
                    event.pk,
                    f"event #{event.seq} ({event.action}) was altered after it was written: "
                    "its content no longer matches its hash",
                ),
            )
        anchored = anchors.get(event.seq)
        if anchored is not None and anchored != event.hash:
            return ChainReport(
                agency_id,
                checked,
                ChainBreak(
                    event.seq,
                    event.pk,
                    f"event #{event.seq} no longer has the hash recorded for it outside the "
                    "database: the log was rewritten and re-hashed from there on",
                ),
            )
        checked += 1
        prev_hash = event.hash
        expected_seq += 1

    head = AuditChainHead.objects.filter(agency_id=agency_id).first()
    last_seq = expected_seq - 1
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        return ChainReport(
            agency_id,
            checked,
            ChainBreak(
                last_seq + 1,
                None,
                f"the chain head records event #{head.last_seq} but the log ends at #{last_seq}: "
                "events were removed from the end",
            ),
        )
    beyond = [seq for seq in anchors if seq > last_seq]
    if beyond:
        return ChainReport(
            agency_id,
            checked,
            ChainBreak(
                min(beyond),
                None,
                f"event #{min(beyond)} was recorded outside the database but the log ends at "
                f"#{last_seq}: events were removed",
            ),
        )
    return ChainReport(agency_id, checked, None, head_seq=last_seq, head_hash=prev_hash)
