"""Writes for force reviews, corrective actions, routes and notifications (one module each)."""

from steadyhand.reviews.services.corrective import (
    corrective_action_complete,
    corrective_action_create,
)
from steadyhand.reviews.services.escalation import EscalationResult, reviews_escalate_overdue
from steadyhand.reviews.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
)
from steadyhand.reviews.services.reviews import (
    FindingsInput,
    review_decide,
    review_findings_save,
    review_open_for_incident,
    review_open_hook,
    review_resubmit,
    reviews_open_missing,
)
from steadyhand.reviews.services.routes import review_route_set

__all__ = [
    "EscalationResult",
    "FindingsInput",
    "corrective_action_complete",
    "corrective_action_create",
    "notification_mark_read",
    "notifications_mark_all_read",
    "review_decide",
    "review_findings_save",
    "review_open_for_incident",
    "review_open_hook",
    "review_resubmit",
    "review_route_set",
    "reviews_escalate_overdue",
    "reviews_open_missing",
]
