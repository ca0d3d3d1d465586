"""Building the timeline: events in order from first contact.

Every event's code is a vocabulary term of the event's kind; its actor is a member on scene for
what officers do and a subject for what subjects do; force names the subject it was used on. The
order is kept dense (1, 2, 3, …) and the times after first contact, where given, never go back.
"""

from dataclasses import dataclass

from django.db import transaction

from steadyhand import vocabulary as v
from steadyhand.access.actor import Actor
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput
from steadyhand.incidents.models import Incident, Involvement, Subject, TimelineEvent
from steadyhand.incidents.report_checks import format_offset
from steadyhand.incidents.services._common import _renumber
from steadyhand.incidents.services.correction import _editable_report

UP, DOWN = "up", "down"


@dataclass(frozen=True)
class EventInput:
    """What the reporter says about one event (ids of the incident's own people)."""

    kind: str
    code: str
    actor_involvement_id: int | None = None
    actor_subject_id: int | None = None
    target_subject_id: int | None = None
    offset_seconds: int | None = None
    resistance: int | None = None
    force_level: int | None = None
    note: str = ""


def _validated(incident: Incident, data: EventInput) -> dict[str, object]:
    """The event's fields, or ``InvalidInput`` naming each field that is wrong and why."""
    errors: dict[str, list[str]] = {}
    try:
        kind = v.EventKind(data.kind)
    except ValueError:
        raise InvalidInput({"kind": [f"Unknown kind of event “{data.kind}”."]}) from None
    kind_label = v.EVENT_KIND_LABELS[kind]
    term = v.ALL_TERMS.get(data.code)
    if term is None or term.kind != kind:
        errors["code"] = [f"Choose what happened from the list for “{kind_label}”."]
    involvement = subject = target = None
    if data.actor_involvement_id is not None:
        involvement = incident.involvements.filter(pk=data.actor_involvement_id).first()
        if involvement is None:
            errors.setdefault("actor", []).append("That member is not on this report.")
    if data.actor_subject_id is not None:
        subject = incident.subjects.filter(pk=data.actor_subject_id).first()
        if subject is None:
            errors.setdefault("actor", []).append("That subject is not on this report.")
    if involvement is not None and subject is not None:
        errors.setdefault("actor", []).append("An event has one actor: a member or a subject.")
    if kind in v.MEMBER_KINDS and data.actor_involvement_id is None:
        errors.setdefault("actor", []).append(f"Choose which member: “{kind_label}” is by one.")
    if kind in v.SUBJECT_KINDS and data.actor_subject_id is None:
        errors.setdefault("actor", []).append(f"Choose which subject: “{kind_label}” is by one.")
    if kind == v.EventKind.INJURY and term is not None and term.kind == kind:
        if data.code == "subject_injured" and data.actor_subject_id is None:
            errors.setdefault("actor", []).append("Choose the subject who was injured.")
        if data.code == "officer_injured" and data.actor_involvement_id is None:
            errors.setdefault("actor", []).append("Choose the member who was injured.")
    if kind == v.EventKind.FORCE:
        if data.target_subject_id is None:
            errors["target_subject"] = ["Choose the subject the force was used on."]
        else:
            target = incident.subjects.filter(pk=data.target_subject_id).first()
            if target is None:
                errors["target_subject"] = ["That subject is not on this report."]
    elif data.target_subject_id is not None:
        errors["target_subject"] = ["Only a force application has a target subject."]
    if data.resistance is not None and (
        kind != v.EventKind.SUBJECT_BEHAVIOUR or data.resistance not in set(v.Resistance)
    ):
        errors["resistance"] = ["A resistance level belongs to a subject's behaviour (0 to 5)."]
    if data.force_level is not None and (
        kind != v.EventKind.FORCE or data.force_level not in set(v.ForceLevel)
    ):
        errors["force_level"] = ["A force level belongs to a force application (0 to 5)."]
    if data.offset_seconds is not None and data.offset_seconds < 0:
        errors["offset_seconds"] = ["The time after first contact cannot be negative."]
    if errors:
        raise InvalidInput(errors)
    return {
        "kind": kind.value,
        "code": data.code,
        "actor_involvement": involvement,
        "actor_subject": subject,
        "target_subject": target,
        "offset_seconds": data.offset_seconds,
        "resistance": data.resistance,
        "force_level": data.force_level,
        "note": data.note.strip(),
    }


def _check_offsets(events: list[TimelineEvent]) -> None:
    """Times after first contact, where given, never go back along the order."""
    latest: TimelineEvent | None = None
    for position, event in enumerate(events, start=1):
        if event.offset_seconds is None:
            continue
        if (
            latest is not None
            and latest.offset_seconds is not None
            and event.offset_seconds < latest.offset_seconds
        ):
            earlier = events.index(latest) + 1
            raise InvalidInput(
                {
                    "offset_seconds": [
                        f"Event {position} ({event.label}) at "
                        f"{format_offset(event.offset_seconds)} would come after event "
                        f"{earlier} ({latest.label}) at "
                        f"{format_offset(latest.offset_seconds)}; times must not go back. "
                        "Change the time or the place in the order."
                    ]
                }
            )
        latest = event


def _store_order(incident: Incident, events: list[TimelineEvent]) -> None:
    _check_offsets(events)
    _renumber(TimelineEvent.objects, "sequence", [e.pk for e in events])


def _ordered(incident: Incident) -> list[TimelineEvent]:
    return list(incident.events.order_by("sequence"))


def _position(events: list[TimelineEvent], position: int | None) -> int:
    """0-based index to insert at: ``position`` is the 1-based place (None: at the end)."""
    if position is None:
        return len(events)
    if not 1 <= position <= len(events) + 1:
        raise InvalidInput(
            {"position": [f"Choose a place between 1 and {len(events) + 1} in the timeline."]}
        )
    return position - 1


def _audit_fields(fields: dict[str, object]) -> dict[str, object]:
    return {
        k: (val.pk if isinstance(val, Involvement | Subject) else val) for k, val in fields.items()
    }


@transaction.atomic
def event_add(
    *,
    actor: Actor,
    incident: Incident,
    expected_version: int | None,
    data: EventInput,
    position: int | None = None,
) -> TimelineEvent:
    """Add an event at ``position`` (1-based; None: after the last one)."""
    incident = _editable_report(
        actor=actor, incident_id=incident.pk, expected_version=expected_version
    )
    fields = _validated(incident, data)
    events = _ordered(incident)
    index = _position(events, position)
    event = TimelineEvent(incident=incident, sequence=_temp_sequence(events), **fields)
    event.save()
    events.insert(index, event)
    _store_order(incident, events)
    event.refresh_from_db()
    audit_record(
        actor=actor,
        action="incident.event_add",
        obj=incident,
        changes={
            "sequence": [None, event.sequence],
            **{k: [None, val] for k, val in _audit_fields(fields).items()},
        },
    )
    return event


def _temp_sequence(events: list[TimelineEvent]) -> int:
    """A free sequence number past the current ones, before the order is rewritten."""
    return max((e.sequence for e in events), default=0) + 1


@transaction.atomic
def event_update(
    *, actor: Actor, event: TimelineEvent, expected_version: int | None, data: EventInput
) -> TimelineEvent:
    incident = _editable_report(
        actor=actor, incident_id=event.incident_id, expected_version=expected_version
    )
    event = TimelineEvent.objects.get(pk=event.pk, incident=incident)
    fields = _validated(incident, data)
    before = _audit_fields({k: getattr(event, k) for k in fields})
    for name, value in fields.items():
        setattr(event, name, value)
    events = [event if e.pk == event.pk else e for e in _ordered(incident)]
    _check_offsets(events)
    event.save()
    after = _audit_fields(fields)
    audit_record(
        actor=actor,
        action="incident.event_update",
        obj=incident,
        changes={
            "sequence": [event.sequence, event.sequence],
            **{k: [before[k], after[k]] for k in fields if before[k] != after[k]},
        },
    )
    return event


@transaction.atomic
def event_remove(*, actor: Actor, event: TimelineEvent, expected_version: int | None) -> None:
    incident = _editable_report(
        actor=actor, incident_id=event.incident_id, expected_version=expected_version
    )
    event = TimelineEvent.objects.get(pk=event.pk, incident=incident)
    audit_record(
        actor=actor,
        action="incident.event_remove",
        obj=incident,
        changes={
            "sequence": [event.sequence, None],
            "kind": [event.kind, None],
            "code": [event.code, None],
        },
    )
    event.delete()
    _store_order(incident, _ordered(incident))


@transaction.atomic
def event_move(
    *, actor: Actor, event: TimelineEvent, expected_version: int | None, direction: str
) -> TimelineEvent:
    """Swap an event with the one before (``up``) or after (``down``) it."""
    if direction not in (UP, DOWN):
        raise InvalidInput({"direction": ["Move an event up or down."]})
    incident = _editable_report(
        actor=actor, incident_id=event.incident_id, expected_version=expected_version
    )
    events = _ordered(incident)
    index = next((i for i, e in enumerate(events) if e.pk == event.pk), None)
    if index is None:
        raise InvalidInput({"event": ["That event is not on this report."]})
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(events):
        edge = "first" if direction == UP else "last"
        raise InvalidInput({"direction": [f"Event {index + 1} is already the {edge}."]})
    events[index], events[other] = events[other], events[index]
    _store_order(incident, events)
    moved = TimelineEvent.objects.get(pk=event.pk)
    audit_record(
        actor=actor,
        action="incident.event_move",
        obj=incident,
        changes={"sequence": [index + 1, moved.sequence]},
    )
    return moved
