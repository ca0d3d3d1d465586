"""Reads of after-action reviews. Every query here is filtered by ``visible_q`` on an ``aar.*``
action (or ``library.view`` for the de-identified library), so an actor holding
internal_affairs gets no rows at all: the wall is in the WHERE clause, not in the templates.

Opening a review (``aar_get_visible``) is logged with ``audit_read`` (PRODUCT.md,
non-negotiable 2). Lists show no content and are not logged row by row.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from steadyhand.aar.deidentify import KnownIdentifiers, word_candidates
from steadyhand.aar.models import (
    AarStatus,
    AfterActionReview,
    CaseLibraryEntry,
    EventNote,
    Lesson,
    LessonAgreement,
    Participant,
)
from steadyhand.aar.themes import ALT_PREFIX, CDM_PREFIX, ReviewFacts, Themes, summarise
from steadyhand.access.actor import Actor
from steadyhand.access.querying import visible_q
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.audit.services import audit_read
from steadyhand.core.errors import NotFound
from steadyhand.incidents.models import Incident, IncidentStatus, TimelineEvent


def _participating(user_id: int) -> Q:
    return Q(pk__in=Participant.objects.filter(member__user_account__id=user_id).values("aar_id"))


def aars_visible(*, actor: Actor, action: str = "aar.view") -> QuerySet[AfterActionReview]:
    """Reviews ``actor`` may take ``action`` on: their chain's, and those they take part in."""
    return AfterActionReview.objects.filter(
        visible_q(actor, action, unit_path_field="incident__unit__path", owned_q=_participating)
    ).select_related("incident", "incident__unit", "facilitator")


def aar_get_visible(*, actor: Actor, aar_id: int, log_read: bool = True) -> AfterActionReview:
    """One review, or ``NotFound`` whether it is missing or not ``actor``'s to see. Logged."""
    aar = aars_visible(actor=actor).filter(pk=aar_id).first()
    if aar is None:
        raise NotFound(f"No after-action review {aar_id}.")
    if log_read:
        with transaction.atomic():
            audit_read(actor=actor, obj=aar)
    return aar


def incidents_awaiting_review(*, actor: Actor) -> QuerySet[Incident]:
    """Submitted incidents in the actor's chain (``aar.facilitate``) that have no review yet."""
    reviewed = AfterActionReview.objects.filter(incident_id=OuterRef("pk"))
    return (
        Incident.objects.filter(
            visible_q(actor, "aar.facilitate", unit_path_field="unit__path"),
            status=IncidentStatus.SUBMITTED,
        )
        .exclude(Exists(reviewed))
        .select_related("unit")
    )


def incident_for_review(*, actor: Actor, incident_id: int) -> Incident:
    incident = (
        Incident.objects.filter(visible_q(actor, "aar.facilitate", unit_path_field="unit__path"))
        .filter(pk=incident_id)
        .select_related("unit")
        .first()
    )
    if incident is None:
        raise NotFound(f"No incident {incident_id}.")
    return incident


def reviews_to_facilitate(*, actor: Actor) -> QuerySet[AfterActionReview]:
    """Open reviews the actor facilitates."""
    if actor.member_id is None:
        return AfterActionReview.objects.none()
    return aars_visible(actor=actor, action="aar.facilitate").filter(
        facilitator_id=actor.member_id, status=AarStatus.OPEN
    )


def participant_of(*, actor: Actor, aar: AfterActionReview) -> Participant | None:
    """The actor's own place in the review, if they take part in it."""
    if actor.member_id is None:
        return None
    return (
        Participant.objects.filter(aar__in=aars_visible(actor=actor))
        .filter(aar=aar, member_id=actor.member_id)
        .first()
    )


def lessons_awaiting_agreement(*, actor: Actor) -> QuerySet[Lesson]:
    """Unpublished lessons of reviews the actor takes part in that they have not agreed to."""
    if actor.member_id is None:
        return Lesson.objects.none()
    mine = Participant.objects.filter(member_id=actor.member_id)
    agreed = LessonAgreement.objects.filter(
        lesson_id=OuterRef("pk"), participant__member_id=actor.member_id
    )
    return (
        Lesson.objects.filter(aar__in=aars_visible(actor=actor))
        .filter(aar__in=mine.values("aar_id"), published_in__isnull=True)
        .exclude(Exists(agreed))
        .select_related("aar")
    )


@dataclass(frozen=True)
class WalkRow:
    """One timeline event and what the review made of it (``note`` None: not discussed yet)."""

    event: TimelineEvent
    note: EventNote | None


def walkthrough(*, actor: Actor, aar: AfterActionReview) -> list[WalkRow]:
    visible = aars_visible(actor=actor)
    notes = {n.event_id: n for n in EventNote.objects.filter(aar__in=visible).filter(aar_id=aar.pk)}
    events = (
        TimelineEvent.objects.filter(incident_id=aar.incident_id)
        .filter(incident__in=visible.values("incident_id"))
        .select_related("actor_involvement__member", "actor_subject", "target_subject")
        .order_by("sequence")
    )
    return [WalkRow(event, notes.get(event.pk)) for event in events]


def event_for_note(*, actor: Actor, aar: AfterActionReview, event_id: int) -> WalkRow:
    for row in walkthrough(actor=actor, aar=aar):
        if row.event.pk == event_id:
            return row
    raise NotFound(f"No event {event_id} in this review.")


def participants(*, actor: Actor, aar: AfterActionReview) -> list[Participant]:
    return list(
        Participant.objects.filter(aar__in=aars_visible(actor=actor))
        .filter(aar_id=aar.pk)
        .select_related("member")
    )


@dataclass(frozen=True)
class LessonRow:
    lesson: Lesson
    agreed_by: list[Participant]
    waiting_for: list[Participant]

    @property
    def agreed_by_all(self) -> bool:
        return bool(self.agreed_by) and not self.waiting_for


def lesson_rows(*, actor: Actor, aar: AfterActionReview) -> list[LessonRow]:
    people = participants(actor=actor, aar=aar)
    lessons = list(
        Lesson.objects.filter(aar__in=aars_visible(actor=actor))
        .filter(aar_id=aar.pk)
        .prefetch_related("agreements")
    )
    rows = []
    for lesson in lessons:
        agreed = {a.participant_id for a in lesson.agreements.all()}
        rows.append(
            LessonRow(
                lesson,
                [p for p in people if p.pk in agreed],
                [p for p in people if p.pk not in agreed],
            )
        )
    return rows


def lesson_get(*, actor: Actor, aar: AfterActionReview, lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.filter(aar__in=aars_visible(actor=actor))
        .filter(aar_id=aar.pk, pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise NotFound(f"No lesson {lesson_id} in this review.")
    return lesson


# The case library (de-identified; every member reads it) -------------------------------------


def library_entries(*, actor: Actor) -> QuerySet[CaseLibraryEntry]:
    return CaseLibraryEntry.objects.filter(visible_q(actor, "library.view"))


def library_entry_get(*, actor: Actor, entry_id: int) -> CaseLibraryEntry:
    entry = library_entries(actor=actor).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"No case-library entry {entry_id}.")
    return entry


# Themes (aggregate counts, small groups suppressed) -------------------------------------------

UNIT_LEVELS = {1: "Agency", 2: "Bureau", 3: "Precinct or division", 4: "Squad"}


def quarter_of(when: datetime, tz: ZoneInfo) -> str:
    local = when.astimezone(tz)
    return f"{local.year} Q{(local.month - 1) // 3 + 1}"


def review_themes(*, actor: Actor, level: int = 3) -> Themes:
    """Counts of CDM steps and alternatives across the agency's reviews (``aar.themes``), by
    the quarter of the encounter and the unit ``level`` deep in the tree (3: precinct)."""
    aars = list(aars_visible(actor=actor, action="aar.themes"))
    notes = EventNote.objects.filter(
        aar__in=aars_visible(actor=actor, action="aar.themes")
    ).values_list("aar_id", "decision_point", "cdm_step", "alternative_tactic")
    categories: dict[int, set[str]] = {aar.pk: set() for aar in aars}
    for aar_id, decision_point, step, alternative in notes:
        if decision_point and step:
            categories[aar_id].add(f"{CDM_PREFIX}{step}")
        if alternative:
            categories[aar_id].add(f"{ALT_PREFIX}{alternative}")
    tz_name = Agency.objects.filter(pk=actor.agency_id).values_list("timezone", flat=True).first()
    tz = ZoneInfo(tz_name or "UTC")
    facts = []
    for aar in aars:
        ids = [int(part) for part in aar.incident.unit.path.strip("/").split("/")]
        facts.append(
            ReviewFacts(
                quarter=quarter_of(aar.incident.occurred_at, tz),
                unit_id=ids[min(level, len(ids)) - 1],
                categories=frozenset(categories[aar.pk]),
            )
        )
    labels = dict(
        Unit.objects.filter(
            agency_id=actor.agency_id, pk__in={f.unit_id for f in facts}
        ).values_list("pk", "name")
    )
    return summarise(facts, labels)


def known_identifiers(*, aar: AfterActionReview, texts: Sequence[str]) -> KnownIdentifiers:
    incident = aar.incident
    close: set[str] = set()
    for member in Member.objects.filter(pk__in=[aar.facilitator_id]) | Member.objects.filter(
        pk__in=aar.participants.values("member_id")
    ):
        close |= {member.first_name.lower(), member.last_name.lower(), member.full_name.lower()}
    agency_names: set[str] = set()
    for first, last in Member.objects.filter(agency_id=aar.agency_id).values_list(
        "first_name", "last_name"
    ):
        agency_names |= {first.lower(), last.lower(), f"{first} {last}".lower()}
    candidates: set[str] = set()
    for text in texts:
        candidates |= word_candidates(text)
    badges = Member.objects.filter(agency_id=aar.agency_id, badge__in=candidates).values_list(
        "badge", flat=True
    )
    cases = Incident.objects.filter(
        agency_id=aar.agency_id, case_number__in=candidates
    ).values_list("case_number", flat=True)
    other_ids = {
        *incident.subjects.exclude(external_id="").values_list("external_id", flat=True),
        *incident.involvements.exclude(external_id="").values_list("external_id", flat=True),
    }
    return KnownIdentifiers(
        close_names=frozenset(n for n in close if n),
        agency_names=frozenset(n for n in agency_names if len(n) > 1),
        badges=frozenset(b.lower() for b in badges),
        case_numbers=frozenset({incident.case_number.lower(), *(c.lower() for c in cases)}),
        other_ids=frozenset(i.lower() for i in other_ids if len(i) > 2),
        locations=frozenset({incident.location.lower()} if len(incident.location) > 4 else ()),
    )
