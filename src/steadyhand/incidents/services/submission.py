"""Submitting a report: the policy prompts, then the outcome summary derived from the timeline.

After submission the report no longer changes; each involved member still owes a statement.
"""

from django.db import transaction
from django.utils import timezone

from steadyhand import vocabulary as v
from steadyhand.access.actor import Actor
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput
from steadyhand.core.versioning import model_changes
from steadyhand.incidents.models import Incident, IncidentStatus, Statement
from steadyhand.incidents.report_checks import facts_of, report_problems, summary_of
from steadyhand.incidents.services._common import _editable_draft
from steadyhand.incidents.summary import event_force_level, event_resistance

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


@transaction.atomic
def incident_submit(*, actor: Actor, incident: Incident, expected_version: int | None) -> Incident:
    """Check the policy prompts; derive the outcomes from the timeline; submit.

    Refuses with every problem at once, each naming its field (and event, for the timeline).
    """
    incident = _editable_draft(
        actor=actor, incident_id=incident.pk, expected_version=expected_version
    )
    problems = report_problems(incident)
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        raise InvalidInput(errors)
    _derive_people(incident)
    summary = summary_of(list(incident.events.order_by("sequence")))
    subjects = list(incident.subjects.all())
    changes = model_changes(
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
            "status": IncidentStatus.SUBMITTED,
            "submitted_at": timezone.now(),
        },
    )
    incident.save()
    for involvement in incident.involvements.filter(member__isnull=False):
        Statement.objects.get_or_create(involvement=involvement)
    audit_record(actor=actor, action="incident.submit", obj=incident, changes=changes)
    _open_force_review(actor=actor, incident=incident)
    return incident


def _open_force_review(*, actor: Actor, incident: Incident) -> None:
    """Every use of force is reviewed from the moment it is reported (issue 5): open the review
    in the submission's transaction. Imported here, not at the top, because the reviews app
    builds on incidents (its models point at ``Incident``)."""
    from steadyhand.reviews.services.reviews import review_open_hook

    review_open_hook(actor=actor, incident=incident)
