"""Incident import benchmark: a 1,000,000-row file staged, checked and loaded through the
Seattle mapping, next to a plain ``COPY`` of the same file into a bare table, in the same run.

The file is made by replicating the real Seattle file (../shared/data/use-of-force/seattle)
with perturbed keys (each replica gets its own incident numbers and officer ids), streamed to
/tmp, never held in memory. Peak memory is the process's resident set sampled every 20 ms,
above what it was when the phase started (tracemalloc would slow the import several-fold).

Runs on SQLite by default (the baseline is then ``executemany`` of the parsed rows, SQLite
having no COPY) and on PostgreSQL when ``DATABASE_URL`` is set:
``scripts/with-postgres.sh .venv/bin/python -m bench imports``. ``BENCH_IMPORT_ROWS`` changes
the row count (default 1,000,000).
"""

import csv
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import test_database

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
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


def timed(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    with PeakRss() as rss:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    return seconds, rss.above_start, result


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


def main() -> None:
    path = make_file()
    size = path.stat().st_size
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
        vendor = connection.vendor
        copy_s, copy_mem, copied = timed(lambda: _copy_baseline(path))

        def ours() -> Any:
            batch = incident_import_create(
                actor=actor, mapping="seattle", paths=[path], check_in_background=False
            )
            batch = incident_import_check(actor=actor, batch=batch)
            return incident_import_load(actor=actor, batch=batch, mode=LoadMode.ALL)

        ours_s, ours_mem, batch = timed(ours)
        counts = batch.options["loaded"]
    baseline = "COPY" if vendor == "postgresql" else "executemany (SQLite has no COPY)"
    print(f"\nIncident import, {copied:,} rows ({size / 2**20:.0f} MiB CSV) on {vendor}")
    print(f"  {'plain ' + baseline:<52} {copy_s:8.1f} s {copied / copy_s:10,.0f} rows/s   "
          f"peak +{copy_mem / 2**20:6.1f} MiB")  # fmt: skip
    print(f"  {'staged + checked + loaded (seattle mapping)':<52} {ours_s:8.1f} s "
          f"{counts['rows'] / ours_s:10,.0f} rows/s   "
          f"peak +{ours_mem / 2**20:6.1f} MiB")  # fmt: skip
    print(f"  loaded: {counts['incidents']:,} incidents, {counts['involvements']:,} involvements, "
          f"{counts['subjects']:,} subjects, {counts['events']:,} events")  # fmt: skip
    print(f"  speed relative to the baseline: {copy_s / ours_s:.3f} (aim: 0.25)")


if __name__ == "__main__":
    main()
