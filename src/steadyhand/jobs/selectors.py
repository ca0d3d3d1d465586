from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.core.errors import NotFound
from steadyhand.jobs.models import Job


def job_get_visible(*, actor: Actor, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, agency_id=actor.agency_id).first()
    if job is None or not can(actor, "job.view", job):
        raise NotFound(f"No job {job_id}.")
    return job
