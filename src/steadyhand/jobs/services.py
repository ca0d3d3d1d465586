"""Start, advance and finish jobs. Progress writes commit on their own, outside the job's
work transaction, so a page polling the job sees them while the work is still running."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.audit.services import audit_record
from steadyhand.jobs.models import Job, JobStatus

ProgressCallback = Callable[[int, int | None, str], None]


@transaction.atomic
def job_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    params: dict[str, Any] | None = None,
    total: int | None = None,
) -> Job:
    job = Job.objects.create(
        agency_id=actor.agency_id,
        kind=kind,
        title=_shortened(title, Job._meta.get_field("title").max_length or 200),
        started_by_id=actor.user_id,
        params=params or {},
        total=total,
    )
    audit_record(actor=actor, action="job.create", obj=job, changes={"kind": [None, kind]})
    return job


def _shortened(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis: a title names files, and four
    long file names do not fit (SQLite ignores a column's length; PostgreSQL refuses the row)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def job_progress(*, job_id: int, done: int, total: int | None = None, message: str = "") -> None:
    """Record progress. Safe to call often: one small UPDATE, no audit event (not a record)."""
    fields: dict[str, Any] = {"done": done, "message": message[:255]}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


def job_mark_running(*, job_id: int) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now())


def job_finish(*, job_id: int, result: dict[str, Any] | None = None, error: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED if error else JobStatus.SUCCEEDED,
        result=result or {},
        error=error,
        finished_at=timezone.now(),
    )


def progress_reporter(job_id: int, *, every: int = 200) -> ProgressCallback:
    """A callback for long loops that writes progress at most every ``every`` items."""
    last = {"done": -every}

    def report(done: int, total: int | None, message: str = "") -> None:
        if done - last["done"] >= every or (total is not None and done >= total):
            last["done"] = done
            job_progress(job_id=job_id, done=done, total=total, message=message)

    return report
