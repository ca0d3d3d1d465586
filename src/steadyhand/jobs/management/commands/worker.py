"""``steadyhand worker``: run background tasks from the database queue."""

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend

from steadyhand.jobs.recovery import recover_orphaned_tasks, worker_id


class Command(BaseCommand):
    help = (
        "Run background tasks (roster imports, evaluations, reports) from the database queue. "
        "Start one or more next to the web server, on any machine that reaches the same "
        "database; each worker runs one task at a time and shows its progress on the task's job "
        "page. Stop it with Ctrl-C or SIGTERM: the running task is finished first. "
        "Examples: `steadyhand worker` (keep running, all queues); `steadyhand worker --batch` "
        "(run what is queued, then exit: for cron or a one-off catch-up). This wraps "
        "django-tasks-db's `db_worker` with defaults suited to Steadyhand: every queue, no "
        "autoreload, one second between looks at an empty queue."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue",
            default="*",
            help="Queues to take tasks from, comma-separated; '*' for all (default: all).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait before looking again at an empty queue (default: 1).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the tasks already queued, then exit instead of waiting for more.",
        )
        parser.add_argument(
            "--max-tasks",
            type=int,
            default=None,
            help="Exit after this many tasks (lets a supervisor restart workers regularly).",
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Restart when the code changes (development only; tasks may be cut short).",
        )
        parser.add_argument(
            "--worker-id",
            default=None,
            help="A name for this worker (default: random); the host and process id are "
            "added, so a worker started later can tell that this one died.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                f"The task backend is {type(backend).__name__}, which runs tasks without a "
                "worker. Set TASKS to django_tasks_db.DatabaseBackend (the default settings do) "
                "to queue tasks for `steadyhand worker`."
            )
        if options["max_tasks"] is not None and options["max_tasks"] <= 0:
            raise CommandError("--max-tasks must be 1 or more.")
        worker_options: dict[str, Any] = {
            "queue_name": options["queue"],
            "interval": options["interval"],
            "batch": options["batch"],
            "reload": options["reload"],
            "max_tasks": options["max_tasks"],
            # The random start-up delay spreads many workers starting at once; a batch run
            # (cron, tests) has no herd to spread.
            "startup_delay": not options["batch"],
            "verbosity": options["verbosity"],
        }
        # Named <name>@<host>:<pid> so that a worker started later on this host can tell that
        # this one died, and queue its task again (steadyhand.jobs.recovery).
        worker_options["worker_id"] = worker_id(options["worker_id"])
        recovered = recover_orphaned_tasks()
        for task_id in recovered.requeued:
            self.stderr.write(f"Task {task_id} was cut short by a worker that died; queued again.")
        for task_id in recovered.failed:
            self.stderr.write(f"Task {task_id} killed its worker too often; marked failed.")
        call_command("db_worker", **worker_options)
