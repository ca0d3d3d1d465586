"""What this app puts on people's home pages (see ``accounts/home.py``).

Internal affairs (whoever may manage complaints): open complaints still awaiting a finding, the
oldest first, with how many allegations are pending. Counts come from one aggregate query.
"""

from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.accounts.home import HomeItem, HomeSection
from steadyhand.complaints.selectors import complaints_awaiting_finding

SHOWN = 10


def _note(allegations: int, pending: int) -> str:
    if allegations == 0:
        return "no allegation recorded yet"
    return f"{pending} of {allegations} allegation{'s' if allegations != 1 else ''} pending"


def home_sections(actor: Actor) -> list[HomeSection]:
    if not can(actor, "complaint.manage"):
        return []
    waiting = complaints_awaiting_finding(actor=actor)
    total = waiting.count()
    items = [
        HomeItem(
            f"{c.reference}, received {c.received_at:%Y-%m-%d}",
            reverse("complaints:detail", args=[c.pk]),
            _note(c.allegation_count, c.pending_count),  # type: ignore[attr-defined]
        )
        for c in waiting[:SHOWN]
    ]
    if total > SHOWN:
        items.append(
            HomeItem(
                f"… and {total - SHOWN} more, in the complaints list", reverse("complaints:list")
            )
        )
    return [
        HomeSection("Complaints awaiting a finding", "No complaint is awaiting a finding.", items)
    ]
