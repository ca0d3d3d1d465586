"""``python -m bench load [--quick] [--users N] [--seconds S] [--workers W]``: a load test of
the production setup, on loopback only, bounded in time.

It starts everything itself: a throw-away PostgreSQL server (``scripts/with-postgres.sh``; the
command re-runs itself under it unless DATABASE_URL already names PostgreSQL), the schema, a
demo agency, gunicorn with several workers on the production settings, and the task worker.
Then ``--users`` simulated people (default 100; ``--quick``: 20 for 20 s) work for
``--seconds`` (default 120) with a pause of about a second between actions, in a realistic mix:

- officers (half) file a report: the draft, three timeline events, the outcomes, submit;
- supervisors (a quarter) open their workbench and a review, and save findings;
- analysts (a quarter) open the dashboard, the monthly report, evaluations and incident lists.

It prints p50/p95 per page and exits with status 1 if any response was a server error (5xx, or
a connection dropped while a request was in flight) or gunicorn logged a traceback or killed a
worker for timing out. Sessions are made directly in the database (as Django's test client
does) so the run measures the pages, not Argon2 logins; 2FA is switched off for the
throw-away agency.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d*)"')
MEMBER_OPTION = re.compile(r'value="(m\d+)"')
REVIEW_LINK = re.compile(r'href="/reviews/(\d+)/"')
INCIDENT_IN_URL = re.compile(r"/incidents/(\d+)/")


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20 users for 20 seconds.")
    parser.add_argument("--users", type=int, default=None, help="Concurrent users (100).")
    parser.add_argument("--seconds", type=float, default=None, help="Duration (120).")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4).")
    parser.add_argument("--threads", type=int, default=4, help="Threads per worker (4).")
    parser.add_argument("--officers", type=int, default=None, help="Demo size (60; quick 30).")
    parser.add_argument("--think", type=float, default=1.0, help="Mean pause, seconds (1).")
    args = parser.parse_args([a for a in argv if a != "load"])
    args.users = args.users or (20 if args.quick else 100)
    args.seconds = args.seconds or (20.0 if args.quick else 120.0)
    args.officers = args.officers or (30 if args.quick else 60)
    return args


# -- the simulated people ----------------------------------------------------------------


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, label: str, status: int, seconds: float) -> None:
        with self.lock:
            self.times[label].append(seconds)
            self.statuses[label][status] += 1


class Browser:
    """One person's keep-alive connection and cookies. Cookies are kept by hand: production
    marks them Secure, and this loopback test speaks plain HTTP."""

    def __init__(self, port: int, session_key: str, results: Results) -> None:
        self.port = port
        self.cookies = {"sessionid": session_key}
        self.results = results
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, label: str, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            try:
                response = self._send(method, path, body, headers)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection (gunicorn: after 2 s);
                # a browser opens a new one and sends the request again, and so do we.
                self._reconnect()
                response = self._send(method, path, body, headers)
            text = response.read().decode("utf-8", errors="replace")
        except (OSError, http.client.HTTPException):
            self.results.add(label, 0, time.perf_counter() - started)
            self._reconnect()
            return 0, "", ""
        self.results.add(label, response.status, time.perf_counter() - started)
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), text

    def _send(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        self.conn.request(method, path, body=body, headers=headers)
        return self.conn.getresponse()

    def _reconnect(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def get(self, label: str, path: str) -> tuple[int, str, str]:
        return self.request(label, "GET", path)

    def post(
        self, label: str, path: str, page: str, fields: dict[str, str]
    ) -> tuple[int, str, str]:
        """Submit the form on ``page`` with its CSRF token and record version."""
        token = CSRF.search(page)
        version = VERSION.search(page)
        form = {"csrfmiddlewaretoken": token.group(1) if token else "", **fields}
        if version and "version" not in fields:
            form["version"] = version.group(1)
        return self.request(label, "POST", path, form)


def officer(b: Browser, pause: "Pause") -> None:
    status, _, page = b.get("GET incidents/new (report form)", "/incidents/new/")
    if status != 200:
        return
    pause()
    when = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    status, location, _ = b.post(
        "POST incidents/new (create draft)",
        "/incidents/new/",
        page,
        {"occurred_at": when, "contact_type": "dispatched",
         "call_type": "Welfare check (load test)", "go": "next"},
    )  # fmt: skip
    found = INCIDENT_IN_URL.search(location)
    if status != 302 or not found:
        return
    base = f"/incidents/{found.group(1)}/report"
    pause()
    status, _, page = b.get("GET report/subjects/new (subject form)", f"{base}/subjects/new/")
    if status != 200:
        return
    subject = {"race": "black", "ethnicity": "not_hispanic", "sex": "female",
               "age_band": "35_44", "armed_with": "edged", "injury_severity": "none"}  # fmt: skip
    b.post("POST report/subjects/new (add subject)", f"{base}/subjects/new/", page, subject)
    steps = [("arrival", "arrives", "0:00"), ("positioning", "create_distance", "0:40"),
             ("communication", "offer_options", "1:00"),
             ("resolution", "transported_for_care", "")]  # fmt: skip
    for kind, code, offset in steps:
        pause()
        url = f"{base}/timeline/new/?kind={kind}"
        status, _, page = b.get("GET report/timeline/new (event form)", url)
        if status != 200:
            return
        member = MEMBER_OPTION.search(page)
        actor = member.group(1) if member and kind != "resolution" else ""
        event = {"code": code, "actor": actor, "offset": offset, "position": "", "note": ""}
        b.post("POST report/timeline/new (add event)", url, page, event)
    pause()
    status, _, page = b.get("GET report/outcomes", f"{base}/outcomes/")
    if status != 200:
        return
    outcomes = {"de_escalation_attempted": "yes", "supervisor_notified": "", "go": "next",
                "narrative": "Talked it through; went to hospital."}  # fmt: skip
    b.post("POST report/outcomes", f"{base}/outcomes/", page, outcomes)
    pause()
    status, _, page = b.get("GET report/review", f"{base}/review/")
    if status == 200:
        b.post("POST report/review (submit)", f"{base}/review/", page, {})


def supervisor(b: Browser, pause: "Pause") -> None:
    status, _, page = b.get("GET reviews/workbench", "/reviews/workbench/")
    pause()
    ids = REVIEW_LINK.findall(page) if status == 200 else []
    if not ids:
        b.get("GET reviews (list)", "/reviews/")
        return
    review = random.choice(ids)
    status, _, page = b.get("GET reviews/<id> (review)", f"/reviews/{review}/")
    pause()
    if status == 200 and 'name="decision"' in page:
        b.post("POST reviews/<id>/act (save findings)", f"/reviews/{review}/act/", page,
               {"within_policy": "yes", "de_escalation": "yes", "duty_to_intervene": "na",
                "tactics_issues": "Load test note.", "training_issues": "",
                "equipment_issues": "", "reason": "", "decision": "save"})  # fmt: skip


def analyst(b: Browser, pause: "Pause") -> None:
    for label, path in [
        ("GET dashboard", "/dashboard/"),
        ("GET dashboard/report (monthly)", "/dashboard/report/"),
        ("GET evaluations", "/evaluations/"),
        ("GET incidents?force=yes", "/incidents/?force=yes"),
    ]:
        b.get(label, path)
        pause()


class Pause:
    def __init__(self, mean: float, deadline: float) -> None:
        self.mean = mean
        self.deadline = deadline

    def __call__(self) -> None:
        if self.mean:
            time.sleep(
                min(random.uniform(0.5, 1.5) * self.mean, max(0, self.deadline - time.monotonic()))
            )


def _person(
    role: str, port: int, key: str, results: Results, deadline: float, think: float
) -> None:
    scenario = {"officer": officer, "supervisor": supervisor, "analyst": analyst}[role]
    browser = Browser(port, key, results)
    pause = Pause(think, deadline)
    time.sleep(random.uniform(0, min(3.0, think * 3)))
    while time.monotonic() < deadline:
        scenario(browser, pause)
        pause()


# -- the system under test ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(static_root: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "steadyhand.config.settings.production",
        "STEADYHAND_SECRET_KEY": secrets.token_urlsafe(48),
        "STEADYHAND_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STEADYHAND_SSL_REDIRECT": "0",
        "STEADYHAND_STATIC_ROOT": static_root,
    }


def _run(env: dict[str, str], *command: str) -> str:
    done = subprocess.run(
        [str(BIN / "steadyhand"), *command], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"`steadyhand {' '.join(command)}` failed:\n{done.stderr[-4000:]}")
    return done.stdout


PREPARE = """
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Agency
Agency.objects.filter(slug="demo").update(require_2fa_roles=[])
keys = {}
for role, username in (("officer", "officer"), ("supervisor", "sergeant"), ("analyst", "analyst")):
    user = User.objects.get(username=username)
    keys[role] = []
    for _ in range(%d):
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        keys[role].append(s.session_key)
print(json.dumps(keys))
"""


def _wait_for_port(port: int, server: subprocess.Popen[bytes], limit: float = 60) -> None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if server.poll() is not None:
            sys.exit("gunicorn exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start listening")


def _report(results: Results, seconds: float, users: int) -> int:
    total = sum(len(v) for v in results.times.values())
    errors = sum(
        n for s in results.statuses.values() for code, n in s.items() if code >= 500 or code == 0
    )
    print(f"\n{users} users for {seconds:.0f} s: {total} requests ({total / seconds:.1f}/s), "
          f"{errors} server errors\n")  # fmt: skip
    print(f"{'page':48} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses")
    for label in sorted(results.times):
        times = sorted(results.times[label])
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        codes = " ".join(f"{c}×{n}" for c, n in sorted(results.statuses[label].items()))
        print(f"{label:48} {len(times):>6} {statistics.median(times) * 1000:>8.0f} "
              f"{p95 * 1000:>8.0f} {times[-1] * 1000:>8.0f}  {codes}")  # fmt: skip
    return errors


def main() -> None:
    args = _arguments(sys.argv[1:])
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        script = ROOT / "scripts" / "with-postgres.sh"
        os.execv(script, [str(script), sys.executable, "-m", "bench", *sys.argv[1:]])
    with tempfile.TemporaryDirectory(prefix="steadyhand-load-") as tmp:
        env = _env(str(Path(tmp) / "static"))
        phase = time.monotonic()
        _run(env, "migrate", "-v0")
        _run(env, "collectstatic", "--noinput", "-v0")
        _run(env, "demo", "--officers", str(args.officers), "-v0")
        prepared = subprocess.run(
            [sys.executable, "-c", PREPARE % args.users], env=env, cwd=ROOT,
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        keys = json.loads(prepared.stdout.strip().splitlines()[-1])
        print(f"Set up PostgreSQL, schema and demo agency in {time.monotonic() - phase:.0f} s.")
        port = _free_port()
        log = Path(tmp) / "gunicorn.log"
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                [str(BIN / "gunicorn"), "steadyhand.config.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(args.workers), "--threads", str(args.threads),
                 "--timeout", "60", "--graceful-timeout", "5"],
                env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
            )  # fmt: skip
            worker = subprocess.Popen(
                [str(BIN / "steadyhand"), "worker"], env=env, cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                _wait_for_port(port, server)
                # Warm every gunicorn worker up (imports, first queries) outside the clock.
                warm_up = Results()
                warmers = [
                    threading.Thread(
                        target=_person,
                        args=(role, port, keys[role][0], warm_up, time.monotonic() + 5, 0.0),
                    )
                    for role in ["officer", "supervisor", "analyst"] * args.workers * 2
                ]
                for warmer in warmers:
                    warmer.start()
                for warmer in warmers:
                    warmer.join(timeout=300)
                print(f"Warmed up with {sum(len(t) for t in warm_up.times.values())} requests.")
                results = Results()
                deadline = time.monotonic() + args.seconds
                roles = ["officer", "officer", "supervisor", "analyst"]
                people = [
                    threading.Thread(
                        target=_person,
                        args=(
                            roles[i % 4],
                            port,
                            keys[roles[i % 4]][i],
                            results,
                            deadline,
                            args.think,
                        ),
                        daemon=True,
                    )
                    for i in range(args.users)
                ]
                for person in people:
                    person.start()
                for person in people:
                    person.join(timeout=args.seconds + 120)
            finally:
                for process in (server, worker):
                    process.terminate()
                for process in (server, worker):
                    try:
                        process.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        process.kill()
        tracebacks = log.read_text(errors="replace").count("Traceback")
        timeouts = log.read_text(errors="replace").count("WORKER TIMEOUT")
        errors = _report(results, args.seconds, args.users)
        print(f"\ngunicorn: {args.workers} workers × {args.threads} threads; tracebacks in its "
              f"log: {tracebacks}; worker timeouts: {timeouts}")  # fmt: skip
        if tracebacks:
            print(log.read_text(errors="replace")[-3000:])
    sys.exit(1 if errors or tracebacks or timeouts else 0)


if __name__ == "__main__":
    main()
