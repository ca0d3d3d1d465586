"""The background task that adds a finished run's decision points to its debrief, as a job the
trainee can follow on the debrief page."""

from typing import Any

from django_tasks import task

from steadyhand.access.actor import Actor
from steadyhand.jobs.services import ProgressCallback
from steadyhand.jobs.tasks import run_job
from steadyhand.scenarios.services import run_debrief


@task()
def run_debrief_task(run_id: int, job_id: int) -> dict[str, Any]:
    def work(actor: Actor, progress: ProgressCallback) -> dict[str, Any]:
        run = run_debrief(actor=actor, run_id=run_id)
        return {"decision_points": len(run.score.get("decision_points", []))}

    return run_job(job_id, work, every=1)
