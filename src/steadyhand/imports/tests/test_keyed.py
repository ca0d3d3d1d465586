"""Looking up a chunk of natural keys: the records found, with the columns asked for, and on
PostgreSQL one index probe per key even when the table's statistics are stale (as they are
in the middle of a bulk load), so that a large load stays linear."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from steadyhand.core.testing import SmallAgency
from steadyhand.imports.mapping.incident_writer import IncidentWriter, WriteContext
from steadyhand.imports.mapping.incidents import IncidentRecord
from steadyhand.imports.mapping.keyed import existing_ids, existing_rows, existing_rows_sql
from steadyhand.incidents.models import Incident

pytestmark = pytest.mark.django_db


def _load(a: SmallAgency, count: int) -> None:
    writer = IncidentWriter(WriteContext(a.agency.pk, "import:k", a.root.pk, {}, None, None))
    when = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(count):
        writer.add(IncidentRecord(source_key=f"K{n}", case_number=f"K-{n}", occurred_at=when))
    writer.finish()


def test_the_records_found_come_with_the_columns_asked_for(small_agency: SmallAgency) -> None:
    a = small_agency
    _load(a, 3)
    keys = ["K0", "K2", "missing", ""]
    rows = existing_rows(
        Incident, agency_id=a.agency.pk, source="import:k", keys=keys,
        columns=("case_number", "source_fingerprint"),
    )  # fmt: skip
    assert set(rows) == {"K0", "K2"}
    ids = dict(Incident.objects.values_list("source_key", "id"))
    assert rows["K2"][:2] == (ids["K2"], "K-2")
    assert len(rows["K2"][2]) == 32  # the fingerprint the writer stored
    assert existing_ids(Incident, agency_id=a.agency.pk, source="import:k", keys=keys) == {
        "K0": ids["K0"], "K2": ids["K2"],
    }  # fmt: skip
    assert existing_ids(Incident, agency_id=a.agency.pk, source="other", keys=keys) == {}


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the query plan checked is PostgreSQL's; other databases look keys up with __in",
)
def test_each_key_is_one_index_probe_whatever_the_statistics_say(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    _load(a, 3000)  # inside the test's transaction: never analysed
    keys = [f"K{n}" for n in range(0, 3000, 3)]
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + existing_rows_sql(Incident, ("case_number",)),
            [keys, a.agency.pk, "import:k"],
        )
        plan = cursor.fetchone()[0][0]["Plan"]
    text = repr(plan)
    assert plan["Node Type"] == "Nested Loop", text
    assert "Hash" not in text, text
    assert "Seq Scan" not in text, text
    probe = plan["Plans"][1]
    while probe["Node Type"] == "Subquery Scan":
        probe = probe["Plans"][0]
    assert probe["Node Type"] in ("Index Scan", "Index Only Scan"), text
    assert probe["Actual Loops"] == len(keys)
    assert probe["Actual Rows"] == 1  # per loop: each key finds its one record
