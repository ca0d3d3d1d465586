"""``visible_q`` (the WHERE clause selectors use) agrees with ``can`` row by row."""

from datetime import date
from typing import Any

import pytest

from steadyhand.access.actor import Actor, Grant
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.access.registry import ACTIONS
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Member, Rank
from steadyhand.agencies.services import member_create
from steadyhand.core.testing import SmallAgency, actor_of, make_user

pytestmark = pytest.mark.django_db


def _sample_actors(a: SmallAgency, b: SmallAgency) -> dict[str, Actor]:
    """Real users (so "own record" is a real link), each with a telling mix of grants."""

    def user(roles: list[Any], member: Member | None = None, agency: SmallAgency = a) -> User:
        return make_user(agency.agency, roles, member=member)

    officer = user([Role.OFFICER], member=a.officer_a1)
    sergeant = user([Role.OFFICER, (Role.SUPERVISOR, a.squad_a1)], member=a.sergeant_a1)
    actors = {
        "officer with own record": actor_of(officer),
        "officer without a member record": actor_of(user([Role.OFFICER])),
        "sergeant over squad A1": actor_of(sergeant),
        "commander over precinct A": actor_of(user([(Role.COMMANDER, a.precinct_a)])),
        "commander agency-wide": actor_of(user([Role.COMMANDER])),
        "trainer over B and A2": actor_of(
            user([(Role.TRAINER, a.precinct_b), (Role.TRAINER, a.squad_a2)])
        ),
        "internal affairs": actor_of(user([Role.INTERNAL_AFFAIRS])),
        "internal affairs and officer": actor_of(
            user([Role.INTERNAL_AFFAIRS, Role.OFFICER], member=a.officer_b1)
        ),
        "analyst": actor_of(user([Role.ANALYST])),
        "auditor": actor_of(user([Role.AUDITOR])),
        "administrator": actor_of(user([Role.AGENCY_ADMIN])),
        "administrator over the bureau": actor_of(user([(Role.AGENCY_ADMIN, a.bureau)])),
        "no roles": actor_of(user([])),
        "other agency administrator": actor_of(user([Role.AGENCY_ADMIN], agency=b)),
        "other agency officer": actor_of(user([Role.OFFICER], member=b.officer_a2, agency=b)),
    }
    # A pure actor whose grant path no unit has, and one that belongs to no agency at all.
    actors["grant on a unit path that matches nothing"] = Actor(
        agency_id=a.agency.pk,
        user_id=None,
        label="odd",
        grants=(Grant(Role.SUPERVISOR, unit_id=0, unit_path="/999999/"),),
    )
    return actors


def _members_higher_up(a: SmallAgency) -> None:
    """Members filed above the squads too: at the root, the bureau and a precinct."""
    for badge, unit in (("R1", a.root), ("BU1", a.bureau), ("PA1", a.precinct_a)):
        member_create(
            actor=a.system,
            badge=badge,
            first_name="Test",
            last_name=badge,
            rank=Rank.LIEUTENANT,
            unit=unit,
            hire_date=date(2010, 5, 1),
        )


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_visible_q_equals_can_for_every_member(
    small_agency: SmallAgency, other_agency: SmallAgency, action: str
) -> None:
    for agency in (small_agency, other_agency):
        _members_higher_up(agency)
    actors = _sample_actors(small_agency, other_agency)
    members = list(
        Member.objects.filter(agency__in=[small_agency.agency, other_agency.agency])
        .select_related("unit", "user_account")
        .order_by("pk")
    )
    assert len(members) >= 14
    assert any(hasattr(m, "user_account") for m in members)

    for name, actor in actors.items():
        by_query = set(
            Member.objects.filter(
                visible_q(
                    actor,
                    action,
                    unit_path_field="unit__path",
                    owner_user_field="user_account__id",
                )
            ).values_list("pk", flat=True)
        )
        by_can = {m.pk for m in members if can(actor, action, m)}
        assert by_query == by_can, (
            f"{name}: query-only {by_query - by_can}, can-only {by_can - by_query}"
        )


def test_the_sample_covers_partial_visibility(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    # The comparison above is only telling if some actors see some members but not all.
    actors = _sample_actors(small_agency, other_agency)
    total = Member.objects.filter(agency=small_agency.agency).count()
    sizes = {
        name: Member.objects.filter(
            visible_q(
                actor,
                "member.view",
                unit_path_field="unit__path",
                owner_user_field="user_account__id",
            )
        ).count()
        for name, actor in actors.items()
    }
    assert sizes["officer with own record"] == 1
    assert sizes["officer without a member record"] == 0
    assert 0 < sizes["sergeant over squad A1"] < total
    assert 0 < sizes["commander over precinct A"] < total
    assert sizes["commander agency-wide"] == total
    assert sizes["internal affairs"] == total
    assert sizes["analyst"] == 0
    assert (
        sizes["other agency administrator"]
        == Member.objects.filter(agency=other_agency.agency).count()
    )
