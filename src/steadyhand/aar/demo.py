"""Demo after-action reviews: reviews in every state, lessons, agreements and a case library.

Called by the demo generator after its incident history exists (see docs/aar.md). Everything
goes through the services, so demo reviews are validated and audited like real ones; the
facilitators and participants act as system actors carrying their member ids (the demo has no
logins for most members).
"""

import random

from django.db import transaction

from steadyhand import vocabulary as v
from steadyhand.aar import services
from steadyhand.aar.models import AfterActionReview, Lesson
from steadyhand.access.actor import Actor, Grant
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency, Member, Rank
from steadyhand.core.errors import SteadyhandError
from steadyhand.incidents.models import Incident, IncidentStatus

LESSONS = [
    (
        "Create distance and use cover before giving commands to a person in crisis.",
        "Add a distance-and-cover drill to in-service scenario training.",
    ),
    (
        "One officer speaks; the others watch and listen.",
        "Practise one-voice communication in team exercises.",
    ),
    (
        "Ask for a crisis-trained officer as soon as the call type suggests a crisis.",
        "Remind patrol of the crisis intervention request in roll-call training.",
    ),
    (
        "Slow the encounter down when there is no immediate threat; time buys options.",
        "Use the slowing-down module of the de-escalation course.",
    ),
]
SUMMARIES = [
    "Two officers met a person in crisis at a residence; the encounter ended with a control "
    "hold after the person pulled away.",
    "Officers answered a disturbance call; commands came before any conversation and force "
    "followed when the person did not comply.",
]


def _as_member(agency: Agency, member: Member, roles: tuple[Role, ...], label: str) -> Actor:
    return Actor(
        agency_id=agency.pk,
        user_id=None,
        label=f"system:demo-{label}",
        grants=tuple(Grant(role=r) for r in roles),
        member_id=member.pk,
        member_unit_path=member.unit.path,
        is_system=True,
    )


def build_demo_reviews(*, agency: Agency, seed: int, count: int = 24) -> int:
    """Open up to ``count`` reviews of force incidents; returns how many were opened."""
    rng = random.Random(seed)
    sergeants = list(
        Member.objects.filter(agency=agency, rank=Rank.SERGEANT).select_related("unit")
    )
    if not sergeants:
        return 0
    trainer = Actor.system(agency_id=agency.pk, label="demo-trainer", roles=(Role.TRAINER,))
    incidents = (
        Incident.objects.filter(agency=agency, status=IncidentStatus.SUBMITTED, force_used=True)
        .filter(involvements__member__isnull=False)
        .distinct()
        .select_related("unit")
        .order_by("-occurred_at")[: count * 2]
    )
    opened = 0
    for incident in incidents:
        if opened >= count:
            break
        involved = set(incident.involvements.values_list("member_id", flat=True))
        candidates = [s for s in sergeants if s.pk not in involved]
        if not candidates:
            continue
        # The nearest sergeant above the incident's unit, as in a real chain of command.
        path = incident.unit.path
        in_chain = [s for s in candidates if path.startswith(s.unit.path)] or candidates
        nearest = max(len(s.unit.path) for s in in_chain)
        chosen = rng.choice([s for s in in_chain if len(s.unit.path) == nearest])
        facilitator = _as_member(agency, chosen, (Role.SUPERVISOR,), "facilitator")
        try:
            with transaction.atomic():  # a review is built whole or not at all
                aar = services.aar_open(actor=facilitator, incident=incident)
                _walk(rng, facilitator, aar)
                lessons = _lessons(rng, facilitator, aar)
                _agree(rng, agency, aar, lessons)
                if rng.random() < 0.6:
                    aar = AfterActionReview.objects.get(pk=aar.pk)
                    services.aar_close(actor=facilitator, aar=aar, expected_version=aar.version)
                if opened % 4 == 0:
                    _publish(rng, trainer, aar)
        except SteadyhandError:
            continue  # a record the demo data cannot review (e.g. no timeline): skip it
        opened += 1
    return opened


def _walk(rng: random.Random, facilitator: Actor, aar: AfterActionReview) -> None:
    tactics = sorted(v.DE_ESCALATION_TACTICS)
    for event in aar.incident.events.order_by("sequence"):
        is_force = event.kind == v.EventKind.FORCE
        step = v.CDM_STEP_OF_KIND.get(v.EventKind(event.kind))
        services.event_note_save(
            actor=facilitator,
            aar=aar,
            event=event,
            decision_point=is_force or rng.random() < 0.2,
            cdm_step=step.value if step else "",
            went_well="Clear introduction." if event.kind == v.EventKind.COMMUNICATION else "",
            alternative="More distance first." if is_force else "",
            alternative_tactic=rng.choice(tactics[:6]) if is_force else "",
            expected_version=None,
        )


def _lessons(rng: random.Random, facilitator: Actor, aar: AfterActionReview) -> list[Lesson]:
    return [
        services.lesson_add(actor=facilitator, aar=aar, text=text, training_recommendation=rec)
        for text, rec in rng.sample(LESSONS, k=rng.randint(1, 2))
    ]


def _agree(
    rng: random.Random, agency: Agency, aar: AfterActionReview, lessons: list[Lesson]
) -> None:
    for participant in aar.participants.select_related("member__unit"):
        # No login: the member acts through a system actor; the service still checks that
        # this member takes part in the review.
        me = _as_member(agency, participant.member, (Role.OFFICER, Role.SUPERVISOR), "participant")
        for lesson in lessons:
            if rng.random() < 0.8:
                services.lesson_agree(actor=me, lesson=lesson, agree=True)


def _publish(rng: random.Random, trainer: Actor, aar: AfterActionReview) -> None:
    agreed = [
        lesson
        for lesson in aar.lessons.filter(published_in__isnull=True)
        if lesson.agreements.count() == aar.participants.count()
    ]
    if not agreed:
        return
    services.case_library_publish(
        actor=trainer,
        aar=aar,
        lessons=agreed,
        title=agreed[0].text.split(";")[0][:80],
        summary=rng.choice(SUMMARIES),
        lessons_text="\n\n".join(lesson.text for lesson in agreed),
        training_recommendations="\n\n".join(lesson.training_recommendation for lesson in agreed),
    )
