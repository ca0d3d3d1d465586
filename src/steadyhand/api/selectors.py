"""Reads for the API: one's own tokens, and import batches of every kind the actor may see.

Incidents, complaints and members are read through their own apps' selectors."""

from django.db.models import Q, QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.api.models import ApiToken
from steadyhand.core.errors import NotFound
from steadyhand.imports.models import ImportBatch

# Which action lets one see an import batch of each kind. Kinds added later fall back on their
# prefix ("incident…", "complaint…"), else on the roster's action.
IMPORT_ACTIONS = {
    "roster": "member.import",
    "training": "training.import",
}
IMPORT_ACTION_PREFIXES = {"incident": "incident.import", "complaint": "complaint.import"}
ALL_IMPORT_ACTIONS = ("incident.import", "complaint.import", "member.import", "training.import")


def import_action(kind: str) -> str:
    if kind in IMPORT_ACTIONS:
        return IMPORT_ACTIONS[kind]
    for prefix, action in IMPORT_ACTION_PREFIXES.items():
        if kind.startswith(prefix):
            return action
    return "member.import"


def api_tokens_of(*, actor: Actor) -> QuerySet[ApiToken]:
    if actor.user_id is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(agency_id=actor.agency_id, user_id=actor.user_id)


def _batches_q(actor: Actor) -> Q:
    kinds = ImportBatch.objects.filter(agency_id=actor.agency_id).values_list("kind", flat=True)
    allowed = Q(pk__in=[])
    for kind in set(kinds.distinct()):
        allowed |= Q(kind=kind) & visible_q(
            actor, import_action(kind), owner_user_field="created_by_id"
        )
    return allowed


def import_batches_visible(*, actor: Actor) -> QuerySet[ImportBatch]:
    """Import batches of every kind the actor may import, without file contents."""
    return (
        ImportBatch.objects.filter(_batches_q(actor))
        .defer("content", "plan")
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def import_batch_get_visible(*, actor: Actor, batch_id: int) -> ImportBatch:
    batch = (
        ImportBatch.objects.filter(pk=batch_id, agency_id=actor.agency_id)
        .defer("content", "plan")
        .select_related("created_by")
        .first()
    )
    if batch is None or not can(actor, import_action(batch.kind), batch):
        raise NotFound(f"No import batch {batch_id}.")
    return batch
