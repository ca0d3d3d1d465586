"""An attacker with database access who rewrites an event *and* re-hashes everything after it
defeats the chain alone; a head recorded outside the database (an anchor) still catches it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from steadyhand.audit.hashing import canonical, event_hash
from steadyhand.audit.models import AuditChainHead, AuditEvent
from steadyhand.audit.verify import verify_chain
from steadyhand.core.testing import SmallAgency

pytestmark = pytest.mark.django_db


def _rewrite_and_rehash(agency_id: int, seq: int, reason: str) -> None:
    """Alter event ``seq`` and recompute every later hash and the head, as raw SQL would."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    prev = AuditEvent.objects.get(agency_id=agency_id, seq=seq - 1).hash
    events = AuditEvent.objects.filter(agency_id=agency_id, seq__gte=seq).order_by("seq")
    with connection.cursor() as cursor:
        for event in events:
            new_reason = reason if event.seq == seq else event.reason
            digest = event_hash(
                agency_id=agency_id, seq=event.seq, occurred_at=event.occurred_at,
                kind=event.kind, actor_user_id=event.actor_user_id,
                actor_label=event.actor_label, action=event.action,
                object_type=event.object_type, object_id=event.object_id,
                object_repr=event.object_repr, changes=canonical(event.changes),
                reason=new_reason, prev_hash=prev,
            )  # fmt: skip
            cursor.execute(
                f"UPDATE {table} SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [new_reason, prev, digest, event.pk],
            )
            prev = digest
    head_table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {head_table} SET last_hash = %s WHERE agency_id = %s", [prev, agency_id]
        )


def test_an_anchor_catches_a_rewrite_that_re_hashed_the_rest_of_the_chain(
    small_agency: SmallAgency,
) -> None:
    agency_id = small_agency.agency.pk
    before = verify_chain(agency_id)
    assert before.ok
    anchor = {before.head_seq: before.head_hash}

    _rewrite_and_rehash(agency_id, seq=3, reason="nothing happened here")

    assert verify_chain(agency_id).ok  # the chain alone cannot see it
    after = verify_chain(agency_id, anchors=anchor)
    assert not after.ok
    assert after.first_break is not None
    assert after.first_break.seq == before.head_seq
    assert "re-hashed" in after.first_break.problem


def test_an_anchor_past_the_end_reports_removed_events(small_agency: SmallAgency) -> None:
    report = verify_chain(small_agency.agency.pk, anchors={10_000: "0" * 64})
    assert report.first_break is not None
    assert "removed" in report.first_break.problem


def test_the_cli_prints_the_head_and_checks_anchors(
    small_agency: SmallAgency, capsys: pytest.CaptureFixture[str]
) -> None:
    slug = small_agency.agency.slug
    call_command("audit", "verify", "--agency", slug)
    head = verify_chain(small_agency.agency.pk)
    assert f"(head {head.head_seq}:{head.head_hash})" in capsys.readouterr().out

    call_command(
        "audit", "verify", "--agency", slug, "--anchor", f"{head.head_seq}:{head.head_hash}"
    )
    _rewrite_and_rehash(small_agency.agency.pk, seq=2, reason="forged")
    with pytest.raises(CommandError):
        call_command(
            "audit", "verify", "--agency", slug, "--anchor", f"{head.head_seq}:{head.head_hash}"
        )
    with pytest.raises(CommandError, match="needs --agency"):
        call_command("audit", "verify", "--anchor", f"{head.head_seq}:{head.head_hash}")
    with pytest.raises(CommandError, match="not SEQ:HASH"):
        call_command("audit", "verify", "--agency", slug, "--anchor", "x:y")
