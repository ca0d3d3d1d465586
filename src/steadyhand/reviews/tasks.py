"""Background work: the daily escalation of overdue review steps, for every agency.

Schedule ``escalate_overdue_reviews_task`` daily (or run ``steadyhand reviews_escalate`` from
cron); both call the same service, once per agency, as a system actor holding the commander role
so the access rules and the audit log apply as for a person.
"""

from typing import Any

from django_tasks import task

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency
from steadyhand.reviews.services import reviews_escalate_overdue

SYSTEM_LABEL = "reviews-escalation"


def escalation_actor(agency: Agency) -> Actor:
    return Actor.system(agency_id=agency.pk, label=SYSTEM_LABEL, roles=(Role.COMMANDER,))


def escalate_all(agencies: list[Agency] | None = None) -> dict[str, Any]:
    escalated = flagged = 0
    for agency in agencies if agencies is not None else list(Agency.objects.order_by("pk")):
        result = reviews_escalate_overdue(actor=escalation_actor(agency))
        escalated += result.escalated
        flagged += result.flagged
    return {"escalated": escalated, "flagged": flagged}


@task()
def escalate_overdue_reviews_task() -> dict[str, Any]:
    return escalate_all()
