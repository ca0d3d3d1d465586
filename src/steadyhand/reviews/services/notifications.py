"""Marking one's own notifications read."""

from django.db import transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import NotFound
from steadyhand.reviews.models import Notification


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification_id: int) -> Notification:
    found = (
        Notification.objects.select_for_update()
        .filter(pk=notification_id, agency_id=actor.agency_id, recipient_id=actor.user_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No notification {notification_id}.")
    ensure(actor, "home.view", found)
    if not found.read:
        found.read = True
        found.save(update_fields=["read", "updated_at"])
        audit_record(
            actor=actor,
            action="notification.read",
            obj=found,
            changes={"read": [False, True], "at": [None, timezone.now().isoformat()]},
        )
    return found


@transaction.atomic
def notifications_mark_all_read(*, actor: Actor) -> int:
    ensure(actor, "home.view")
    unread = Notification.objects.filter(
        agency_id=actor.agency_id, recipient_id=actor.user_id, read=False
    )
    count = unread.update(read=True, updated_at=timezone.now())
    if count:
        audit_record(actor=actor, action="notification.read_all", changes={"count": [0, count]})
    return count
