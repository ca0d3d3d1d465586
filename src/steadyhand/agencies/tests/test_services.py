"""Writes to units, members and the agency: validation, optimistic locking, audit."""

from datetime import date
from typing import Any

import pytest

from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency, Member, Unit, UnitKind
from steadyhand.agencies.services import (
    agency_configure,
    member_create,
    member_update,
    unit_create,
    unit_update,
)
from steadyhand.audit.models import AuditEvent
from steadyhand.audit.verify import verify_chain
from steadyhand.core.errors import ConflictError, InvalidInput, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user

pytestmark = pytest.mark.django_db


def _unit_fields(unit: Unit, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": unit.name,
        "code": unit.code,
        "kind": unit.kind,
        "parent": unit.parent,
        "expected_version": unit.version,
    }
    fields.update(overrides)
    return fields


def _member_fields(member: Member, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "badge": member.badge,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "rank": member.rank,
        "unit": member.unit,
        "hire_date": member.hire_date,
        "supervisor": member.supervisor,
        "status": member.status,
        "expected_version": member.version,
    }
    fields.update(overrides)
    return fields


# Units ---------------------------------------------------------------------------------------


def test_moving_a_unit_rewrites_the_paths_of_its_whole_subtree_and_is_audited(
    small_agency: SmallAgency,
) -> None:
    s = small_agency
    admin = actor_of(make_user(s.agency, [Role.AGENCY_ADMIN]))
    old_path = s.precinct_a.path
    # Precinct A moves from the bureau to directly under the root.
    unit_update(actor=admin, unit=s.precinct_a, **_unit_fields(s.precinct_a, parent=s.root))
    for unit in (s.precinct_a, s.squad_a1, s.squad_a2, s.precinct_b, s.squad_b1):
        unit.refresh_from_db()
    assert s.precinct_a.path == f"{s.root.path}{s.precinct_a.pk}/"
    assert s.precinct_a.depth == 1
    assert s.squad_a1.path == f"{s.precinct_a.path}{s.squad_a1.pk}/"
    assert s.squad_a2.path == f"{s.precinct_a.path}{s.squad_a2.pk}/"
    assert (s.squad_a1.depth, s.squad_a2.depth) == (2, 2)
    # The sibling subtree did not move.
    assert s.squad_b1.path == f"{s.bureau.path}{s.precinct_b.pk}/{s.squad_b1.pk}/"
    assert s.precinct_a.version == 2
    event = AuditEvent.objects.get(action="unit.update", object_id=str(s.precinct_a.pk))
    assert event.changes["parent"] == [s.bureau.pk, s.root.pk]
    assert event.changes["path"] == [old_path, s.precinct_a.path]
    assert verify_chain(s.agency.pk).ok


def test_a_unit_cannot_move_under_its_own_sub_unit(small_agency: SmallAgency) -> None:
    s = small_agency
    with pytest.raises(InvalidInput) as refused:
        unit_update(
            actor=s.system, unit=s.precinct_a, **_unit_fields(s.precinct_a, parent=s.squad_a1)
        )
    assert "parent" in refused.value.errors
    s.precinct_a.refresh_from_db()
    assert s.precinct_a.parent_id == s.bureau.pk
    assert s.precinct_a.version == 1


def test_a_stale_unit_edit_is_refused_and_saves_nothing(small_agency: SmallAgency) -> None:
    s = small_agency
    unit_update(actor=s.system, unit=s.precinct_a, **_unit_fields(s.precinct_a, name="First"))
    with pytest.raises(ConflictError, match="changed by someone else"):
        unit_update(
            actor=s.system,
            unit=s.precinct_a,
            **_unit_fields(s.precinct_a, name="Second", expected_version=1),
        )
    s.precinct_a.refresh_from_db()
    assert (s.precinct_a.name, s.precinct_a.version) == ("First", 2)


def test_a_unit_code_already_in_use_is_refused_with_the_holder_named(
    small_agency: SmallAgency,
) -> None:
    s = small_agency
    with pytest.raises(InvalidInput) as refused:
        unit_create(actor=s.system, parent=s.precinct_a, name="Dup", code="PB-1", kind="squad")
    assert "Squad B1" in refused.value.errors["code"][0]
    assert not Unit.objects.filter(name="Dup").exists()


def test_only_the_root_is_of_kind_agency(small_agency: SmallAgency) -> None:
    s = small_agency
    with pytest.raises(InvalidInput) as refused:
        unit_update(
            actor=s.system, unit=s.squad_a1, **_unit_fields(s.squad_a1, kind=UnitKind.AGENCY)
        )
    assert "kind" in refused.value.errors
    with pytest.raises(InvalidInput):
        unit_update(actor=s.system, unit=s.root, **_unit_fields(s.root, kind=UnitKind.BUREAU))


def test_a_non_admin_cannot_create_a_unit(small_agency: SmallAgency) -> None:
    s = small_agency
    supervisor = actor_of(make_user(s.agency, [(Role.SUPERVISOR, s.precinct_a)]))
    with pytest.raises(PermissionDenied):
        unit_create(actor=supervisor, parent=s.precinct_a, name="X", code="X", kind="squad")
    assert not Unit.objects.filter(code="X").exists()


# Members -------------------------------------------------------------------------------------


def test_a_supervisor_cycle_is_refused(small_agency: SmallAgency) -> None:
    s = small_agency
    # officer_a1 reports to sergeant_a1; making the sergeant report to the officer closes a loop.
    with pytest.raises(InvalidInput) as refused:
        member_update(
            actor=s.system,
            member=s.sergeant_a1,
            **_member_fields(s.sergeant_a1, supervisor=s.officer_a1),
        )
    assert "own supervisor" in refused.value.errors["supervisor"][0]
    s.sergeant_a1.refresh_from_db()
    assert s.sergeant_a1.supervisor_id is None


def test_a_member_cannot_supervise_themself(small_agency: SmallAgency) -> None:
    s = small_agency
    with pytest.raises(InvalidInput) as refused:
        member_update(
            actor=s.system,
            member=s.officer_a2,
            **_member_fields(s.officer_a2, supervisor=s.officer_a2),
        )
    assert "supervisor" in refused.value.errors


def test_a_supervisor_from_another_agency_is_refused(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    s = small_agency
    with pytest.raises(InvalidInput) as refused:
        member_update(
            actor=s.system,
            member=s.officer_a2,
            **_member_fields(s.officer_a2, supervisor=other_agency.sergeant_a1),
        )
    assert "another agency" in refused.value.errors["supervisor"][0]


def test_a_badge_already_in_use_is_refused(small_agency: SmallAgency) -> None:
    s = small_agency
    with pytest.raises(InvalidInput) as refused:
        member_create(
            actor=s.system,
            badge="O101",
            first_name="Test",
            last_name="Dup",
            rank="officer",
            unit=s.squad_a2,
            hire_date=date(2020, 1, 1),
        )
    assert "O101" in refused.value.errors["badge"][0]
    assert not Member.objects.filter(last_name="Dup").exists()


def test_a_stale_member_edit_is_refused_and_the_first_edit_stays(
    small_agency: SmallAgency,
) -> None:
    s = small_agency
    read_at = s.officer_a2.version
    member_update(
        actor=s.system,
        member=s.officer_a2,
        **_member_fields(s.officer_a2, last_name="First", expected_version=read_at),
    )
    with pytest.raises(ConflictError):
        member_update(
            actor=s.system,
            member=s.officer_a2,
            **_member_fields(s.officer_a2, last_name="Second", expected_version=read_at),
        )
    s.officer_a2.refresh_from_db()
    assert (s.officer_a2.last_name, s.officer_a2.version) == ("First", read_at + 1)
    assert (
        AuditEvent.objects.filter(action="member.update", object_id=str(s.officer_a2.pk)).count()
        == 1
    )


def test_an_admin_of_another_agency_cannot_add_a_member_here(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    outsider = actor_of(make_user(other_agency.agency, [Role.AGENCY_ADMIN]))
    with pytest.raises(PermissionDenied):
        member_create(
            actor=outsider,
            badge="X1",
            first_name="Test",
            last_name="X1",
            rank="officer",
            unit=small_agency.squad_a1,
            hire_date=date(2020, 1, 1),
        )
    assert not Member.objects.filter(badge="X1").exists()


# Agency --------------------------------------------------------------------------------------


def test_agency_configure_saves_two_factor_roles_with_the_reason(
    small_agency: SmallAgency,
) -> None:
    admin = actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    agency_configure(
        actor=admin,
        agency=small_agency.agency,
        require_2fa_roles=["supervisor", "agency_admin"],
        reason="policy 4.2",
    )
    agency = Agency.objects.get(pk=small_agency.agency.pk)
    assert agency.require_2fa_roles == ["agency_admin", "supervisor"]
    event = AuditEvent.objects.get(action="agency.configure")
    assert event.reason == "policy 4.2"
    assert event.changes["require_2fa_roles"] == [[], ["agency_admin", "supervisor"]]


def test_agency_configure_sets_the_public_suppression_threshold(
    small_agency: SmallAgency,
) -> None:
    admin = actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    agency_configure(
        actor=admin, agency=small_agency.agency, require_2fa_roles=[], suppression_threshold=11,
        reason="board",
    )  # fmt: skip
    assert Agency.objects.get(pk=small_agency.agency.pk).suppression_threshold == 11
    event = AuditEvent.objects.get(action="agency.configure")
    assert event.changes["suppression_threshold"] == [10, 11]
    with pytest.raises(InvalidInput, match="from 2 to 1000"):
        agency_configure(
            actor=admin, agency=small_agency.agency, require_2fa_roles=[], suppression_threshold=1
        )
    assert Agency.objects.get(pk=small_agency.agency.pk).suppression_threshold == 11


def test_agency_configure_refuses_unknown_roles_and_non_admins(
    small_agency: SmallAgency,
) -> None:
    admin = actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    with pytest.raises(InvalidInput):
        agency_configure(actor=admin, agency=small_agency.agency, require_2fa_roles=["wizard"])
    commander = actor_of(make_user(small_agency.agency, [Role.COMMANDER]))
    with pytest.raises(PermissionDenied):
        agency_configure(actor=commander, agency=small_agency.agency, require_2fa_roles=[])
    assert not AuditEvent.objects.filter(action="agency.configure").exists()


def test_a_member_s_shift_and_assignment_are_set_and_changed_with_an_audit_trail(
    small_agency: SmallAgency,
) -> None:
    from steadyhand.agencies.services import member_update

    admin = actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    member = small_agency.officer_a1
    saved = member_update(
        actor=admin, member=member, expected_version=member.version, badge=member.badge,
        first_name=member.first_name, last_name=member.last_name, rank=member.rank,
        unit=member.unit, hire_date=member.hire_date, supervisor=member.supervisor,
        status=member.status, shift="night", assignment="patrol",
    )  # fmt: skip
    assert (saved.shift, saved.assignment) == ("night", "patrol")
    event = AuditEvent.objects.filter(action="member.update").latest("pk")
    assert event.changes["shift"] == ["", "night"]
    with pytest.raises(InvalidInput):
        member_update(
            actor=admin, member=saved, expected_version=saved.version, badge=saved.badge,
            first_name=saved.first_name, last_name=saved.last_name, rank=saved.rank,
            unit=saved.unit, hire_date=saved.hire_date, supervisor=saved.supervisor,
            status=saved.status, shift="graveyard",
        )  # fmt: skip
