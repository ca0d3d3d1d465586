"""Reads of the audit log: the filtered list an auditor browses, and chain verification."""

from django.db.models import Q, QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.access.querying import visible_q
from steadyhand.access.registry import WALLS
from steadyhand.audit.models import AuditEvent
from steadyhand.audit.verify import ChainReport, verify_chain


def _walled_off(actor: Actor) -> Q:
    """Events about a walled category's records, hidden from an actor the wall keeps out.

    An auditor who also holds internal_affairs must not learn from the log who took part in
    an after-action review, or when (PRODUCT.md, non-negotiable 1): events whose action or
    object belongs to the ``aar`` category are left out of their view. The chain itself is
    untouched; ``audit.verify`` still checks every event.
    """
    hidden = Q()
    for category, roles in WALLS.items():
        if actor.roles & roles:
            hidden |= Q(action__startswith=f"{category}.") | Q(
                object_type__startswith=f"{category}."
            )
    return ~hidden if hidden else Q()


def audit_event_list(
    *,
    actor: Actor,
    action: str = "",
    actor_label: str = "",
    obj: str = "",
    kind: str = "",
    seq: int | None = None,
) -> QuerySet[AuditEvent]:
    """The actor's agency's events they may read, newest first, narrowed by the filters.

    ``action`` and ``kind`` match exactly; ``actor_label`` matches part of the actor's label;
    ``obj`` matches part of the object's description, or its id or type exactly.
    The log is filed at agency level, so only an agency-wide ``audit.view`` grant reads it.
    """
    events = AuditEvent.objects.filter(visible_q(actor, "audit.view"), _walled_off(actor))
    if action:
        events = events.filter(action=action)
    if kind:
        events = events.filter(kind=kind)
    if actor_label:
        events = events.filter(actor_label__icontains=actor_label)
    if obj:
        events = events.filter(
            Q(object_repr__icontains=obj) | Q(object_id=obj) | Q(object_type=obj)
        )
    if seq is not None:
        events = events.filter(seq=seq)
    return events.order_by("-seq")


def audit_action_names(*, actor: Actor) -> list[str]:
    """The distinct actions in the log the actor may read, for the filter's choices."""
    return list(
        AuditEvent.objects.filter(visible_q(actor, "audit.view"), _walled_off(actor))
        .order_by("action")  # replaces Meta.ordering, which would defeat DISTINCT
        .values_list("action", flat=True)
        .distinct()
    )


def audit_chain_report(*, actor: Actor) -> ChainReport:
    """Verify the actor's agency's chain. The log is an agency-level record."""
    ensure(actor, "audit.verify", Scope(agency_id=actor.agency_id))
    return verify_chain(actor.agency_id)
