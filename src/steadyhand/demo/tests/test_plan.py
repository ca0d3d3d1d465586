"""The plan is pure: the same seed gives the same agency on paper, with a sound chain of command."""

from collections import Counter
from datetime import timedelta

import pytest

from steadyhand.access.roles import Role
from steadyhand.agencies.models import MemberStatus, Rank, UnitKind
from steadyhand.demo.names import FIRST_NAMES, LAST_NAMES
from steadyhand.demo.plan import (
    LOGIN_BASES,
    MAX_SERVICE_YEARS,
    RANK_LEVEL,
    REFERENCE_DATE,
    ROOT_CODE,
    login_username,
    plan_demo_agency,
)


def test_same_seed_gives_the_same_plan() -> None:
    assert plan_demo_agency(seed=7, officers=120) == plan_demo_agency(seed=7, officers=120)


def test_different_seeds_give_different_rosters() -> None:
    first = plan_demo_agency(seed=1, officers=120)
    second = plan_demo_agency(seed=2, officers=120)
    assert [(m.badge, m.first_name, m.last_name) for m in first.members] != [
        (m.badge, m.first_name, m.last_name) for m in second.members
    ]


def test_the_global_random_state_does_not_leak_into_the_plan() -> None:
    import random

    random.seed(1)
    first = plan_demo_agency(seed=3, officers=60)
    random.seed(99)
    assert plan_demo_agency(seed=3, officers=60) == first


@pytest.mark.parametrize("officers", [30, 60, 400, 1200])
def test_every_member_but_the_chief_reports_to_someone_planned_earlier_who_outranks_them(
    officers: int,
) -> None:
    plan = plan_demo_agency(seed=5, officers=officers)
    seen: dict[str, str] = {}
    chiefs = 0
    for member in plan.members:
        if member.rank == Rank.CHIEF:
            chiefs += 1
            assert member.supervisor_badge is None
        else:
            assert member.supervisor_badge in seen, f"{member.badge} has no earlier supervisor"
            assert RANK_LEVEL[seen[member.supervisor_badge]] > RANK_LEVEL[member.rank]
        seen[member.badge] = member.rank
    assert chiefs == 1


@pytest.mark.parametrize("officers", [30, 60, 400, 1200])
def test_the_roster_has_the_asked_number_of_officers_and_a_sergeant_per_eight(
    officers: int,
) -> None:
    plan = plan_demo_agency(seed=1, officers=officers)
    ranks = Counter(m.rank for m in plan.members)
    assert ranks[Rank.OFFICER] + ranks[Rank.DETECTIVE] == officers
    patrol = [m for m in plan.members if m.unit_code.startswith("P") and m.unit_code != "PS"]
    patrol_officers = sum(m.rank == Rank.OFFICER for m in patrol)
    patrol_sergeants = sum(m.rank == Rank.SERGEANT for m in patrol)
    assert 4 <= patrol_officers / patrol_sergeants <= 8
    assert ranks[Rank.CHIEF] == 1
    assert ranks[Rank.DEPUTY_CHIEF] == 3
    assert ranks[Rank.CIVILIAN] >= 3
    assert ranks[Rank.RECRUIT] >= 2


def test_the_tree_grows_with_the_agency() -> None:
    small = plan_demo_agency(seed=1, officers=60)
    large = plan_demo_agency(seed=1, officers=400)

    def count(plan_units: tuple, kind: str) -> int:
        return sum(u.kind == kind for u in plan_units)

    assert count(small.units, UnitKind.PRECINCT) == 2
    assert count(large.units, UnitKind.PRECINCT) > count(small.units, UnitKind.PRECINCT)
    assert count(large.units, UnitKind.SQUAD) > count(small.units, UnitKind.SQUAD)
    names = {u.name for u in large.units}
    assert {"Patrol Bureau", "Investigations Bureau", "Support Bureau"} <= names
    assert {"Training Academy", "Professional Standards"} <= names


def test_units_come_after_their_parents_and_codes_are_unique() -> None:
    plan = plan_demo_agency(seed=1, officers=400)
    known = {ROOT_CODE}
    for unit in plan.units:
        assert unit.parent_code in known
        assert unit.code not in known
        known.add(unit.code)
    assert all(m.unit_code in known for m in plan.members)


def test_badges_and_full_names_are_unique_and_names_come_from_the_lists() -> None:
    plan = plan_demo_agency(seed=1, officers=400)
    assert len({m.badge for m in plan.members}) == len(plan.members)
    assert len({(m.first_name, m.last_name) for m in plan.members}) == len(plan.members)
    assert all(m.first_name in FIRST_NAMES and m.last_name in LAST_NAMES for m in plan.members)


def test_hire_dates_span_thirty_years_weighted_to_recent_hires() -> None:
    plan = plan_demo_agency(seed=1, officers=400)
    earliest = REFERENCE_DATE - timedelta(days=round(MAX_SERVICE_YEARS * 365.25))
    assert all(earliest <= m.hire_date <= REFERENCE_DATE for m in plan.members)
    years = [(REFERENCE_DATE - m.hire_date).days / 365.25 for m in plan.members]
    assert max(years) > 20
    assert sum(y < 10 for y in years) > sum(y >= 10 for y in years)
    chief = next(m for m in plan.members if m.rank == Rank.CHIEF)
    assert (REFERENCE_DATE - chief.hire_date).days >= 20 * 365


def test_a_few_members_are_on_leave_or_separated() -> None:
    plan = plan_demo_agency(seed=1, officers=400)
    statuses = Counter(m.status for m in plan.members)
    assert 0 < statuses[MemberStatus.LEAVE] < 30
    assert 0 < statuses[MemberStatus.SEPARATED] < 30
    assert statuses[MemberStatus.ACTIVE] > 0.9 * len(plan.members)
    supervisors = {m.supervisor_badge for m in plan.members}
    assert all(m.status == MemberStatus.ACTIVE for m in plan.members if m.badge in supervisors), (
        "every supervisor is active, so each chain of command is whole"
    )


def test_one_login_per_role_linked_to_fitting_active_members() -> None:
    plan = plan_demo_agency(seed=1, officers=60)
    assert tuple(login.base for login in plan.logins) == LOGIN_BASES
    assert {login.role for login in plan.logins} == set(Role)
    by_base = {login.base: login for login in plan.logins}
    expected_rank = {
        "officer": Rank.OFFICER,
        "sergeant": Rank.SERGEANT,
        "lieutenant": Rank.LIEUTENANT,
        "captain": Rank.CAPTAIN,
        "chief": Rank.CHIEF,
        "ia": Rank.LIEUTENANT,
    }
    for base, rank in expected_rank.items():
        member = plan.member(by_base[base].member_badge or "")
        assert member.rank == rank
        assert member.status == MemberStatus.ACTIVE
    officer = plan.member(by_base["officer"].member_badge or "")
    sergeant = plan.member(officer.supervisor_badge or "")
    assert sergeant.badge == by_base["sergeant"].member_badge
    assert sergeant.supervisor_badge == by_base["lieutenant"].member_badge
    assert plan.member(sergeant.supervisor_badge or "").supervisor_badge == (
        by_base["captain"].member_badge
    )
    assert by_base["auditor"].member_badge is None


def test_out_of_range_sizes_are_refused_with_the_limits() -> None:
    with pytest.raises(ValueError, match="between 30 and 5000"):
        plan_demo_agency(seed=1, officers=10)


def test_logins_of_a_second_demo_agency_carry_its_slug() -> None:
    assert login_username("demo", "officer") == "officer"
    assert login_username("demo-b", "officer") == "demo-b-officer"
