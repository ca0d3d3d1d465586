"""Builders for the recognition tests: a chain of command over the small agency and submitted
incidents with the evidence a suggestion reads.

Incidents are written directly (the incident services have their own tests); everything of
this app goes through its services.
"""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Member, Rank, Unit
from steadyhand.agencies.services import member_create
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.incidents.models import Incident, IncidentStatus, Involvement, Subject
from steadyhand.recognition import services
from steadyhand.recognition.models import AwardType, Nomination

_n = itertools.count(1)


@dataclass
class People:
    a: SmallAgency
    captain: Member  # bureau
    officer: Actor  # officer_a1 (squad A1); sergeant_a1 is their supervisor
    partner: Actor  # officer_a2 (squad A2)
    officer_b: Actor  # officer_b1 (squad B1)
    sergeant: Actor  # sergeant_a1: supervisor over precinct A
    captain_actor: Actor  # commander over the bureau
    board: Actor  # commander agency-wide, no member
    supervisor_b: Actor  # supervisor over precinct B (another chain)
    ia: Actor
    analyst: Actor
    admin: Actor


def make_people(a: SmallAgency) -> People:
    captain = member_create(
        actor=a.system, badge="C300", first_name="Carla", last_name="Stone", rank=Rank.CAPTAIN,
        unit=a.bureau, supervisor=None, hire_date=date(2005, 1, 3),
    )  # fmt: skip

    def user(roles: list[tuple[Role, Unit | None]], member: Member | None = None) -> Actor:
        return actor_of(make_user(a.agency, roles, member=member))

    return People(
        a=a,
        captain=captain,
        officer=user([(Role.OFFICER, None)], a.officer_a1),
        partner=user([(Role.OFFICER, None)], a.officer_a2),
        officer_b=user([(Role.OFFICER, None)], a.officer_b1),
        sergeant=user([(Role.SUPERVISOR, a.precinct_a)], a.sergeant_a1),
        captain_actor=user([(Role.COMMANDER, a.bureau)], captain),
        board=user([(Role.COMMANDER, None)]),
        supervisor_b=user([(Role.SUPERVISOR, a.precinct_b)]),
        ia=user([(Role.INTERNAL_AFFAIRS, None)]),
        analyst=user([(Role.ANALYST, None)]),
        admin=user([(Role.AGENCY_ADMIN, None)]),
    )


def client_for(actor: Actor) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


def incident(
    a: SmallAgency,
    *,
    members: tuple[Member, ...] | None = None,
    force: int | None = None,
    resistance: int | None = None,
    armed_with: str = "none",
    status: str = IncidentStatus.SUBMITTED,
) -> Incident:
    """A submitted incident in squad A1 with ``members`` on scene (officer_a1 by default)."""
    members = members if members is not None else (a.officer_a1,)
    found = Incident.objects.create(
        agency=a.agency,
        case_number=f"R-{next(_n):05d}",
        unit=members[0].unit if members else a.squad_a1,
        status=status,
        occurred_at=timezone.now() - timedelta(days=2),
        contact_type="dispatched",
        force_used=force is not None,
        highest_force_level=force,
        highest_resistance=resistance,
        reported_by=members[0] if members else None,
        submitted_at=timezone.now() if status == IncidentStatus.SUBMITTED else None,
        de_escalation_attempted=True,
    )
    for i, member in enumerate(members):
        Involvement.objects.create(
            incident=found, member=member, role_on_scene="primary" if i == 0 else "cover"
        )
    Subject.objects.create(incident=found, armed_with=armed_with, highest_resistance=resistance)
    return found


def award(p: People, name: str = "Preservation of life") -> AwardType:
    return services.award_type_create(
        actor=p.captain_actor, name=name, description="Life saved without force."
    )


def fresh(nomination: Nomination) -> Nomination:
    return Nomination.objects.select_related("unit", "member").get(pk=nomination.pk)


def nominate(p: People, *, by: Actor | None = None, member: Member | None = None) -> Nomination:
    return services.nomination_create(
        actor=by or p.partner,
        member=member or p.a.officer_a1,
        narrative="Talked a man in crisis into putting the knife down.",
    )


def approved(p: People, *, award_type: AwardType | None = None) -> Nomination:
    """A nomination of officer_a1 through both steps."""
    n = nominate(p)
    n = services.nomination_approve(actor=p.sergeant, nomination=n, expected_version=n.version)
    return services.nomination_approve(
        actor=p.captain_actor,
        nomination=n,
        expected_version=n.version,
        award_type=award_type or award(p),
    )
