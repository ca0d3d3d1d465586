"""Locking a review for a write, in the actor's agency (shared by the AAR services)."""

from steadyhand.aar.models import AfterActionReview
from steadyhand.access.actor import Actor
from steadyhand.core.errors import NotFound


def lock_aar(*, actor: Actor, aar: AfterActionReview) -> AfterActionReview:
    """Re-read ``aar`` for update, in the actor's agency (a stale copy is never written)."""
    found = (
        AfterActionReview.objects.select_for_update(of=("self",))
        .select_related("incident__unit")
        .filter(pk=aar.pk, agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No after-action review {aar.pk}.")
    return found
