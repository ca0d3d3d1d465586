"""Reads for imports through a mapping: the batches of a target the actor may see."""

from django.db.models import QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.core.errors import NotFound
from steadyhand.imports.mapped_targets import TARGETS, MappedTarget
from steadyhand.imports.models import ImportBatch


def mapped_batch_list_visible(
    *, actor: Actor, target: MappedTarget, limit: int = 20
) -> QuerySet[ImportBatch]:
    """The latest batches of ``target`` in the actor's agency, without file contents."""
    return (
        ImportBatch.objects.filter(visible_q(actor, target.action), kind=target.kind)
        .defer("content", "errors", "plan")
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def mapped_batch_get_visible(
    *, actor: Actor, batch_id: int, target: MappedTarget | None = None
) -> ImportBatch:
    """Fetch and authorise in one step (of ``target``, or of any mapped target): missing and
    not-allowed look the same."""
    kinds: list[str] = [target.kind] if target is not None else list(TARGETS)
    batch = (
        ImportBatch.objects.filter(pk=batch_id, agency_id=actor.agency_id, kind__in=kinds)
        .select_related("job", "created_by")
        .first()
    )
    if batch is None or not can(actor, TARGETS[batch.kind].action, batch):
        raise NotFound(f"No import {batch_id}.")
    return batch
