"""Every role, every registered action, against a table written out by hand.

The table is deliberately *not* derived from the registry: it is the second, independent
statement of who may do what, so that a change to the registry that nobody meant shows up here
as a failing test (datasette's ``tests/test_permissions.py`` works the same way). A new action
fails ``test_every_registered_action_has_an_expected_row`` until its row is written.

Pure objects only — no database — so the whole matrix runs in a fraction of a second.
"""

from collections.abc import Set as AbstractSet
from typing import NamedTuple

import pytest

from steadyhand.access.actor import Actor, Grant
from steadyhand.access.policy import Scope, can
from steadyhand.access.registry import ACTIONS
from steadyhand.access.roles import Role

OFF = Role.OFFICER
SUP = Role.SUPERVISOR
COM = Role.COMMANDER
TRN = Role.TRAINER
IA = Role.INTERNAL_AFFAIRS
ANL = Role.ANALYST
AUD = Role.AUDITOR
ADM = Role.AGENCY_ADMIN
EVERYONE = frozenset(Role)
NOBODY: frozenset[Role] = frozenset()

# The actor holds one role, assigned over precinct A (not agency-wide), and is user 100.
AGENCY = 1
OTHER_AGENCY = 2
ROOT = "/1/"
PRECINCT_A = "/1/2/3/"
SQUAD_A1 = "/1/2/3/4/"
SQUAD_B1 = "/1/2/6/7/"
ME = 100
SOMEONE_ELSE = 200


class Expect(NamedTuple):
    """Which roles may take the action, in each case."""

    # the action at all, no object (what navigation and @requires ask)
    anything: AbstractSet[Role]
    # someone else's record in squad A1, inside the actor's precinct A
    subtree: AbstractSet[Role]
    # someone else's record in squad B1, another precinct
    elsewhere: AbstractSet[Role]
    # the actor's own record, filed in squad B1, outside the assignment
    own: AbstractSet[Role]


ADMIN_ONLY = Expect(anything={ADM}, subtree={ADM}, elsewhere=NOBODY, own=NOBODY)
# Actions on one's own records only (acknowledging a policy, answering a survey).
ONLY_ONESELF = Expect(anything=EVERYONE, subtree=NOBODY, elsewhere=NOBODY, own=EVERYONE)


def everywhere(roles: AbstractSet[Role]) -> Expect:
    """An unscoped action: the holders may take it wherever the record is filed."""
    return Expect(anything=roles, subtree=roles, elsewhere=roles, own=roles)


def in_chain(roles: AbstractSet[Role]) -> Expect:
    """A scoped action: the holders may take it inside their unit subtree only."""
    return Expect(anything=roles, subtree=roles, elsewhere=NOBODY, own=NOBODY)


# An object of another agency is refused to every role; see test_another_agency_is_always_refused.
EXPECTED: dict[str, Expect] = {
    "home.view": Expect(anything=EVERYONE, subtree=EVERYONE, elsewhere=EVERYONE, own=EVERYONE),
    "unit.view": Expect(anything=EVERYONE, subtree=EVERYONE, elsewhere=EVERYONE, own=EVERYONE),
    "unit.manage": ADMIN_ONLY,
    "member.view": Expect(
        anything={OFF, SUP, COM, TRN, IA, ADM},
        subtree={SUP, COM, TRN, IA, ADM},
        elsewhere=NOBODY,
        own={OFF},
    ),
    "member.manage": ADMIN_ONLY,
    "member.import": ADMIN_ONLY,
    "account.view": ADMIN_ONLY,
    "account.manage": ADMIN_ONLY,
    "role.assign": ADMIN_ONLY,
    "agency.configure": ADMIN_ONLY,
    "audit.view": Expect(anything={AUD}, subtree={AUD}, elsewhere=NOBODY, own=NOBODY),
    "audit.verify": Expect(anything={AUD, ADM}, subtree={AUD, ADM}, elsewhere=NOBODY, own=NOBODY),
    "job.view": Expect(anything=EVERYONE, subtree={ADM}, elsewhere=NOBODY, own=EVERYONE),
    "aar.view": Expect(
        anything={OFF, SUP, COM, TRN},
        subtree={SUP, COM, TRN},
        elsewhere=NOBODY,
        own={OFF},
    ),
    "aar.facilitate": Expect(anything={SUP, TRN}, subtree={SUP, TRN}, elsewhere=NOBODY, own=NOBODY),
    "policy.view": everywhere(EVERYONE),
    "policy.edit": everywhere({COM, TRN}),
    "policy.approve": everywhere({COM}),
    "policy.publish": everywhere({COM}),
    "policy.acknowledge": ONLY_ONESELF,
    "policy.compliance": in_chain({SUP, COM, TRN, AUD}),
    "training.catalogue": everywhere(EVERYONE),
    "training.manage": everywhere({TRN}),
    "training.record": Expect(
        anything=EVERYONE, subtree={SUP, COM, TRN}, elsewhere=NOBODY, own=EVERYONE
    ),
    "training.import": everywhere({TRN, ADM}),
    "training.report": in_chain({SUP, COM, TRN, ANL, AUD}),
    "mandate.manage": everywhere({TRN, COM}),
    "rollout.view": everywhere({SUP, COM, TRN, ANL, AUD}),
    "rollout.manage": everywhere({TRN, ANL}),
    "survey.manage": everywhere({TRN}),
    "survey.respond": ONLY_ONESELF,
    "survey.results": everywhere({TRN, COM, ANL, AUD}),
    "evaluation.view": everywhere({ANL, COM, TRN, AUD}),
    "evaluation.run": everywhere({ANL}),
    "incident.view": Expect(
        anything=EVERYONE, subtree={SUP, COM, IA}, elsewhere=NOBODY, own=EVERYONE
    ),
    "incident.report": ONLY_ONESELF,
    "incident.statement": ONLY_ONESELF,
    "incident.import": everywhere({ADM, ANL}),
    "incident.export": everywhere({ANL, COM, AUD, ADM}),
    "incident.export_nuofdc": everywhere({ADM, ANL}),
    # The public form: no login, no role; only the agency must match.
    "complaint.submit": everywhere(EVERYONE),
    "complaint.intake": everywhere({IA, SUP, COM}),
    "complaint.view": in_chain({IA, COM}),
    "complaint.manage": in_chain({IA}),
    "complaint.import": everywhere({ADM}),
    "api.token": Expect(anything=EVERYONE, subtree=NOBODY, elsewhere=NOBODY, own=EVERYONE),
    "review.view": Expect(
        anything=EVERYONE, subtree={SUP, COM, IA}, elsewhere=NOBODY, own=EVERYONE
    ),
    "review.act": in_chain({SUP, COM}),
    "review.configure": everywhere({COM}),
    "corrective.manage": in_chain({SUP, COM}),
    "training.assign_remedial": in_chain({SUP, COM, TRN}),
    "aar.themes": everywhere({TRN, COM}),
    "aar.publish": everywhere({TRN}),
    "library.view": everywhere(EVERYONE),
    "commendation.view": everywhere(EVERYONE),
    "commendation.nominate": everywhere(EVERYONE),
    "commendation.nominate_public": everywhere(EVERYONE),
    "commendation.approve": in_chain({SUP, COM}),
    "commendation.configure": everywhere({COM}),
    "intervention.view": Expect(
        anything={OFF, SUP, COM}, subtree={SUP, COM}, elsewhere=NOBODY, own={OFF}
    ),
    "intervention.respond": in_chain({SUP, COM}),
    "intervention.score": everywhere({ADM}),
    "intervention.calibration": everywhere({COM, ANL}),
    "dashboard.view": in_chain({SUP, COM, ANL, AUD, ADM}),
    "transparency.view": everywhere(EVERYONE),
    # Scenarios (issue 7)
    "scenario.play": ONLY_ONESELF,
    "scenario.run_session": everywhere({TRN}),
    "scenario.view_runs": in_chain({SUP, COM, TRN}),
}

# Unscoped actions ignore where a record is filed: for them "elsewhere" equals "subtree".
UNSCOPED = {
    "home.view", "unit.view", "policy.view", "policy.edit", "policy.approve", "policy.publish",
    "training.catalogue", "training.manage", "training.import", "mandate.manage",
    "rollout.view", "rollout.manage", "survey.manage", "survey.results",
    "incident.import", "incident.export", "incident.export_nuofdc", "complaint.submit",
    "complaint.intake", "complaint.import", "api.token", "evaluation.view", "evaluation.run",
    "scenario.run_session", "review.configure", "aar.themes", "aar.publish", "library.view",
    "commendation.view", "commendation.nominate", "commendation.nominate_public",
    "commendation.configure", "intervention.score", "intervention.calibration",
    "transparency.view",
}  # fmt: skip
PUBLIC = {"complaint.submit", "commendation.nominate_public", "transparency.view"}

CASES = list(Expect._fields)
ROLES = list(Role)
# Registered and expected actions both: a row missing on either side fails its own tests.
ACTION_NAMES = sorted(set(ACTIONS) | set(EXPECTED))


def _expected(action: str) -> Expect:
    if action not in EXPECTED:
        pytest.fail(f"{action!r} is registered but has no row in EXPECTED; write one.")
    return EXPECTED[action]


def _actor(role: Role, *, agency_wide: bool = False) -> Actor:
    grant = Grant(role=role) if agency_wide else Grant(role=role, unit_id=3, unit_path=PRECINCT_A)
    return Actor(
        agency_id=AGENCY,
        user_id=ME,
        label=f"{role.value}-user",
        grants=(grant,),
        member_id=ME,
        member_unit_path=SQUAD_A1,
    )


OBJECTS: dict[str, Scope | None] = {
    "anything": None,
    "subtree": Scope(agency_id=AGENCY, unit_path=SQUAD_A1, owner_user_id=SOMEONE_ELSE),
    "elsewhere": Scope(agency_id=AGENCY, unit_path=SQUAD_B1, owner_user_id=SOMEONE_ELSE),
    "own": Scope(agency_id=AGENCY, unit_path=SQUAD_B1, owner_user_id=ME),
}


def test_every_registered_action_has_an_expected_row() -> None:
    missing = sorted(set(ACTIONS) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(ACTIONS))
    assert not missing, f"write the expected permissions of {missing} into EXPECTED"
    assert not stale, f"{stale} are in EXPECTED but no longer registered"


def test_the_unscoped_list_matches_the_registry() -> None:
    assert {name for name, a in ACTIONS.items() if not a.scoped} == UNSCOPED


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("action", ACTION_NAMES)
def test_role_action_case(action: str, role: Role, case: str) -> None:
    expected = role in getattr(_expected(action), case)
    assert can(_actor(role), action, OBJECTS[case]) is expected


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("action", ACTION_NAMES)
def test_another_agency_is_always_refused(action: str, role: Role) -> None:
    for agency_wide in (False, True):
        actor = _actor(role, agency_wide=agency_wide)
        for path in (SQUAD_A1, PRECINCT_A, ROOT, None):
            for owner in (ME, SOMEONE_ELSE, None):
                foreign = Scope(agency_id=OTHER_AGENCY, unit_path=path, owner_user_id=owner)
                assert not can(actor, action, foreign), (agency_wide, path, owner)


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("action", ACTION_NAMES)
def test_an_agency_wide_assignment_reaches_every_precinct(action: str, role: Role) -> None:
    actor = _actor(role, agency_wide=True)
    # Someone else's record anywhere in the agency, or at agency level, is allowed exactly
    # where the record inside the subtree was for the unit-scoped assignment.
    expected = role in _expected(action).subtree
    for path in (SQUAD_A1, SQUAD_B1, None):
        scope = Scope(agency_id=AGENCY, unit_path=path, owner_user_id=SOMEONE_ELSE)
        assert can(actor, action, scope) is expected, path


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("action", ACTION_NAMES)
def test_a_unit_scoped_assignment_does_not_reach_agency_level_records(
    action: str, role: Role
) -> None:
    agency_level = Scope(agency_id=AGENCY, unit_path=None, owner_user_id=SOMEONE_ELSE)
    expected = role in _expected(action).subtree and action in UNSCOPED
    assert can(_actor(role), action, agency_level) is expected


@pytest.mark.parametrize("action", ACTION_NAMES)
def test_no_roles_no_access(action: str) -> None:
    nobody = Actor(agency_id=AGENCY, user_id=ME, label="no-roles")
    for scope in OBJECTS.values():
        assert can(nobody, action, scope) is (action in PUBLIC)


def test_the_public_list_matches_the_registry() -> None:
    assert {name for name, a in ACTIONS.items() if a.public} == PUBLIC


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_every_member_involved_in_an_incident_owns_it(role: Role) -> None:
    """An incident has several owners (everyone on scene); each of them is an owner."""
    shared = Scope(agency_id=AGENCY, unit_path=SQUAD_B1, owner_user_ids=frozenset({7, ME}))
    not_mine = Scope(agency_id=AGENCY, unit_path=SQUAD_B1, owner_user_ids=frozenset({7, 8}))
    assert can(_actor(role), "incident.view", shared)
    assert not can(_actor(role), "incident.view", not_mine)


def test_a_system_actor_has_only_the_roles_it_is_given() -> None:
    sys_admin = Actor.system(agency_id=AGENCY, label="cli", roles=(ADM,))
    assert can(sys_admin, "member.manage", OBJECTS["elsewhere"])
    assert not can(sys_admin, "audit.view")
    assert not can(sys_admin, "aar.view")
