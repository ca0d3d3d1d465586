"""The incident writer fills in ids the database hands out: each event must point at the
involvement and subjects of its own incident, across the records of a chunk, and a re-import
must rebuild the same links."""

from datetime import UTC, datetime

import pytest

from steadyhand.core.testing import SmallAgency
from steadyhand.imports.mapping.incident_writer import IncidentWriter, WriteContext
from steadyhand.imports.mapping.incidents import (
    EventRecord,
    IncidentRecord,
    OfficerRecord,
    SubjectRecord,
)
from steadyhand.incidents.models import Incident, TimelineEvent

pytestmark = pytest.mark.django_db


def _record(n: int) -> IncidentRecord:
    """Record ``n`` has n + 1 officers and n + 1 subjects (so offsets differ per record);
    its events name them by external id, including a name the record does not list."""
    officers = [OfficerRecord(external_id=f"o{n}-{i}") for i in range(n + 1)]
    subjects = [
        SubjectRecord(external_id=f"s{n}-{i}", ordinal=i, race="black" if i else "white")
        for i in range(n + 1)
    ]
    events = [
        EventRecord(sequence=0, kind="arrival", code="arrival", officer=f"o{n}-{n}"),
        EventRecord(sequence=1, kind="force", code="takedown", officer=f"o{n}-0",
                    target=f"s{n}-{n}", force_level=3),
        EventRecord(sequence=2, kind="resistance", code="active", subject=f"s{n}-0"),
        EventRecord(sequence=3, kind="force", code="cew", officer="nobody", target="nobody"),
    ]  # fmt: skip
    return IncidentRecord(
        source_key=f"K{n}",
        case_number=f"W-{n}",
        occurred_at=datetime(2024, 1, 1 + n, 12, tzinfo=UTC),
        district="North",
        officers=officers,
        subjects=subjects,
        events=events,
    )


def _links(agency_id: int) -> dict[str, list[tuple[str, str | None, str | None, str | None]]]:
    found: dict[str, list[tuple[str, str | None, str | None, str | None]]] = {}
    events = TimelineEvent.objects.filter(incident__agency_id=agency_id).order_by("sequence")
    rows = events.values_list(
        "incident__case_number", "code", "actor_involvement__external_id",
        "actor_subject__external_id", "target_subject__external_id",
    )  # fmt: skip
    for case, code, officer, actor, target in rows:
        found.setdefault(case, []).append((code, officer, actor, target))
    return found


def _load(a: SmallAgency, records: list[IncidentRecord], chunk_size: int) -> dict[str, int]:
    writer = IncidentWriter(
        WriteContext(a.agency.pk, "import:test", a.root.pk, {}, None, None), chunk_size=chunk_size
    )
    for record in records:
        writer.add(record)
    return writer.finish()


@pytest.mark.parametrize("chunk_size", [1, 2, 5])
def test_events_point_at_their_own_incidents_people_in_every_chunk(
    small_agency: SmallAgency, chunk_size: int
) -> None:
    records = [_record(n) for n in range(4)]
    assert _load(small_agency, records, chunk_size)["created"] == 4
    expected = {
        f"W-{n}": [
            ("arrival", f"o{n}-{n}", None, None),
            ("takedown", f"o{n}-0", None, f"s{n}-{n}"),
            ("active", None, f"s{n}-0", None),
            ("cew", None, None, None),  # names nobody the record lists: linked to nobody
        ]
        for n in range(4)
    }
    assert _links(small_agency.agency.pk) == expected
    third = Incident.objects.get(agency=small_agency.agency, case_number="W-2")
    assert sorted(third.subjects.values_list("ordinal", "race")) == [
        (0, "white"), (1, "black"), (2, "black"),
    ]  # fmt: skip
    assert third.involvements.count() == 3

    # Re-imported in other chunks, people and events are replaced and linked the same way.
    assert _load(small_agency, [_record(n) for n in range(4)], 3) == {
        "created": 0, "updated": 0, "unchanged": 4,
    }  # fmt: skip
    assert _links(small_agency.agency.pk) == expected
    assert TimelineEvent.objects.filter(incident__agency=small_agency.agency).count() == 16
