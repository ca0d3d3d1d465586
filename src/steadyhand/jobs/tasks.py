"""Running a task as a visible ``Job``: status, progress, result or error.

A task function does its work through ``run_job``, which marks the job running, passes the
work an ``Actor`` rebuilt from the user who started the job (so a role revoked since then is
respected) and a progress callback, and records the outcome where pages can show it.
"""

import logging
from collections.abc import Callable
from typing import Any

from steadyhand.access.actor import Actor
from steadyhand.accounts.selectors import actor_for_user
from steadyhand.core.errors import PermissionDenied, SteadyhandError
from steadyhand.jobs.models import Job
from steadyhand.jobs.services import (
    ProgressCallback,
    job_finish,
    job_mark_running,
    progress_reporter,
)

logger = logging.getLogger(__name__)

JobWork = Callable[[Actor, ProgressCallback], dict[str, Any]]


def job_actor(job: Job) -> Actor:
    """The actor a job runs as: its starter, with the roles they hold now."""
    user = job.started_by
    actor = actor_for_user(user) if user is not None else None
    if actor is None:
        raise PermissionDenied(
            "job.run", "The account that started this job is no longer active in the agency."
        )
    return actor


def run_job(job_id: int, work: JobWork, *, every: int = 200) -> dict[str, Any]:
    """Run ``work`` as job ``job_id``; return its result (or ``{"error": …}``).

    Errors a service raises on purpose (refusals, invalid input, conflicts) end the job as
    failed with their message, which is written for the user. Anything else is logged with its
    traceback, shown as an unexpected error, and re-raised so the task backend records it too.
    """
    job = Job.objects.select_related("started_by").get(pk=job_id)
    job_mark_running(job_id=job_id)
    try:
        result = work(job_actor(job), progress_reporter(job_id, every=every))
    except SteadyhandError as exc:
        job_finish(job_id=job_id, error=str(exc))
        return {"error": str(exc)}
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        job_finish(
            job_id=job_id,
            error=f"An unexpected error stopped the job ({type(exc).__name__}: {exc}). "
            "The details are in the worker's log.",
        )
        raise
    job_finish(job_id=job_id, result=result)
    return result
