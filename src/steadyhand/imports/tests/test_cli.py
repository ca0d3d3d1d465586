"""``steadyhand import-roster`` end to end, with files on disk."""

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.imports.models import BatchStatus, ImportBatch
from steadyhand.imports.tests.factories import fixture_path, make_admin

pytestmark = pytest.mark.django_db


def _file(tmp_path: Path, fixture: str) -> str:
    target = tmp_path / fixture
    shutil.copy(fixture_path(fixture), target)
    return str(target)


def _run(path: str, agency: SmallAgency, username: str, *flags: str) -> str:
    out = io.StringIO()
    call_command(
        "import-roster",
        path,
        "--agency",
        agency.agency.slug,
        "--as",
        username,
        *flags,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def test_a_valid_file_is_loaded(small_agency: SmallAgency, tmp_path: Path) -> None:
    admin = make_admin(small_agency.agency, username="records")
    before = Member.objects.count()
    out = _run(_file(tmp_path, "roster_valid.csv"), small_agency, "records")
    assert "5 can be loaded (5 new, 0 to update, 0 unchanged); 0 with problems" in out
    assert "5 new member(s), 0 updated, 0 unchanged." in out
    assert Member.objects.count() == before + 5
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_by) == (BatchStatus.LOADED, admin)
    assert AuditEvent.objects.filter(action="member.create", actor_user_id=admin.pk).count() == 5


def test_errors_are_printed_and_nothing_is_loaded(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    make_admin(small_agency.agency, username="records")
    before = Member.objects.count()
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"12 problem.* in 12 row.*nothing was loaded"):
        call_command(
            "import-roster",
            _file(tmp_path, "roster_errors.csv"),
            agency=small_agency.agency.slug,
            as_user="records",
            stdout=out,
        )
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "roster_errors.csv:3:rank: unknown rank; allowed values: recruit, officer, detective, "
        "sergeant, lieutenant, captain, commander, deputy_chief, chief, civilian "
        "(value: 'sgt')"
    )
    assert "roster_errors.csv:9:first_name: required value is missing" in lines
    assert len([line for line in lines if re.match(r"roster_errors\.csv:\d+:", line)]) == 12
    assert Member.objects.count() == before


def test_valid_only_loads_the_good_rows(small_agency: SmallAgency, tmp_path: Path) -> None:
    make_admin(small_agency.agency, username="records")
    before = Member.objects.count()
    out = _run(_file(tmp_path, "roster_errors.csv"), small_agency, "records", "--valid-only")
    assert "2 new member(s), 1 updated, 0 unchanged, 12 row(s) left out." in out
    assert Member.objects.count() == before + 2


def test_a_dry_run_saves_nothing(small_agency: SmallAgency, tmp_path: Path) -> None:
    make_admin(small_agency.agency, username="records")
    members, events = Member.objects.count(), AuditEvent.objects.count()
    out = _run(_file(tmp_path, "roster_valid.csv"), small_agency, "records", "--dry-run")
    assert "5 new member(s)" in out
    assert out.rstrip().endswith("Dry run: nothing was saved.")
    assert (Member.objects.count(), AuditEvent.objects.count()) == (members, events)
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("officer", "may not import rosters"),
        ("missing", "No active user 'nobody'"),
    ],
)
def test_the_named_user_must_be_allowed_to_import(
    small_agency: SmallAgency, tmp_path: Path, setup: str, message: str
) -> None:
    make_user(small_agency.agency, [Role.OFFICER], username="officer")
    before = Member.objects.count()
    username = "officer" if setup == "officer" else "nobody"
    with pytest.raises(CommandError, match=message):
        _run(_file(tmp_path, "roster_valid.csv"), small_agency, username)
    assert Member.objects.count() == before
    assert not ImportBatch.objects.exists()


def test_an_unknown_agency_or_file_is_reported(small_agency: SmallAgency, tmp_path: Path) -> None:
    make_admin(small_agency.agency, username="records")
    with pytest.raises(CommandError, match="Cannot read"):
        _run(str(tmp_path / "absent.csv"), small_agency, "records")
    with pytest.raises(CommandError, match="No agency with the slug 'nope'"):
        call_command(
            "import-roster", _file(tmp_path, "roster_valid.csv"), agency="nope", as_user="records"
        )
