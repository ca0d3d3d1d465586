"""What this app puts on people's home pages (see ``accounts/home.py``).

- Anyone whose login is linked to a member: the policies they still have to acknowledge,
  overdue first.
- Anyone who may follow compliance (``policy.compliance``): versions with overdue members in
  their chain, with counts.

A bounded number of queries whatever the size of the agency: the counts are one aggregate.
"""

from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.accounts.home import HomeItem, HomeSection
from steadyhand.policy.selectors import (
    actor_member,
    agency_local_date,
    compliance_counts,
    pending_acknowledgements,
)


def _to_acknowledge(actor: Actor) -> HomeSection | None:
    member = actor_member(actor=actor)
    if member is None:
        return None
    today = agency_local_date(agency_id=actor.agency_id)
    items = []
    for pending in pending_acknowledgements(member=member, today=today):
        version = pending.version
        if pending.overdue:
            days = pending.days_overdue
            note = f"OVERDUE since {pending.due_date} ({days} day{'s' if days != 1 else ''})"
        else:
            note = f"due {pending.due_date}"
        items.append(
            HomeItem(
                f"Read and acknowledge {version.document.code} {version.document.title} "
                f"(v{version.number})",
                reverse("policy:version_detail", args=[version.pk]),
                note,
            )
        )
    return HomeSection(
        "Policies to acknowledge", "You have acknowledged every policy that applies to you.", items
    )


def _overdue_in_chain(actor: Actor) -> HomeSection | None:
    if not can(actor, "policy.compliance"):
        return None
    compliance = reverse("policy:compliance")
    items = [
        HomeItem(
            f"{c.version.document.code} {c.version.document.title} (v{c.version.number}): "
            f"{c.overdue} overdue",
            f"{compliance}?version={c.version.pk}",
            f"{c.acknowledged} of {c.applicable} acknowledged",
        )
        for c in compliance_counts(actor=actor)
        if c.overdue
    ]
    return HomeSection(
        "Overdue policy acknowledgements in your chain",
        "No one in your chain is overdue on a policy acknowledgement.",
        items,
    )


def home_sections(actor: Actor) -> list[HomeSection]:
    return [
        section
        for section in (_to_acknowledge(actor), _overdue_in_chain(actor))
        if section is not None
    ]
