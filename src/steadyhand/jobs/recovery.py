"""Put back in the queue the tasks a dead worker left "running".

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again, so a
worker killed mid-task (``kill -9``, out of memory, a reboot) leaves it RUNNING forever and its
job page spinning. Every worker Steadyhand starts is named ``<name>@<host>:<pid>``; a worker
starting on a host finds that host's RUNNING tasks whose process no longer exists and queues
them again (``steadyhand worker`` does this at start, so restarting the worker is the fix).

Re-running is safe, which is what makes this "exactly once": a task's writes are one
transaction — the killed one was rolled back by the database — and a load refuses a batch
that is already loaded. A task that has killed its worker ``MAX_ATTEMPTS`` times is marked
failed instead, so one poisonous task cannot crash workers forever.

Tasks claimed on other hosts are left alone: this host cannot see their processes. (A
multi-host deployment restarts workers per host, which covers each host's own tasks.)
"""

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from steadyhand.jobs.models import Job, JobStatus

MAX_ATTEMPTS = 3
_ID_LIMIT = 64  # django-tasks-db's limit on a worker id


def this_host() -> str:
    return socket.gethostname()


def worker_id(name: str | None = None) -> str:
    """``<name>@<host>:<pid>`` within django-tasks-db's 64 characters (the host is shortened
    the same way every time, so matching still works)."""
    suffix = f":{os.getpid()}"
    name = (name or get_random_string(8))[:24]
    host = this_host()[: _ID_LIMIT - len(name) - len(suffix) - 1]
    return f"{name}@{host}{suffix}"


def _owner(worker: str) -> tuple[str, int] | None:
    """(host, pid) of a worker id made by ``worker_id``; None for any other id."""
    _name, at, place = worker.rpartition("@")
    host, colon, pid = place.rpartition(":")
    if not at or not colon or not pid.isdigit():
        return None
    return host, int(pid)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


@dataclass(frozen=True)
class Recovery:
    requeued: list[str]
    failed: list[str]


def recover_orphaned_tasks(*, alive: Callable[[int], bool] = pid_alive) -> Recovery:
    """Queue again (or, after ``MAX_ATTEMPTS``, fail) this host's tasks whose worker is dead."""
    host = this_host()
    requeued: list[str] = []
    failed: list[str] = []
    for task_id, worker_ids, args_kwargs in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING
    ).values_list("id", "worker_ids", "args_kwargs"):
        owner = _owner(worker_ids[-1]) if worker_ids else None
        if owner is None or not owner[0] or not host.startswith(owner[0]) or alive(owner[1]):
            continue
        job_id = (args_kwargs or {}).get("kwargs", {}).get("job_id")
        if len(worker_ids) >= MAX_ATTEMPTS:
            if _fail(task_id, worker_ids, job_id):
                failed.append(str(task_id))
        elif _requeue(task_id, worker_ids, job_id):
            requeued.append(str(task_id))
    return Recovery(requeued=requeued, failed=failed)


def _unchanged(task_id: UUID, worker_ids: list[str]) -> bool:
    """Lock the task and check it is still as we saw it: if another worker starting at the
    same moment already dealt with it, leave it alone."""
    task = DBTaskResult.objects.select_for_update().filter(pk=task_id).first()
    return (
        task is not None
        and task.status == TaskResultStatus.RUNNING
        and task.worker_ids == worker_ids
    )


@transaction.atomic
def _requeue(task_id: UUID, worker_ids: list[str], job_id: int | None) -> bool:
    changed = _unchanged(task_id, worker_ids) and DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.READY, started_at=None
    )
    if changed and job_id is not None:
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            status=JobStatus.QUEUED,
            message="The worker running this stopped unexpectedly; it will start again.",
        )
    return bool(changed)


@transaction.atomic
def _fail(task_id: UUID, worker_ids: list[str], job_id: int | None) -> bool:
    reason = (
        f"The worker running this task stopped unexpectedly {len(worker_ids)} times, so it "
        "was not started again. The worker's log says why (often: not enough memory)."
    )
    changed = _unchanged(task_id, worker_ids) and DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="steadyhand.jobs.recovery.WorkerDied",
        traceback=reason,
    )
    if changed and job_id is not None:
        Job.objects.filter(pk=job_id).exclude(
            status__in=(JobStatus.SUCCEEDED, JobStatus.FAILED)
        ).update(status=JobStatus.FAILED, error=reason, finished_at=timezone.now())
    return bool(changed)
