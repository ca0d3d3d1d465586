"""Helpers shared by every kind of import batch (rosters, training records, incidents).

Not services: services call them after checking permission. ``batch_mark_failed`` runs in a
transaction of its own, after the failed work's transaction was rolled back.
"""

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.imports.models import BatchStatus, ImportBatch, LoadMode
from steadyhand.jobs.models import Job
from steadyhand.jobs.services import job_create


def clean_file_name(file_name: str) -> str:
    # Browsers on Windows may send "C:\\Users\\…\\roster.csv"; keep only the name.
    name = PurePosixPath(file_name.replace("\\", "/")).name.strip()
    return name[:255] or "roster.csv"


def check_loadable(batch: ImportBatch, mode: str) -> None:
    if batch.status not in (BatchStatus.VALIDATED, BatchStatus.LOADING):
        raise ConflictError(
            f"This import is {batch.get_status_display().lower()}; only a checked import can be "
            "loaded."
        )
    if mode not in LoadMode.values:
        raise InvalidInput({"load_mode": [f"Unknown load mode {mode!r}."]})
    if batch.fatal or batch.valid_count == 0:
        raise InvalidInput(
            {"load_mode": ["No row of this file can be loaded; fix the file and upload it again."]}
        )
    if mode == LoadMode.ALL and batch.error_count:
        raise InvalidInput(
            {
                "load_mode": [
                    f"The file has {batch.error_count} problem(s) in {batch.error_row_count} "
                    "row(s), so it cannot be loaded in full. Fix the file and upload it again, "
                    f"or choose to load only the {batch.valid_count} valid rows."
                ]
            }
        )


@transaction.atomic
def batch_mark_failed(
    *, actor: Actor, batch_id: int, failure: str, from_status: tuple[str, ...]
) -> None:
    """Record why a check or load stopped. No ``ensure``: it records the outcome of an action
    that was already allowed, even if the actor lost the permission half-way."""
    batch = (
        ImportBatch.objects.select_for_update()
        .filter(pk=batch_id, agency_id=actor.agency_id)
        .first()
    )
    if batch is None or batch.status not in from_status:
        return
    old = batch.status
    batch.status = BatchStatus.FAILED
    batch.failure = failure[:4000]
    batch.save(update_fields=["status", "failure", "updated_at"])
    audit_record(
        actor=actor,
        action="import.fail",
        obj=batch,
        changes={"status": [old, batch.status]},
        reason=batch.failure,
    )


def batch_check_or_mark_failed(
    *, actor: Actor, batch: ImportBatch, action: str, check: Callable[[], ImportBatch]
) -> ImportBatch:
    """Run a kind's ``check`` of ``batch`` (read every row, store the report) after refusing
    early without changing anything; if the check fails, the batch is marked failed with the
    reason, so the user can fix the cause and check again."""
    ensure(actor, action, batch)
    try:
        return check()
    except Exception as exc:
        batch_mark_failed(
            actor=actor,
            batch_id=batch.pk,
            failure=f"The check stopped: {exc}",
            from_status=(BatchStatus.UPLOADED,),
        )
        raise


def batch_load_or_mark_failed(
    *,
    actor: Actor,
    batch: ImportBatch,
    mode: str,
    action: str,
    load: Callable[[], ImportBatch],
) -> ImportBatch:
    """Run a kind's atomic ``load`` of ``batch``: refuse early (permission, state) without
    changing anything; if the load starts and fails, its transaction is rolled back and the
    batch is marked failed with the reason, so the user can fix the cause and check again."""
    ensure(actor, action, batch)
    check_loadable(batch, mode)
    try:
        return load()
    except Exception as exc:
        batch_mark_failed(
            actor=actor,
            batch_id=batch.pk,
            failure=str(exc),
            from_status=(BatchStatus.VALIDATED, BatchStatus.LOADING),
        )
        raise


def batch_recheck(
    *, actor: Actor, batch: ImportBatch, action: str, start_check: Callable[..., Any]
) -> ImportBatch:
    """Check a staged batch again (e.g. after adding the units, members or course its rows
    refer to): back to "uploaded", audited, and ``start_check(actor=, batch=)`` called.

    The caller holds a transaction and has locked ``batch`` (``select_for_update``).
    """
    ensure(actor, action, batch)
    if not batch.can_revalidate:
        raise ConflictError(
            f"This import is {batch.get_status_display().lower()}; only a checked or failed "
            "import, or one whose job has ended, can be checked again."
        )
    old = batch.status
    batch.status = BatchStatus.UPLOADED
    batch.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="import.recheck", obj=batch, changes={"status": [old, "uploaded"]}
    )
    start_check(actor=actor, batch=batch)
    return batch


def batch_start_job(
    *, actor: Actor, batch: ImportBatch, kind: str, title: str, detail_url: str, task: Any
) -> Job:
    """Create the Job a person follows, attach it to the batch and enqueue ``task``.

    Enqueued inside the caller's transaction: the database backend's task row commits with the
    batch, so a worker never sees a task for a batch that does not exist.
    """
    job = job_create(
        actor=actor,
        kind=kind,
        title=title,
        params={"batch_id": batch.pk, "link": {"url": detail_url, "label": "Back to the import"}},
    )
    batch.job = job
    batch.save(update_fields=["job", "updated_at"])
    task.enqueue(batch_id=batch.pk, job_id=job.pk)
    return job


def batch_request_load(
    *, actor: Actor, batch: ImportBatch, mode: str, kind: str, title: str, detail_url: str,
    task: Any,
) -> ImportBatch:  # fmt: skip
    """Record the user's choice (all rows or only the valid ones) on a locked, checked batch
    and start the load in the background; audited."""
    if batch.status != BatchStatus.VALIDATED:
        raise ConflictError(
            f"This import is {batch.get_status_display().lower()}; it can be loaded only once, "
            "after it has been checked."
        )
    check_loadable(batch, mode)
    batch.status = BatchStatus.LOADING
    batch.load_mode = mode
    batch.save(update_fields=["status", "load_mode", "updated_at"])
    audit_record(
        actor=actor,
        action="import.load_request",
        obj=batch,
        changes={"status": ["validated", "loading"], "load_mode": [None, mode]},
    )
    batch_start_job(actor=actor, batch=batch, kind=kind, title=title, detail_url=detail_url,
                    task=task)  # fmt: skip
    return batch
