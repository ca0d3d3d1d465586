"""Background tasks for imports through a mapping; each runs as a visible ``Job``."""

from typing import Any

from django_tasks import task

from steadyhand.access.actor import Actor
from steadyhand.imports import mapped_services
from steadyhand.imports.mapped_selectors import mapped_batch_get_visible
from steadyhand.imports.mapped_targets import target_of
from steadyhand.imports.models import ImportBatch
from steadyhand.jobs.services import ProgressCallback, job_progress
from steadyhand.jobs.tasks import run_job


@task()
def mapped_check_task(batch_id: int, job_id: int) -> dict[str, Any]:
    def work(actor: Actor, progress: ProgressCallback) -> dict[str, Any]:
        batch = mapped_batch_get_visible(actor=actor, batch_id=batch_id)
        batch = mapped_services.mapped_import_check(actor=actor, batch=batch, progress=progress)
        return counts(batch)

    return run_job(job_id, work)


@task()
def mapped_load_task(batch_id: int, job_id: int) -> dict[str, Any]:
    def work(actor: Actor, progress: ProgressCallback) -> dict[str, Any]:
        batch = mapped_batch_get_visible(actor=actor, batch_id=batch_id)
        noun = target_of(batch.kind).name
        records = batch.options.get("counts", {}).get(noun, 0)
        # Progress written inside the load's transaction stays invisible until it commits.
        job_progress(
            job_id=job_id,
            done=0,
            message=f"Writing {records} {noun} in one transaction: all of them or none.",
        )
        batch = mapped_services.mapped_import_load(
            actor=actor, batch=batch, mode=batch.load_mode, progress=progress
        )
        return {**counts(batch), "created": batch.create_count, "updated": batch.update_count}

    return run_job(job_id, work)


def counts(batch: ImportBatch) -> dict[str, Any]:
    return dict(batch.options.get("counts", {}))
