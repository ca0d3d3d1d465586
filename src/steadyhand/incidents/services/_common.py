"""What every write to a report shares: find the draft in the actor's agency, lock it, and refuse
anyone but its reporter, or a report that is no longer a draft.

Helpers only (private names): the architecture test requires public service functions to take a
keyword-only ``actor``, and these are called from the services, never from views.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.incidents.models import Incident

# Above any real sequence or ordinal, so that renumbering never collides with the unique
# constraint mid-way (PostgreSQL checks a non-deferrable unique constraint row by row).
RENUMBER_SHIFT = 10_000  # fits a PositiveSmallIntegerField (subject ordinals)


def _lock_incident(*, actor: Actor, incident_id: int) -> Incident:
    """The incident, re-read ``FOR UPDATE`` in ``actor``'s agency; ``NotFound`` otherwise, and
    ``NotFound`` too for someone who may not even read it (a refusal confirms nothing)."""
    found = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("unit", "reported_by")
        .filter(pk=incident_id, agency_id=actor.agency_id)
        .first()
    )
    if found is None or not can(actor, "incident.view", found):
        raise NotFound(f"No incident {incident_id}.")
    return found


def _full_clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from exc


def _renumber(manager: Any, field: str, ordered_pks: list[int]) -> None:
    """Give the rows ``ordered_pks`` the values 1..n of ``field``, in that order."""
    manager.filter(pk__in=ordered_pks).update(**{field: models.F(field) + RENUMBER_SHIFT})
    for position, pk in enumerate(ordered_pks, start=1):
        manager.filter(pk=pk).update(**{field: position})
