"""Tampering with the stored log, the way someone with database access would, is found.

The changes are made with raw SQL through ``connection.cursor()`` — the ORM refuses them — so
these tests run unchanged on SQLite and PostgreSQL.
"""

import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Max

from steadyhand.audit.hashing import canonical, event_hash
from steadyhand.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from steadyhand.audit.verify import verify_chain
from steadyhand.core.testing import SmallAgency

pytestmark = pytest.mark.django_db

TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


def _sql(statement: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _json_param() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def _event(agency: SmallAgency, seq: int) -> AuditEvent:
    return AuditEvent.objects.get(agency=agency.agency, seq=seq)


def _last_seq(agency: SmallAgency) -> int:
    last: int = AuditEvent.objects.filter(agency=agency.agency).aggregate(last=Max("seq"))["last"]
    return last


def _middle(agency: SmallAgency) -> AuditEvent:
    last = _last_seq(agency)
    assert last >= 5, "the fixture should produce a chain long enough to have a middle"
    return _event(agency, last // 2)


def test_untouched_chain_verifies(small_agency: SmallAgency) -> None:
    report = verify_chain(small_agency.agency.pk)
    assert report.ok
    assert report.events_checked == _last_seq(small_agency)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", "nothing to see here"),
        ("changes", {"badge": [None, "X999"]}),
        ("actor_label", "someone-else"),
        ("action", "member.view"),
        ("object_id", "424242"),
    ],
)
def test_altering_a_middle_event_names_exactly_that_event(
    small_agency: SmallAgency, column: str, value: Any
) -> None:
    victim = _middle(small_agency)
    value_sql = _json_param() if column == "changes" else "%s"
    param = json.dumps(value) if column == "changes" else value
    changed = _sql(
        f"UPDATE {TABLE} SET {connection.ops.quote_name(column)} = {value_sql} WHERE id = %s",
        [param, victim.pk],
    )
    assert changed == 1

    report = verify_chain(small_agency.agency.pk)

    assert not report.ok
    assert report.first_break is not None
    assert report.first_break.seq == victim.seq
    assert report.first_break.event_id == victim.pk
    assert "altered" in report.first_break.problem
    assert report.events_checked == victim.seq - 1


def test_deleting_a_middle_event_reports_it_missing(small_agency: SmallAgency) -> None:
    victim = _middle(small_agency)
    assert _sql(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk]) == 1

    report = verify_chain(small_agency.agency.pk)

    assert report.first_break is not None
    assert report.first_break.seq == victim.seq
    assert report.first_break.event_id is None
    assert f"#{victim.seq} is missing" in report.first_break.problem
    assert report.events_checked == victim.seq - 1


@pytest.mark.parametrize("cut", [1, 3])
def test_deleting_the_last_events_is_found_through_the_chain_head(
    small_agency: SmallAgency, cut: int
) -> None:
    last = _last_seq(small_agency)
    removed = _sql(
        f"DELETE FROM {TABLE} WHERE agency_id = %s AND seq > %s",
        [small_agency.agency.pk, last - cut],
    )
    assert removed == cut
    # What is left is a perfectly valid chain on its own; only the head remembers the rest.
    assert AuditChainHead.objects.get(agency=small_agency.agency).last_seq == last

    report = verify_chain(small_agency.agency.pk)

    assert report.first_break is not None
    assert report.first_break.seq == last - cut + 1
    assert report.first_break.event_id is None
    assert "removed from the end" in report.first_break.problem
    assert f"#{last}" in report.first_break.problem
    assert report.events_checked == last - cut


def test_a_forged_event_with_a_recomputed_hash_breaks_its_successor(
    small_agency: SmallAgency,
) -> None:
    victim = _middle(small_agency)
    forged_reason = "approved by the chief"
    forged_hash = event_hash(
        agency_id=victim.agency_id,
        seq=victim.seq,
        occurred_at=victim.occurred_at,
        kind=victim.kind,
        actor_user_id=victim.actor_user_id,
        actor_label=victim.actor_label,
        action=victim.action,
        object_type=victim.object_type,
        object_id=victim.object_id,
        object_repr=victim.object_repr,
        changes=canonical(victim.changes),
        reason=forged_reason,
        prev_hash=victim.prev_hash,
    )
    _sql(
        f"UPDATE {TABLE} SET reason = %s, hash = %s WHERE id = %s",
        [forged_reason, forged_hash, victim.pk],
    )
    successor = _event(small_agency, victim.seq + 1)

    report = verify_chain(small_agency.agency.pk)

    # The forged event is self-consistent; the link from its successor is what gives it away.
    assert report.first_break is not None
    assert report.first_break.seq == successor.seq
    assert report.first_break.event_id == successor.pk
    assert "does not link" in report.first_break.problem
    assert report.events_checked == victim.seq


def test_tampering_in_one_agency_leaves_another_agency_chain_intact(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    victim = _middle(small_agency)
    _sql(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["edited", victim.pk])
    assert not verify_chain(small_agency.agency.pk).ok
    assert verify_chain(other_agency.agency.pk).ok


def test_an_agency_without_events_verifies_as_empty(small_agency: SmallAgency) -> None:
    report = verify_chain(small_agency.agency.pk + 10_000)
    assert report.ok
    assert report.events_checked == 0


# The ORM refuses every way of changing or removing an event.


def test_saving_an_existing_event_is_refused(small_agency: SmallAgency) -> None:
    event = _middle(small_agency)
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert _event(small_agency, event.seq).reason != "rewritten"


def test_deleting_an_event_is_refused(small_agency: SmallAgency) -> None:
    event = _middle(small_agency)
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_is_refused(small_agency: SmallAgency) -> None:
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(agency=small_agency.agency).update(reason="bulk")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(reason="bulk")
    assert not AuditEvent.objects.filter(reason="bulk").exists()


def test_bulk_update_is_refused(small_agency: SmallAgency) -> None:
    event = _middle(small_agency)
    event.reason = "bulk"
    # bulk_update opens its own atomic block; a savepoint keeps the test's transaction usable.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["reason"])
    assert not AuditEvent.objects.filter(reason="bulk").exists()


def test_queryset_delete_is_refused(small_agency: SmallAgency) -> None:
    count = AuditEvent.objects.count()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(agency=small_agency.agency).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == count
    assert verify_chain(small_agency.agency.pk).ok
