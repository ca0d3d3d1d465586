"""Background tasks for training-record imports; each runs as a visible ``Job``."""

from typing import Any

from django_tasks import task

from steadyhand.access.actor import Actor
from steadyhand.imports import training_services
from steadyhand.imports.models import ImportBatch
from steadyhand.imports.training_records import unmatched_count
from steadyhand.imports.training_selectors import training_batch_get_visible
from steadyhand.jobs.services import ProgressCallback, job_progress
from steadyhand.jobs.tasks import run_job


@task()
def training_validate_task(batch_id: int, job_id: int) -> dict[str, Any]:
    def work(actor: Actor, progress: ProgressCallback) -> dict[str, Any]:
        batch = training_batch_get_visible(actor=actor, batch_id=batch_id)
        batch = training_services.training_validate(actor=actor, batch=batch, progress=progress)
        return counts(batch)

    return run_job(job_id, work)


@task()
def training_load_task(batch_id: int, job_id: int) -> dict[str, Any]:
    def work(actor: Actor, progress: ProgressCallback) -> dict[str, Any]:
        batch = training_batch_get_visible(actor=actor, batch_id=batch_id)
        # Inside the load's single transaction progress writes stay invisible until it
        # commits, so the page shows an indeterminate bar and says why.
        job_progress(
            job_id=job_id,
            done=0,
            message=f"Recording {batch.valid_count} completions in one transaction: all or none.",
        )
        batch = training_services.training_load(
            actor=actor, batch=batch, mode=batch.load_mode, progress=progress
        )
        return {**counts(batch), "recorded": batch.loaded_count}

    return run_job(job_id, work)


def counts(batch: ImportBatch) -> dict[str, Any]:
    unmatched = unmatched_count(batch.row_errors)
    return {
        "rows": batch.row_count,
        "matched_to_members": 0 if batch.fatal else batch.row_count - unmatched,
        "unmatched_badges": unmatched,
        "rows_with_problems": batch.error_row_count,
        "problems": batch.error_count,
        "to_record": batch.valid_count,
        "already_recorded": batch.unchanged_count,
    }
