"""The after-action-review wall (PRODUCT.md, non-negotiable 1), proven exhaustively.

An actor who holds ``internal_affairs`` — alone or with any of the other seven roles, each
assigned agency-wide or over a unit — is refused every ``aar.*`` action, with or without an
object, on any record including their own; ``visible_q`` gives them no rows; and the registry
refuses an ``aar.*`` action that would let them in.
"""

import itertools
from collections.abc import Iterator

import pytest
from django.db.models import Q

from steadyhand.access import registry
from steadyhand.access.actor import Actor, Grant
from steadyhand.access.policy import Scope, can
from steadyhand.access.querying import visible_q
from steadyhand.access.registry import ACTIONS, WALLS, RegistryError, register
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member
from steadyhand.core.testing import SmallAgency, make_user

IA = Role.INTERNAL_AFFAIRS
OTHERS = [r for r in Role if r is not IA]
# Every subset of roles that contains internal_affairs: 2**7 = 128.
SUBSETS = [
    (IA, *extra)
    for size in range(len(OTHERS) + 1)
    for extra in itertools.combinations(OTHERS, size)
]
AAR_ACTIONS = sorted(name for name in ACTIONS if name.startswith("aar."))

AGENCY = 1
ME = 100
PRECINCT_A = "/1/2/3/"
SQUAD_A1 = "/1/2/3/4/"
SQUAD_B1 = "/1/2/6/7/"

OBJECTS: list[Scope | None] = [
    None,
    Scope(agency_id=AGENCY),  # agency-level record
    Scope(agency_id=AGENCY, unit_path=SQUAD_A1),
    Scope(agency_id=AGENCY, unit_path=SQUAD_B1),
    Scope(agency_id=AGENCY, unit_path=SQUAD_A1, owner_user_id=200),
    Scope(agency_id=AGENCY, unit_path=SQUAD_A1, owner_user_id=ME),  # own, inside the scope
    Scope(agency_id=AGENCY, unit_path=SQUAD_B1, owner_user_id=ME),  # own, outside it
    Scope(agency_id=AGENCY, unit_path=None, owner_user_id=ME),
]


def _grants(roles: tuple[Role, ...]) -> Iterator[tuple[Grant, ...]]:
    """Every way of assigning each role agency-wide or over precinct A, plus IA held twice."""
    for scoped in itertools.product((False, True), repeat=len(roles)):
        grants = tuple(
            Grant(role=r, unit_id=3, unit_path=PRECINCT_A) if s else Grant(role=r)
            for r, s in zip(roles, scoped, strict=True)
        )
        yield grants
    # Internal affairs held both agency-wide and over a unit, beside everything else.
    yield (Grant(role=IA, unit_id=9, unit_path=SQUAD_B1), *(Grant(role=r) for r in roles))


def _actors(roles: tuple[Role, ...], agency_id: int = AGENCY) -> Iterator[Actor]:
    for grants in _grants(roles):
        yield Actor(
            agency_id=agency_id,
            user_id=ME,
            label="wall-test",
            grants=grants,
            member_id=ME,
            member_unit_path=SQUAD_A1,
        )
    yield Actor.system(agency_id=agency_id, label="wall-test", roles=roles)


def test_there_are_128_subsets_and_aar_actions_to_test() -> None:
    assert len(SUBSETS) == 2**7 == len(set(SUBSETS))
    assert all(IA in s for s in SUBSETS)
    assert {"aar.view", "aar.facilitate"} <= set(AAR_ACTIONS)


def test_the_wall_names_internal_affairs() -> None:
    assert IA in WALLS["aar"]
    for name in AAR_ACTIONS:
        assert IA in ACTIONS[name].walled_from


@pytest.mark.parametrize("roles", SUBSETS, ids=lambda s: "+".join(r.value for r in s))
def test_internal_affairs_with_any_other_roles_is_refused_every_aar_action(
    roles: tuple[Role, ...],
) -> None:
    checked = 0
    for actor in _actors(roles):
        for action in AAR_ACTIONS:
            for obj in OBJECTS:
                assert not can(actor, action, obj), (actor.grants, action, obj)
                checked += 1
            q = visible_q(
                actor,
                action,
                unit_path_field="unit__path",
                owner_user_field="user_account__id",
            )
            assert q == Q(pk__in=[]), (actor.grants, action)
    assert checked >= len(AAR_ACTIONS) * len(OBJECTS) * 2 ** len(roles)


@pytest.mark.parametrize("roles", SUBSETS[1:], ids=lambda s: "+".join(r.value for r in s))
def test_the_same_roles_without_internal_affairs_are_not_all_refused(
    roles: tuple[Role, ...],
) -> None:
    # The control: without the wall, some of these combinations do reach AARs — so the test
    # above refuses them because of internal_affairs, not because nobody can see an AAR.
    without = tuple(r for r in roles if r is not IA)
    actor = Actor(agency_id=AGENCY, user_id=ME, label="control", grants=tuple(map(Grant, without)))
    allowed = any(can(actor, a) for a in AAR_ACTIONS)
    expected = bool(set(without) & {Role.OFFICER, Role.SUPERVISOR, Role.COMMANDER, Role.TRAINER})
    assert allowed is expected


def test_the_wall_holds_on_the_self_role_route() -> None:
    # aar.view lets an officer read a review of their own incident (a self role). An officer
    # who also holds internal_affairs may not, even for their own record.
    own = Scope(agency_id=AGENCY, unit_path=SQUAD_A1, owner_user_id=ME)
    officer = Actor(agency_id=AGENCY, user_id=ME, label="o", grants=(Grant(Role.OFFICER),))
    officer_and_ia = Actor(
        agency_id=AGENCY,
        user_id=ME,
        label="o+ia",
        grants=(Grant(Role.OFFICER), Grant(IA, unit_id=9, unit_path=SQUAD_B1)),
    )
    assert Role.OFFICER in ACTIONS["aar.view"].self_roles
    assert can(officer, "aar.view", own)
    assert can(officer, "aar.view")
    assert not can(officer_and_ia, "aar.view", own)
    assert not can(officer_and_ia, "aar.view")


def test_the_wall_holds_for_a_new_self_role_aar_action(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "ACTIONS", dict(registry.ACTIONS))
    register("aar.comment", "Comment on one's own review.", {Role.TRAINER}, self_roles=set(OTHERS))
    own = Scope(agency_id=AGENCY, unit_path=SQUAD_A1, owner_user_id=ME)
    for roles in SUBSETS:
        for actor in _actors(roles):
            assert not can(actor, "aar.comment", own)
            assert not can(actor, "aar.comment")


@pytest.mark.parametrize(
    ("roles", "self_roles"),
    [
        ({IA}, set()),
        ({Role.SUPERVISOR, IA}, set()),
        ({Role.SUPERVISOR}, {IA}),
        ({Role.SUPERVISOR}, {Role.OFFICER, IA}),
        (set(Role), set()),
    ],
)
def test_register_refuses_an_aar_action_that_names_internal_affairs(
    monkeypatch: pytest.MonkeyPatch, roles: set[Role], self_roles: set[Role]
) -> None:
    monkeypatch.setattr(registry, "ACTIONS", dict(registry.ACTIONS))
    before = set(registry.ACTIONS)
    with pytest.raises(RegistryError, match="wall"):
        register("aar.export", "Export reviews.", roles, self_roles=self_roles)
    assert set(registry.ACTIONS) == before


def test_register_allows_internal_affairs_outside_the_wall(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The control: the refusal above is about the aar category, not about the role.
    monkeypatch.setattr(registry, "ACTIONS", dict(registry.ACTIONS))
    action = register("complaint.investigate", "Investigate a complaint.", {IA})
    assert registry.ACTIONS["complaint.investigate"] is action


@pytest.mark.django_db
def test_visible_q_finds_no_rows_for_internal_affairs(small_agency: SmallAgency) -> None:
    # Real rows and a real own record: the officer's member record belongs to this user.
    user = make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1)
    members = Member.objects.filter(agency=small_agency.agency)
    assert members.count() >= 4

    def rows(actor: Actor, action: str) -> int:
        q = visible_q(
            actor, action, unit_path_field="unit__path", owner_user_field="user_account__id"
        )
        return members.filter(q).count()

    ia_unit = Grant(IA, unit_id=small_agency.squad_b1.pk, unit_path=small_agency.squad_b1.path)
    officer = Grant(Role.OFFICER)
    supervisor = Grant(Role.SUPERVISOR)
    plain = Actor(agency_id=small_agency.agency.pk, user_id=user.pk, label="o", grants=(officer,))
    assert rows(plain, "aar.view") == 1  # the control: their own record
    for grants in [(officer, ia_unit), (supervisor, Grant(IA)), (officer, supervisor, ia_unit)]:
        actor = Actor(agency_id=small_agency.agency.pk, user_id=user.pk, label="ia", grants=grants)
        for action in AAR_ACTIONS:
            assert rows(actor, action) == 0, (grants, action)
