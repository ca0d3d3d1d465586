"""Background scoring: the nightly task (schedule it with the deployment's scheduler, e.g. cron
calling ``steadyhand ei_score``, or enqueue ``ei_score_task`` for each agency), and the run an
agency administrator starts from the scoring page, followed as a visible job."""

from datetime import date
from typing import Any

from django_tasks import task

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.intervention.services import flags_score
from steadyhand.jobs.models import Job
from steadyhand.jobs.services import ProgressCallback
from steadyhand.jobs.tasks import run_job


@task()
def ei_score_task(agency_id: int) -> dict[str, Any]:
    actor = Actor.system(agency_id=agency_id, label="ei_score", roles=(Role.AGENCY_ADMIN,))
    run = flags_score(actor=actor)
    return {
        "members_scored": run.members_scored,
        "flags_created": run.flags_created,
        "already_flagged": run.already_flagged,
    }


@task()
def ei_score_job_task(job_id: int) -> dict[str, Any]:
    """Run the scoring a job's starter asked for, as them (a role revoked since is respected)."""
    params = Job.objects.values_list("params", flat=True).get(pk=job_id)

    def work(actor: Actor, progress: ProgressCallback) -> dict[str, Any]:
        run = flags_score(
            actor=actor,
            as_of=date.fromisoformat(params["as_of"]),
            window_days=int(params["window_days"]),
            flag_ratio=float(params["flag_ratio"]),
            progress=progress,
        )
        return {
            "members_scored": run.members_scored,
            "flags_created": run.flags_created,
            "already_flagged": run.already_flagged,
        }

    return run_job(job_id, work, every=1)
