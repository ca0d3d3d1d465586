"""Reads of early intervention, filtered by the access layer (internal affairs sees nothing)."""

from django.db.models import QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.access.querying import visible_q
from steadyhand.analytics.early_warning import Recalibration, recalibrate
from steadyhand.core.errors import NotFound
from steadyhand.intervention.inputs import response_records
from steadyhand.intervention.models import Flag


def flags_visible(*, actor: Actor) -> QuerySet[Flag]:
    """Flags in the actor's chain of command (and a member's own, if the role allows)."""
    return (
        Flag.objects.filter(
            visible_q(
                actor,
                "intervention.view",
                unit_path_field="unit__path",
                owner_user_field="member__user_account__id",
            )
        )
        .select_related("member", "unit")
        .order_by("-period_end", "-score", "pk")
    )


def flag_get_visible(*, actor: Actor, flag_id: int) -> Flag:
    """One flag, if the actor may see it; "missing" and "not allowed" raise the same error."""
    flag = flags_visible(actor=actor).filter(pk=flag_id).first()
    if flag is None:
        raise NotFound(f"No early-intervention flag {flag_id}.")
    return flag


def calibration_report(*, actor: Actor) -> Recalibration:
    """Dispute rate of every factor across the agency and the weights the next run will use."""
    ensure(actor, "intervention.calibration")
    return recalibrate(response_records(agency_id=actor.agency_id), {})
