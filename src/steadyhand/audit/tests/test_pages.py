"""The audit log page and the chain verification page."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Rank
from steadyhand.agencies.services import member_update
from steadyhand.audit.models import AuditEvent
from steadyhand.audit.views import PAGE_SIZE
from steadyhand.core.testing import SmallAgency, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("audit:event_list")
VERIFY = reverse("audit:verify")
TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def auditor(small_agency: SmallAgency) -> Client:
    return _client(make_user(small_agency.agency, [Role.AUDITOR], username="auditor1"))


def _seqs(html: str) -> list[int]:
    return [int(part.split('"', 1)[0]) for part in html.split('id="event-')[1:]]


def _last_seq(agency: SmallAgency) -> int:
    return (
        AuditEvent.objects.filter(agency=agency.agency)
        .order_by("-seq")
        .values_list("seq", flat=True)[0]
    )


# The log


def test_auditor_reads_the_log_newest_first(small_agency: SmallAgency, auditor: Client) -> None:
    response = auditor.get(LIST)
    assert response.status_code == 200
    seqs = _seqs(response.content.decode())
    last = _last_seq(small_agency)
    assert seqs == list(range(last, 0, -1))[:PAGE_SIZE]
    assert b"auditor1" in response.content  # the grant made for this very test is logged


def test_the_log_shows_old_and_new_values(small_agency: SmallAgency, auditor: Client) -> None:
    m = small_agency.officer_b1
    member_update(
        actor=small_agency.system,
        member=m,
        expected_version=m.version,
        badge=m.badge,
        first_name=m.first_name,
        last_name=m.last_name,
        rank=Rank.DETECTIVE,
        unit=m.unit,
        hire_date=m.hire_date,
        supervisor=None,
        status=m.status,
        reason="passed the exam",
    )
    html = auditor.get(LIST, {"action": "member.update"}).content.decode()
    assert '<span class="old">officer</span> → <span class="new">detective</span>' in html
    assert "passed the exam" in html
    assert "system:tests" in html


def test_the_log_never_shows_another_agency(
    small_agency: SmallAgency, other_agency: SmallAgency, auditor: Client
) -> None:
    html = auditor.get(LIST, {"object": "Other Agency"}).content.decode()
    assert _seqs(html) == []
    assert "No events match these filters" in html
    other_events = AuditEvent.objects.filter(agency=other_agency.agency).count()
    own_events = AuditEvent.objects.filter(agency=small_agency.agency).count()
    assert f"{own_events} events" in auditor.get(LIST).content.decode()
    assert other_events > 0


@pytest.mark.parametrize(
    ("params", "expected_actions"),
    [
        ({"action": "unit.create"}, {"unit.create"}),
        ({"action": "member.create", "object": "O201"}, {"member.create"}),
        ({"actor": "SYSTEM:TES"}, None),  # case-insensitive part of the label
        ({"kind": "write", "action": "role.grant"}, {"role.grant"}),
    ],
)
def test_filters_narrow_the_log(
    small_agency: SmallAgency,
    auditor: Client,
    params: dict[str, str],
    expected_actions: set[str] | None,
) -> None:
    response = auditor.get(LIST, params)
    assert response.status_code == 200
    seqs = _seqs(response.content.decode())
    assert seqs
    events = AuditEvent.objects.filter(agency=small_agency.agency, seq__in=seqs)
    if expected_actions is not None:
        assert {e.action for e in events} == expected_actions
    if "object" in params:
        assert all(params["object"] in e.object_repr for e in events)
        assert len(seqs) == 1
    if "actor" in params:
        assert {e.actor_label for e in events} == {"system:tests"}
        assert len(seqs) < _last_seq(small_agency)


def test_filter_by_event_number(small_agency: SmallAgency, auditor: Client) -> None:
    assert _seqs(auditor.get(LIST, {"seq": "3"}).content.decode()) == [3]


def test_an_invalid_filter_is_shown_not_crashed(auditor: Client) -> None:
    response = auditor.get(LIST, {"seq": "abc", "action": "not.an.action"})
    assert response.status_code == 200
    assert b"errorlist" in response.content


def test_the_log_is_paginated(small_agency: SmallAgency, auditor: Client) -> None:
    while _last_seq(small_agency) <= PAGE_SIZE:
        make_user(small_agency.agency, [Role.TRAINER])
    last = _last_seq(small_agency)
    first = auditor.get(LIST).content.decode()
    assert len(_seqs(first)) == PAGE_SIZE
    assert 'rel="next"' in first
    second = auditor.get(LIST, {"page": "2"}).content.decode()
    assert _seqs(second)[0] == last - PAGE_SIZE
    assert 'rel="prev"' in second


def test_a_unit_scoped_auditor_sees_no_agency_level_events(small_agency: SmallAgency) -> None:
    client = _client(make_user(small_agency.agency, [(Role.AUDITOR, small_agency.precinct_a)]))
    response = client.get(LIST)
    assert response.status_code == 200
    assert _seqs(response.content.decode()) == []


@pytest.mark.parametrize("role", [Role.AGENCY_ADMIN, Role.INTERNAL_AFFAIRS, Role.COMMANDER])
def test_roles_other_than_auditor_cannot_read_the_log(
    small_agency: SmallAgency, role: Role
) -> None:
    response = _client(make_user(small_agency.agency, [role])).get(LIST)
    assert response.status_code == 403
    assert b"event-" not in response.content


def test_reading_the_log_writes_nothing(small_agency: SmallAgency, auditor: Client) -> None:
    before = AuditEvent.objects.count()
    auditor.get(LIST)
    assert AuditEvent.objects.count() == before


# Verification


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.AGENCY_ADMIN])
def test_verify_reports_an_intact_chain(small_agency: SmallAgency, role: Role) -> None:
    client = _client(make_user(small_agency.agency, [role]))
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert b"Verify now" in page.content
    assert b"the chain is intact" not in page.content
    result = client.post(VERIFY)
    assert result.status_code == 200
    count = AuditEvent.objects.filter(agency=small_agency.agency).count()
    assert b"OK: the chain is intact" in result.content
    assert f"All {count} events checked".encode() in result.content
    head = AuditEvent.objects.filter(agency=small_agency.agency).order_by("-seq").first()
    assert head is not None
    assert f"{head.seq}:{head.hash}".encode() in result.content


def test_verify_shows_the_first_broken_event(small_agency: SmallAgency, auditor: Client) -> None:
    victim = AuditEvent.objects.get(agency=small_agency.agency, seq=5)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["hidden", victim.pk])
    html = auditor.post(VERIFY).content.decode()
    assert "Broken at event #5" in html
    assert "altered after it was written" in html
    assert f"<dd>{victim.pk}</dd>" in html
    assert "?seq=5" in html  # an auditor can open it in the log
    assert "OK: the chain is intact" not in html


def test_verify_shows_a_missing_event(small_agency: SmallAgency) -> None:
    client = _client(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE agency_id = %s AND seq = %s", [small_agency.agency.pk, 2]
        )
    html = client.post(VERIFY).content.decode()
    assert "Broken at event #2" in html
    assert "the event is missing" in html
    assert "?seq=" not in html  # an administrator does not read the log


def test_verify_checks_only_the_users_own_agency(
    small_agency: SmallAgency, other_agency: SmallAgency, auditor: Client
) -> None:
    victim = AuditEvent.objects.get(agency=other_agency.agency, seq=3)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["x", victim.pk])
    assert b"OK: the chain is intact" in auditor.post(VERIFY).content


def test_a_unit_scoped_administrator_cannot_verify(small_agency: SmallAgency) -> None:
    client = _client(make_user(small_agency.agency, [(Role.AGENCY_ADMIN, small_agency.bureau)]))
    response = client.post(VERIFY)
    assert response.status_code == 403
    assert b"Verify the audit log" in response.content


def test_verifying_writes_nothing(small_agency: SmallAgency, auditor: Client) -> None:
    before = AuditEvent.objects.count()
    auditor.post(VERIFY)
    assert AuditEvent.objects.count() == before
