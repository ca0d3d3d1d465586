"""Every read is scoped by agency and chain of command, in the database, in one query."""

import pytest

from steadyhand.access.roles import Role
from steadyhand.agencies.selectors import member_list_visible, unit_subtree
from steadyhand.core.testing import SmallAgency, actor_of, make_user

pytestmark = pytest.mark.django_db


def test_agency_wide_reader_sees_only_their_own_agency(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    actor = actor_of(make_user(small_agency.agency, [Role.INTERNAL_AFFAIRS]))
    agencies = {m.agency_id for m in member_list_visible(actor=actor)}
    assert agencies == {small_agency.agency.pk}


def test_scoped_supervisor_list_is_one_query_whatever_the_depth(
    small_agency: SmallAgency, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    a = small_agency
    actor = actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)]))
    with django_assert_num_queries(1):
        badges = {m.badge for m in member_list_visible(actor=actor)}
    assert badges == {a.sergeant_a1.badge, a.officer_a1.badge, a.officer_a2.badge}


def test_supervisor_with_two_scopes_sees_both_subtrees(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = actor_of(
        make_user(a.agency, [(Role.SUPERVISOR, a.squad_a2), (Role.SUPERVISOR, a.squad_b1)])
    )
    badges = {m.badge for m in member_list_visible(actor=actor)}
    assert badges == {a.officer_a2.badge, a.officer_b1.badge}


def test_officer_sees_only_their_own_record(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    assert [m.pk for m in member_list_visible(actor=actor)] == [a.officer_a1.pk]


def test_role_without_member_access_sees_no_members(small_agency: SmallAgency) -> None:
    actor = actor_of(make_user(small_agency.agency, [Role.ANALYST]))
    assert not member_list_visible(actor=actor).exists()


def test_subtree_is_a_prefix_query(small_agency: SmallAgency, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    a = small_agency
    with django_assert_num_queries(1):
        codes = {u.code for u in unit_subtree(unit=a.bureau)}
    assert codes == {"PB", "PA", "PA-1", "PA-2", "PB-P", "PB-1"}
