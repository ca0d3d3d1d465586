"""Who to tell when a nomination moves, through the review app's ``notify`` (in-app notice plus
email once the transaction commits). Runs inside the calling service's transaction."""

from django.db.models import Q
from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.recognition.models import Nomination, NominationStatus
from steadyhand.reviews.notifications import notify, users_of


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _approvers(nomination: Nomination, roles: list[Role]) -> list[User]:
    """Holders of ``roles`` over the nomination's unit, other than the nominee."""
    covering = Q(role_assignments__unit__isnull=True)
    for prefix in _prefixes(nomination.unit.path):
        covering |= Q(role_assignments__unit__path=prefix)
    users = User.objects.filter(
        covering,
        agency_id=nomination.agency_id,
        is_active=True,
        role_assignments__role__in=roles,
    ).distinct()
    if nomination.member_id is not None:
        users = users.exclude(member_id=nomination.member_id)
    if nomination.supervisor_approved_by_id is not None:
        users = users.exclude(pk=nomination.supervisor_approved_by_id)
    return list(users)


def _nominator(nomination: Nomination) -> list[User]:
    if nomination.nominated_by_id is None:  # the public: contact details, if any, are by hand
        return []
    return list(User.objects.filter(pk=nomination.nominated_by_id, is_active=True))


def _who(nomination: Nomination) -> str:
    member = nomination.member
    return f"{member.first_name} {member.last_name}" if member else "an officer"


def tell_about(*, actor: Actor, nomination: Nomination) -> int:
    """Notify whoever acts next on ``nomination`` (or learns its outcome)."""
    link = reverse("recognition:detail", args=[nomination.pk])
    who = _who(nomination)
    status = nomination.status
    if status == NominationStatus.NOMINATED:
        # Supervisors take the first step; commanders hear of it only when no supervisor can.
        first = _approvers(nomination, [Role.SUPERVISOR]) or _approvers(
            nomination, [Role.COMMANDER]
        )
        text = (
            f"A commendation nomination of {who} awaits your approval."
            if nomination.member_id is not None
            else "A commendation from the public needs the officer identified."
        )
        return notify(actor=actor, recipients=first, text=text, link=link)
    if status == NominationStatus.SUPERVISOR_APPROVED:
        return notify(
            actor=actor,
            recipients=_approvers(nomination, [Role.COMMANDER]),
            text=f"A commendation of {who} awaits a commander's final approval.",
            link=link,
        )
    if status == NominationStatus.APPROVED:
        told = notify(
            actor=actor,
            recipients=users_of([nomination.member]),
            text="You have been commended. Decide whether it may appear on the public page.",
            link=link,
        )
        return told + notify(
            actor=actor,
            recipients=_nominator(nomination),
            text=f"Your nomination of {who} was approved.",
            link=link,
        )
    return notify(
        actor=actor,
        recipients=_nominator(nomination),
        text=f"Your nomination of {who} was declined; the reason is on the nomination.",
        link=link,
    )
