"""Incident imports through the services, against the database, on the committed excerpts and
on small malformed files: counts, idempotence, all-or-nothing, refusals and the audit trail."""

from pathlib import Path
from typing import Any

import pytest

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.imports import incident_services as services
from steadyhand.imports import mapped_targets
from steadyhand.imports.mapped_selectors import mapped_batch_get_visible
from steadyhand.imports.mapping import incident_writer
from steadyhand.imports.models import BatchStatus, ImportBatch, LoadMode
from steadyhand.imports.tests.incident_import_support import excerpt_paths
from steadyhand.incidents.models import Incident, Involvement, Subject, TimelineEvent

pytestmark = pytest.mark.django_db

MAPPING = """
name = "testcity"
key = ["case"]
[[files]]
pattern = "*.csv"
[files.columns]
case = { headers = ["Case"], required = true }
when = { headers = ["Date"], type = "date", formats = ["%Y-%m-%d"], required = true }
officer = { headers = ["Officer"], required = true }
race = { headers = ["Race"], codes = "race" }
force = { headers = ["Force"], codes = "force", split = ";" }
district = { headers = ["District"], codes = "unit" }
[codes.race]
into = "races"
[codes.race.values]
"W" = "white"
"B" = "black"
[codes.force]
into = "force_types"
[codes.force.values]
"Taser" = "cew"
"Takedown" = "takedown"
[codes.unit]
into = "units"
[codes.unit.values]
"North" = "PA"
"South" = "PB"
[incident]
case_number = "TC-{case}"
occurred = "when"
unit = "district"
[officer]
id = "officer"
link_by_badge = true
[subject]
race = "race"
[[events]]
kind = "force"
code = "force"
"""

GOOD = (
    "Case,Date,Officer,Race,Force,District\n"
    "1,2024-01-02,O101,W,Taser; Takedown,North\n"
    "1,2024-01-02,X-9,W,Takedown,North\n"
    "2,2024-02-03,O201,B,,South\n"
)


def _analyst(a: SmallAgency) -> Any:
    return actor_of(make_user(a.agency, [Role.ANALYST], username=f"analyst{a.agency.pk}"))


def _mapping_file(tmp_path: Path) -> str:
    path = tmp_path / "testcity.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return str(path)


def _checked(actor: Any, tmp_path: Path, text: str | bytes, name: str = "uof.csv") -> ImportBatch:
    data = text.encode() if isinstance(text, str) else text
    batch = services.incident_import_create(
        actor=actor, mapping=_mapping_file(tmp_path), files=[(name, data)],
        check_in_background=False,
    )  # fmt: skip
    return services.incident_import_check(actor=actor, batch=batch)


def _db_counts() -> tuple[int, int, int, int]:
    return (
        Incident.objects.count(),
        Involvement.objects.count(),
        Subject.objects.count(),
        TimelineEvent.objects.count(),
    )


def test_a_file_loads_into_units_links_badges_and_records_one_audit_event(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    a = small_agency
    actor = _analyst(a)
    batch = _checked(actor, tmp_path, GOOD)
    assert batch.status == BatchStatus.VALIDATED
    assert batch.error_count == 0
    assert batch.options["counts"] == {
        "rows": 3, "incidents": 2, "involvements": 3, "officers": 3, "subjects": 2, "events": 3,
        "valid_rows": 3, "rejected_rows": 0, "errors": 0,
    }  # fmt: skip
    assert (batch.create_count, batch.update_count) == (2, 0)
    before = AuditEvent.objects.filter(action="import.load").count()
    batch = services.incident_import_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    assert batch.status == BatchStatus.LOADED
    assert _db_counts() == (2, 3, 2, 3)
    first = Incident.objects.get(case_number="TC-1")
    assert first.unit == a.precinct_a
    assert first.source == "import:testcity"
    assert first.force_used
    assert first.highest_force_level == 4
    assert first.occurred_at.isoformat() == "2024-01-02T06:00:00+00:00"  # Chicago midnight
    linked = {i.external_id: i.member for i in first.involvements.all()}
    assert linked == {"O101": a.officer_a1, "X-9": None}
    events = list(
        first.events.order_by("sequence").values_list("code", "actor_involvement__external_id")
    )
    assert events == [("cew", "O101"), ("takedown", "O101"), ("takedown", "X-9")]
    loads = AuditEvent.objects.filter(action="import.load")
    assert loads.count() == before + 1
    event = loads.latest("seq")
    assert event.actor_user_id == actor.user_id
    assert event.changes["created"] == [None, 2]
    assert event.changes["counts"][1]["events"] == 3


def test_importing_the_same_file_again_creates_nothing(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    actor = _analyst(small_agency)
    services.incident_import_load(
        actor=actor, batch=_checked(actor, tmp_path, GOOD), mode=LoadMode.ALL
    )
    first_ids = set(Incident.objects.values_list("pk", flat=True))
    again = _checked(actor, tmp_path, GOOD)
    assert (again.create_count, again.update_count) == (0, 2)
    again = services.incident_import_load(actor=actor, batch=again, mode=LoadMode.ALL)
    assert (again.create_count, again.update_count, again.unchanged_count) == (0, 0, 2)
    assert _db_counts() == (2, 3, 2, 3)
    assert set(Incident.objects.values_list("pk", flat=True)) == first_ids


def test_a_changed_row_updates_its_incident(small_agency: SmallAgency, tmp_path: Path) -> None:
    actor = _analyst(small_agency)
    services.incident_import_load(
        actor=actor, batch=_checked(actor, tmp_path, GOOD), mode=LoadMode.ALL
    )
    changed = GOOD.replace("2,2024-02-03,O201,B,,South", "2,2024-02-04,O201,B,Taser,South")
    batch = services.incident_import_load(
        actor=actor, batch=_checked(actor, tmp_path, changed), mode=LoadMode.ALL
    )
    assert (batch.create_count, batch.update_count, batch.unchanged_count) == (0, 1, 1)
    second = Incident.objects.get(case_number="TC-2")
    assert second.version == 2
    assert second.force_used
    assert list(second.events.values_list("code", flat=True)) == ["cew"]
    assert _db_counts() == (2, 3, 2, 4)


MALFORMED = GOOD + (
    "3,2024-03-03,O301\n"  # truncated
    "4,2099-01-01,O301,W,,North\n"  # future
    "5,2024-03-05,O301,Z,,North\n"  # unknown code
    "6,2024-03-06,O301,W,,Atlantis\n"  # unknown district
)


def test_malformed_rows_are_reported_exactly_and_nothing_is_written(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    actor = _analyst(small_agency)
    batch = _checked(actor, tmp_path, MALFORMED)
    today = batch.options["counts"] and incident_today(small_agency)
    assert [str(e) for e in batch.row_errors] == [
        "uof.csv:5:Race: truncated row: it has 3 cells but the header has 6 columns (value: '3 cells')",  # noqa: E501
        f"uof.csv:6:Date: the date is in the future (today is {today}) (value: '2099-01-01')",
        "uof.csv:7:Race: unknown value for code list 'race' (known, ignoring case: 'b', 'w') (value: 'Z')",  # noqa: E501
        "uof.csv:8:District: unknown value for code list 'unit' (known, ignoring case: 'north', 'south') (value: 'Atlantis')",  # noqa: E501
    ]  # fmt: skip
    assert (batch.error_count, batch.error_row_count, batch.valid_count) == (4, 4, 3)
    with pytest.raises(InvalidInput):
        services.incident_import_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    assert _db_counts() == (0, 0, 0, 0)
    batch.refresh_from_db()
    batch = services.incident_import_load(actor=actor, batch=batch, mode=LoadMode.VALID_ONLY)
    assert _db_counts() == (2, 3, 2, 3)
    assert batch.options["loaded"]["rejected_rows"] == 4


def incident_today(a: SmallAgency) -> str:
    from steadyhand.core.testing import system_actor
    from steadyhand.imports.mapping_context import import_context

    return import_context(actor=system_actor(a.agency)).today.isoformat()


def test_a_file_in_neither_encoding_cannot_be_loaded(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    actor = _analyst(small_agency)
    batch = _checked(actor, tmp_path, GOOD.encode() + b"7,2024-01-01,A\x81,W,,North\n")
    assert batch.fatal
    assert batch.row_errors[0].reason.startswith(
        "wrong encoding: byte 0x81 on line 5 is neither UTF-8 nor Windows-1252"
    )
    with pytest.raises(InvalidInput):
        services.incident_import_load(actor=actor, batch=batch, mode=LoadMode.VALID_ONLY)
    assert _db_counts() == (0, 0, 0, 0)


def test_a_cp1252_file_loads(small_agency: SmallAgency, tmp_path: Path) -> None:
    actor = _analyst(small_agency)
    batch = _checked(actor, tmp_path, GOOD.replace("X-9", "X-é").encode("cp1252"))
    assert batch.encoding == "cp1252"
    assert batch.error_count == 0
    services.incident_import_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    assert Involvement.objects.filter(external_id="X-é").exists()


def test_a_load_that_fails_half_way_writes_nothing(
    small_agency: SmallAgency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = _analyst(small_agency)
    batch = _checked(actor, tmp_path, GOOD)
    monkeypatch.setattr(mapped_targets, "CHUNK", 1)
    calls = {"n": 0}
    original = incident_writer.IncidentWriter._children

    def failing(self: Any, records: Any, ids: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        original(self, records, ids)

    monkeypatch.setattr(incident_writer.IncidentWriter, "_children", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        services.incident_import_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    assert _db_counts() == (0, 0, 0, 0)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "disk full" in batch.failure


def test_a_case_number_already_used_stops_the_load(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    actor = _analyst(small_agency)
    batch = _checked(actor, tmp_path, GOOD)
    other = MAPPING.replace('name = "testcity"', 'name = "othercity"')
    (tmp_path / "othercity.toml").write_text(other, encoding="utf-8")
    services.incident_import_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    second = services.incident_import_create(
        actor=actor, mapping=str(tmp_path / "othercity.toml"), files=[("uof.csv", GOOD.encode())],
        check_in_background=False,
    )  # fmt: skip
    second = services.incident_import_check(actor=actor, batch=second)
    with pytest.raises(ConflictError, match="'TC-1' is already used"):
        services.incident_import_load(actor=actor, batch=second, mode=LoadMode.ALL)
    assert Incident.objects.count() == 2


def test_officers_may_not_import_and_other_agencies_do_not_see_batches(
    small_agency: SmallAgency, other_agency: SmallAgency, tmp_path: Path
) -> None:
    officer = actor_of(
        make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1)
    )
    with pytest.raises(PermissionDenied):
        services.incident_import_create(
            actor=officer, mapping="seattle", files=[("Use_Of_Force.csv", b"x")],
            check_in_background=False,
        )  # fmt: skip
    batch = _checked(_analyst(small_agency), tmp_path, GOOD)
    with pytest.raises(NotFound):
        mapped_batch_get_visible(actor=_analyst(other_agency), batch_id=batch.pk)
    with pytest.raises(PermissionDenied):
        services.incident_import_load(actor=officer, batch=batch, mode=LoadMode.ALL)
    assert Incident.objects.count() == 0


def test_an_unknown_mapping_is_refused(small_agency: SmallAgency) -> None:
    with pytest.raises(InvalidInput, match="no such mapping"):
        services.incident_import_create(
            actor=_analyst(small_agency), mapping="atlantis", files=[("a.csv", b"x")],
            check_in_background=False,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("mapping", "counts"),
    [
        ("seattle", (15, 15, 30, 30)),
        ("austin", (25, 30, 24, 64)),
        ("new_orleans", (15, 28, 15, 30)),
        ("minneapolis", (14, 0, 18, 39)),
    ],
)
def test_every_shipped_excerpt_loads_and_reloads_idempotently(
    small_agency: SmallAgency, mapping: str, counts: tuple[int, int, int, int]
) -> None:
    actor = _analyst(small_agency)
    for _ in range(2):
        batch = services.incident_import_create(
            actor=actor, mapping=mapping, paths=excerpt_paths(mapping), check_in_background=False
        )
        batch = services.incident_import_check(actor=actor, batch=batch)
        assert batch.error_count == 0
        batch = services.incident_import_load(actor=actor, batch=batch, mode=LoadMode.ALL)
        assert _db_counts() == counts
    assert batch.create_count == 0
    assert batch.unchanged_count == counts[0]


def test_a_staged_file_that_changed_on_disk_is_refused(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    actor = _analyst(small_agency)
    path = tmp_path / "uof.csv"
    path.write_text(GOOD, encoding="utf-8")
    batch = services.incident_import_create(
        actor=actor, mapping=_mapping_file(tmp_path), paths=[path], check_in_background=False
    )
    batch = services.incident_import_check(actor=actor, batch=batch)
    path.write_text(GOOD.replace("Taser", "Takedown"), encoding="utf-8")
    with pytest.raises(ConflictError, match="changed since it was staged"):
        services.incident_import_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    assert Incident.objects.count() == 0
