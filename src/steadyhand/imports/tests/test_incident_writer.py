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

    # Re-imported in other chunks: nothing changed, nothing is written.
    assert _load(small_agency, [_record(n) for n in range(4)], 3) == {
        "created": 0, "updated": 0, "unchanged": 4, "kept": 0,
    }  # fmt: skip
    assert _links(small_agency.agency.pk) == expected
    assert TimelineEvent.objects.filter(incident__agency=small_agency.agency).count() == 16

    # Every record changed at the source, in chunks of another size: rewritten, same links.
    changed = [_record(n) for n in range(4)]
    for record in changed:
        record.call_type = "disturbance"
    assert _load(small_agency, changed, 3)["updated"] == 4
    assert _links(small_agency.agency.pk) == expected
    assert TimelineEvent.objects.filter(incident__agency=small_agency.agency).count() == 16


def _writer(a: SmallAgency) -> IncidentWriter:
    return IncidentWriter(WriteContext(a.agency.pk, "import:test", a.root.pk, {}, None, None))


def _ids(agency_id: int) -> dict[str, tuple[int, int, list[int]]]:
    """Per case number: the incident's version, its row's id, and its events' ids."""
    return {
        i.case_number: (i.version, i.pk, sorted(i.events.values_list("pk", flat=True)))
        for i in Incident.objects.filter(agency_id=agency_id)
    }


def test_re_importing_an_unchanged_source_writes_nothing(small_agency: SmallAgency) -> None:
    records = [_record(n) for n in range(3)]
    _load(small_agency, records, 2)
    before = _ids(small_agency.agency.pk)
    stamps = set(TimelineEvent.objects.values_list("created_at", flat=True))

    assert _load(small_agency, [_record(n) for n in range(3)], 2)["unchanged"] == 3

    assert _ids(small_agency.agency.pk) == before  # same versions, same event rows
    assert set(TimelineEvent.objects.values_list("created_at", flat=True)) == stamps


def test_a_changed_timeline_is_replaced_and_the_incident_version_rises(
    small_agency: SmallAgency,
) -> None:
    _load(small_agency, [_record(n) for n in range(3)], 5)
    before = _ids(small_agency.agency.pk)
    changed = _record(1)
    changed.events[1].code = "strike"  # the source corrected one action
    moved = _record(2)
    moved.district = "South"  # only a field of the incident

    counts = _load(small_agency, [_record(0), changed, moved], 5)

    assert counts == {"created": 0, "updated": 2, "unchanged": 1, "kept": 0}
    after = _ids(small_agency.agency.pk)
    assert after["W-0"] == before["W-0"]
    assert after["W-1"][0] == before["W-1"][0] + 1
    assert set(after["W-1"][2]).isdisjoint(before["W-1"][2])  # a new timeline
    assert _links(small_agency.agency.pk)["W-1"][1] == ("strike", "o1-0", None, "s1-1")
    assert Incident.objects.get(case_number="W-2").district == "South"


def test_a_changed_record_that_others_refer_to_is_kept_as_it_was(
    small_agency: SmallAgency,
) -> None:
    """A statement on an imported officer's involvement must survive a re-import that would
    have replaced the involvement (the cascade would have deleted it without a word)."""
    from steadyhand.incidents.models import Statement

    _load(small_agency, [_record(n) for n in range(3)], 5)
    referred = Incident.objects.get(case_number="W-1")
    statement = Statement.objects.create(
        involvement=referred.involvements.get(external_id="o1-0"), text="what I saw"
    )
    before = _ids(small_agency.agency.pk)
    changed = [_record(n) for n in range(3)]
    for record in changed:
        record.events[0].code = "on_scene"

    writer = _writer(small_agency)
    for record in changed:
        writer.add(record)

    assert writer.finish() == {"created": 0, "updated": 2, "unchanged": 0, "kept": 1}
    assert writer.kept_names == ["W-1"]
    statement.refresh_from_db()
    assert statement.text == "what I saw"
    assert _ids(small_agency.agency.pk)["W-1"] == before["W-1"]  # untouched, fields included
    assert _links(small_agency.agency.pk)["W-1"][0][0] == "arrival"
    assert _links(small_agency.agency.pk)["W-0"][0][0] == "on_scene"


def test_only_the_months_a_load_changed_are_touched(small_agency: SmallAgency) -> None:
    """The statistics refresh after a load covers the months of what it wrote: none for an
    unchanged re-import; both months when the source moved an incident from one to another."""
    writer = _writer(small_agency)
    for n in range(3):
        writer.add(_record(n))
    writer.finish()
    assert writer.touched == {_record(n).occurred_at for n in range(3)}

    again = _writer(small_agency)
    for n in range(3):
        again.add(_record(n))
    again.finish()
    assert again.touched == set()

    moved = _record(1)
    moved.occurred_at = datetime(2024, 3, 5, 12, tzinfo=UTC)
    third = _writer(small_agency)
    for record in (_record(0), moved, _record(2)):
        third.add(record)
    assert third.finish()["updated"] == 1
    assert third.touched == {_record(1).occurred_at, moved.occurred_at}
