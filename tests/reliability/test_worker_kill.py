"""Killing the task worker (``kill -9``) in the middle of a large incident import, then
starting it again: the import completes exactly once — no duplicated and no missing rows.

Real processes on a real database file (or a PostgreSQL database when DATABASE_URL points at
one): a setup process stages and checks the import and queues its load; a worker process picks
the load up and is killed while the load's transaction is open and writing; a new worker
finds the task its dead predecessor left "running", queues it again and runs it.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

PROJECT = Path(__file__).resolve().parents[2]
INCIDENTS = 1500  # several chunks of rows; small enough for `make test`
DEADLINE = 120.0  # seconds; every wait below shares it


def _sqlite_copy(tmp_path: Path) -> Iterator[str]:
    # The test database is already migrated (in memory); copying it saves a 20 s migrate.
    path = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    yield f"sqlite:///{path}"


def _postgres_copy() -> Iterator[str]:
    import psycopg

    template = connection.settings_dict["NAME"]
    name = f"steadyhand_worker_kill_{os.getpid()}"
    url = urlsplit(os.environ["DATABASE_URL"])
    admin_url = urlunsplit(url._replace(path="/postgres"))
    connection.close()  # a template database must have no other connection
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        # Threads of earlier tests in the run (live servers, request threads) leave idle
        # connections behind; a template must have none.
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [template],
        )
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield urlunsplit(url._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def worker_database(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """A copy of the (empty, migrated) test database that other processes can open."""
    yield from _sqlite_copy(tmp_path) if connection.vendor == "sqlite" else _postgres_copy()


class Database:
    """Plain reads of the workers' database, outside Django (it is another database)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite:")

    def scalar(self, sql: str, *params: object) -> object:
        if self.sqlite:
            conn: Any = sqlite3.connect(urlsplit(self.url).path, timeout=20)
        else:
            import psycopg

            conn = psycopg.connect(self.url, autocommit=True)
            sql = sql.replace("?", "%s")
        try:
            row = conn.execute(sql, params).fetchone()
        finally:
            conn.close()
        return row[0] if row else None


def _env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "steadyhand.config.settings.dev",
        "STEADYHAND_DEBUG": "0",
        "PYTHONPATH": str(PROJECT),
    }


def _worker(
    url: str, *args: str, module: str = "steadyhand", **env: str
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", module]
    if module == "steadyhand":
        command += ["worker", "--interval", "0.2"]
    return subprocess.Popen(
        [*command, *args],
        env={**_env(url), **env},
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition: Callable[[], bool], started: float, what: str) -> None:
    while not condition():
        if time.monotonic() - started > DEADLINE:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_a_worker_killed_mid_import_then_restarted_loads_it_exactly_once(
    worker_database: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    db = Database(worker_database)
    setup = subprocess.run(
        [sys.executable, "-m", "tests.reliability.worker_kill_setup",
         str(tmp_path / "Use_Of_Force.csv"), str(INCIDENTS)],
        env=_env(worker_database), cwd=PROJECT, capture_output=True, text=True, timeout=DEADLINE,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr[-3000:]
    staged = json.loads(setup.stdout.strip().splitlines()[-1])
    expected = staged["counts"]
    assert expected["incidents"] == INCIDENTS
    assert staged["errors"] == 0
    agency = staged["agency_id"]

    marker = tmp_path / "paused"
    first = _worker(
        worker_database, module="tests.reliability.worker_kill_worker", MARKER=str(marker)
    )
    try:
        _wait_for(marker.exists, started, "the load to write its incidents")
        _wait_for(lambda: marker.read_text() != "", started, "the marker")
        # Every incident was written inside the load's transaction, not yet committed.
        assert int(marker.read_text()) == INCIDENTS
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL

    # The killed load's transaction was rolled back: nothing half-written, but the task is
    # left "running" with nobody running it.
    assert db.scalar("SELECT count(*) FROM incidents_incident WHERE agency_id = ?", agency) == 0
    assert db.scalar("SELECT status FROM jobs_job WHERE id = ?", staged["job_id"]) == "running"
    assert db.scalar("SELECT count(*) FROM django_tasks_database_dbtaskresult "
                     "WHERE status = 'RUNNING'") == 1  # fmt: skip

    second = _worker(worker_database, "--batch")
    try:
        output, _ = second.communicate(timeout=max(5.0, DEADLINE - (time.monotonic() - started)))
    finally:
        if second.poll() is None:
            os.kill(second.pid, signal.SIGKILL)
            second.wait(timeout=10)
    log = output.decode(errors="replace")
    assert second.returncode == 0, log[-3000:]
    assert "queued again" in log

    def count(table: str, via: str = "agency_id") -> object:
        return db.scalar(f"SELECT count(*) FROM {table} WHERE {via} = ?", agency)

    assert count("incidents_incident") == expected["incidents"]
    incident_of = "incident_id IN (SELECT id FROM incidents_incident WHERE agency_id = ?)"
    assert db.scalar(f"SELECT count(*) FROM incidents_involvement WHERE {incident_of}",
                     agency) == expected["involvements"]  # fmt: skip
    assert db.scalar(f"SELECT count(*) FROM incidents_subject WHERE {incident_of}",
                     agency) == expected["subjects"]  # fmt: skip
    assert db.scalar(f"SELECT count(*) FROM incidents_timelineevent WHERE {incident_of}",
                     agency) == expected["events"]  # fmt: skip
    assert db.scalar("SELECT count(DISTINCT source_key) FROM incidents_incident "
                     "WHERE agency_id = ?", agency) == INCIDENTS  # fmt: skip
    assert db.scalar("SELECT status FROM imports_importbatch WHERE id = ?",
                     staged["batch_id"]) == "loaded"  # fmt: skip
    assert db.scalar("SELECT create_count FROM imports_importbatch WHERE id = ?",
                     staged["batch_id"]) == INCIDENTS  # fmt: skip
    assert db.scalar("SELECT status FROM jobs_job WHERE id = ?", staged["job_id"]) == "succeeded"
    # The load ran to success once (after it, the statistics refresh it queued runs too).
    assert db.scalar("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE "
                     "status = 'SUCCESSFUL' AND task_path LIKE ?", "%load_task") == 1  # fmt: skip
    # One load, audited once.
    assert db.scalar("SELECT count(*) FROM audit_auditevent WHERE agency_id = ? "
                     "AND action = 'import.load'", agency) == 1  # fmt: skip
