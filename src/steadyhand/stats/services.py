"""Rebuilding the monthly counts: the given months only, in one transaction with its audit event.

The counts come from ``collect.compute_cells`` (grouped queries, no per-record loops). Only
non-zero cells are stored: a missing row means 0.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.agencies.models import Agency
from steadyhand.audit.services import audit_record
from steadyhand.stats.collect import Cells, compute_cells
from steadyhand.stats.models import MonthlyCount, StatsState
from steadyhand.stats.months import month_start

# Who may rebuild the statistics: anyone who sees the agency-wide dashboard (refreshing derived
# counts reveals nothing and changes no record). System actors hold ``agency_admin``.
REFRESH_ACTION = "dashboard.view"
BATCH = 5000


@dataclass(frozen=True)
class RefreshResult:
    months: tuple[date, ...] | None  # None: every month
    rows: int
    version: int


def _normalise(months: Iterable[date] | None) -> list[date] | None:
    if months is None:
        return None
    return sorted({month_start(m) for m in months})


COLUMNS = ("agency_id", "month", "unit_id", "unit_path", "district", "measure", "value")


def _insert(agency_id: int, cells: Cells) -> None:
    """Write the cells: ``COPY`` on PostgreSQL (a full refresh is hundreds of thousands of
    rows, and building model instances for them costs more than the queries), else bulk_create."""
    rows = (
        (agency_id, month, unit_id, cells.paths[unit_id], district, measure, value)
        for (month, unit_id, district, measure), value in cells.values.items()
    )
    if connection.vendor == "postgresql":
        table = MonthlyCount._meta.db_table
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    MonthlyCount.objects.bulk_create(
        (MonthlyCount(**dict(zip(COLUMNS, row, strict=True))) for row in rows), batch_size=BATCH
    )


@transaction.atomic
def stats_refresh(
    *, actor: Actor, agency: Agency, months: Iterable[date] | None = None
) -> RefreshResult:
    """Rebuild the monthly counts of ``months`` (any day of a month names it; None: all months).

    Deletes and re-inserts only those months' rows, bumps the agency's statistics version (the
    dashboard and public caches are keyed by it) and records one audit event, all in one
    transaction: readers see the old months or the new ones, never a half-built month.
    """
    ensure(actor, REFRESH_ACTION, agency)
    wanted = _normalise(months)
    cells = compute_cells(agency=agency, months=wanted)
    stale = MonthlyCount.objects.filter(agency_id=agency.pk)
    if wanted is not None:
        stale = stale.filter(month__in=wanted)
    stale.delete()
    _insert(agency.pk, cells)
    state, _ = StatsState.objects.select_for_update().get_or_create(agency_id=agency.pk)
    state.version += 1
    state.refreshed_at = timezone.now()
    state.save(update_fields=["version", "refreshed_at"])
    audit_record(
        actor=actor,
        action="stats.refresh",
        obj=agency,
        changes={
            "months": "all" if wanted is None else [m.isoformat() for m in wanted],
            "rows": len(cells.values),
            "version": state.version,
        },
    )
    return RefreshResult(
        months=None if wanted is None else tuple(wanted),
        rows=len(cells.values),
        version=state.version,
    )
