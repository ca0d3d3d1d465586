"""Submitting a report: the policy prompts, then the outcome summary derived from the timeline.

After submission the report no longer changes unless a reviewer returns it for correction
(``correction.py``); its reporter then resubmits it here. Each involved member still owes a
statement.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from steadyhand import vocabulary as v
from steadyhand.access.actor import Actor
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput
from steadyhand.core.versioning import model_changes
from steadyhand.incidents.models import Incident, IncidentStatus, Statement
from steadyhand.incidents.report_checks import facts_of, report_problems, summary_of
from steadyhand.incidents.returns import (
    FIELD_LABELS,
    Snapshot,
    report_snapshot,
    returned_snapshot,
    snapshot_changes,
)
from steadyhand.incidents.services.correction import _editable_report
from steadyhand.incidents.summary import event_force_level, event_resistance
from steadyhand.stats.hooks import months_touched

CUSTODY = frozenset({"custody_without_force", "custody_with_force"})


def _derive_people(incident: Incident) -> None:
    """Per person: who used force, who was injured, each subject's highest resistance."""
    events = list(incident.events.order_by("sequence"))
    for involvement in incident.involvements.all():
        own = [e for e in events if e.actor_involvement_id == involvement.pk]
        involvement.used_force = any(
            e.kind == v.EventKind.FORCE and event_force_level(facts_of(e)) > v.ForceLevel.VERBAL
            for e in own
        )
        involvement.injured = involvement.injured or any(e.code == "officer_injured" for e in own)
        involvement.save(update_fields=["used_force", "injured", "updated_at"])
    for subject in incident.subjects.all():
        levels = [
            level
            for e in events
            if e.actor_subject_id == subject.pk and e.kind == v.EventKind.SUBJECT_BEHAVIOUR
            for level in [event_resistance(facts_of(e))]
            if level is not None
        ]
        subject.highest_resistance = max(levels) if levels else None
        subject.injured = subject.injured or any(
            e.code == "subject_injured" and e.actor_subject_id == subject.pk for e in events
        )
        subject.save(update_fields=["highest_resistance", "injured", "updated_at"])


def _check(incident: Incident) -> None:
    """Refuse with every problem at once, each naming its field (and event, for the timeline)."""
    problems = report_problems(incident)
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        raise InvalidInput(errors)


def _summarise(incident: Incident, extra: dict[str, object]) -> dict[str, list[object]]:
    """Derive the outcomes from the timeline onto ``incident`` (and ``extra``); the changes."""
    _derive_people(incident)
    summary = summary_of(list(incident.events.order_by("sequence")))
    subjects = list(incident.subjects.all())
    return model_changes(
        incident,
        {
            "force_used": summary.force_used,
            "highest_force_level": summary.highest_force_level,
            "highest_resistance": summary.highest_resistance,
            "de_escalation_attempted": summary.de_escalation_attempted,
            "subject_injured": summary.subject_injured or any(s.injured for s in subjects),
            "officer_injured": summary.officer_injured
            or incident.involvements.filter(injured=True).exists(),
            "arrest_made": summary.resolution in CUSTODY or any(s.arrested for s in subjects),
            "subject_hospitalised": any(s.hospitalised for s in subjects),
            "resolution": summary.resolution,
            **extra,
        },
    )


def _open_statements(incident: Incident) -> None:
    for involvement in incident.involvements.filter(member__isnull=False):
        Statement.objects.get_or_create(involvement=involvement)


@transaction.atomic
def incident_submit(*, actor: Actor, incident: Incident, expected_version: int | None) -> Incident:
    """Check the policy prompts; derive the outcomes from the timeline; submit.

    Refuses with every problem at once, each naming its field (and event, for the timeline).
    A report returned for correction is sent back with ``incident_resubmit`` instead.
    """
    incident = _editable_report(
        actor=actor, incident_id=incident.pk, expected_version=expected_version
    )
    if incident.is_returned:
        raise InvalidInput(
            {"status": [f"Report {incident.case_number} was returned for correction: resubmit "
                        "it to the reviewer instead."]}
        )  # fmt: skip
    _check(incident)
    changes = _summarise(
        incident, {"status": IncidentStatus.SUBMITTED, "submitted_at": timezone.now()}
    )
    incident.save()
    _open_statements(incident)
    audit_record(actor=actor, action="incident.submit", obj=incident, changes=changes)
    _open_force_review(actor=actor, incident=incident)
    months_touched(incident.agency_id, [incident.occurred_at])
    return incident


@transaction.atomic
def incident_resubmit(
    *, actor: Actor, incident: Incident, expected_version: int | None, note: str = ""
) -> Incident:
    """Send a report returned for correction back to the reviewer who returned it.

    The submission checks run again on a changed report (an unchanged one is the report that
    passed them when it was first submitted). Resubmitting without any change is allowed only
    with a note saying why none was needed: a reviewer's question may be answered rather than
    corrected, but never silently. The reviewer is told what changed, field by field and event
    by event. The first submission's date stands.
    """
    incident = _editable_report(
        actor=actor, incident_id=incident.pk, expected_version=expected_version
    )
    if not incident.is_returned:
        raise InvalidInput(
            {"status": [f"Report {incident.case_number} is not waiting for a correction."]}
        )
    note = note.strip()
    before = returned_snapshot(incident)
    changed = snapshot_changes(before, report_snapshot(incident)) if before is not None else []
    if not changed and not note:
        raise InvalidInput(
            {"note": ["Nothing in the report has changed since it was returned: correct it, "
                      "or say in a note why no change is needed."]}
        )  # fmt: skip
    if changed:
        _check(incident)
    changes = _summarise(incident, {"status": IncidentStatus.SUBMITTED})
    incident.save()
    _open_statements(incident)
    audit_record(
        actor=actor,
        action="incident.resubmit",
        obj=incident,
        changes={**changes, "corrected": [None, changed]},
        reason=note,
    )
    _continue_force_review(actor=actor, incident=incident, response=_response(note, changed))
    months_touched(incident.agency_id, [incident.occurred_at, *_first_contact(before)])
    return incident


def _first_contact(snapshot: Snapshot | None) -> list[datetime]:
    """When the report said first contact was, before its correction (its month changes too)."""
    text = (snapshot or {}).get("fields", {}).get(FIELD_LABELS["occurred_at"], "")
    try:
        return [datetime.fromisoformat(text)]
    except ValueError:
        return []


def _response(note: str, changed: list[str]) -> str:
    """What the reviewer reads: the officer's note, then what changed in the report."""
    listed = (
        "Changes to the report:\n" + "\n".join(f"– {line}" for line in changed)
        if changed
        else "The report itself was not changed."
    )
    return f"{note}\n\n{listed}" if note else listed


def _open_force_review(*, actor: Actor, incident: Incident) -> None:
    """Every use of force is reviewed from the moment it is reported (issue 5): open the review
    in the submission's transaction. Imported here, not at the top, because the reviews app
    builds on incidents (its models point at ``Incident``)."""
    from steadyhand.reviews.services.reviews import review_open_hook

    review_open_hook(actor=actor, incident=incident)


def _continue_force_review(*, actor: Actor, incident: Incident, response: str) -> None:
    """The review goes on at the level that returned the report (see ``_open_force_review``
    for why the import is here)."""
    from steadyhand.reviews.services.reviews import review_continue_after_correction

    review_continue_after_correction(actor=actor, incident=incident, response=response)
