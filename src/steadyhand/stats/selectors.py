"""Reading the monthly counts.

``monthly_table`` is the low-level read that the dashboard and the public page share. It checks
NO permission: its callers decide who may see what (the dashboard through ``dashboard.view`` and
the unit subtree, the public page through suppression). Never hand its rows to a user directly.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from steadyhand.agencies.models import Agency
from steadyhand.stats.measures import MEASURES
from steadyhand.stats.models import MonthlyCount, StatsState
from steadyhand.stats.months import month_range, month_start

GROUPINGS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("month",): ("month",),
    ("month", "district"): ("month", "district"),
    ("month", "unit"): ("month", "unit_id", "unit_path"),
}


def expand_measures(measures: Iterable[str]) -> list[str]:
    """Keys as given, with a family ``"force_level:*"`` expanded to all its members, in order."""
    keys: list[str] = []
    for key in measures:
        if key.endswith(":*"):
            keys += [k for k in MEASURES if k.startswith(key[:-1])]
        elif key in MEASURES:
            keys.append(key)
        else:
            raise KeyError(f"Unknown statistics measure {key!r}; see stats.measures.MEASURES.")
    return keys


def _typed(measure: str, value: Decimal) -> int | Decimal:
    return value if MEASURES[measure].kind == "hours" else int(value)


def monthly_table(
    *,
    agency: Agency | int,
    measures: Iterable[str],
    start: date,
    end: date,
    unit_path: str | None = None,
    by: Sequence[str] = ("month",),
) -> list[dict[str, Any]]:
    """One row per (grouping, measure) from ``start``'s month to ``end``'s, zeros included.

    ``by`` is ``("month",)``, ``("month", "district")`` or ``("month", "unit")``; rows carry those
    keys (``unit`` as ``unit_id`` and ``unit_path``), ``measure`` and ``value`` (``int`` for
    counts, ``Decimal`` for hours). ``unit_path`` restricts to that unit's subtree. The grid is
    complete: every month × measure × (district or unit seen in the period) has a row, 0 when
    nothing was counted. NO permission check (see the module docstring).
    """
    grouping = GROUPINGS.get(tuple(by))
    if grouping is None:
        raise ValueError(f"by must be one of {sorted(GROUPINGS)}, not {tuple(by)!r}.")
    keys = expand_measures(measures)
    agency_id = agency if isinstance(agency, int) else agency.pk
    months = month_range(month_start(start), month_start(end))
    qs = MonthlyCount.objects.filter(
        agency_id=agency_id,
        measure__in=keys,
        month__gte=months[0] if months else start,
        month__lte=months[-1] if months else end,
    )
    if unit_path is not None:
        qs = qs.filter(unit_path__startswith=unit_path)
    found: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    others: set[tuple[Any, ...]] = set()
    for row in qs.values(*grouping, "measure").annotate(total=Sum("value")).order_by():
        rest = tuple(row[g] for g in grouping[1:])
        others.add(rest)
        found[(row["month"], *rest, row["measure"])] += row["total"]
    if len(grouping) == 1:
        others = {()}
    rows: list[dict[str, Any]] = []
    for month in months:
        for rest in sorted(others):
            for key in keys:
                value = found.get((month, *rest, key), Decimal(0))
                rows.append(
                    {
                        "month": month,
                        **dict(zip(grouping[1:], rest, strict=True)),
                        "measure": key,
                        "value": _typed(key, value),
                    }
                )
    return rows


def pivot(rows: Iterable[dict[str, Any]]) -> dict[date, dict[str, int | Decimal]]:
    """``monthly_table(by=("month",))`` rows as {month: {measure: value}}."""
    table: dict[date, dict[str, int | Decimal]] = defaultdict(dict)
    for row in rows:
        table[row["month"]][row["measure"]] = row["value"]
    return dict(table)


def stats_version(*, agency_id: int) -> int:
    """The agency's statistics version (0 before the first refresh): part of every cache key."""
    found = StatsState.objects.filter(agency_id=agency_id).values_list("version", flat=True)
    return next(iter(found), 0)


def stats_months(*, agency_id: int) -> tuple[date, date] | None:
    """The first and last month with any count, or None before the first refresh."""
    from django.db.models import Max, Min

    span = MonthlyCount.objects.filter(agency_id=agency_id).aggregate(
        a=Min("month"), b=Max("month")
    )
    if span["a"] is None:
        return None
    return span["a"], span["b"]
