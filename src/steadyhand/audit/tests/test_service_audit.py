"""Every service write leaves exactly one audit event, in the same transaction as the change."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts import services as account_services
from steadyhand.accounts.models import RoleAssignment
from steadyhand.agencies import services as agency_services
from steadyhand.agencies.models import Agency, Member, Rank, Unit, UnitKind
from steadyhand.audit.models import AuditChainHead, AuditEvent
from steadyhand.audit.services import audit_record
from steadyhand.audit.verify import verify_chain
from steadyhand.core.errors import PermissionDenied
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, actor_of, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(small_agency: SmallAgency) -> Actor:
    return actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN], username="admin1"))


def _events_after(agency: Agency, seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(agency=agency, seq__gt=seq).order_by("seq"))


def _last_seq(agency: Agency) -> int:
    return AuditChainHead.objects.get(agency=agency).last_seq


def _only_event(agency: Agency, write: Callable[[], Any]) -> tuple[Any, AuditEvent]:
    before = _last_seq(agency)
    result = write()
    events = _events_after(agency, before)
    assert len(events) == 1, [e.action for e in events]
    return result, events[0]


def _assert_event(
    event: AuditEvent,
    *,
    actor: Actor,
    action: str,
    obj: Any,
    changes: dict[str, Any],
    reason: str = "",
) -> None:
    assert event.action == action
    assert event.actor_label == actor.label
    assert event.actor_user_id == actor.user_id
    assert event.object_type == obj._meta.label_lower
    assert event.object_id == str(obj.pk)
    assert event.changes == changes
    assert event.reason == reason
    assert event.kind == "write"


def test_a_sample_flow_writes_one_event_per_change(small_agency: SmallAgency, admin: Actor) -> None:
    a = small_agency
    agency = a.agency

    unit, event = _only_event(
        agency,
        lambda: agency_services.unit_create(
            actor=admin, parent=a.precinct_b, name="Squad B2", code="PB-2", kind=UnitKind.SQUAD
        ),
    )
    _assert_event(
        event,
        actor=admin,
        action="unit.create",
        obj=unit,
        changes={
            "name": [None, "Squad B2"],
            "code": [None, "PB-2"],
            "kind": [None, "squad"],
            "parent": [None, a.precinct_b.pk],
        },
    )

    unit, event = _only_event(
        agency,
        lambda: agency_services.unit_update(
            actor=admin,
            unit=unit,
            name="Squad B2 (nights)",
            code="PB-2",
            kind=UnitKind.SQUAD,
            parent=a.precinct_b,
            expected_version=unit.version,
            reason="night shift formed",
        ),
    )
    _assert_event(
        event,
        actor=admin,
        action="unit.update",
        obj=unit,
        changes={"name": ["Squad B2", "Squad B2 (nights)"]},
        reason="night shift formed",
    )

    member, event = _only_event(
        agency,
        lambda: agency_services.member_create(
            actor=admin,
            badge="N500",
            first_name="Test",
            last_name="N500",
            rank=Rank.OFFICER,
            unit=unit,
            hire_date=date(2020, 1, 6),
        ),
    )
    _assert_event(
        event,
        actor=admin,
        action="member.create",
        obj=member,
        changes={
            "badge": [None, "N500"],
            "rank": [None, "officer"],
            "unit": [None, unit.pk],
            "supervisor": [None, None],
            "hire_date": [None, "2020-01-06"],
            "status": [None, "active"],
        },
    )

    member, event = _only_event(
        agency,
        lambda: agency_services.member_update(
            actor=admin,
            member=member,
            expected_version=member.version,
            badge="N500",
            first_name="Test",
            last_name="N500",
            rank=Rank.SERGEANT,
            unit=unit,
            hire_date=date(2020, 1, 6),
            supervisor=None,
            status="active",
            reason="promotion list 2024",
        ),
    )
    _assert_event(
        event,
        actor=admin,
        action="member.update",
        obj=member,
        changes={"rank": ["officer", "sergeant"]},
        reason="promotion list 2024",
    )

    user, event = _only_event(
        agency,
        lambda: account_services.user_create(
            actor=admin, username="n500", password=TEST_PASSWORD, member=member
        ),
    )
    _assert_event(
        event,
        actor=admin,
        action="account.create",
        obj=user,
        changes={"username": [None, "n500"], "member": [None, member.pk]},
    )

    assignment, event = _only_event(
        agency,
        lambda: account_services.role_grant(
            actor=admin, user=user, role=Role.SUPERVISOR, unit=unit, reason="new sergeant"
        ),
    )
    _assert_event(
        event,
        actor=admin,
        action="role.grant",
        obj=user,
        changes={"role": [None, "supervisor"], "unit": [None, unit.pk]},
        reason="new sergeant",
    )

    _, event = _only_event(
        agency,
        lambda: account_services.role_revoke(actor=admin, assignment=assignment, reason="moved"),
    )
    _assert_event(
        event,
        actor=admin,
        action="role.revoke",
        obj=user,
        changes={"role": ["supervisor", None], "unit": [unit.pk, None]},
        reason="moved",
    )

    _, event = _only_event(
        agency,
        lambda: account_services.user_set_password(
            actor=admin, user=user, password="another-long-passphrase-2024"
        ),
    )
    # The password hash itself never reaches the log.
    _assert_event(event, actor=admin, action="account.set_password", obj=user, changes={})

    _, event = _only_event(
        agency,
        lambda: account_services.user_set_active(
            actor=admin, user=user, active=False, reason="left the agency"
        ),
    )
    _assert_event(
        event,
        actor=admin,
        action="account.deactivate",
        obj=user,
        changes={"is_active": [True, False]},
        reason="left the agency",
    )

    _, event = _only_event(
        agency,
        lambda: agency_services.agency_configure(
            actor=admin, agency=agency, require_2fa_roles=["internal_affairs"]
        ),
    )
    _assert_event(
        event,
        actor=admin,
        action="agency.configure",
        obj=agency,
        changes={"require_2fa_roles": [[], ["internal_affairs"]]},
    )

    assert verify_chain(agency.pk).ok


def test_a_write_that_changes_nothing_writes_no_event(
    small_agency: SmallAgency, admin: Actor
) -> None:
    unit = small_agency.squad_a1
    before = _last_seq(small_agency.agency)
    agency_services.unit_update(
        actor=admin,
        unit=unit,
        name=unit.name,
        code=unit.code,
        kind=unit.kind,
        parent=unit.parent,
        expected_version=unit.version,
    )
    assert _events_after(small_agency.agency, before) == []


def test_a_refused_write_writes_neither_the_change_nor_an_event(
    small_agency: SmallAgency,
) -> None:
    trainer = actor_of(make_user(small_agency.agency, [Role.TRAINER]))
    before = _last_seq(small_agency.agency)
    with pytest.raises(PermissionDenied):
        agency_services.unit_create(
            actor=trainer,
            parent=small_agency.precinct_a,
            name="Rogue squad",
            code="RS",
            kind=UnitKind.SQUAD,
        )
    assert not Unit.objects.filter(code="RS").exists()
    assert _events_after(small_agency.agency, before) == []


# Real transactions (not the test's wrapping one), so a rollback is the database's, not a
# savepoint's.


@pytest.mark.django_db(transaction=True)
def test_a_service_that_fails_after_writing_leaves_neither_change_nor_event(
    small_agency: SmallAgency, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    member = Member.objects.get(pk=small_agency.officer_b1.pk)
    before = _last_seq(small_agency.agency)

    def record_then_fail(**kwargs: Any) -> AuditEvent:
        event = audit_record(**kwargs)
        assert AuditEvent.objects.filter(pk=event.pk).exists()  # it really was written
        raise RuntimeError("disk full")

    monkeypatch.setattr(agency_services, "audit_record", record_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        agency_services.member_update(
            actor=admin,
            member=member,
            expected_version=member.version,
            badge=member.badge,
            first_name=member.first_name,
            last_name=member.last_name,
            rank=Rank.LIEUTENANT,
            unit=member.unit,
            hire_date=member.hire_date,
            supervisor=member.supervisor,
            status=member.status,
        )

    member.refresh_from_db()
    assert member.rank == Rank.OFFICER
    assert _events_after(small_agency.agency, before) == []
    assert _last_seq(small_agency.agency) == before
    assert verify_chain(small_agency.agency.pk).ok

    # The chain carries on from where it was, with no gap.
    monkeypatch.undo()
    agency_services.member_update(
        actor=admin,
        member=member,
        expected_version=member.version,
        badge=member.badge,
        first_name=member.first_name,
        last_name=member.last_name,
        rank=Rank.LIEUTENANT,
        unit=member.unit,
        hire_date=member.hire_date,
        supervisor=member.supervisor,
        status=member.status,
    )
    assert [e.seq for e in _events_after(small_agency.agency, before)] == [before + 1]
    assert verify_chain(small_agency.agency.pk).ok


@pytest.mark.django_db(transaction=True)
def test_a_change_that_fails_after_its_event_is_written_rolls_the_event_back(
    small_agency: SmallAgency, monkeypatch: pytest.MonkeyPatch
) -> None:
    # role_revoke writes its event first, then deletes the assignment.
    admin = actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    user = make_user(small_agency.agency, [Role.TRAINER])
    assignment = RoleAssignment.objects.get(user=user)
    before = _last_seq(small_agency.agency)

    def fail(self: RoleAssignment, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("lost connection")

    monkeypatch.setattr(RoleAssignment, "delete", fail)
    with pytest.raises(RuntimeError, match="lost connection"):
        account_services.role_revoke(actor=admin, assignment=assignment)

    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert _events_after(small_agency.agency, before) == []
    assert verify_chain(small_agency.agency.pk).ok


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction(small_agency: SmallAgency) -> None:
    agency = small_agency.agency
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="inside the writing transaction"):
        audit_record(actor=small_agency.system, action="agency.touch", obj=agency)
    assert AuditEvent.objects.count() == before
    with transaction.atomic():
        audit_record(actor=small_agency.system, action="agency.touch", obj=agency)
    assert AuditEvent.objects.count() == before + 1
