"""What a reviewer sees changed in a report returned for correction, and why it was returned.

When a reviewer returns a report, ``report_snapshot`` records the report as it stood (in the
audit event of the return, ``incident.return``); when the reporting officer resubmits it,
``snapshot_changes`` lists, in words, each field, person and timeline event that differs. The
list goes to the reviewer with the resubmission, so they need not re-read the whole report.

Reads only; the writes are in ``services/correction.py``.
"""

from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher

from steadyhand.incidents.models import Incident
from steadyhand.incidents.report_checks import format_offset

RETURN_ACTION = "incident.return"
# Long text (the narrative) is shown as what was added and removed, not in full.
LONG_TEXT = 80
FRAGMENT = 160

Snapshot = dict[str, dict[str, str]]

# The typed fields of the report, as the report form labels them.
FIELD_LABELS = {
    "occurred_at": "First contact",
    "contact_type": "Contact",
    "call_type": "Call type",
    "district": "District",
    "beat": "Beat",
    "location": "Location",
    "narrative": "Narrative",
    "de_escalation_attempted": "De-escalation attempted (your answer)",
    "supervisor_notified": "Supervisor notified (your answer)",
}


def _text(value: object) -> str:
    if value is None:
        return "not answered"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return str(value)


def correctable(incident: Incident) -> bool:
    """Whether a return can put ``incident`` back in its reporter's hands: a report filed in
    Steadyhand by a member. (Imported records are corrected at their source; their return is
    answered with a note on the review.)"""
    return incident.source == "report" and incident.reported_by_id is not None


def report_snapshot(incident: Incident) -> Snapshot:
    """The report in words: its fields, its people and its events (keyed by the event's id,
    so that an inserted event shows as one addition, not as every later event changed)."""
    fields = {label: _text(getattr(incident, name)) for name, label in FIELD_LABELS.items()}
    people: dict[str, str] = {}
    for involvement in incident.involvements.select_related("member"):
        who = f"#{involvement.member.badge}" if involvement.member else involvement.external_id
        people[f"member {who}"] = (
            f"Member on scene {who}: {involvement.get_role_on_scene_display()}"
        )
    for subject in incident.subjects.all():
        indicators = ", ".join(subject.indicators) or "no indicators"
        people[f"subject {subject.pk}"] = (
            f"{subject}: {subject.get_race_display()}, {subject.get_sex_display()}, "
            f"{subject.get_age_band_display()}, armed: {subject.get_armed_with_display()}, "
            f"{indicators}; injured: {_text(subject.injured)}, arrested: "
            f"{_text(subject.arrested)}, hospitalised: {_text(subject.hospitalised)}"
        )
    events: dict[str, str] = {}
    order: dict[str, str] = {}
    timeline = incident.events.select_related(
        "actor_involvement__member", "actor_subject", "target_subject"
    ).order_by("sequence")
    for position, event in enumerate(timeline, start=1):
        parts = [event.label]
        if event.offset_seconds is not None:
            parts.append(f"at {format_offset(event.offset_seconds)}")
        actor = event.actor_involvement or event.actor_subject
        if actor is not None:
            parts.append(f"by {actor}")
        if event.target_subject is not None:
            parts.append(f"on {event.target_subject}")
        if event.resistance is not None:
            parts.append(f"resistance: {event.get_resistance_display()}")
        if event.force_level is not None:
            parts.append(f"force level: {event.get_force_level_display()}")
        if event.note:
            parts.append(f"note: {event.note}")
        events[str(event.pk)] = " ".join(parts)
        order[str(event.pk)] = str(position)
    return {"fields": fields, "people": people, "events": events, "order": order}


def _fragments(before: str, after: str) -> str:
    """Words added and removed between two long texts, each shortened."""
    old, new = before.split(), after.split()
    added: list[str] = []
    removed: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            removed.append(" ".join(old[i1:i2]))
        if op in ("insert", "replace"):
            added.append(" ".join(new[j1:j2]))
    parts = []
    if added:
        parts.append(f"added “{_short(' … '.join(added))}”")
    if removed:
        parts.append(f"removed “{_short(' … '.join(removed))}”")
    return "; ".join(parts) or "changed spacing only"


def _short(text: str) -> str:
    return text if len(text) <= FRAGMENT else text[: FRAGMENT - 1] + "…"


def _changed(label: str, before: str, after: str) -> str:
    if max(len(before), len(after)) > LONG_TEXT:
        return f"{label}: {_fragments(before, after)}"
    return f"{label}: was “{before}”, now “{after}”"


def snapshot_changes(before: Snapshot, after: Snapshot) -> list[str]:
    """Each difference between two snapshots, in words, in the order of the report. Events are
    named by their place in the corrected timeline (removed ones by their old place)."""
    lines: list[str] = []
    for label, old in before["fields"].items():
        new = after["fields"].get(label, "")
        if old != new:
            lines.append(_changed(label, old, new))
    lines.extend(_rows_changed("People", before["people"], after["people"]))
    lines.extend(_events_changed(before, after))
    return lines


def _rows_changed(noun: str, old_rows: dict[str, str], new_rows: dict[str, str]) -> list[str]:
    lines = []
    for key, old in old_rows.items():
        if key not in new_rows:
            lines.append(f"{noun} removed: {old}")
        elif new_rows[key] != old:
            lines.append(f"{noun} changed: was “{old}”, now “{new_rows[key]}”")
    lines.extend(f"{noun} added: {new}" for key, new in new_rows.items() if key not in old_rows)
    return lines


def _events_changed(before: Snapshot, after: Snapshot) -> list[str]:
    old, new = before["events"], after["events"]
    old_at, new_at = before.get("order", {}), after.get("order", {})
    kept = [key for key in old if key in new]
    # An event moved when its place among the events on both versions changed (an insertion
    # before it alone does not move it).
    old_rank = {key: rank for rank, key in enumerate(sorted(kept, key=lambda k: int(old_at[k])))}
    new_rank = {key: rank for rank, key in enumerate(sorted(kept, key=lambda k: int(new_at[k])))}
    lines = []
    for key in sorted(new, key=lambda k: int(new_at[k])):
        place = f"Timeline event {new_at[key]}"
        if key not in old:
            lines.append(f"{place} added: {new[key]}")
            continue
        if new[key] != old[key]:
            lines.append(f"{place} changed: was “{old[key]}”, now “{new[key]}”")
        if old_rank[key] != new_rank[key]:
            lines.append(f"{place} moved (was event {old_at[key]}): {new[key]}")
    lines.extend(
        f"Timeline event {old_at[key]} removed: {text}"
        for key, text in old.items()
        if key not in new
    )
    return lines


@dataclass(frozen=True)
class ReturnInfo:
    """Why a report is back with its reporting officer, for the report pages."""

    level: str
    reason: str
    returned_on: datetime | None
    review_id: int


def return_info(incident: Incident) -> ReturnInfo | None:
    """The open return of ``incident``'s force review (None if it is not returned).

    Imported here, not at the top: the reviews app builds on incidents (its models point at
    ``Incident``)."""
    if not incident.is_returned:
        return None
    from steadyhand.reviews.models import ForceReview, ReviewStatus

    review = (
        ForceReview.objects.filter(incident=incident, status=ReviewStatus.RETURNED)
        .select_related("current_step")
        .first()
    )
    if review is None or review.current_step is None:
        return None
    step = review.current_step
    return ReturnInfo(
        level=step.get_level_display(),
        reason=step.reason,
        returned_on=step.acted_at,
        review_id=review.pk,
    )


def returned_snapshot(incident: Incident) -> Snapshot | None:
    """The report as it stood when last returned, from the audit event of the return (the
    append-only log is where the returned version is kept, so it cannot be altered since)."""
    from steadyhand.audit.models import AuditEvent

    event = (
        AuditEvent.objects.filter(
            agency_id=incident.agency_id,
            action=RETURN_ACTION,
            object_type=Incident._meta.label_lower,
            object_id=str(incident.pk),
        )
        .order_by("-seq")
        .first()
    )
    if event is None:
        return None
    snapshot = event.changes.get("returned_report")
    return snapshot if isinstance(snapshot, dict) else None


def changes_since_return(incident: Incident) -> list[str]:
    """What the reporting officer has changed since the report was returned."""
    before = returned_snapshot(incident)
    if before is None:
        return []
    return snapshot_changes(before, report_snapshot(incident))
