"""``steadyhand audit verify|show``: the output an operator reads and the exit status cron sees."""

from collections.abc import Callable

import pytest
from django.db import connection, connections

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.cli import main
from steadyhand.core.testing import SmallAgency, make_user

pytestmark = pytest.mark.django_db

TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


Run = Callable[[list[str]], tuple[int, str, str]]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the real ``steadyhand`` entry point; return (exit status, stdout, stderr)."""
    # A command run from the command line closes every connection when it ends; in a test that
    # would close the test's own transaction (PostgreSQL), so leave the connections open.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def _run(args: list[str]) -> tuple[int, str, str]:
        try:
            main(args)
            status = 0
        except SystemExit as exc:
            status = int(exc.code or 0)
        out = capsys.readouterr()
        return status, out.out, out.err

    return _run


def _tamper(agency: SmallAgency, seq: int) -> int:
    event = AuditEvent.objects.get(agency=agency.agency, seq=seq)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["edited", event.pk])
    return event.pk


def _count(agency: SmallAgency) -> int:
    return AuditEvent.objects.filter(agency=agency.agency).count()


def test_verify_all_agencies_ok_exits_zero(
    small_agency: SmallAgency, other_agency: SmallAgency, run: Run
) -> None:
    status, out, _ = run(["audit", "verify"])
    assert status == 0
    assert f"{small_agency.agency.slug}: OK: {_count(small_agency)} events" in out
    assert f"{other_agency.agency.slug}: OK: {_count(other_agency)} events" in out


def test_verify_reports_the_first_break_and_exits_one(
    small_agency: SmallAgency, other_agency: SmallAgency, run: Run
) -> None:
    event_id = _tamper(small_agency, 4)
    status, out, err = run(["audit", "verify"])
    assert status == 1
    assert f"{small_agency.agency.slug}: BROKEN at seq 4 (event id {event_id})" in out
    assert "altered after it was written" in out
    # The intact agency is still reported as intact.
    assert f"{other_agency.agency.slug}: OK: {_count(other_agency)} events" in out
    assert f"broken for: {small_agency.agency.slug}. " in err  # and only for it


def test_verify_one_agency_ignores_the_others(
    small_agency: SmallAgency, other_agency: SmallAgency, run: Run
) -> None:
    _tamper(small_agency, 4)
    status, out, _ = run(["audit", "verify", "--agency", other_agency.agency.slug])
    assert status == 0
    [line] = out.splitlines()
    assert line.startswith(f"{other_agency.agency.slug}: OK: {_count(other_agency)} events (head ")
    status, out, _ = run(["audit", "verify", "--agency", small_agency.agency.slug])
    assert status == 1
    assert "BROKEN at seq 4" in out


def test_verify_reports_a_missing_event(small_agency: SmallAgency, run: Run) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE agency_id = %s AND seq = %s", [small_agency.agency.pk, 3]
        )
    status, out, _ = run(["audit", "verify", "--agency", small_agency.agency.slug])
    assert status == 1
    assert "BROKEN at seq 3 (event id missing)" in out
    assert "#3 is missing" in out


def test_verify_unknown_agency_is_an_error(small_agency: SmallAgency, run: Run) -> None:
    status, _, err = run(["audit", "verify", "--agency", "no-such-agency"])
    assert status == 1
    assert "No agency with slug 'no-such-agency'" in err
    assert small_agency.agency.slug in err  # it lists the ones that exist


def test_show_prints_the_last_events_oldest_first(small_agency: SmallAgency, run: Run) -> None:
    last = _count(small_agency)
    status, out, _ = run(["audit", "show", "--agency", small_agency.agency.slug, "--last", "3"])
    assert status == 0
    lines = [line for line in out.splitlines() if line.startswith("#")]
    assert [line.split()[0] for line in lines] == [f"#{last - 2}", f"#{last - 1}", f"#{last}"]
    newest = AuditEvent.objects.get(agency=small_agency.agency, seq=last)
    assert newest.action in lines[-1]
    assert newest.actor_label in lines[-1]
    assert "changes: " in out


def test_show_defaults_to_twenty(small_agency: SmallAgency, run: Run) -> None:
    for _ in range(6):
        make_user(small_agency.agency, [Role.TRAINER])  # two events each
    assert _count(small_agency) > 20
    status, out, _ = run(["audit", "show", "--agency", small_agency.agency.slug])
    assert status == 0
    assert len([line for line in out.splitlines() if line.startswith("#")]) == 20


def test_show_needs_an_agency_and_a_positive_count(small_agency: SmallAgency, run: Run) -> None:
    status, _, err = run(["audit", "show"])
    assert status != 0
    assert "--agency" in err
    status, _, err = run(["audit", "show", "--agency", small_agency.agency.slug, "--last", "0"])
    assert status == 1
    assert "--last must be at least 1" in err
