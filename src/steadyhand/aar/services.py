"""Writes of after-action reviews and the case library. Each: check permission, check state,
validate, save, audit — in one transaction.

**What the audit log holds about an AAR.** The auditor role reads the audit log, and an actor
may hold auditor and internal_affairs at once. So AAR events record record ids and the *names*
of changed fields only, never their values, never the incident's id or case number (that would
reveal that an incident has a review), and ``__str__`` of every AAR model is an id. The content
stays behind the wall in the AAR tables.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from steadyhand import vocabulary as v
from steadyhand.aar.deidentify import find_problems
from steadyhand.aar.locks import lock_aar
from steadyhand.aar.models import (
    ALTERNATIVE_CHOICES,
    AarStatus,
    AfterActionReview,
    CaseLibraryEntry,
    EventNote,
    Lesson,
    LessonAgreement,
    Participant,
)
from steadyhand.aar.selectors import known_identifiers
from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.agencies.models import Member
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound, PermissionDenied
from steadyhand.core.versioning import check_version
from steadyhand.incidents.models import Incident, IncidentStatus, TimelineEvent

MAX_TEXT = 4000
_ALTERNATIVES = {code for code, _ in ALTERNATIVE_CHOICES}
_CDM_STEPS = {step.value for step in v.CdmStep}


def _text(field: str, value: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput({field: ["Write something here."]})
    if len(value) > MAX_TEXT:
        raise InvalidInput({field: [f"Keep this under {MAX_TEXT} characters."]})
    return value


def _as_facilitator(*, actor: Actor, aar: AfterActionReview) -> AfterActionReview:
    """The locked review, if the actor is its facilitator and it is still open."""
    locked = lock_aar(actor=actor, aar=aar)
    ensure(actor, "aar.facilitate", locked)
    if actor.member_id is None or locked.facilitator_id != actor.member_id:
        raise PermissionDenied("aar.facilitate", "Only the review's facilitator may do this.")
    if not locked.is_open:
        raise InvalidInput({"status": ["This review is closed; it can no longer be changed."]})
    return locked


def _audit(
    *, actor: Actor, action: str, obj: Model, fields: Sequence[str] = (), **ids: int | None
) -> None:
    # Field names and record ids only: see the module docstring for why.
    changes: dict[str, object] = {"fields": sorted(fields)} if fields else {}
    changes.update({k: val for k, val in ids.items() if val is not None})
    audit_record(actor=actor, action=action, obj=obj, changes=changes)


# Opening and closing -------------------------------------------------------------------------


@transaction.atomic
def aar_open(*, actor: Actor, incident: Incident) -> AfterActionReview:
    """Open the review of a submitted incident in the actor's chain; the members involved
    become its participants. The facilitator must not be one of them."""
    found = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=incident.pk, agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No incident {incident.pk}.")
    incident = found
    ensure(actor, "aar.facilitate", incident)
    if actor.member_id is None:
        raise InvalidInput(
            {"facilitator": ["Your login is not linked to a member record; ask an administrator."]}
        )
    if incident.status != IncidentStatus.SUBMITTED:
        raise InvalidInput({"incident": ["Only a submitted incident report can be reviewed."]})
    if AfterActionReview.objects.filter(incident=incident).exists():
        raise InvalidInput({"incident": ["This incident already has an after-action review."]})
    members = list(
        Member.objects.filter(involvements__incident=incident, agency_id=actor.agency_id).distinct()
    )
    if not members:
        raise InvalidInput(
            {"incident": ["No member on the roster was involved; there is no one to review with."]}
        )
    if any(m.pk == actor.member_id for m in members):
        raise InvalidInput(
            {"facilitator": ["You were involved in this incident; another facilitator must lead."]}
        )
    aar = AfterActionReview.objects.create(
        agency_id=actor.agency_id, incident=incident, facilitator_id=actor.member_id
    )
    Participant.objects.bulk_create(Participant(aar=aar, member=m) for m in members)
    # No incident id in the event: it would tell the audit log's readers which incident has one.
    _audit(actor=actor, action="aar.open", obj=aar, participants=len(members))
    return aar


@transaction.atomic
def aar_notes_update(
    *, actor: Actor, aar: AfterActionReview, notes: str, expected_version: int | None
) -> AfterActionReview:
    locked = _as_facilitator(actor=actor, aar=aar)
    check_version(locked, expected_version)
    locked.notes = _text("notes", notes)
    locked.save(update_fields=["notes", "version", "updated_at"])
    _audit(actor=actor, action="aar.notes", obj=locked, fields=["notes"])
    return locked


@transaction.atomic
def aar_close(
    *, actor: Actor, aar: AfterActionReview, expected_version: int | None
) -> AfterActionReview:
    locked = _as_facilitator(actor=actor, aar=aar)
    check_version(locked, expected_version)
    locked.status = AarStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "version", "updated_at"])
    _audit(actor=actor, action="aar.close", obj=locked, fields=["status"])
    return locked


# Walking the timeline ------------------------------------------------------------------------


@transaction.atomic
def event_note_save(
    *,
    actor: Actor,
    aar: AfterActionReview,
    event: TimelineEvent,
    decision_point: bool,
    cdm_step: str,
    went_well: str,
    alternative: str,
    alternative_tactic: str,
    expected_version: int | None,
) -> EventNote:
    """Record what the review made of one timeline event (create or update its note)."""
    locked = _as_facilitator(actor=actor, aar=aar)
    if event.incident_id != locked.incident_id:
        raise NotFound(f"No event {event.pk} in this review.")
    errors: dict[str, list[str]] = {}
    if cdm_step and cdm_step not in _CDM_STEPS:
        errors["cdm_step"] = [f"“{cdm_step}” is not a step of the Critical Decision-Making Model."]
    if alternative_tactic and alternative_tactic not in _ALTERNATIVES:
        errors["alternative_tactic"] = [f"“{alternative_tactic}” is not a de-escalation tactic."]
    if errors:
        raise InvalidInput(errors)
    values = {
        "decision_point": decision_point,
        "cdm_step": cdm_step,
        "went_well": _text("went_well", went_well),
        "alternative": _text("alternative", alternative),
        "alternative_tactic": alternative_tactic,
    }
    note = EventNote.objects.select_for_update().filter(aar=locked, event=event).first()
    if note is None:
        note = EventNote(aar=locked, event=event, **values)
        note.save()
        changed = [k for k, val in values.items() if val]
    else:
        # A form that showed no note posts version 0: someone else wrote one meanwhile.
        check_version(note, expected_version)
        changed = [k for k, val in values.items() if getattr(note, k) != val]
        for k, val in values.items():
            setattr(note, k, val)
        note.save()
    _audit(actor=actor, action="aar.note", obj=note, fields=changed, aar=locked.pk)
    return note


# Lessons and agreement -----------------------------------------------------------------------


@transaction.atomic
def lesson_add(
    *, actor: Actor, aar: AfterActionReview, text: str, training_recommendation: str
) -> Lesson:
    locked = _as_facilitator(actor=actor, aar=aar)
    lesson = Lesson.objects.create(
        aar=locked,
        text=_text("text", text, required=True),
        training_recommendation=_text("training_recommendation", training_recommendation),
    )
    _audit(
        actor=actor,
        action="aar.lesson_add",
        obj=lesson,
        fields=["text", "training_recommendation"],
        aar=locked.pk,
    )
    return lesson


def _lock_lesson(*, lesson: Lesson, aar: AfterActionReview) -> Lesson:
    found = Lesson.objects.select_for_update().filter(pk=lesson.pk, aar_id=aar.pk).first()
    if found is None:
        raise NotFound(f"No lesson {lesson.pk} in this review.")
    return found


@transaction.atomic
def lesson_update(
    *,
    actor: Actor,
    lesson: Lesson,
    text: str,
    training_recommendation: str,
    expected_version: int | None,
) -> Lesson:
    """Change a lesson. Agreements given to the old wording are withdrawn: participants agree
    to words, and these are new ones."""
    locked_aar = _as_facilitator(actor=actor, aar=lesson.aar)
    locked = _lock_lesson(lesson=lesson, aar=locked_aar)
    if locked.published_in_id is not None:
        raise InvalidInput({"text": ["This lesson is in the case library; it no longer changes."]})
    check_version(locked, expected_version)
    new = {
        "text": _text("text", text, required=True),
        "training_recommendation": _text("training_recommendation", training_recommendation),
    }
    changed = [k for k, val in new.items() if getattr(locked, k) != val]
    for k, val in new.items():
        setattr(locked, k, val)
    locked.save()
    withdrawn = 0
    if changed:
        withdrawn, _ = LessonAgreement.objects.filter(lesson=locked).delete()
    _audit(
        actor=actor,
        action="aar.lesson_update",
        obj=locked,
        fields=changed,
        aar=locked_aar.pk,
        agreements_withdrawn=withdrawn,
    )
    return locked


def _participant(*, actor: Actor, aar: AfterActionReview) -> Participant:
    ensure(actor, "aar.view", aar)
    found = (
        Participant.objects.select_for_update().filter(aar=aar, member_id=actor.member_id).first()
        if actor.member_id is not None
        else None
    )
    if found is None:
        raise PermissionDenied("aar.view", "Only the review's participants may agree to it.")
    return found


@transaction.atomic
def lesson_agree(*, actor: Actor, lesson: Lesson, agree: bool) -> Lesson:
    """A participant agrees to a lesson leaving the review, or withdraws their agreement
    (until it is published)."""
    aar = lock_aar(actor=actor, aar=lesson.aar)
    locked = _lock_lesson(lesson=lesson, aar=aar)
    me = _participant(actor=actor, aar=aar)
    if locked.published_in_id is not None:
        raise InvalidInput({"lesson": ["This lesson is already in the case library."]})
    if agree:
        LessonAgreement.objects.get_or_create(lesson=locked, participant=me)
    else:
        LessonAgreement.objects.filter(lesson=locked, participant=me).delete()
    _audit(
        actor=actor,
        action="aar.lesson_agree" if agree else "aar.lesson_withdraw",
        obj=locked,
        aar=aar.pk,
    )
    return locked


@transaction.atomic
def participant_confirm(*, actor: Actor, aar: AfterActionReview, agreed: bool) -> Participant:
    """A participant confirms (or no longer confirms) the walk-through as a fair account."""
    locked = lock_aar(actor=actor, aar=aar)
    me = _participant(actor=actor, aar=locked)
    me.agreed = agreed
    me.save(update_fields=["agreed", "updated_at"])
    _audit(actor=actor, action="aar.participant_confirm", obj=me, fields=["agreed"], aar=aar.pk)
    return me


def _lesson_is_agreed(lesson: Lesson) -> bool:
    """Every participant of the lesson's review agreed to it."""
    people = set(Participant.objects.filter(aar_id=lesson.aar_id).values_list("pk", flat=True))
    agreed = set(lesson.agreements.values_list("participant_id", flat=True))
    return bool(people) and people <= agreed


# The case library ----------------------------------------------------------------------------


def _period(when: datetime) -> str:
    """A quarter: coarser than a month, so the entry never dates the encounter exactly."""
    return f"{when.year} Q{(when.month - 1) // 3 + 1}"


@transaction.atomic
def case_library_publish(
    *,
    actor: Actor,
    aar: AfterActionReview,
    lessons: Sequence[Lesson],
    title: str,
    summary: str,
    lessons_text: str,
    training_recommendations: str,
) -> CaseLibraryEntry:
    """A trainer turns agreed lessons into a de-identified case-library entry.

    Refused unless every chosen lesson was agreed by every participant, and unless the text
    passes the de-identification check (``deidentify.find_problems``), field by field.
    """
    ensure(actor, "aar.publish")
    locked = lock_aar(actor=actor, aar=aar)
    ensure(actor, "aar.view", locked)
    if not lessons:
        raise InvalidInput({"lessons": ["Choose at least one agreed lesson to publish."]})
    chosen = [_lock_lesson(lesson=lesson, aar=locked) for lesson in lessons]
    errors: dict[str, list[str]] = {}
    for lesson in chosen:
        if lesson.published_in_id is not None:
            errors.setdefault("lessons", []).append(
                f"Lesson {lesson.pk} is already in the case library."
            )
        elif not _lesson_is_agreed(lesson):
            errors.setdefault("lessons", []).append(
                f"Lesson {lesson.pk} has not been agreed by every participant yet."
            )
    fields = {
        "title": _text("title", title, required=True),
        "summary": _text("summary", summary, required=True),
        "lessons": _text("lessons", lessons_text, required=True),
        "training_recommendations": _text("training_recommendations", training_recommendations),
    }
    if len(fields["title"]) > 200:
        errors["title"] = ["Keep the title under 200 characters."]
    known = known_identifiers(aar=locked, texts=list(fields.values()))
    for name, value in fields.items():
        problems = find_problems(value, known)
        if problems:
            errors.setdefault(name, []).extend(problems)
    if errors:
        raise InvalidInput(errors)
    notes = {n.event_id: n for n in EventNote.objects.filter(aar=locked)}
    sequence = [
        {
            "kind": event.kind,
            "code": event.code,
            "decision_point": bool(notes.get(event.pk) and notes[event.pk].decision_point),
            "cdm_step": notes[event.pk].cdm_step if event.pk in notes else "",
            "alternative": notes[event.pk].alternative_tactic if event.pk in notes else "",
        }
        for event in TimelineEvent.objects.filter(incident_id=locked.incident_id).order_by(
            "sequence"
        )
    ]
    entry = CaseLibraryEntry.objects.create(
        agency_id=actor.agency_id,
        period=_period(locked.incident.occurred_at),
        event_sequence=sequence,
        **fields,
    )
    Lesson.objects.filter(pk__in=[lesson.pk for lesson in chosen]).update(published_in=entry)
    # The entry is de-identified and public to members; the event links it to the review by id
    # only (the auditor may trace publication, not read the review).
    _audit(
        actor=actor,
        action="aar.publish",
        obj=entry,
        fields=list(fields),
        aar=locked.pk,
        lessons=len(chosen),
    )
    return entry
