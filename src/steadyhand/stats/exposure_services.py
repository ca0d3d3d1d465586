"""Loading exposure data: all rows or none, audited, and the statistics of their months rebuilt."""

from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.agencies.models import Agency, Unit
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput
from steadyhand.stats.exposure import ExposureRow
from steadyhand.stats.models import MonthlyExposure
from steadyhand.stats.services import stats_refresh


@transaction.atomic
def exposure_import(*, actor: Actor, agency: Agency, rows: list[ExposureRow]) -> int:
    """Create or replace the exposure of each (month, unit, district); returns the rows written.

    Refuses the whole file (``InvalidInput``, keyed by line) if any unit code is unknown.
    """
    ensure(actor, "incident.import", agency)
    units = dict(Unit.objects.filter(agency_id=agency.pk).values_list("code", "pk"))
    unknown = [r for r in rows if r.unit_code not in units]
    if unknown:
        raise InvalidInput(
            {
                f"line {r.line}": [f"unit: no unit with code {r.unit_code!r} in {agency.name}."]
                for r in unknown
            }
        )
    for r in rows:
        MonthlyExposure.objects.update_or_create(
            agency_id=agency.pk,
            month=r.month,
            unit_id=units[r.unit_code],
            district=r.district,
            defaults={"calls": r.calls, "arrests": r.arrests},
        )
    months = sorted({r.month for r in rows})
    audit_record(
        actor=actor,
        action="stats.exposure_import",
        obj=agency,
        changes={"rows": len(rows), "months": [m.isoformat() for m in months]},
    )
    if months:
        stats_refresh(actor=actor, agency=agency, months=months)
    return len(rows)
