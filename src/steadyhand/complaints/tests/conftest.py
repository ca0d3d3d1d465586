"""Fixtures for the complaint tests: one user per role that matters here, in the small agency."""

from dataclasses import dataclass

import pytest

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.core.testing import SmallAgency, actor_of, make_user


@dataclass
class People:
    agency: SmallAgency
    ia: Actor  # internal affairs, agency-wide
    ia_b: Actor  # internal affairs over precinct B only
    commander_a: Actor  # commander over precinct A
    commander_b: Actor  # commander over precinct B
    commander: Actor  # commander, agency-wide
    supervisor: Actor  # sergeant_a1, supervisor over squad A1
    officer: Actor  # officer_a1
    analyst: Actor


@pytest.fixture
def people(small_agency: SmallAgency) -> People:
    a = small_agency
    return People(
        agency=a,
        ia=actor_of(make_user(a.agency, [Role.INTERNAL_AFFAIRS])),
        ia_b=actor_of(make_user(a.agency, [(Role.INTERNAL_AFFAIRS, a.precinct_b)])),
        commander_a=actor_of(make_user(a.agency, [(Role.COMMANDER, a.precinct_a)])),
        commander_b=actor_of(make_user(a.agency, [(Role.COMMANDER, a.precinct_b)])),
        commander=actor_of(make_user(a.agency, [Role.COMMANDER])),
        supervisor=actor_of(
            make_user(a.agency, [(Role.SUPERVISOR, a.squad_a1)], member=a.sergeant_a1)
        ),
        officer=actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a1)),
        analyst=actor_of(make_user(a.agency, [Role.ANALYST])),
    )
