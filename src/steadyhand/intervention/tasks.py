"""The nightly scoring task (schedule it with the deployment's scheduler, e.g. cron calling
``steadyhand ei_score``, or enqueue ``ei_score_task`` for each agency)."""

from typing import Any

from django_tasks import task

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.intervention.services import flags_score


@task()
def ei_score_task(agency_id: int) -> dict[str, Any]:
    actor = Actor.system(agency_id=agency_id, label="ei_score", roles=(Role.AGENCY_ADMIN,))
    run = flags_score(actor=actor)
    return {
        "members_scored": run.members_scored,
        "flags_created": run.flags_created,
        "already_flagged": run.already_flagged,
    }
