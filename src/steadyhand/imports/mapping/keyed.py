"""Looking up a chunk of natural keys (or case numbers) in one query.

A chunk holds thousands of keys. Django spells ``__in`` as one placeholder per key, and psycopg
then scans and binds a query with thousands of parameters on every chunk (profiled: about a
tenth of a load's time). On PostgreSQL the keys go as ONE array parameter (``= ANY(%s)``),
which the unique indexes on ``(agency, source, source_key)`` and ``(agency, case_number)``
answer with index lookups. Other databases keep the ORM's ``__in``.

Each key is looked up on its own (a lateral subquery over ``unnest`` of the array): a plain
``source_key IN (…)`` let PostgreSQL scan all the agency's records once per chunk, since the
natural-key index is partial (``WHERE source_key <> ''``, which it proves from a list only up to
100 values) and, in the middle of a bulk load, the table's statistics still say it is nearly
empty. That made a large load quadratic. One probe of the unique index per key is logarithmic
whatever the statistics say.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def existing_ids(
    model: type[Model], *, agency_id: int, source: str, keys: Sequence[str]
) -> dict[str, int]:
    """``source_key -> id`` of the agency's records of ``source`` among ``keys``."""
    rows = existing_rows(model, agency_id=agency_id, source=source, keys=keys)
    return {key: row[0] for key, row in rows.items()}


def existing_rows(
    model: type[Model], *, agency_id: int, source: str, keys: Sequence[str],
    columns: Sequence[str] = (),
) -> dict[str, tuple[Any, ...]]:  # fmt: skip
    """``source_key -> (id, *columns)`` of the agency's records of ``source`` among ``keys``."""
    if not keys:
        return {}
    if connection.vendor != "postgresql":
        return {
            key: tuple(rest)
            for key, *rest in model._default_manager.filter(
                agency_id=agency_id, source=source, source_key__in=list(keys)
            )
            .exclude(source_key="")
            .values_list("source_key", "id", *columns)
        }
    with connection.cursor() as cursor:
        cursor.execute(existing_rows_sql(model, columns), [list(keys), agency_id, source])
        return {key: tuple(rest) for key, *rest in cursor.fetchall()}


def existing_rows_sql(model: type[Model], columns: Sequence[str] = ()) -> str:
    """PostgreSQL: one probe of the natural-key index per key of the array parameter.

    ``OFFSET 0`` keeps the lateral subquery a subquery: without it PostgreSQL may join the
    array to all the agency's records of the source (a hash of every one of them, per chunk,
    measured at 100 ms for 200,000 records against 8 ms for the probes).
    """
    quote = connection.ops.quote_name
    wanted = ", ".join(f"t.{quote(c)}" for c in ("id", *columns))
    return (
        f"SELECT k.key, found.* FROM unnest(%s::text[]) AS k(key) CROSS JOIN LATERAL "
        f"(SELECT {wanted} FROM {quote(model._meta.db_table)} t WHERE t.agency_id = %s "
        "AND t.source = %s AND t.source_key <> '' AND t.source_key = k.key OFFSET 0) AS found"
    )


def first_taken(
    model: type[Model], *, agency_id: int, column: str, values: Sequence[str]
) -> str | None:
    """The first (in sort order) of ``values`` that a record of the agency already has in
    ``column``; None if none does."""
    if not values:
        return None
    if connection.vendor != "postgresql":
        return (
            model._default_manager.filter(agency_id=agency_id, **{f"{column}__in": list(values)})
            .order_by(column)
            .values_list(column, flat=True)
            .first()
        )
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        cursor.execute(
            # A scalar subquery (not EXISTS, which becomes a join that scans the agency's
            # records) so that each value is one probe of the unique index.
            "SELECT min(k.value) FROM unnest(%s::text[]) AS k(value) WHERE (SELECT 1 FROM "
            f"{table} t WHERE t.agency_id = %s AND t.{quoted} = k.value LIMIT 1) IS NOT NULL",
            [list(values), agency_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None
