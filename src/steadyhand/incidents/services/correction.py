"""A submitted report returned for correction: who may change it, and the return itself.

A reviewer's return (``reviews.services.reviews.review_decide``) puts the report back in the
hands of its reporting officer (status ``returned``); they change it through the same report
pages as a draft and resubmit it (``submission.incident_resubmit``), and the review continues at
the level that returned it. Only the reporter may change it, only while the review waits for
them; the report as it stood when returned is kept in the audit event of the return, so that
the reviewer sees what changed (``incidents.returns``).
"""

from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, PermissionDenied
from steadyhand.core.versioning import check_version, model_changes
from steadyhand.incidents.models import Incident, IncidentStatus
from steadyhand.incidents.returns import RETURN_ACTION, correctable, report_snapshot
from steadyhand.incidents.services._common import _lock_incident


def _review_waits_for_reporter(incident: Incident) -> bool:
    """Imported here, not at the top: the reviews app builds on incidents."""
    from steadyhand.reviews.models import ForceReview, ReviewStatus

    return ForceReview.objects.filter(incident=incident, status=ReviewStatus.RETURNED).exists()


def _editable_report(*, actor: Actor, incident_id: int, expected_version: int | None) -> Incident:
    """Lock a draft, or a report returned for correction, for its reporter to change; bump its
    version (every change to the report, its people or its timeline counts, so two open tabs
    cannot overwrite each other)."""
    incident = _lock_incident(actor=actor, incident_id=incident_id)
    ensure(actor, "incident.report", incident)
    if actor.member_id is None or incident.reported_by_id != actor.member_id:
        raise PermissionDenied(
            "incident.report",
            f"Only the reporting officer may change the report of incident {incident.case_number}.",
        )
    if incident.is_returned and not _review_waits_for_reporter(incident):
        # Cannot happen through the services (resubmission and the return move together);
        # refuse rather than let a closed review's report change under it.
        raise InvalidInput(
            {"status": [f"The review of incident {incident.case_number} no longer waits for a "
                        "correction; the report no longer changes."]}
        )  # fmt: skip
    if not incident.is_editable:
        when = f" on {incident.submitted_at:%Y-%m-%d}" if incident.submitted_at else ""
        raise InvalidInput(
            {
                "status": [
                    f"Incident {incident.case_number} was submitted{when}; a submitted report "
                    "no longer changes unless a reviewer returns it for correction. Add what "
                    "you need to say to your statement."
                ]
            }
        )
    check_version(incident, expected_version)
    incident.save(update_fields=["version", "updated_at"])
    return incident


@transaction.atomic
def incident_return_for_correction(*, actor: Actor, incident: Incident, reason: str) -> Incident:
    """Put a submitted report back in its reporting officer's hands, with the reviewer's reason.

    Called by the force review's return (in its transaction); the actor is the reviewer. The
    report as it stood is recorded with the return, for the list of what changed.
    """
    locked = _lock_incident(actor=actor, incident_id=incident.pk)
    ensure(actor, "review.act", locked)
    if not correctable(locked):
        raise InvalidInput(
            {"incident": [f"Incident {locked.case_number} was not filed here by a member; "
                          "it is corrected at its source."]}
        )  # fmt: skip
    if locked.status != IncidentStatus.SUBMITTED:
        raise InvalidInput(
            {"status": [f"Incident {locked.case_number} is {locked.get_status_display().lower()}; "
                        "only a submitted report can be returned for correction."]}
        )  # fmt: skip
    snapshot = report_snapshot(locked)
    changes = model_changes(locked, {"status": IncidentStatus.RETURNED})
    # A copy of the report open in another tab from before the return is stale now.
    check_version(locked, None)
    locked.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=RETURN_ACTION,
        obj=locked,
        changes={**changes, "returned_report": snapshot},
        reason=reason,
    )
    return locked
