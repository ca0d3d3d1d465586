"""Who a command-line run acts as: a named user of a named agency, allowed the action."""

from django.core.management.base import CommandError

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.registry import get_action
from steadyhand.accounts.models import User
from steadyhand.accounts.selectors import actor_for_user
from steadyhand.agencies.models import Agency


def actor_for_command(*, slug: str, username: str, action: str, doing: str) -> Actor:
    """The actor for ``--agency SLUG --as USERNAME``; a clear CommandError if there is none or
    if they may not take ``action`` (``doing`` says what, e.g. "import rosters")."""
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        raise CommandError(f"No agency with the slug {slug!r}.")
    user = User.objects.filter(username=username, agency=agency).first()
    actor = actor_for_user(user) if user is not None else None
    if actor is None:
        raise CommandError(f"No active user {username!r} in {agency.name}.")
    if not can(actor, action):
        roles = ", ".join(sorted(r.label for r in get_action(action).roles))
        raise CommandError(
            f"{username} may not {doing}; that needs one of these roles held agency-wide: {roles}."
        )
    return actor
