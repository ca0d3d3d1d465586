"""``steadyhand serve`` (what ``make run`` calls): migrate, ensure an agency, run worker + server.

The development server is Django's ``runserver`` without the autoreloader; ``--insecure`` makes
it serve the static files (CSS) itself whether DEBUG is on or off. For production use gunicorn
behind a proxy and ``steadyhand worker``, not this command.
"""

import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from steadyhand.agencies.models import Agency
from steadyhand.demo.management.commands.demo import ensure_demo_agency, print_logins
from steadyhand.demo.plan import DEFAULT_SLUG

DEFAULT_ADDR = "127.0.0.1:8000"
# The agency created when the database has none, so a first `make run` has something to show.
SERVE_SEED = 1
SERVE_OFFICERS = 400
WORKER_STOP_TIMEOUT = 10


def start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "steadyhand", "worker"])


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=WORKER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Turn SIGTERM into SystemExit so the `finally` that stops the worker runs.
    raise SystemExit(0)


class Command(BaseCommand):
    help = (
        "Run Steadyhand on this machine: apply migrations, create the demo agency if the "
        "database has no agency yet, start the task worker and serve the site."
    )
    requires_system_checks: list[str] = []  # runserver runs them

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addr", default=DEFAULT_ADDR, help=f"host:port to listen on (default {DEFAULT_ADDR})."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the task worker (background jobs then wait in the queue).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        addr: str = options["addr"]
        if addr.isdigit():
            addr = f"127.0.0.1:{addr}"
        url = f"http://{addr}/"
        verbosity = int(options["verbosity"])

        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        if not Agency.objects.exists():
            ensure_demo_agency(
                self,
                seed=SERVE_SEED,
                officers=SERVE_OFFICERS,
                slug=DEFAULT_SLUG,
                show_progress=verbosity > 0,
            )
        demo = Agency.objects.filter(slug=DEFAULT_SLUG, is_demo=True).first()
        if demo is not None:
            print_logins(self, agency=demo, url=url)
        else:
            self.stdout.write(f"Open {url} and log in with your agency's accounts.")

        worker = None
        if not options["no_worker"]:
            worker = start_worker()
            self.stdout.write(f"Task worker started (pid {worker.pid}).")
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            call_command("runserver", addr, use_reloader=False, insecure_serving=True)
        finally:
            signal.signal(signal.SIGTERM, previous)
            if worker is not None:
                stop_worker(worker)
                self.stdout.write("Task worker stopped.")
