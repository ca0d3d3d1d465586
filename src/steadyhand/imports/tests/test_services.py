"""Upload → check → load through the services, against the database."""

from datetime import date
from typing import Any

import pytest

from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member, MemberStatus
from steadyhand.agencies.services import member_update
from steadyhand.audit.models import AuditEvent
from steadyhand.audit.verify import verify_chain
from steadyhand.core.errors import ConflictError, InvalidInput, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.imports import roster, services
from steadyhand.imports.models import BatchStatus, LoadMode
from steadyhand.imports.selectors import agency_today
from steadyhand.imports.services import roster_load, roster_recheck, roster_upload
from steadyhand.imports.tests.factories import admin_actor, checked_batch, fixture_bytes
from steadyhand.jobs.models import JobStatus

pytestmark = pytest.mark.django_db

RANKS = (
    "recruit, officer, detective, sergeant, lieutenant, captain, commander, deputy_chief, "
    "chief, civilian"
)


def _imported(batch_id: int) -> Any:
    """Audit events that members got from import ``batch_id``."""
    return AuditEvent.objects.filter(
        action__in=["member.create", "member.update"],
        reason__startswith=f"Roster import #{batch_id} ",
    )


def test_a_valid_file_loads_with_supervisors_and_audit(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = admin_actor(a.agency)
    before = Member.objects.filter(agency=a.agency).count()
    batch = checked_batch(actor, "roster_valid.csv")
    assert (batch.status, batch.row_count, batch.valid_count, batch.error_count) == (
        BatchStatus.VALIDATED,
        5,
        5,
        0,
    )
    assert (batch.create_count, batch.update_count) == (5, 0)

    batch = roster_load(actor=actor, batch=batch, mode=LoadMode.ALL)

    assert batch.status == BatchStatus.LOADED
    assert batch.loaded_count == 5
    assert Member.objects.filter(agency=a.agency).count() == before + 5
    members = {m.badge: m for m in Member.objects.filter(agency=a.agency)}
    # Forward references: N501 and N502 come before their sergeant N510, who comes before N520.
    assert members["N501"].supervisor == members["N510"]
    assert members["N502"].supervisor == members["N510"]
    assert members["N510"].supervisor == members["N520"]
    assert members["N520"].supervisor is None
    assert members["N503"].supervisor == a.sergeant_a1  # an existing member
    assert members["N503"].status == MemberStatus.LEAVE
    assert members["N501"].status == MemberStatus.ACTIVE  # empty status: active
    assert members["N510"].unit == a.precinct_a
    assert members["N501"].hire_date == date(2020, 2, 3)
    events = _imported(batch.pk)
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        str(members[b].pk) for b in ("N501", "N502", "N503", "N510", "N520")
    )
    assert set(events.values_list("actor_user_id", flat=True)) == {actor.user_id}
    batch_events = AuditEvent.objects.filter(
        object_type="imports.importbatch", object_id=str(batch.pk)
    ).values_list("action", flat=True)
    assert list(batch_events) == ["import.upload", "import.validate", "import.load"]
    assert verify_chain(a.agency.pk).ok


def test_errors_are_reported_as_exact_row_column_reason_triples(
    small_agency: SmallAgency,
) -> None:
    actor = admin_actor(small_agency.agency)
    batch = checked_batch(actor, "roster_errors.csv")
    today = agency_today(agency_id=small_agency.agency.pk).isoformat()
    assert [(e.row, e.column, e.reason) for e in batch.row_errors] == [
        (3, "rank", f"unknown rank; allowed values: {RANKS}"),
        (
            4,
            "unit_code",
            "unknown unit code; no unit of the agency has this code (the Units page lists them)",
        ),
        (5, "hire_date", "not a date in YYYY-MM-DD form, e.g. 2019-07-01"),
        (6, "hire_date", f"hire date is in the future (today is {today})"),
        (7, "badge", "duplicate badge: it also appears on row 8; each member may appear only once"),
        (8, "badge", "duplicate badge: it also appears on row 7; each member may appear only once"),
        (9, "first_name", "required value is missing"),
        (
            10,
            "supervisor_badge",
            "unknown supervisor badge: no existing member has it and no row of this file has it",
        ),
        (
            11,
            "supervisor_badge",
            "supervisor cycle: E609 → E610 → E609; a member cannot "
            "supervise themselves, directly or through others",
        ),
        (
            12,
            "supervisor_badge",
            "supervisor cycle: E609 → E610 → E609; a member cannot "
            "supervise themselves, directly or through others",
        ),
        (
            13,
            "supervisor_badge",
            "the supervisor's own row (row 4) has errors, so this row cannot be loaded without it",
        ),
        (
            16,
            "status",
            "unknown status; allowed values: active, leave, suspended, separated (or "
            "leave it empty)",
        ),
    ]
    assert {e.file_name for e in batch.row_errors} == {"roster_errors.csv"}
    assert [e.value for e in batch.row_errors][:3] == ["sgt", "ZZ-9", "01/04/2019"]
    assert (batch.row_count, batch.valid_count, batch.error_row_count) == (15, 3, 12)
    assert [(p["row"], p["badge"], p["action"]) for p in batch.plan] == [
        (2, "E601", "create"),
        (14, "E612", "create"),
        (15, "O201", "update"),
    ]


def test_load_all_with_errors_writes_nothing(small_agency: SmallAgency) -> None:
    actor = admin_actor(small_agency.agency)
    batch = checked_batch(actor, "roster_errors.csv")
    members_before = Member.objects.count()
    events_before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput, match="cannot be loaded in full"):
        roster_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    assert Member.objects.count() == members_before
    assert AuditEvent.objects.count() == events_before
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED  # a refusal is not a failure


def test_valid_only_loads_exactly_the_valid_rows(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = admin_actor(a.agency)
    batch = checked_batch(actor, "roster_errors.csv")
    before = set(Member.objects.filter(agency=a.agency).values_list("badge", flat=True))

    batch = roster_load(actor=actor, batch=batch, mode=LoadMode.VALID_ONLY)

    after = set(Member.objects.filter(agency=a.agency).values_list("badge", flat=True))
    assert after - before == {"E601", "E612"}
    assert Member.objects.get(badge="E612", agency=a.agency).supervisor.badge == "E601"
    a.officer_a2.refresh_from_db()
    assert a.officer_a2.rank == "detective"
    assert (batch.status, batch.load_mode, batch.loaded_count) == (
        BatchStatus.LOADED,
        LoadMode.VALID_ONLY,
        3,
    )
    assert _imported(batch.pk).count() == 3


@pytest.mark.parametrize(
    ("fixture", "encoding", "names"),
    [
        ("roster_utf8_bom.csv", "utf-8", {("Zoë", "Ångström"), ("Łukasz", "Brzęczyk")}),
        ("roster_cp1252.csv", "cp1252", {("Renée", "Nuñez"), ("François", "Œuvrard")}),
    ],
)
def test_spreadsheet_encodings_load_with_their_names_intact(
    small_agency: SmallAgency, fixture: str, encoding: str, names: set[tuple[str, str]]
) -> None:
    actor = admin_actor(small_agency.agency)
    batch = checked_batch(actor, fixture)
    assert (batch.encoding, batch.error_count, batch.valid_count) == (encoding, 0, 2)
    roster_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    loaded = Member.objects.filter(agency=small_agency.agency, last_name__in=[n for _, n in names])
    assert {(m.first_name, m.last_name) for m in loaded} == names
    assert all(m.supervisor is not None for m in loaded if m.first_name in {"Łukasz", "François"})


def test_an_existing_badge_updates_that_member(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = admin_actor(a.agency)
    version = a.officer_b1.version
    content = (
        b"badge,first_name,last_name,rank,unit_code,supervisor_badge,hire_date,status\n"
        b"O301,Test,O301,sergeant,PB-P,S100,2015-03-01,suspended\n"
        b"O101,Test,O101,officer,PA-1,S100,2015-03-01,\n"  # exactly as stored: no change
    )
    batch = checked_batch(actor, "update.csv", content)
    assert (batch.create_count, batch.update_count, batch.unchanged_count) == (0, 1, 1)
    count = Member.objects.count()
    roster_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    assert Member.objects.count() == count
    a.officer_b1.refresh_from_db()
    assert (a.officer_b1.rank, a.officer_b1.unit, a.officer_b1.supervisor, a.officer_b1.status) == (
        "sergeant",
        a.precinct_b,
        a.sergeant_a1,
        "suspended",
    )
    assert a.officer_b1.version == version + 1
    event = _imported(batch.pk).get()
    assert event.action == "member.update"
    assert event.changes["rank"] == ["officer", "sergeant"]


def test_an_unexpected_error_mid_load_rolls_everything_back(
    small_agency: SmallAgency, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = admin_actor(small_agency.agency)
    batch = checked_batch(actor, "roster_valid.csv")
    real_create = services.member_create
    calls = {"n": 0}

    def flaky_create(**kwargs: Any) -> Member:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "member_create", flaky_create)
    members_before = Member.objects.count()
    with pytest.raises(services.RosterLoadFailed, match="disk full"):
        roster_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    assert calls["n"] == 3  # two members were written before the failure …
    assert Member.objects.count() == members_before  # … and rolled back
    assert not _imported(batch.pk).exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "Nothing from this file was loaded" in batch.failure
    assert AuditEvent.objects.filter(action="import.fail", object_id=str(batch.pk)).exists()
    assert verify_chain(small_agency.agency.pk).ok


def test_a_member_edited_after_the_check_stops_the_load(small_agency: SmallAgency) -> None:
    a = small_agency
    actor = admin_actor(a.agency)
    batch = checked_batch(actor, "roster_errors.csv")  # row 15 updates O201
    member_update(
        actor=a.system,
        member=a.officer_a2,
        expected_version=a.officer_a2.version,
        badge="O201",
        first_name="Test",
        last_name="O201",
        rank="officer",
        unit=a.squad_a2,
        hire_date=date(2015, 3, 1),
        supervisor=None,
        status="leave",
    )
    count = Member.objects.count()
    with pytest.raises(ConflictError, match="rows 15"):
        roster_load(actor=actor, batch=batch, mode=LoadMode.VALID_ONLY)
    assert Member.objects.count() == count
    a.officer_a2.refresh_from_db()
    assert (a.officer_a2.rank, a.officer_a2.status) == ("officer", "leave")

    # Checking again picks up the current version; the load then goes through.
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    batch = roster_recheck(actor=actor, batch=batch)  # runs at once with the test backend
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    roster_load(actor=actor, batch=batch, mode=LoadMode.VALID_ONLY)
    a.officer_a2.refresh_from_db()
    assert (a.officer_a2.rank, a.officer_a2.status) == ("detective", "leave")


def test_a_loaded_batch_cannot_be_loaded_again(small_agency: SmallAgency) -> None:
    actor = admin_actor(small_agency.agency)
    batch = checked_batch(actor, "roster_valid.csv")
    roster_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    batch.refresh_from_db()
    with pytest.raises(ConflictError, match="only a checked import can be loaded"):
        roster_load(actor=actor, batch=batch, mode=LoadMode.ALL)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR])
def test_only_importers_may_upload(small_agency: SmallAgency, role: Role) -> None:
    actor = actor_of(make_user(small_agency.agency, [role]))
    with pytest.raises(PermissionDenied):
        roster_upload(actor=actor, file_name="r.csv", content=fixture_bytes("roster_valid.csv"))


def test_another_agencys_admin_cannot_load_a_batch(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    batch = checked_batch(admin_actor(small_agency.agency), "roster_valid.csv")
    intruder = admin_actor(other_agency.agency)
    with pytest.raises(PermissionDenied):
        roster_load(actor=intruder, batch=batch, mode=LoadMode.ALL)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED


def test_upload_starts_a_background_check_with_a_job(small_agency: SmallAgency) -> None:
    actor = admin_actor(small_agency.agency)
    batch = roster_upload(
        actor=actor,
        file_name="C:\\Users\\clerk\\roster_errors.csv",
        content=fixture_bytes("roster_errors.csv"),
    )
    batch.refresh_from_db()
    assert batch.file_name == "roster_errors.csv"
    assert batch.status == BatchStatus.VALIDATED
    job = batch.job
    assert job is not None
    assert (job.status, job.started_by_id, job.kind) == (
        JobStatus.SUCCEEDED,
        actor.user_id,
        "import.roster.validate",
    )
    assert job.result["rows_with_errors"] == 12
    assert (job.done, job.total) == (15, 15)


def test_an_empty_or_oversized_upload_is_refused(
    small_agency: SmallAgency, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = admin_actor(small_agency.agency)
    with pytest.raises(InvalidInput, match="empty"):
        roster_upload(actor=actor, file_name="r.csv", content=b"")
    monkeypatch.setattr(roster, "MAX_FILE_BYTES", 10)
    with pytest.raises(InvalidInput, match="the limit is"):
        roster_upload(actor=actor, file_name="r.csv", content=b"x" * 11)
