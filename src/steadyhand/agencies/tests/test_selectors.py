"""Reads of units and members: subtree filters, the counted tree, and chain-of-command scoping."""

from datetime import date

import pytest

from steadyhand.access.roles import Role
from steadyhand.agencies.models import MemberStatus
from steadyhand.agencies.selectors import (
    UnitNode,
    member_chain,
    member_get_visible,
    member_list_visible,
    unit_ancestors,
    unit_get_visible,
    unit_subtree,
    unit_tree,
)
from steadyhand.agencies.services import member_create, member_update
from steadyhand.core.errors import NotFound
from steadyhand.core.testing import SmallAgency, actor_of, make_user

pytestmark = pytest.mark.django_db


def _badges(members: object) -> set[str]:
    return {m.badge for m in members}  # type: ignore[attr-defined]


def _flatten(nodes: list[UnitNode]) -> dict[str, UnitNode]:
    found: dict[str, UnitNode] = {}
    for node in nodes:
        found[node.unit.code] = node
        found.update(_flatten(node.children))
    return found


def test_unit_subtree_is_the_unit_and_everything_below_it(small_agency: SmallAgency) -> None:
    codes = {u.code for u in unit_subtree(unit=small_agency.precinct_a)}
    assert codes == {"PA", "PA-1", "PA-2"}


def test_the_subtree_of_a_leaf_unit_is_only_that_unit(small_agency: SmallAgency) -> None:
    codes = {u.code for u in unit_subtree(unit=small_agency.squad_a1)}
    assert codes == {"PA-1"}


def test_unit_ancestors_are_listed_root_first(small_agency: SmallAgency) -> None:
    ancestors = unit_ancestors(unit=small_agency.squad_a1)
    assert [u.code for u in ancestors] == ["ROOT", "PB", "PA"]


def test_unit_tree_nests_units_and_counts_members_in_one_query(
    small_agency: SmallAgency, django_assert_num_queries: object
) -> None:
    actor = actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    with django_assert_num_queries(1):  # type: ignore[operator]
        roots = unit_tree(actor=actor)
    assert [r.unit.code for r in roots] == ["ROOT"]
    assert [c.unit.code for c in roots[0].children] == ["PB"]
    assert [c.unit.code for c in roots[0].children[0].children] == ["PA", "PB-P"]
    nodes = _flatten(roots)
    assert (nodes["PA-1"].members_here, nodes["PA-1"].members_total) == (2, 2)
    assert (nodes["PA"].members_here, nodes["PA"].members_total) == (0, 3)
    assert nodes["ROOT"].members_total == 4


def test_unit_tree_counts_only_the_members_a_scoped_supervisor_may_see(
    small_agency: SmallAgency,
) -> None:
    actor = actor_of(make_user(small_agency.agency, [(Role.SUPERVISOR, small_agency.precinct_a)]))
    nodes = _flatten(unit_tree(actor=actor))
    assert nodes["PA"].members_total == 3
    assert nodes["PB-1"].members_here == 0
    assert nodes["ROOT"].members_total == 3


def test_unit_tree_shows_no_counts_to_a_role_without_member_access(
    small_agency: SmallAgency,
) -> None:
    actor = actor_of(make_user(small_agency.agency, [Role.ANALYST]))
    nodes = _flatten(unit_tree(actor=actor))
    assert len(nodes) == 7
    assert all(n.members_here is None and n.members_total is None for n in nodes.values())


def test_unit_tree_of_another_agency_is_never_mixed_in(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    actor = actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    units = _flatten(unit_tree(actor=actor)).values()
    assert {n.unit.agency_id for n in units} == {small_agency.agency.pk}


def test_member_list_unit_filter_takes_the_whole_subtree(small_agency: SmallAgency) -> None:
    actor = actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    in_a = member_list_visible(actor=actor, unit=small_agency.precinct_a)
    assert _badges(in_a) == {"S100", "O101", "O201"}
    in_a1 = member_list_visible(actor=actor, unit=small_agency.squad_a1)
    assert _badges(in_a1) == {"S100", "O101"}


def test_member_list_status_and_search_filters(small_agency: SmallAgency) -> None:
    s = small_agency
    actor = actor_of(make_user(s.agency, [Role.AGENCY_ADMIN]))
    member_update(
        actor=s.system,
        member=s.officer_b1,
        expected_version=s.officer_b1.version,
        badge="O301",
        first_name="Test",
        last_name="Quillfeather",
        rank=s.officer_b1.rank,
        unit=s.squad_b1,
        hire_date=s.officer_b1.hire_date,
        supervisor=None,
        status=MemberStatus.LEAVE,
    )
    assert _badges(member_list_visible(actor=actor, status=MemberStatus.LEAVE)) == {"O301"}
    assert _badges(member_list_visible(actor=actor, search="quill")) == {"O301"}
    assert _badges(member_list_visible(actor=actor, search="o201")) == {"O201"}
    assert _badges(member_list_visible(actor=actor, search="nobody")) == set()


def test_a_supervisor_never_sees_outside_their_subtree_even_when_filtering_there(
    small_agency: SmallAgency,
) -> None:
    actor = actor_of(make_user(small_agency.agency, [(Role.SUPERVISOR, small_agency.precinct_a)]))
    assert _badges(member_list_visible(actor=actor)) == {"S100", "O101", "O201"}
    assert _badges(member_list_visible(actor=actor, unit=small_agency.precinct_b)) == set()


def test_an_officer_sees_only_their_own_member_record(small_agency: SmallAgency) -> None:
    user = make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1)
    actor = actor_of(user)
    assert _badges(member_list_visible(actor=actor)) == {"O101"}
    assert member_get_visible(actor=actor, member_id=small_agency.officer_a1.pk).badge == "O101"
    with pytest.raises(NotFound):
        member_get_visible(actor=actor, member_id=small_agency.sergeant_a1.pk)


def test_records_of_another_agency_are_not_found(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    actor = actor_of(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    with pytest.raises(NotFound):
        member_get_visible(actor=actor, member_id=other_agency.officer_a1.pk)
    with pytest.raises(NotFound):
        unit_get_visible(actor=actor, unit_id=other_agency.precinct_a.pk)


def test_member_chain_lists_supervisors_nearest_first(small_agency: SmallAgency) -> None:
    s = small_agency
    captain = member_create(
        actor=s.system,
        badge="C900",
        first_name="Test",
        last_name="C900",
        rank="captain",
        unit=s.precinct_a,
        hire_date=date(2001, 1, 1),
    )
    member_update(
        actor=s.system,
        member=s.sergeant_a1,
        expected_version=None,
        badge="S100",
        first_name="Test",
        last_name="S100",
        rank="sergeant",
        unit=s.squad_a1,
        hire_date=s.sergeant_a1.hire_date,
        supervisor=captain,
        status="active",
    )
    s.officer_a1.refresh_from_db()
    assert [m.badge for m in member_chain(member=s.officer_a1)] == ["S100", "C900"]
    assert member_chain(member=captain) == []
