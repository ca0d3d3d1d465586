"""What writers call so that the statistics follow their changes (incrementally).

Call ``months_touched(agency_id, months)`` from inside the writing transaction (incident
submission, an import batch, a complaint finding, a commendation approval, a training record):
when the transaction commits, the months named are refreshed by the ``refresh_months`` task
(inline under the ImmediateBackend of the tests, in a worker otherwise). Nothing happens if the
transaction rolls back. Datetimes are placed in the agency's own calendar months.
"""

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from steadyhand.agencies.models import Agency


def month_keys(agency_id: int, months: Iterable[date | datetime]) -> list[str]:
    """The ISO first days of the months of ``months``, sorted and once each."""
    tz: ZoneInfo | None = None
    keys: set[str] = set()
    for when in months:
        if isinstance(when, datetime):
            if tz is None:
                tz = ZoneInfo(Agency.objects.values_list("timezone", flat=True).get(pk=agency_id))
            when = when.astimezone(tz) if when.tzinfo is not None else when
        keys.add(date(when.year, when.month, 1).isoformat())
    return sorted(keys)


# Months waiting for the current transaction to commit, per agency. A transaction that writes a
# thousand complaints queues one refresh, not a thousand: every call registers a callback, and
# the first callback to run takes everything pending. Months of a rolled-back transaction stay
# pending until the next commit; refreshing a month that did not change is harmless. Keyed by the
# connection object, which Django keeps per thread, so threads never take each other's months.
_pending: dict[int, dict[int, set[str]]] = {}


def months_touched(
    agency_id: int, months: Iterable[date | datetime], using: str = "default"
) -> None:
    """Refresh these months of ``agency_id`` once the current transaction commits."""
    keys = month_keys(agency_id, months)
    if not keys:
        return
    connection = id(transaction.get_connection(using))
    _pending.setdefault(connection, {}).setdefault(agency_id, set()).update(keys)
    transaction.on_commit(lambda: _enqueue_pending(connection), using=using)


def _enqueue_pending(connection: int) -> None:
    from steadyhand.stats.tasks import refresh_months

    waiting = _pending.pop(connection, {})
    for agency_id, keys in sorted(waiting.items()):
        refresh_months.enqueue(agency_id, sorted(keys))
