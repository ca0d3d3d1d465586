"""The background task that runs an evaluation as a visible job."""

from typing import Any

from django_tasks import task

from steadyhand.access.actor import Actor
from steadyhand.evaluations.selectors import evaluation_get_visible, synth_study_get_visible
from steadyhand.evaluations.services import evaluation_run
from steadyhand.evaluations.synth_services import synth_study_run
from steadyhand.jobs.services import ProgressCallback
from steadyhand.jobs.tasks import run_job


@task()
def evaluation_run_task(evaluation_id: int, job_id: int) -> dict[str, Any]:
    def work(actor: Actor, progress: ProgressCallback) -> dict[str, Any]:
        evaluation = evaluation_get_visible(actor=actor, evaluation_id=evaluation_id)
        evaluation = evaluation_run(actor=actor, evaluation=evaluation, progress=progress)
        return {"status": evaluation.status, "failure": evaluation.failure}

    return run_job(job_id, work, every=1)


@task()
def synth_study_task(study_id: int, job_id: int) -> dict[str, Any]:
    def work(actor: Actor, progress: ProgressCallback) -> dict[str, Any]:
        study = synth_study_get_visible(actor=actor, study_id=study_id)
        study = synth_study_run(actor=actor, study=study, progress=progress)
        return {"status": study.status, "failure": study.failure}

    return run_job(job_id, work, every=1)
