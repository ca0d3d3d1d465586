"""Dashboard benchmark: the command dashboard and the public page on a big agency (issue 9).

Builds a benchmark agency of 10,000 members and ten years of incidents — one million at
``--scale 1`` — each with a subject and a timeline (arrival, communication, force if any,
resolution), written by ``INSERT … SELECT generate_series`` on PostgreSQL (minutes, not hours).
Then:

1. a full statistics refresh, and an incremental refresh of one month;
2. 20 concurrent clients (threads, each with its own keep-alive HTTP connection to a gunicorn
   the bench starts; or, with ``--mode=client``, each with its own Django test ``Client``)
   requesting the command dashboard, a unit's dashboard, the public page (when the
   transparency app is installed) and a trivial page (``/health``) in the same run;
   p50/p95 per page, the ratio to the trivial page, and the process's peak memory.

Run: ``scripts/with-postgres.sh .venv/bin/python -m bench dashboards [--scale=0.1]``.
PostgreSQL only (``generate_series``).
"""

import argparse
import os
import random
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from bench.harness import test_database

UNITS_PER_LEVEL = (4, 5, 8)  # bureaus, precincts per bureau, squads per precinct
MEMBERS = 10_000
INCIDENTS = 1_000_000
YEARS = 10
CLIENTS = 20
# A person reads a page before asking for the next; 0 turns the clients into a saturation test.
THINK_SECONDS = 1.0
REQUESTS_PER_CLIENT = 25
TARGET_P95_MS = 250.0
FORCE_CODES = {
    1: "point_weapon",
    2: "control_hold",
    3: "takedown",
    4: "cew",
    5: "firearm_discharge",
}
RACES = ("white", "black", "asian", "other", "unknown")


def _args(argv: list[str]) -> argparse.Namespace:
    """Flags as ``--scale=0.1`` (one word each: ``python -m bench`` reads other words as bench
    names); ``BENCH_SCALE`` in the environment works too."""
    parser = argparse.ArgumentParser(prog="python -m bench dashboards")
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_SCALE", "1")),
        help="fraction of the 1,000,000 incidents",
    )
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument(
        "--think",
        type=float,
        default=THINK_SECONDS,
        help="Mean pause of each client between requests (exponential; 0: back to back, which "
        "measures throughput on a saturated server rather than what 20 people see).",
    )
    parser.add_argument(
        "--mode",
        choices=("http", "client"),
        default="http",
        help="http: real HTTP against a gunicorn the bench starts (default); client: Django "
        "test Client in threads, in this process (shares one GIL with the clients)",
    )
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--requests", type=int, default=REQUESTS_PER_CLIENT)
    return parser.parse_args([a for a in argv if a.startswith("--")])


def _timed(label: str, fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<58} {seconds:8.2f} s", flush=True)
    return seconds


def _build_units():  # type: ignore[no-untyped-def]
    from steadyhand.access.actor import Actor
    from steadyhand.access.roles import Role
    from steadyhand.agencies.models import UnitKind
    from steadyhand.agencies.services import agency_create, unit_create

    agency = agency_create(
        actor=Actor.system(agency_id=0, label="bench", roles=()), name="Bench PD", slug="bench"
    )
    system = Actor.system(agency_id=agency.pk, label="bench", roles=(Role.AGENCY_ADMIN,))
    squads: list[tuple[object, str]] = []  # (unit, district)
    precincts = []
    for b in range(UNITS_PER_LEVEL[0]):
        bureau = unit_create(
            actor=system, parent=agency.root_unit, name=f"B{b}", code=f"B{b}", kind=UnitKind.BUREAU
        )
        for p in range(UNITS_PER_LEVEL[1]):
            precinct = unit_create(
                actor=system, parent=bureau, name=f"P{b}.{p}", code=f"P{b}.{p}",
                kind=UnitKind.PRECINCT,
            )  # fmt: skip
            precincts.append(precinct)
            for s in range(UNITS_PER_LEVEL[2]):
                squad = unit_create(
                    actor=system, parent=precinct, name=f"S{b}.{p}.{s}", code=f"S{b}.{p}.{s}",
                    kind=UnitKind.SQUAD,
                )  # fmt: skip
                squads.append((squad, f"D{b}{p}"))
    return agency, system, precincts, squads


def _build_members(agency, squads, count: int) -> None:  # type: ignore[no-untyped-def]
    from steadyhand.agencies.models import Member

    Member.objects.bulk_create(
        (
            Member(
                agency=agency,
                badge=str(100000 + i),
                first_name="F",
                last_name=f"L{i}",
                unit=squads[i % len(squads)][0],
                hire_date=date(2010, 1, 1),
            )
            for i in range(count)
        ),
        batch_size=5000,
    )


def _build_incidents(agency, squads, count: int, start: datetime, end: datetime) -> None:  # type: ignore[no-untyped-def]
    """Incidents, subjects and timelines in set-based SQL: no Python loop over incidents."""
    from django.db import connection

    span = int((end - start).total_seconds())
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_units (idx int, unit_id bigint, district text)")
        cur.executemany(
            "INSERT INTO bench_units VALUES (%s, %s, %s)",
            [(i, unit.pk, district) for i, (unit, district) in enumerate(squads)],
        )
        cur.execute(
            """
            INSERT INTO incidents_incident (
                version, created_at, updated_at, agency_id, case_number, unit_id, status,
                occurred_at, district, beat, location, contact_type, call_type, narrative,
                force_used, highest_force_level, highest_resistance, subject_injured,
                officer_injured, arrest_made, subject_hospitalised, resolution, submitted_at,
                source, source_key, source_force_level)
            SELECT 1, now(), now(), %(agency)s, 'B-' || s.g, u.unit_id, 'submitted',
                   %(start)s::timestamptz + floor(s.r0 * %(span)s) * interval '1 second',
                   u.district, '', '', 'dispatched', '', '',
                   s.r1 < 0.08,
                   CASE WHEN s.r1 < 0.08 THEN 1 + floor(s.r2 * 5)::int END,
                   floor(s.r3 * 6)::int,
                   s.r4 < 0.04, s.r2 < 0.02, s.r3 < 0.3, false,
                   'voluntary_compliance', now(), 'bench', '', ''
            FROM (SELECT g, random() AS r0, random() AS r1, random() AS r2, random() AS r3,
                         random() AS r4
                  FROM generate_series(1, %(n)s) AS g) AS s
            JOIN bench_units AS u ON u.idx = s.g %% %(units)s
            """,
            {"agency": agency.pk, "start": start, "span": span, "n": count, "units": len(squads)},
        )
        cur.execute(
            """
            INSERT INTO incidents_subject (
                created_at, updated_at, incident_id, ordinal, external_id, race, ethnicity, sex,
                age_band, mental_health_crisis, substance_use, disability, language_barrier,
                armed_with, highest_resistance, injured, injury_severity, arrested, hospitalised)
            SELECT now(), now(), i.id, 1, '',
                   (%(races)s::text[])[1 + floor(random() * %(nraces)s)::int],
                   'unknown', 'unknown', 'unknown', false, false, false, false,
                   CASE WHEN random() < 0.03 THEN 'edged' ELSE 'none' END,
                   i.highest_resistance, i.subject_injured, 'none', i.arrest_made, false
            FROM incidents_incident AS i WHERE i.agency_id = %(agency)s
            """,
            {"agency": agency.pk, "races": list(RACES), "nraces": len(RACES)},
        )
        levels = "CASE i.highest_force_level " + " ".join(
            f"WHEN {level} THEN '{code}'" for level, code in FORCE_CODES.items()
        ) + " END"  # fmt: skip
        events = f"""
            INSERT INTO incidents_timelineevent (
                created_at, updated_at, incident_id, sequence, kind, code, force_level, note,
                source_code)
            SELECT now(), now(), i.id, 1, 'arrival', 'arrives', NULL::smallint, '', ''
              FROM incidents_incident AS i WHERE i.agency_id = %(agency)s
            UNION ALL
            SELECT now(), now(), i.id, 2, 'communication', 'introduce_self', NULL, '', ''
              FROM incidents_incident AS i WHERE i.agency_id = %(agency)s
            UNION ALL
            SELECT now(), now(), i.id, 3, 'force', {levels}, i.highest_force_level, '', ''
              FROM incidents_incident AS i WHERE i.agency_id = %(agency)s AND i.force_used
            UNION ALL
            SELECT now(), now(), i.id, 4, 'resolution', 'voluntary_compliance', NULL, '', ''
              FROM incidents_incident AS i WHERE i.agency_id = %(agency)s
        """
        cur.execute(events, {"agency": agency.pk})
        cur.execute("ANALYZE")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _load(
    url: str, user_id: int | None, clients: int, requests: int
) -> tuple[list[float], dict[int, int]]:
    """``clients`` threads, each its own client and connection, ``requests`` GETs each."""
    from django.db import connections
    from django.test import Client

    from steadyhand.accounts.models import User

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def work() -> None:
        client = Client()
        if user_id is not None:
            client.force_login(User.objects.get(pk=user_id))
        mine: list[float] = []
        codes: list[int] = []
        barrier.wait()
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            mine.append(time.perf_counter() - start)
            codes.append(response.status_code)
        with lock:
            latencies.extend(mine)
            for code in codes:
                statuses[code] = statuses.get(code, 0) + 1
        connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


def _load_http(
    port: int, url: str, cookie: str | None, clients: int, requests: int, think: float = 0.0
) -> tuple[list[float], dict[int, int]]:
    """As ``_load``, over real HTTP: one keep-alive connection per client thread."""
    import http.client

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(clients)
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}

    def work() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[float] = []
        codes: list[int] = []
        pauses = random.Random(threading.get_ident())
        barrier.wait()
        for _ in range(requests):
            if think:
                time.sleep(pauses.expovariate(1 / think))
            start = time.perf_counter()
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            codes.append(response.status)
        conn.close()
        with lock:
            latencies.extend(mine)
            for code in codes:
                statuses[code] = statuses.get(code, 0) + 1

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


class _Gunicorn:
    """A gunicorn serving the benchmark database, started and stopped by the bench."""

    def __init__(self, workers: int) -> None:
        import socket
        import subprocess

        from django.db import connection

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "steadyhand.config.settings.test",
        }
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        self.process = subprocess.Popen(
            [gunicorn, "steadyhand.config.wsgi:application", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "--preload"],
            env=env,
        )  # fmt: skip
        self.rss_kib = 0

    def wait_ready(self) -> None:
        import http.client

        for _ in range(600):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def peak_rss_mib(self) -> float:
        """Sum of the server processes' peak RSS (VmHWM), from /proc."""
        pids = [self.process.pid]
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as f:
                pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    args = _args(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steadyhand.config.settings.test")
    with test_database():
        from django.db import connection
        from django.urls import NoReverseMatch, reverse

        from steadyhand.access.roles import Role
        from steadyhand.core.testing import make_user
        from steadyhand.stats.models import MonthlyCount
        from steadyhand.stats.services import stats_refresh

        if connection.vendor != "postgresql":
            print("The dashboard benchmark needs PostgreSQL: scripts/with-postgres.sh …")
            return
        incidents = int(INCIDENTS * args.scale)
        members = max(100, int(MEMBERS * min(1.0, args.scale * 10)))
        end = datetime(2026, 12, 1, tzinfo=UTC)
        start = datetime(end.year - YEARS, 12, 1, tzinfo=UTC)
        print(
            f"Dashboard benchmark on {connection.vendor}: {members:,} members, "
            f"{incidents:,} incidents over {YEARS} years (scale {args.scale}), "
            f"{args.clients} concurrent clients × {args.requests} requests per page",
            flush=True,
        )
        print("\nBuilding the agency")
        built: dict[str, object] = {}
        _timed("units", lambda: built.update(zip(
            ("agency", "system", "precincts", "squads"), _build_units(), strict=True
        )))  # fmt: skip
        agency, system = built["agency"], built["system"]
        precincts, squads = built["precincts"], built["squads"]
        _timed(
            f"{members:,} members (bulk insert)", lambda: _build_members(agency, squads, members)
        )
        _timed(
            f"{incidents:,} incidents + subjects + timelines (SQL)",
            lambda: _build_incidents(agency, squads, incidents, start, end),
        )
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM incidents_timelineevent")
            events = cur.fetchone()[0]
        print(f"  {events:,} timeline events")

        print("\nStatistics refresh")
        full = _timed(
            "full refresh (every month)", lambda: stats_refresh(actor=system, agency=agency)
        )
        rows = MonthlyCount.objects.filter(agency=agency).count()
        print(f"  {rows:,} monthly-count rows")
        one = _timed(
            "incremental refresh of one month (2026-06)",
            lambda: stats_refresh(actor=system, agency=agency, months=[date(2026, 6, 1)]),
        )
        print(f"  full / one month: {full / one:.0f}x")

        commander = make_user(agency, [Role.COMMANDER])
        precinct = precincts[len(precincts) // 2]
        supervisor = make_user(agency, [(Role.SUPERVISOR, precinct)])
        pages: list[tuple[str, str, int | None]] = [
            ("trivial page (/health)", "/health", None),
            ("command dashboard (agency, 12 months)", "/dashboard/", commander.pk),
            ("unit dashboard (precinct supervisor)", "/dashboard/", supervisor.pk),
        ]
        try:
            pages.append(
                (
                    "public transparency page",
                    reverse("transparency:page", kwargs={"agency_slug": agency.slug}),
                    None,
                )
            )
        except NoReverseMatch:
            print("  (no transparency page installed: public page not measured)")

        server = None
        if args.mode == "http":
            from django.db import connections
            from django.test import Client

            cookies: dict[int | None, str | None] = {None: None}
            for user in (commander, supervisor):
                client = Client()
                client.force_login(user)
                cookies[user.pk] = client.cookies["sessionid"].value
            connections.close_all()
            server = _Gunicorn(args.workers)
            server.wait_ready()

            def run(url: str, user_id: int | None, n: int, r: int, think: float = 0.0):  # type: ignore[no-untyped-def]
                assert server is not None
                return _load_http(server.port, url, cookies[user_id], n, r, think)

            where = f"real HTTP, gunicorn with {args.workers} sync workers"
        else:

            def run(url: str, user_id: int | None, n: int, r: int, think: float = 0.0):  # type: ignore[no-untyped-def]
                return _load(url, user_id, n, r)

            where = "Django test Client threads in one process"
        pause = f"each pausing {args.think:g} s on average" if args.think else "back to back"
        print(f"\nLatency under {args.clients} concurrent clients ({pause}), {where} (ms)")
        print(
            f"  {'page':<44} {'first':>8} {'1 client':>9} {'p50':>8} {'p95':>8} "
            f"{'×trivial p95':>13}  status"
        )
        trivial_p95 = None
        results = []
        try:
            for label, url, user_id in pages:
                first, _ = run(url, user_id, 1, 1)  # cold: fills this worker's caches
                run(url, user_id, args.workers, 4)  # and, most likely, every other worker's
                alone, _ = run(url, user_id, 1, 10)  # one client: the page's own cost
                latencies, statuses = run(url, user_id, args.clients, args.requests, args.think)
                p50 = statistics.median(latencies) * 1000
                p95 = _percentile(latencies, 0.95) * 1000
                if trivial_p95 is None:
                    trivial_p95 = p95
                ratio = p95 / trivial_p95 if trivial_p95 else float("inf")
                results.append((label, p95))
                print(
                    f"  {label:<44} {first[0] * 1000:8.1f} "
                    f"{statistics.median(alone) * 1000:9.1f} {p50:8.1f} {p95:8.1f} "
                    f"{ratio:12.1f}x  {dict(sorted(statuses.items()))}",
                    flush=True,
                )
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"\nPeak memory (RSS) of the benchmark process: {peak:,.0f} MiB")
            if server is not None:
                print(
                    f"Peak memory (RSS) of the gunicorn processes: {server.peak_rss_mib():,.0f} MiB"
                )
        finally:
            if server is not None:
                server.stop()
        for label, p95 in results[1:]:
            verdict = "meets" if p95 < TARGET_P95_MS else "MISSES"
            print(f"  {label}: p95 {p95:.1f} ms {verdict} the {TARGET_P95_MS:.0f} ms target")


if __name__ == "__main__":
    main(sys.argv[1:])
