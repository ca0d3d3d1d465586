"""What this app puts on home pages (see ``accounts/home.py``): for approvers, nominations
waiting for their step and suggested commendations in their chain."""

from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.accounts.home import HomeItem, HomeSection
from steadyhand.recognition.selectors import nominations_awaiting, suggestions

HOME_LIMIT = 10


def _who(n: object) -> str:
    member = getattr(n, "member", None)
    return f"{member.first_name} {member.last_name}" if member else "an officer"


def home_sections(actor: Actor) -> list[HomeSection]:
    if not can(actor, "commendation.approve"):
        return []
    awaiting = [
        HomeItem(
            f"Nomination of {_who(n)}",
            reverse("recognition:detail", args=[n.pk]),
            n.get_status_display(),
        )
        for n in nominations_awaiting(actor=actor)[:HOME_LIMIT]
    ]
    suggested_url = reverse("recognition:suggestions")
    suggested = [
        HomeItem(
            f"Incident {s.incident.case_number}: "
            + ", ".join(f"{m.first_name} {m.last_name}" for m in s.members),
            suggested_url,
            s.reasons[0],
        )
        for s in suggestions(actor=actor, limit=HOME_LIMIT)
    ]
    return [
        HomeSection(
            "Nominations awaiting your approval", "No nomination is waiting for you.", awaiting
        ),
        HomeSection(
            "Suggested commendations in your chain",
            "No incident in your chain suggests a commendation right now.",
            suggested,
        ),
    ]
