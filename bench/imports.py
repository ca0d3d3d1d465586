"""Incident import benchmark: a 1,000,000-row file staged, checked and loaded through the
Seattle mapping, next to a plain ``COPY`` of the same file into a bare table, in the same run.

The file is made by replicating the real Seattle file (../shared/data/use-of-force/seattle)
with perturbed keys (each replica gets its own incident numbers and officer ids), streamed to
/tmp, never held in memory. Peak memory is the process's resident set sampled every 20 ms,
above what it was when the phase started (tracemalloc would slow the import several-fold).

Runs on SQLite by default (the baseline is then ``executemany`` of the parsed rows, SQLite
having no COPY) and on PostgreSQL when ``DATABASE_URL`` is set:
``scripts/with-postgres.sh .venv/bin/python -m bench imports``. ``BENCH_IMPORT_ROWS`` changes
the row count (default 1,000,000); ``BENCH_IMPORT_REIMPORT=0`` skips the re-import.
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

        # Each phase on its own (staged: the batch recorded and the files hashed; checked: every
        # row read, converted, grouped and built; loaded: read again and written in one
        # transaction), then a re-import of the same file, which must create nothing.
        stage_s, stage_mem, batch = timed(
            lambda: incident_import_create(
                actor=actor, mapping="seattle", paths=[path], check_in_background=False
            )
        )
        check_s, check_mem, batch = timed(lambda: incident_import_check(actor=actor, batch=batch))
        load_s, load_mem, batch = timed(
            lambda: incident_import_load(actor=actor, batch=batch, mode=LoadMode.ALL)
        )
        counts = batch.options["loaded"]
        if not REIMPORT:
            return report(path, vendor, copied, (copy_s, copy_mem), (stage_s, stage_mem),
                          (check_s, check_mem), (load_s, load_mem), counts, None)  # fmt: skip
        again = incident_import_create(
            actor=actor, mapping="seattle", paths=[path], check_in_background=False
        )
        again = incident_import_check(actor=actor, batch=again)
        re_s, _re_mem, again = timed(
            lambda: incident_import_load(actor=actor, batch=again, mode=LoadMode.ALL)
        )
        recounts = again.options["loaded"]
    report(path, vendor, copied, (copy_s, copy_mem), (stage_s, stage_mem), (check_s, check_mem),
           (load_s, load_mem), counts, (re_s, recounts))  # fmt: skip


Phase = tuple[float, int]


def report(
    path: Path, vendor: str, copied: int, copy: Phase, stage: Phase, check: Phase, load: Phase,
    counts: dict[str, int], reimport: tuple[float, dict[str, int]] | None,
) -> None:  # fmt: skip
    size = path.stat().st_size
    (copy_s, copy_mem), (stage_s, stage_mem) = copy, stage
    (check_s, check_mem), (load_s, load_mem) = check, load
    rows = counts["rows"]
    ours_s = stage_s + check_s + load_s
    ours_mem = max(stage_mem, check_mem, load_mem)
    baseline = "COPY" if vendor == "postgresql" else "executemany (SQLite has no COPY)"

    def line(label: str, seconds: float, memory: int) -> str:
        return (
            f"  {label:<52} {seconds:8.1f} s {rows / seconds:10,.0f} rows/s   "
            f"peak +{memory / 2**20:6.1f} MiB"
        )

    print(f"\nIncident import, {copied:,} rows ({size / 2**20:.0f} MiB CSV) on {vendor}")
    print(line("plain " + baseline, copy_s, copy_mem))
    print(line("staged (batch recorded, files hashed)", stage_s, stage_mem))
    print(line("checked (read, converted, grouped, built)", check_s, check_mem))
    print(line("loaded (read again, written, one transaction)", load_s, load_mem))
    print(line("staged + checked + loaded (seattle mapping)", ours_s, ours_mem))
    print(f"  loaded: {counts['incidents']:,} incidents, {counts['involvements']:,} involvements, "
          f"{counts['subjects']:,} subjects, {counts['events']:,} events")  # fmt: skip
    if reimport is not None:
        re_s, recounts = reimport
        print(f"  re-import of the same file: {re_s:.1f} s, {recounts['created']:,} new, "
              f"{recounts['updated']:,} updated, {recounts['unchanged']:,} unchanged")  # fmt: skip
    print(f"  speed relative to the baseline: {copy_s / ours_s:.3f} (aim: 0.25)")


if __name__ == "__main__":
    main()
