"""Commendations in every state for the demo agency, written through the real services.

For the demo generator to call after the incident history (``build_commendations(agency)``):
the agency gets award types; the incidents the evidence suggests are nominated (one click, as a
supervisor would) and walked, deterministically by position, to each state — waiting for the
supervisor, waiting for a commander, approved (some consented to and published), declined; a
colleague's nomination and a public one are added. Each person acts as themselves: a system
actor carrying their member id and the grant their rank implies, labelled ``demo:<badge>``.
"""

from dataclasses import dataclass

from steadyhand.access.actor import Actor, Grant
from steadyhand.access.decorators import public_actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency, Member, MemberStatus, Rank
from steadyhand.recognition import selectors, services
from steadyhand.recognition.models import AwardType, NameDisplay, Nomination

SUGGESTED = 16
AWARDS = (
    ("Preservation of life", "A life saved, or kept from harm, without force or with the least."),
    ("De-escalation", "A tense encounter slowed down and resolved without force."),
    ("Community service", "Care for a member of the public beyond the call."),
)
COMMANDER_RANKS = (Rank.CAPTAIN, Rank.COMMANDER, Rank.DEPUTY_CHIEF, Rank.CHIEF)


@dataclass(frozen=True)
class CommendationCounts:
    awards: int
    nominated: int
    approved: int
    published: int
    declined: int


def _acting(agency: Agency, member: Member, role: Role) -> Actor:
    return Actor(
        agency_id=agency.pk,
        user_id=None,
        label=f"demo:{member.badge}",
        grants=(Grant(role=role),),
        member_id=member.pk,
        member_unit_path=member.unit.path,
        is_system=True,
    )


def _first(agency: Agency, ranks: tuple[str, ...], *, besides: int | None) -> Member | None:
    found = Member.objects.filter(agency=agency, rank__in=ranks, status=MemberStatus.ACTIVE)
    if besides is not None:
        found = found.exclude(pk=besides)
    return found.select_related("unit").order_by("pk").first()


def _awards(agency: Agency, chief: Actor) -> list[AwardType]:
    existing = {a.name: a for a in AwardType.objects.filter(agency=agency)}
    return [
        existing.get(name) or services.award_type_create(actor=chief, name=name, description=text)
        for name, text in AWARDS
    ]


def build_commendations(agency: Agency) -> CommendationCounts:
    commander = _first(agency, COMMANDER_RANKS, besides=None)
    sergeant = _first(agency, (Rank.SERGEANT, Rank.LIEUTENANT), besides=None)
    if commander is None or sergeant is None:
        return CommendationCounts(0, 0, 0, 0, 0)
    chief = _acting(agency, commander, Role.COMMANDER)
    awards = _awards(agency, chief)
    made: list[Nomination] = []
    for i, suggestion in enumerate(selectors.suggestions(actor=chief, limit=SUGGESTED)):
        member = suggestion.members[0]
        if member.pk == commander.pk:
            continue
        supervisor = member.supervisor if member.supervisor_id else sergeant
        if supervisor is None or supervisor.pk == member.pk:
            supervisor = _first(agency, (Rank.SERGEANT, Rank.LIEUTENANT), besides=member.pk)
        if supervisor is None:
            continue
        first = _acting(agency, supervisor, Role.SUPERVISOR)
        n = services.nomination_from_suggestion(
            actor=first, incident=suggestion.incident, member=member
        )
        made.append(n)
        stage = i % 4
        if stage == 0:
            continue  # waiting for the supervisor
        if stage == 3:
            services.nomination_decline(
                actor=first,
                nomination=n,
                expected_version=n.version,
                reason="Commended for this encounter already, through the unit's own awards.",
            )
            continue
        n = services.nomination_approve(actor=first, nomination=n, expected_version=n.version)
        if stage == 1:
            continue  # waiting for a commander
        n = services.nomination_approve(
            actor=chief, nomination=n, expected_version=n.version, award_type=awards[i % 2]
        )
        if i % 8 == 2:
            n = services.nomination_consent(
                actor=_acting(agency, member, Role.OFFICER),
                nomination=n,
                expected_version=n.version,
                consent=True,
                name_display=NameDisplay.FIRST_LAST_INITIAL,
            )
            services.nomination_publish(
                actor=chief,
                nomination=n,
                expected_version=n.version,
                citation="Kept a dangerous encounter calm and brought it to an end without "
                "anyone being hurt.",
            )
    colleague = _first(agency, (Rank.OFFICER,), besides=sergeant.pk)
    if colleague is not None:
        made.append(
            services.nomination_create(
                actor=_acting(agency, colleague, Role.OFFICER),
                member=sergeant,
                narrative="Stayed on scene after shift to find a lost child's family, and "
                "taught the rest of us how to talk to a frightened kid.",
                award_type=awards[2],
            )
        )
    services.nomination_submit_public(
        actor=public_actor(agency_id=agency.pk),
        narrative="My brother was in crisis on the bridge. The officer talked with him for an "
        "hour and never raised her voice. He is alive because of her.",
        officer_description="A woman officer, short dark hair, on the river bridge in March",
    )
    rows = Nomination.objects.filter(agency=agency)
    return CommendationCounts(
        awards=len(awards),
        nominated=rows.count(),
        approved=rows.filter(status="approved").count(),
        published=rows.filter(published=True).count(),
        declined=rows.filter(status="declined").count(),
    )
