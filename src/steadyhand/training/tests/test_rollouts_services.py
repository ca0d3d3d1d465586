"""Roll-out plans: create, randomize (assign + lock + audit in one step), assign by hand, lock,
immutability at service and model level, reproducibility, and the schedule for evaluation."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from steadyhand.access.roles import Role
from steadyhand.agencies.models import MemberStatus, UnitKind
from steadyhand.agencies.services import unit_create
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.training.models import LockedPlanError, RolloutPlan, Wave, WaveAssignment
from steadyhand.training.randomization import assign_waves
from steadyhand.training.selectors.rollouts import (
    UnitIndex,
    member_candidate_id,
    rollout_balance,
    rollout_candidates,
    rollout_verify,
    wave_schedule,
)
from steadyhand.training.services.rollouts import (
    rollout_assign,
    rollout_create,
    rollout_lock,
    rollout_randomize,
    rollout_unassign,
    rollout_update,
)
from steadyhand.training.tests.factories_rollouts import (
    WAVES_2026,
    add_members,
    analyst,
    change_member,
    make_course,
    make_plan,
    trainer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(small_agency: SmallAgency) -> SmallAgency:
    """Squad A1: 2 + 7, A2: 1 + 6, B1: 1 + 8, and 3 members directly in precinct B."""
    add_members(small_agency, small_agency.squad_a1, 7)
    add_members(small_agency, small_agency.squad_a2, 6)
    add_members(small_agency, small_agency.squad_b1, 8)
    add_members(small_agency, small_agency.precinct_b, 3)
    return small_agency


# Creating a plan -----------------------------------------------------------------------------


def test_analyst_creates_a_plan_with_waves_and_an_audit_event(small_agency: SmallAgency) -> None:
    plan = make_plan(small_agency, analyst(small_agency))
    waves = list(plan.waves.order_by("number").values_list("number", "starts_on", "ends_on"))
    assert waves == [(n, s, e) for n, (s, e) in enumerate(WAVES_2026, start=1)]
    assert not plan.locked
    assert not plan.randomized
    event = AuditEvent.objects.get(action="rollout.create", object_id=str(plan.pk))
    assert event.changes["strata"] == ["precinct", "shift"]
    assert event.changes["waves"][0] == ["2026-01-01", "2026-03-31"]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COMMANDER, Role.SUPERVISOR, Role.AUDITOR])
def test_roles_without_rollout_manage_cannot_create_plans(
    small_agency: SmallAgency, role: Role
) -> None:
    actor = actor_of(make_user(small_agency.agency, [role]))
    with pytest.raises(PermissionDenied):
        make_plan(small_agency, actor)
    assert not RolloutPlan.objects.exists()


def test_a_course_of_another_agency_is_refused(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    foreign = make_course(other_agency.agency.pk)
    with pytest.raises(PermissionDenied):
        make_plan(small_agency, analyst(small_agency), course=foreign)


@pytest.mark.parametrize(
    ("level", "strata", "waves", "field"),
    [
        ("unit", ("precinct", "shift"), WAVES_2026, "strata"),
        ("member", ("shift",), WAVES_2026, "strata"),
        ("team", (), WAVES_2026, "level"),
        ("member", (), [], "waves"),
        ("member", (), [(date(2026, 2, 1), date(2026, 1, 1))], "waves"),
        (
            "member",
            (),
            [(date(2026, 1, 1), date(2026, 3, 1)), (date(2026, 2, 1), date(2026, 4, 1))],
            "waves",
        ),
    ],
)
def test_invalid_plans_are_refused_with_the_field_named(
    small_agency: SmallAgency,
    level: str,
    strata: tuple[str, ...],
    waves: list[tuple[date, date]],
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as exc:
        rollout_create(
            actor=analyst(small_agency),
            name="x",
            course=make_course(small_agency.agency.pk),
            level=level,
            strata=list(strata),
            waves=waves,
        )
    assert field in exc.value.errors


def test_an_unlocked_plan_can_be_edited(small_agency: SmallAgency) -> None:
    actor = analyst(small_agency)
    plan = make_plan(small_agency, actor)
    waves = [(date(2027, 1, 1), date(2027, 6, 30)), (date(2027, 7, 1), date(2027, 12, 31))]
    rollout_update(actor=actor, plan=plan, name="Renamed", strata=["precinct"], waves=waves)
    plan.refresh_from_db()
    assert plan.name == "Renamed"
    assert plan.strata == ["precinct"]
    assert list(plan.waves.values_list("starts_on", flat=True)) == [w[0] for w in waves]
    event = AuditEvent.objects.get(action="rollout.update")
    assert event.changes["name"] == ["DE-16 roll-out", "Renamed"]


# Candidates and strata -----------------------------------------------------------------------


def test_member_candidates_are_active_members_of_the_subtree_with_precinct_and_squad(
    staffed: SmallAgency,
) -> None:
    sa = staffed
    change_member(sa, sa.officer_a2, status=MemberStatus.LEAVE)
    plan = make_plan(sa, analyst(sa))
    rows = rollout_candidates(plan=plan, unit=sa.precinct_a)
    ids = {r.member.pk for r in rows if r.member}
    assert sa.officer_a1.pk in ids
    assert sa.officer_a2.pk not in ids  # on leave
    assert sa.officer_b1.pk not in ids  # other precinct
    assert len(rows) == 2 + 7 + 6
    by_id = {r.member.pk: r.candidate.attributes for r in rows if r.member}
    assert by_id[sa.officer_a1.pk] == {
        "precinct": f"{sa.precinct_a.pk:012d}",
        "shift": f"{sa.squad_a1.pk:012d}",
    }


def test_a_member_outside_any_squad_is_stratified_by_precinct_alone(staffed: SmallAgency) -> None:
    sa = staffed
    index = UnitIndex.for_agency(sa.agency.pk)
    assert index.attributes(sa.precinct_b) == {
        "precinct": f"{sa.precinct_b.pk:012d}",
        "shift": "none",
    }
    assert index.describe(f"precinct={sa.precinct_b.pk}|shift=none") == "Precinct B · no squad"


def test_unit_candidates_are_staffed_squads(staffed: SmallAgency) -> None:
    sa = staffed
    unit_create(actor=sa.system, parent=sa.precinct_a, name="Empty", code="E", kind=UnitKind.SQUAD)
    plan = make_plan(sa, analyst(sa), level="unit", strata=("precinct",))
    units = {r.unit.pk for r in rollout_candidates(plan=plan, unit=sa.root) if r.unit}
    assert units == {sa.squad_a1.pk, sa.squad_a2.pk, sa.squad_b1.pk}


# Randomizing ---------------------------------------------------------------------------------


def test_randomize_assigns_everyone_locks_and_writes_one_audit_event(
    staffed: SmallAgency,
) -> None:
    sa = staffed
    actor = analyst(sa)
    plan = make_plan(sa, actor)
    events_before = AuditEvent.objects.count()
    rollout_randomize(actor=actor, plan=plan, unit=sa.root, seed=1234)
    plan.refresh_from_db()
    assert plan.locked
    assert plan.randomized
    assert plan.locked_at is not None
    assert plan.seed == 1234
    assert plan.algorithm == "stratified-blocked-v1"
    assert len(plan.input_hash) == 64
    assert len(plan.result_hash) == 64
    assert WaveAssignment.objects.filter(plan=plan).count() == 4 + 7 + 6 + 8 + 3
    assert AuditEvent.objects.count() == events_before + 1
    event = AuditEvent.objects.get(action="rollout.randomize")
    assert event.changes["seed"] == 1234
    assert event.changes["input_hash"] == plan.input_hash
    assert event.changes["result_hash"] == plan.result_hash
    assert event.changes["candidates"] == 28
    assert event.changes["per_wave"] in ([10, 9, 9], [9, 10, 9], [9, 9, 10])
    assert event.changes["strata_count"] == 4


def test_randomized_assignment_matches_the_pure_algorithm(staffed: SmallAgency) -> None:
    sa = staffed
    actor = analyst(sa)
    plan = make_plan(sa, actor)
    rows = rollout_candidates(plan=plan, unit=sa.root)
    expected = assign_waves([r.candidate for r in rows], 3, 99, ("precinct", "shift"))
    rollout_randomize(actor=actor, plan=plan, unit=sa.root, seed=99)
    stored = {
        member_candidate_id(m): n
        for m, n in WaveAssignment.objects.filter(plan=plan).values_list(
            "member_id", "wave__number"
        )
    }
    assert stored == dict(expected.waves)


def test_balance_table_spreads_each_squad_evenly(staffed: SmallAgency) -> None:
    sa = staffed
    actor = analyst(sa)
    plan = make_plan(sa, actor)
    rollout_randomize(actor=actor, plan=plan, unit=sa.root, seed=5)
    balance = rollout_balance(plan=plan)
    assert balance.grand_total == 28
    labels = {row.label: row for row in balance.rows}
    assert set(labels) == {
        "Precinct A · Squad A1",
        "Precinct A · Squad A2",
        "Precinct B · Squad B1",
        "Precinct B · no squad",
    }
    for row in balance.rows:
        assert max(row.counts) - min(row.counts) <= 1, row
    assert sorted(labels["Precinct A · Squad A1"].counts) == [3, 3, 3]
    assert max(balance.totals) - min(balance.totals) <= 1


def test_a_drawn_seed_is_stored_and_reproduces(staffed: SmallAgency) -> None:
    actor = analyst(staffed)
    plan = make_plan(staffed, actor)
    rollout_randomize(actor=actor, plan=plan, unit=staffed.root)
    plan.refresh_from_db()
    assert plan.seed is not None
    assert rollout_verify(plan=plan).reproduces


def test_randomize_refuses_an_empty_subtree_and_a_foreign_unit(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    sa = small_agency
    actor = analyst(sa)
    plan = make_plan(sa, actor, level="unit", strata=("precinct",))
    empty = unit_create(
        actor=sa.system, parent=sa.bureau, name="Precinct C", code="PC", kind=UnitKind.PRECINCT
    )
    unit_create(actor=sa.system, parent=empty, name="Squad C1", code="PC-1", kind=UnitKind.SQUAD)
    with pytest.raises(InvalidInput, match="no staffed squads"):
        rollout_randomize(actor=actor, plan=plan, unit=empty, seed=1)
    with pytest.raises(InvalidInput, match="seed"):
        rollout_randomize(actor=actor, plan=plan, unit=sa.root, seed=-1)
    with pytest.raises(InvalidInput, match="your agency"):
        rollout_randomize(actor=actor, plan=plan, unit=other_agency.root, seed=1)
    plan.refresh_from_db()
    assert not plan.locked
    assert not plan.assignments.exists()


def test_commander_cannot_randomize(staffed: SmallAgency) -> None:
    plan = make_plan(staffed, analyst(staffed))
    commander = actor_of(make_user(staffed.agency, [Role.COMMANDER]))
    with pytest.raises(PermissionDenied):
        rollout_randomize(actor=commander, plan=plan, unit=staffed.root, seed=1)
    assert not WaveAssignment.objects.exists()


# Locked means locked -------------------------------------------------------------------------


@pytest.fixture
def locked_plan(staffed: SmallAgency) -> RolloutPlan:
    actor = analyst(staffed)
    plan = make_plan(staffed, actor)
    rollout_randomize(actor=actor, plan=plan, unit=staffed.root, seed=1234)
    plan.refresh_from_db()
    return plan


def test_services_refuse_every_change_to_a_locked_plan(
    staffed: SmallAgency, locked_plan: RolloutPlan
) -> None:
    actor = trainer(staffed)
    with pytest.raises(ConflictError, match="locked"):
        rollout_randomize(actor=actor, plan=locked_plan, unit=staffed.root, seed=1)
    with pytest.raises(ConflictError, match="locked"):
        rollout_update(actor=actor, plan=locked_plan, name="x", strata=[], waves=WAVES_2026)
    with pytest.raises(ConflictError, match="locked"):
        rollout_assign(actor=actor, plan=locked_plan, wave_number=1, members=[staffed.officer_a1])
    with pytest.raises(ConflictError, match="locked"):
        rollout_unassign(actor=actor, plan=locked_plan, members=[staffed.officer_a1])
    with pytest.raises(ConflictError, match="locked"):
        rollout_lock(actor=actor, plan=locked_plan)


def test_raw_orm_writes_to_a_locked_plan_raise_locked_plan_error(
    staffed: SmallAgency, locked_plan: RolloutPlan
) -> None:
    plan, sa = locked_plan, staffed
    assignment = WaveAssignment.objects.filter(plan=plan).first()
    assert assignment is not None
    wave = plan.waves.get(number=1)
    other_wave = plan.waves.get(number=2)

    plan.seed = 1
    with pytest.raises(LockedPlanError):
        plan.save()
    with pytest.raises(LockedPlanError):
        plan.delete()
    with pytest.raises(LockedPlanError):
        RolloutPlan.objects.filter(pk=plan.pk).update(seed=1)
    with pytest.raises(LockedPlanError):
        RolloutPlan.objects.filter(pk=plan.pk).delete()

    assignment.wave = other_wave if assignment.wave_id == wave.pk else wave
    with pytest.raises(LockedPlanError):
        assignment.save()
    with pytest.raises(LockedPlanError):
        assignment.delete()
    with pytest.raises(LockedPlanError):
        WaveAssignment.objects.filter(plan=plan).update(wave=wave)
    with pytest.raises(LockedPlanError):
        WaveAssignment.objects.filter(plan=plan).delete()
    with pytest.raises(LockedPlanError):
        WaveAssignment.objects.create(plan=plan, wave=wave, unit=sa.squad_a1)
    with pytest.raises(LockedPlanError):
        WaveAssignment.objects.bulk_create(
            [WaveAssignment(plan=plan, wave=wave, unit=staffed.root)]
        )

    wave.starts_on = date(2030, 1, 1)
    with pytest.raises(LockedPlanError):
        wave.save()
    with pytest.raises(LockedPlanError):
        wave.delete()
    with pytest.raises(LockedPlanError):
        Wave.objects.filter(plan=plan).update(starts_on=date(2030, 1, 1))
    with pytest.raises(LockedPlanError):
        Wave.objects.create(
            plan=plan, number=9, starts_on=date(2031, 1, 1), ends_on=date(2031, 2, 1)
        )

    fresh = RolloutPlan.objects.get(pk=plan.pk)
    assert (fresh.seed, fresh.result_hash) == (1234, plan.result_hash)
    assert rollout_verify(plan=fresh).reproduces


def test_an_unlocked_plan_is_not_blocked_by_the_guards(small_agency: SmallAgency) -> None:
    plan = make_plan(small_agency, analyst(small_agency))
    RolloutPlan.objects.filter(pk=plan.pk).update(name="Changed")
    wave = plan.waves.get(number=1)
    wave.ends_on = date(2026, 3, 30)
    wave.save()
    assert RolloutPlan.objects.get(pk=plan.pk).name == "Changed"


# Verification --------------------------------------------------------------------------------


def test_verify_reproduces_from_the_seed(locked_plan: RolloutPlan) -> None:
    result = rollout_verify(plan=locked_plan)
    assert result.applicable
    assert result.reproduces
    assert result.seed == 1234
    assert result.input_hash == locked_plan.input_hash
    assert result.result_hash == locked_plan.result_hash
    assert result.mismatches == ()


def _raw_sql(sql: str, params: list[object]) -> None:
    # Tampering as someone with database access would: around every application guard.
    sql = sql.replace("{plans}", RolloutPlan._meta.db_table)
    sql = sql.replace("{assignments}", WaveAssignment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_notices_an_assignment_changed_behind_the_applications_back(
    locked_plan: RolloutPlan,
) -> None:
    row = WaveAssignment.objects.filter(plan=locked_plan).select_related("wave").first()
    assert row is not None
    other = locked_plan.waves.exclude(pk=row.wave_id).first()
    assert other is not None
    _raw_sql(
        f"UPDATE {WaveAssignment._meta.db_table} SET wave_id = %s WHERE id = %s", [other.pk, row.pk]
    )
    result = rollout_verify(plan=locked_plan)
    assert not result.reproduces
    assert result.mismatches == (member_candidate_id(row.member_id),)


def test_verify_notices_a_changed_seed(locked_plan: RolloutPlan) -> None:
    _raw_sql(
        f"UPDATE {RolloutPlan._meta.db_table} SET seed = %s WHERE id = %s", [4321, locked_plan.pk]
    )
    locked_plan.refresh_from_db()
    result = rollout_verify(plan=locked_plan)
    assert not result.reproduces
    assert "differ" in result.problem


def test_verify_notices_a_removed_candidate(locked_plan: RolloutPlan) -> None:
    row = WaveAssignment.objects.filter(plan=locked_plan).first()
    assert row is not None
    _raw_sql("DELETE FROM {assignments} WHERE id = %s", [row.pk])
    result = rollout_verify(plan=locked_plan)
    assert not result.reproduces
    assert result.input_hash != locked_plan.input_hash


def test_cli_verify_prints_yes_and_exits_zero(locked_plan: RolloutPlan) -> None:
    out = StringIO()
    call_command("rollout", "verify", str(locked_plan.pk), stdout=out)
    assert "Reproduces from seed 1234: yes" in out.getvalue()
    assert locked_plan.result_hash in out.getvalue()


def test_cli_verify_fails_when_the_assignment_was_tampered_with(locked_plan: RolloutPlan) -> None:
    _raw_sql(
        f"UPDATE {RolloutPlan._meta.db_table} SET seed = %s WHERE id = %s", [1, locked_plan.pk]
    )
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("rollout", "verify", str(locked_plan.pk), stdout=out)
    assert exc.value.returncode == 1
    assert "Reproduces from seed 1: NO" in out.getvalue()


def test_cli_verify_names_a_missing_plan(db: None) -> None:
    with pytest.raises(CommandError, match="No roll-out plan with id 999999"):
        call_command("rollout", "verify", "999999", stdout=StringIO())


# Assigning by hand ---------------------------------------------------------------------------


def test_hand_assignment_then_lock(staffed: SmallAgency) -> None:
    sa = staffed
    actor = trainer(sa)
    plan = make_plan(sa, actor, strata=("precinct",))
    rollout_assign(actor=actor, plan=plan, wave_number=1, members=[sa.officer_a1, sa.officer_a2])
    rollout_assign(actor=actor, plan=plan, wave_number=2, members=[sa.officer_b1])
    rollout_assign(actor=actor, plan=plan, wave_number=3, members=[sa.officer_a2])  # moves
    rows = dict(WaveAssignment.objects.filter(plan=plan).values_list("member_id", "wave__number"))
    assert rows == {sa.officer_a1.pk: 1, sa.officer_a2.pk: 3, sa.officer_b1.pk: 2}
    stratum = WaveAssignment.objects.get(plan=plan, member=sa.officer_b1).stratum
    assert stratum == f"precinct={sa.precinct_b.pk:012d}"
    rollout_unassign(actor=actor, plan=plan, members=[sa.officer_b1])
    rollout_lock(actor=actor, plan=plan)
    plan.refresh_from_db()
    assert plan.locked
    assert not plan.randomized
    assert plan.algorithm == "manual"
    assert len(plan.result_hash) == 64
    assert [(e.member_id, e.wave_number) for e in wave_schedule(plan=plan)] == sorted(
        [(sa.officer_a1.pk, 1), (sa.officer_a2.pk, 3)]
    )
    event = AuditEvent.objects.get(action="rollout.lock")
    assert event.changes["per_wave"] == [1, 0, 1]
    verification = rollout_verify(plan=plan)
    assert not verification.applicable
    assert verification.result_hash == plan.result_hash


def test_hand_assignment_refuses_wrong_targets(staffed: SmallAgency) -> None:
    sa = staffed
    actor = trainer(sa)
    plan = make_plan(sa, actor)
    with pytest.raises(InvalidInput):
        rollout_assign(actor=actor, plan=plan, wave_number=1, units=[sa.squad_a1])
    with pytest.raises(InvalidInput):
        rollout_assign(actor=actor, plan=plan, wave_number=7, members=[sa.officer_a1])
    with pytest.raises(InvalidInput):
        rollout_lock(actor=actor, plan=plan)
    rollout_assign(actor=actor, plan=plan, wave_number=1, members=[sa.officer_a1])
    with pytest.raises(ConflictError, match="by hand"):
        rollout_randomize(actor=actor, plan=plan, unit=sa.root, seed=1)


# The evaluation's schedule -------------------------------------------------------------------


def test_wave_schedule_for_members(locked_plan: RolloutPlan, staffed: SmallAgency) -> None:
    schedule = wave_schedule(plan=locked_plan)
    assert len(schedule) == 28
    starts = {w.number: w.starts_on for w in locked_plan.waves.all()}
    for entry in schedule:
        assert entry.wave_start == starts[entry.wave_number]
    by_member = {e.member_id: e.wave_number for e in schedule}
    stored = WaveAssignment.objects.get(plan=locked_plan, member=staffed.officer_a1)
    assert by_member[staffed.officer_a1.pk] == stored.wave.number
    member_id, wave_number, wave_start = schedule[0]  # a plain tuple for the evaluation
    assert (member_id, wave_number, wave_start) == tuple(schedule[0])


def test_unit_plan_schedule_keeps_members_where_they_were_at_randomization(
    staffed: SmallAgency,
) -> None:
    sa = staffed
    actor = analyst(sa)
    plan = make_plan(sa, actor, level="unit", strata=("precinct",))
    rollout_randomize(actor=actor, plan=plan, unit=sa.root, seed=7)
    a1 = WaveAssignment.objects.get(plan=plan, unit=sa.squad_a1)
    assert sorted(a1.unit_member_ids) == sorted(sa.squad_a1.members.values_list("pk", flat=True))
    assert len(a1.unit_member_ids) == 9
    before = {e.member_id: e.wave_number for e in wave_schedule(plan=plan)}
    assert len(before) == 9 + 7 + 9  # three squads; members outside squads are not assigned
    # The officer moves to squad B1 after the draw: they keep squad A1's wave.
    member = sa.officer_a1
    change_member(sa, member, unit=sa.squad_b1)
    after = {e.member_id: e.wave_number for e in wave_schedule(plan=plan)}
    assert after == before
    assert after[member.pk] == a1.wave.number
    event = AuditEvent.objects.get(action="rollout.randomize")
    assert event.changes["members_in_units"] == 25
    assert len(event.changes["unit_members_hash"]) == 64
