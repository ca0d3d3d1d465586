"""A submitted force incident in squad A1 with two officers on scene, and the people around it.

Everything goes through the real services, so the data is validated and audited like real data.
"""

from dataclasses import dataclass
from datetime import date

from steadyhand.aar import services
from steadyhand.aar.models import AfterActionReview, Lesson
from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member, Rank
from steadyhand.agencies.services import member_create
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.incidents import services as incident_services
from steadyhand.incidents.models import Incident
from steadyhand.incidents.tests.report_factories import force_report, fresh

# Distinctive strings the wall tests look for in every response an IA user gets.
NOTES = "Facilitator-notes-zebra-7781"
WENT_WELL = "Went-well-quokka-4410"
ALTERNATIVE = "Alternative-pangolin-9923"
LESSON = "Lesson-narwhal-5561"
RECOMMENDATION = "Recommendation-axolotl-3307"


@dataclass
class Scene:
    agency: SmallAgency
    incident: Incident
    officer: Actor  # officer_a1, reported the incident
    partner: Actor  # officer_a2, cover officer
    sergeant: Actor  # supervisor over precinct A (sergeant_a1): the facilitator
    supervisor_b: Actor  # supervisor over precinct B: outside the chain
    trainer: Actor  # agency-wide trainer with a member record
    commander: Actor
    bystander: Actor  # officer_b1: not involved
    ia: Actor  # agency-wide internal affairs


def trainer_member(a: SmallAgency) -> Member:
    return member_create(
        actor=a.system,
        badge="T900",
        first_name="Tess",
        last_name="Trainor",
        rank=Rank.SERGEANT,
        unit=a.bureau,
        supervisor=None,
        hire_date=date(2012, 1, 1),
    )


def make_scene(a: SmallAgency) -> Scene:
    officer = actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a1))
    partner = actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_a2))
    incident = force_report(officer)
    incident = fresh(incident)
    incident_services.involvement_add(
        actor=officer,
        incident=incident,
        expected_version=incident.version,
        badge=a.officer_a2.badge,
        role_on_scene="cover",
    )
    incident = fresh(incident)
    incident_services.incident_submit(
        actor=officer, incident=incident, expected_version=incident.version
    )
    return Scene(
        agency=a,
        incident=fresh(incident),
        officer=officer,
        partner=partner,
        sergeant=actor_of(
            make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)], member=a.sergeant_a1)
        ),
        supervisor_b=actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_b)])),
        trainer=actor_of(make_user(a.agency, [Role.TRAINER], member=trainer_member(a))),
        commander=actor_of(make_user(a.agency, [Role.COMMANDER])),
        bystander=actor_of(make_user(a.agency, [Role.OFFICER], member=a.officer_b1)),
        ia=actor_of(make_user(a.agency, [Role.INTERNAL_AFFAIRS])),
    )


def reviewed(scene: Scene) -> tuple[AfterActionReview, Lesson]:
    """An open review with facilitator notes, every event discussed and one lesson."""
    aar = services.aar_open(actor=scene.sergeant, incident=scene.incident)
    aar = services.aar_notes_update(
        actor=scene.sergeant, aar=aar, notes=NOTES, expected_version=aar.version
    )
    for event in scene.incident.events.order_by("sequence"):
        services.event_note_save(
            actor=scene.sergeant,
            aar=aar,
            event=event,
            decision_point=event.kind == "force",
            cdm_step="options" if event.kind == "force" else "",
            went_well=WENT_WELL if event.kind == "communication" else "",
            alternative=ALTERNATIVE if event.kind == "force" else "",
            alternative_tactic="create_distance" if event.kind == "force" else "",
            expected_version=None,
        )
    lesson = services.lesson_add(
        actor=scene.sergeant, aar=aar, text=LESSON, training_recommendation=RECOMMENDATION
    )
    return AfterActionReview.objects.get(pk=aar.pk), lesson
