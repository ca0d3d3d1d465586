"""The background refresh of some months of one agency's statistics."""

from datetime import date
from typing import Any

from django_tasks import task

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency
from steadyhand.stats.services import stats_refresh

SYSTEM_LABEL = "stats-refresh"


def refresh_actor(agency_id: int) -> Actor:
    """A system actor holding ``agency_admin``, so the access rule and the audit log apply."""
    return Actor.system(agency_id=agency_id, label=SYSTEM_LABEL, roles=(Role.AGENCY_ADMIN,))


@task()
def refresh_months(agency_id: int, months: list[str] | None) -> dict[str, Any]:
    """Refresh ``months`` (ISO dates, any day of the month; None: all) of one agency."""
    agency = Agency.objects.get(pk=agency_id)
    wanted = None if months is None else [date.fromisoformat(m) for m in months]
    result = stats_refresh(actor=refresh_actor(agency_id), agency=agency, months=wanted)
    return {"rows": result.rows, "version": result.version}
