"""Builders for the report tests: people of the small agency, and reports filed through the
real services (so test data is validated and audited like real data)."""

from dataclasses import dataclass
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.incidents import services
from steadyhand.incidents.models import Incident, Involvement, Subject
from steadyhand.incidents.services import EventInput


@dataclass
class People:
    agency: SmallAgency
    officer: Actor  # officer_a1 (squad A1), the reporter in most tests
    partner: Actor  # officer_a2 (squad A2), a second officer on scene
    officer_b: Actor  # officer_b1 (squad B1), not on scene
    sergeant: Actor  # sergeant_a1, supervisor over precinct A
    supervisor_b: Actor  # supervisor over precinct B
    analyst: Actor
    no_member: Actor  # an officer login not linked to a member record


def make_people(a: SmallAgency) -> People:
    return People(
        agency=a,
        officer=actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a1)),
        partner=actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a2)),
        officer_b=actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_b1)),
        sergeant=actor_of(
            make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)], member=a.sergeant_a1)
        ),
        supervisor_b=actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_b)])),
        analyst=actor_of(make_user(a.agency, [Role.ANALYST])),
        no_member=actor_of(make_user(a.agency, [Role.OFFICER])),
    )


def client_for(actor: Actor) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


def fresh(incident: Incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def draft(actor: Actor, **overrides: object) -> Incident:
    fields: dict[str, object] = {
        "occurred_at": timezone.now() - timedelta(hours=3),
        "contact_type": "dispatched",
        "call_type": "Person in crisis",
        "location": "1200 block of Main St",
    }
    fields.update(overrides)
    return services.incident_create_draft(actor=actor, **fields)  # type: ignore[arg-type]


def add_subject(actor: Actor, incident: Incident, **attributes: object) -> Subject:
    incident = fresh(incident)
    return services.subject_add(
        actor=actor,
        incident=incident,
        expected_version=incident.version,
        attributes={"race": "white", "sex": "male", "age_band": "25_34", **attributes},
    )


def add_event(actor: Actor, incident: Incident, kind: str, code: str, **fields: object) -> object:
    incident = fresh(incident)
    position = fields.pop("position", None)
    return services.event_add(
        actor=actor,
        incident=incident,
        expected_version=incident.version,
        data=EventInput(kind=kind, code=code, **fields),  # type: ignore[arg-type]
        position=position,  # type: ignore[arg-type]
    )


def primary(incident: Incident) -> Involvement:
    return incident.involvements.get(member_id=incident.reported_by_id)


def force_report(actor: Actor, *, resistance_first: bool = True) -> Incident:
    """A complete report of an encounter that ended in force: arrival, tactics, resistance,
    force, custody. Without ``resistance_first`` the force comes before any behaviour."""
    incident = draft(actor)
    subject = add_subject(actor, incident, mental_health_crisis=True)
    me = primary(incident).pk
    add_event(actor, incident, "arrival", "arrives", actor_involvement_id=me, offset_seconds=0)
    add_event(
        actor, incident, "communication", "introduce_self", actor_involvement_id=me,
        offset_seconds=20,
    )  # fmt: skip
    if resistance_first:
        add_event(
            actor, incident, "subject_behaviour", "pulls_away", actor_subject_id=subject.pk,
            offset_seconds=60,
        )  # fmt: skip
    add_event(
        actor, incident, "force", "control_hold", actor_involvement_id=me,
        target_subject_id=subject.pk, offset_seconds=75,
    )  # fmt: skip
    add_event(
        actor, incident, "resolution", "custody_with_force", actor_involvement_id=me,
        offset_seconds=120,
    )  # fmt: skip
    incident = fresh(incident)
    return services.incident_update(
        actor=actor,
        incident=incident,
        expected_version=incident.version,
        fields={"de_escalation_attempted": True, "supervisor_notified": True},
    )
