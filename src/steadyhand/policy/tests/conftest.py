"""Fixtures for the policy tests: one user per role that matters here, in the small agency."""

from dataclasses import dataclass

import pytest

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.policy.tests.factories import policy_system


@dataclass
class People:
    agency: SmallAgency
    system: Actor  # the command line, as a commander (may backdate publication)
    commander: Actor
    trainer: Actor
    officer: Actor  # linked to officer_a1 (squad A1)
    officer_b: Actor  # linked to officer_b1 (squad B1)
    supervisor_a: Actor  # sergeant_a1, supervisor over precinct A
    supervisor_b: Actor  # supervisor over precinct B, no member record
    auditor: Actor


@pytest.fixture
def people(small_agency: SmallAgency) -> People:
    a = small_agency
    return People(
        agency=a,
        system=policy_system(a.agency),
        commander=actor_of(make_user(a.agency, [Role.COMMANDER])),
        trainer=actor_of(make_user(a.agency, [Role.TRAINER])),
        officer=actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a1)),
        officer_b=actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_b1)),
        supervisor_a=actor_of(
            make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)], member=a.sergeant_a1)
        ),
        supervisor_b=actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_b)])),
        auditor=actor_of(make_user(a.agency, [Role.AUDITOR])),
    )
