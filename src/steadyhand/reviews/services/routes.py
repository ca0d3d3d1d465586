"""The agency's review routes: which levels review which force level, with due days."""

from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput
from steadyhand.core.versioning import check_version
from steadyhand.reviews.models import ReviewRoute
from steadyhand.reviews.routing import FORCE_LEVELS, RouteStep, route_for, route_problems


@transaction.atomic
def review_route_set(
    *,
    actor: Actor,
    force_level: int,
    steps: tuple[RouteStep, ...],
    expected_version: int | None,
) -> ReviewRoute:
    """Set the route for ``force_level``. Reviews already open keep the route they began with."""
    ensure(actor, "review.configure", Scope(agency_id=actor.agency_id))
    if force_level not in FORCE_LEVELS:
        raise InvalidInput({"force_level": [f"Force levels run from 0 to {FORCE_LEVELS[-1]}."]})
    problems = route_problems(steps)
    if problems:
        raise InvalidInput({"steps": problems})
    before = [s.as_json() for s in route_for(agency_id=actor.agency_id, force_level=force_level)]
    route = (
        ReviewRoute.objects.select_for_update()
        .filter(agency_id=actor.agency_id, force_level=force_level)
        .first()
    )
    if route is None:
        route = ReviewRoute(agency_id=actor.agency_id, force_level=force_level)
    else:
        check_version(route, expected_version)
    route.steps = [s.as_json() for s in steps]
    route.save()
    audit_record(
        actor=actor,
        action="review_route.set",
        obj=route,
        changes={"force_level": [force_level, force_level], "steps": [before, route.steps]},
    )
    return route
