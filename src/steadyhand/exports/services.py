"""Writes for exports: the agency's export settings, and the audit record every export leaves.

An export is a disclosure: it is checked against the registry and logged (who, which export,
with what settings) in the audit chain before the first row is produced.
"""

from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.audit.models import EventKind
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput
from steadyhand.core.versioning import check_version, model_changes
from steadyhand.exports.models import DatePrecision, ExportSettings, settings_for

EXPORT_ACTIONS = {"open_data": "incident.export", "nuofdc": "incident.export_nuofdc"}


@transaction.atomic
def export_settings_update(
    *,
    actor: Actor,
    date_precision: str,
    ori: str,
    expected_version: int | None = None,
) -> ExportSettings:
    ensure(actor, "agency.configure", Scope(agency_id=actor.agency_id))
    errors: dict[str, list[str]] = {}
    if date_precision not in DatePrecision.values:
        errors["date_precision"] = [
            f"{date_precision!r} is not a precision; use one of: {', '.join(DatePrecision.values)}."
        ]
    ori = ori.strip().upper()
    if ori and (len(ori) != 9 or not ori.isalnum()):
        errors["ori"] = ["An ORI is nine letters and digits, e.g. IL0160000."]
    if errors:
        raise InvalidInput(errors)
    current = settings_for(actor.agency_id)
    if current.pk is None:
        current.save()
    found = ExportSettings.objects.select_for_update().get(pk=current.pk)
    changes = model_changes(found, {"date_precision": date_precision, "ori": ori})
    if changes:
        check_version(found, expected_version)
        found.save()
        audit_record(actor=actor, action="export_settings.update", obj=found, changes=changes)
    return found


@transaction.atomic
def export_begin(*, actor: Actor, export: str, detail: dict[str, object]) -> ExportSettings:
    """Check that ``actor`` may take ``export`` and log it; return the settings it runs with."""
    action = EXPORT_ACTIONS[export]
    ensure(actor, action, Scope(agency_id=actor.agency_id))
    found = settings_for(actor.agency_id)
    audit_record(
        actor=actor,
        action=action,
        kind=EventKind.READ,
        changes={key: [None, value] for key, value in detail.items()},
        reason=f"export={export}",
    )
    return found
