"""Builders for tests: a small agency whose related rows always belong together.

Used by every app's tests and by the cross-cutting suites in ``tests/``. Everything goes through
the real services, so test data is audited and validated like real data.
"""

import itertools
from dataclasses import dataclass
from datetime import date

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.accounts.selectors import actor_for_user
from steadyhand.accounts.services import role_grant, user_create
from steadyhand.agencies.models import Agency, Member, Rank, Unit, UnitKind
from steadyhand.agencies.services import agency_create, member_create, unit_create

TEST_PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def system_actor(agency: Agency) -> Actor:
    return Actor.system(agency_id=agency.pk, label="tests", roles=(Role.AGENCY_ADMIN,))


@dataclass
class SmallAgency:
    """agency → bureau → precinct A (squads A1, A2) and precinct B (squad B1)."""

    agency: Agency
    root: Unit
    bureau: Unit
    precinct_a: Unit
    squad_a1: Unit
    squad_a2: Unit
    precinct_b: Unit
    squad_b1: Unit
    sergeant_a1: Member
    officer_a1: Member
    officer_a2: Member
    officer_b1: Member

    @property
    def system(self) -> Actor:
        return system_actor(self.agency)


def make_agency(name: str | None = None) -> SmallAgency:
    n = next(_counter)
    name = name or f"Test Agency {n}"
    agency = agency_create(
        actor=Actor.system(agency_id=0, label="tests", roles=()), name=name, slug=f"test-agency-{n}"
    )
    sys = system_actor(agency)
    root = agency.root_unit
    bureau = unit_create(
        actor=sys, parent=root, name="Patrol Bureau", code="PB", kind=UnitKind.BUREAU
    )
    pa = unit_create(actor=sys, parent=bureau, name="Precinct A", code="PA", kind=UnitKind.PRECINCT)
    a1 = unit_create(actor=sys, parent=pa, name="Squad A1", code="PA-1", kind=UnitKind.SQUAD)
    a2 = unit_create(actor=sys, parent=pa, name="Squad A2", code="PA-2", kind=UnitKind.SQUAD)
    pb = unit_create(
        actor=sys, parent=bureau, name="Precinct B", code="PB-P", kind=UnitKind.PRECINCT
    )
    b1 = unit_create(actor=sys, parent=pb, name="Squad B1", code="PB-1", kind=UnitKind.SQUAD)

    def member(badge: str, rank: str, unit: Unit, supervisor: Member | None = None) -> Member:
        return member_create(
            actor=sys,
            badge=f"{badge}",
            first_name="Test",
            last_name=badge,
            rank=rank,
            unit=unit,
            supervisor=supervisor,
            hire_date=date(2015, 3, 1),
        )

    sgt = member("S100", Rank.SERGEANT, a1)
    return SmallAgency(
        agency=agency,
        root=root,
        bureau=bureau,
        precinct_a=pa,
        squad_a1=a1,
        squad_a2=a2,
        precinct_b=pb,
        squad_b1=b1,
        sergeant_a1=sgt,
        officer_a1=member("O101", Rank.OFFICER, a1, sgt),
        officer_a2=member("O201", Rank.OFFICER, a2),
        officer_b1=member("O301", Rank.OFFICER, b1),
    )


def make_user(
    agency: Agency,
    roles: list[tuple[Role, Unit | None]] | list[Role],
    *,
    member: Member | None = None,
    username: str | None = None,
) -> User:
    sys = system_actor(agency)
    user = user_create(
        actor=sys,
        username=username or f"user{next(_counter)}",
        password=TEST_PASSWORD,
        member=member,
        validate=False,
    )
    for entry in roles:
        role, unit = entry if isinstance(entry, tuple) else (entry, None)
        role_grant(actor=sys, user=user, role=role, unit=unit)
    return user


def actor_of(user: User) -> Actor:
    actor = actor_for_user(user)
    assert actor is not None
    return actor
