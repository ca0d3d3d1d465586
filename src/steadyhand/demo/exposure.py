"""The demo's exposure data (calls for service and arrests per squad and month) and the
monthly statistics built on it, so the dashboard can show rates per 1,000 calls.

Real agencies load exposure from their dispatch system (``steadyhand import-exposure``). The
demo derives it from its own encounters: about seven calls for every recorded encounter, and
the recorded arrests plus some made without a report, so rates move with the encounters.
"""

import random
from zoneinfo import ZoneInfo

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth

from steadyhand.access.actor import Actor
from steadyhand.agencies.models import Agency
from steadyhand.incidents.models import Incident
from steadyhand.stats.exposure import ExposureRow
from steadyhand.stats.exposure_services import exposure_import
from steadyhand.stats.services import stats_refresh

CALLS_PER_ENCOUNTER = 7


def build_exposure_and_statistics(*, agency: Agency, actor: Actor, seed: int) -> int:
    """Write the demo's exposure rows and refresh every month's statistics; returns the rows."""
    rng = random.Random(seed)
    monthly = (
        Incident.objects.filter(agency=agency)
        .annotate(
            month=TruncMonth(
                "occurred_at", output_field=DateField(), tzinfo=ZoneInfo(agency.timezone)
            )
        )
        .values("unit__code", "month")
        .annotate(encounters=Count("id"), arrests=Count("id", filter=Q(arrest_made=True)))
        .order_by("unit__code", "month")
    )
    rows = [
        ExposureRow(
            line=number,
            month=m["month"],
            unit_code=m["unit__code"],
            district="",
            calls=m["encounters"] * CALLS_PER_ENCOUNTER + rng.randint(0, m["encounters"]),
            arrests=m["arrests"] + rng.randint(0, 3),
        )
        for number, m in enumerate(monthly, start=1)
    ]
    exposure_import(actor=actor, agency=agency, rows=rows)
    # Training hours and complaints reach back before the first encounter: every month.
    stats_refresh(actor=actor, agency=agency, months=None)
    return len(rows)
