"""Incident import benchmark: a 1,000,000-row file staged, checked and loaded through the
Seattle mapping, next to a plain ``COPY`` of the same file into a bare table, in the same run.

The file is made by replicating the real Seattle file (../shared/data/use-of-force/seattle)
with perturbed keys (each replica gets its own incident numbers and officer ids), streamed to
/tmp, never held in memory. Peak memory is the process's resident set sampled every 20 ms,
above what it was when the phase started (tracemalloc would slow the import several-fold).

On PostgreSQL a second baseline is measured after the load: the very rows the import wrote,
written again by PostgreSQL alone (``INSERT … SELECT`` into the emptied real tables, with their
indexes and foreign keys checked, then rolled back). No importer into this schema can beat it,
so "against what PostgreSQL itself needs" says how much of the time is ours; each phase also
prints the CPU seconds of this process and of the database backend. The refresh of the monthly
statistics that a load queues when it commits (a background job in production) is timed on
its own line, not as part of the load.

Runs on SQLite by default (the baseline is then ``executemany`` of the parsed rows, SQLite
having no COPY) and on PostgreSQL when ``DATABASE_URL`` is set:
``scripts/with-postgres.sh .venv/bin/python -m bench imports``. ``BENCH_IMPORT_ROWS`` changes
the row count (default 1,000,000); ``BENCH_IMPORT_REIMPORT=0`` skips the re-import.
"""

import csv
import os
import resource
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

from bench.harness import test_database

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
# BENCH_IMPORT_REIMPORT=0 skips loading the file a second time (which must create nothing).
REIMPORT = os.environ.get("BENCH_IMPORT_REIMPORT", "1") != "0"
SEATTLE = (
    Path(__file__).resolve().parents[1].parent / "shared/data/use-of-force/seattle/Use_Of_Force.csv"
)
OUT = Path(f"/tmp/importer-bench/Use_Of_Force_bench_{ROWS}.csv")
PAGE = os.sysconf("SC_PAGE_SIZE")


def make_file(rows: int = ROWS, out: Path = OUT) -> Path:
    """Stream ``rows`` rows made from the Seattle file to ``out`` (reused if already there)."""
    marker = out.with_suffix(".done")
    if marker.exists() and out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with SEATTLE.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        source = list(reader)  # 11,661 rows: the template, not the output
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        written = 0
        replica = 0
        while written < rows:
            for row in source:
                if written == rows:
                    break
                row = list(row)
                row[0] = f"R{replica}-{row[0]}"  # ID
                row[1] = f"{replica}-{row[1]}"  # Incident_Num: one incident per replica
                row[7] = str(int(row[7]) + 10_000 * replica)  # Officer_ID
                writer.writerow(row)
                written += 1
            replica += 1
    marker.touch()
    return out


class PeakRss:
    """Samples /proc/self/statm in a thread; ``peak`` is the highest RSS above the start."""

    def __init__(self) -> None:
        self.start = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def above_start(self) -> int:
        return self.peak - self.start


class Cpu:
    """CPU seconds of this process and, when the server runs on this machine and /proc shows
    it, of the database backend serving this connection."""

    def __init__(self) -> None:
        from django.db import connection

        self.backend: int | None = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend = int(cursor.fetchone()[0])

    def now(self) -> tuple[float, float | None]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime, self._backend_seconds()

    def _backend_seconds(self) -> float | None:
        if self.backend is None:
            return None
        try:
            with open(f"/proc/{self.backend}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    seconds: float
    memory: int  # peak resident memory above the phase's start, bytes
    python_cpu: float
    database_cpu: float | None


@cache
def _cpu() -> Cpu:
    """One per run: the backend's pid is asked once, on the bench's connection."""
    return Cpu()


def timed(fn: Callable[[], Any]) -> tuple[Phase, Any]:
    cpu = _cpu()
    python_before, database_before = cpu.now()
    with PeakRss() as rss:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    python_after, database_after = cpu.now()
    database = (
        database_after - database_before
        if database_after is not None and database_before is not None
        else None
    )
    return Phase(seconds, rss.above_start, python_after - python_before, database), result


LOADED_TABLES = (
    "incidents_incident", "incidents_involvement", "incidents_subject", "incidents_timelineevent",
)  # fmt: skip


def _database_alone() -> tuple[Phase, int]:
    """Write the loaded rows again, by PostgreSQL alone, into the emptied tables; roll back.

    The copies are made first (not timed). Inside one transaction the tables are truncated
    (empty, as before the load), the rows go back with one ``INSERT … SELECT`` each, and
    ``SET CONSTRAINTS ALL IMMEDIATE`` runs the foreign-key checks the commit would have run.
    Returns the phase and how many rows were written.
    """
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in LOADED_TABLES:
            cursor.execute(f"CREATE TEMP TABLE {quote('copy_' + table)} AS TABLE {quote(table)}")

    def rewrite() -> int:
        written = 0
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(map(quote, LOADED_TABLES))} CASCADE")
            for table in LOADED_TABLES:
                cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote('copy_' + table)}")
                written += cursor.rowcount
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return written

    try:
        with transaction.atomic():
            phase, written = timed(rewrite)
            transaction.set_rollback(True)
    finally:
        with connection.cursor() as cursor:
            for table in LOADED_TABLES:
                cursor.execute(f"DROP TABLE {quote('copy_' + table)}")
    return phase, written


@contextmanager
def deferred_refresh() -> Iterator[list[Callable[[], None]]]:
    """Hold back the statistics refresh a load queues when it commits, to time it on its own.

    In production it is a background task after the load; the test settings would run it at
    once, inside the load's timing. Yields the held-back refreshes, to be called later.
    """
    from steadyhand.stats import hooks

    held: list[Callable[[], None]] = []
    original = hooks._enqueue_pending

    def hold(connection_id: int) -> None:
        held.append(lambda: original(connection_id))

    with mock.patch.object(hooks, "_enqueue_pending", hold):
        yield held


def _copy_baseline(path: Path) -> int:
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(11))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE TABLE bench_copy ({columns})")
        if connection.vendor == "postgresql":
            with (
                path.open("rb") as f,
                cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            ):
                while data := f.read(1 << 20):
                    copy.write(data)
        else:
            with path.open(newline="", encoding="utf-8") as f:
                reader = csv.reader(f)
                next(reader)
                batch: list[list[str]] = []
                for row in reader:
                    batch.append(row)
                    if len(batch) == 10_000:
                        cursor.executemany(
                            f"INSERT INTO bench_copy VALUES ({', '.join(['%s'] * 11)})", batch
                        )
                        batch.clear()
                if batch:
                    cursor.executemany(
                        f"INSERT INTO bench_copy VALUES ({', '.join(['%s'] * 11)})", batch
                    )
        cursor.execute("SELECT count(*) FROM bench_copy")
        count = int(cursor.fetchone()[0])
        cursor.execute("DROP TABLE bench_copy")
    return count


@dataclass
class Results:
    vendor: str
    copied: int
    copy: Phase
    stage: Phase
    check: Phase
    load: Phase
    refresh: Phase
    counts: dict[str, int]
    alone: tuple[Phase, int] | None = None
    reimport: tuple[Phase, dict[str, int]] | None = None


def main() -> None:
    path = make_file()
    with test_database():
        from django.db import connection

        from steadyhand.access.actor import Actor
        from steadyhand.access.roles import Role
        from steadyhand.agencies.services import agency_create
        from steadyhand.imports.incident_services import (
            incident_import_check,
            incident_import_create,
            incident_import_load,
        )
        from steadyhand.imports.models import LoadMode

        agency = agency_create(
            actor=Actor.system(agency_id=0, label="bench", roles=()), name="Bench PD", slug="bench"
        )
        actor = Actor.system(agency_id=agency.pk, label="bench", roles=(Role.ANALYST,))
        copy, copied = timed(lambda: _copy_baseline(path))

        # Each phase on its own (staged: the batch recorded and the files hashed; checked: every
        # row read, converted, grouped and built; loaded: read again and written in one
        # transaction), then a re-import of the same file, which must create nothing.
        stage, batch = timed(
            lambda: incident_import_create(
                actor=actor, mapping="seattle", paths=[path], check_in_background=False
            )
        )
        check, batch = timed(lambda: incident_import_check(actor=actor, batch=batch))
        with deferred_refresh() as held:
            load, batch = timed(
                lambda: incident_import_load(actor=actor, batch=batch, mode=LoadMode.ALL)
            )
        refresh, _ = timed(lambda: [run() for run in held])
        results = Results(
            connection.vendor, copied, copy, stage, check, load, refresh,
            batch.options["loaded"],
        )  # fmt: skip
        if connection.vendor == "postgresql":
            results.alone = _database_alone()
        if REIMPORT:
            again = incident_import_create(
                actor=actor, mapping="seattle", paths=[path], check_in_background=False
            )
            again = incident_import_check(actor=actor, batch=again)
            phase, again = timed(
                lambda: incident_import_load(actor=actor, batch=again, mode=LoadMode.ALL)
            )
            results.reimport = (phase, again.options["loaded"])
    report(path, results)


def report(path: Path, r: Results) -> None:
    size = path.stat().st_size
    rows = r.counts["rows"]
    ours = r.stage.seconds + r.check.seconds + r.load.seconds
    baseline = "COPY" if r.vendor == "postgresql" else "executemany (SQLite has no COPY)"

    def line(label: str, phase: Phase) -> str:
        cpu = f"cpu: python {phase.python_cpu:6.1f} s"
        if phase.database_cpu is not None:
            cpu += f", database {phase.database_cpu:6.1f} s"
        return (
            f"  {label:<50} {phase.seconds:8.1f} s {rows / phase.seconds:10,.0f} rows/s   "
            f"peak +{phase.memory / 2**20:6.1f} MiB   {cpu}"
        )

    print(f"\nIncident import, {r.copied:,} rows ({size / 2**20:.0f} MiB CSV) on {r.vendor}")
    print(line("plain " + baseline, r.copy))
    print(line("staged (batch recorded, files hashed)", r.stage))
    print(line("checked (read, converted, grouped, built)", r.check))
    print(line("loaded (read again, written, one transaction)", r.load))
    print(line("then: statistics refresh (a job after the commit)", r.refresh))
    total = Phase(
        ours, max(r.stage.memory, r.check.memory, r.load.memory),
        r.stage.python_cpu + r.check.python_cpu + r.load.python_cpu,
        None if r.load.database_cpu is None or r.check.database_cpu is None
        else (r.stage.database_cpu or 0) + r.check.database_cpu + r.load.database_cpu,
    )  # fmt: skip
    print(line("staged + checked + loaded (seattle mapping)", total))
    c = r.counts
    print(f"  loaded: {c['incidents']:,} incidents, {c['involvements']:,} involvements, "
          f"{c['subjects']:,} subjects, {c['events']:,} events")  # fmt: skip
    if r.alone is not None:
        alone, written = r.alone
        print(line(f"PostgreSQL alone, rewriting those {written:,} rows", alone))
    if r.reimport is not None:
        phase, recounts = r.reimport
        print(f"  re-import of the same file: {phase.seconds:.1f} s, {recounts['created']:,} new, "
              f"{recounts['updated']:,} updated, {recounts['unchanged']:,} unchanged")  # fmt: skip
    print(
        f"  speed relative to plain {baseline.split()[0]}: {r.copy.seconds / ours:.3f} (aim: 0.25)"
    )
    if r.alone is not None:
        alone_s = r.alone[0].seconds
        print(f"  PostgreSQL alone relative to plain COPY: {r.copy.seconds / alone_s:.3f} "
              "(the most any importer into these tables could reach)")  # fmt: skip
        print(f"  speed relative to PostgreSQL alone: {alone_s / ours:.3f}")


if __name__ == "__main__":
    main()
