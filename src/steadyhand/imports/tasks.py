"""Background tasks for imports; each runs as a visible ``Job`` (see ``jobs.tasks.run_job``)."""

from typing import Any

from django_tasks import task

from steadyhand.access.actor import Actor
from steadyhand.imports import services
from steadyhand.imports.models import ImportBatch
from steadyhand.imports.selectors import import_batch_get_visible
from steadyhand.jobs.services import ProgressCallback, job_progress
from steadyhand.jobs.tasks import run_job


@task()
def roster_validate_task(batch_id: int, job_id: int) -> dict[str, Any]:
    def work(actor: Actor, progress: ProgressCallback) -> dict[str, Any]:
        batch = import_batch_get_visible(actor=actor, batch_id=batch_id)
        batch = services.roster_validate(actor=actor, batch=batch, progress=progress)
        return _counts(batch)

    return run_job(job_id, work)


@task()
def roster_load_task(batch_id: int, job_id: int) -> dict[str, Any]:
    def work(actor: Actor, progress: ProgressCallback) -> dict[str, Any]:
        batch = import_batch_get_visible(actor=actor, batch_id=batch_id)
        rows = batch.valid_count
        # Inside the load's single transaction progress writes stay invisible until it
        # commits, so the page shows an indeterminate bar and says why.
        job_progress(
            job_id=job_id,
            done=0,
            message=f"Writing {rows} rows in one transaction: all of them or none.",
        )
        batch = services.roster_load(
            actor=actor, batch=batch, mode=batch.load_mode, progress=progress
        )
        return {**_counts(batch), "loaded": batch.loaded_count}

    return run_job(job_id, work)


def _counts(batch: ImportBatch) -> dict[str, Any]:
    return {
        "rows": batch.row_count,
        "valid_rows": batch.valid_count,
        "rows_with_errors": batch.error_row_count,
        "problems": batch.error_count,
        "new_members": batch.create_count,
        "updated_members": batch.update_count,
        "unchanged_members": batch.unchanged_count,
    }
