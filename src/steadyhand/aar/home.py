"""What this app puts on people's home pages (see ``accounts/home.py``).

- Facilitators (``aar.facilitate``): the open reviews they lead, and how many submitted
  incidents in their chain still await one.
- Participants: lessons waiting for their agreement.

Nothing for anyone walled off ``aar.*`` (internal affairs): not even an empty section, which
would tell them the feature is in use.
"""

from django.urls import reverse

from steadyhand.aar.selectors import (
    incidents_awaiting_review,
    lessons_awaiting_agreement,
    reviews_to_facilitate,
)
from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.accounts.home import HomeItem, HomeSection

LIMIT = 10


def _to_facilitate(actor: Actor) -> HomeSection | None:
    if not can(actor, "aar.facilitate") or actor.member_id is None:
        return None
    items = [
        HomeItem(
            f"After-action review of incident {aar.incident.case_number}",
            reverse("aar:detail", args=[aar.pk]),
            "open",
        )
        for aar in reviews_to_facilitate(actor=actor)[:LIMIT]
    ]
    waiting = incidents_awaiting_review(actor=actor).count()
    if waiting:
        items.append(
            HomeItem(
                f"{waiting} submitted incident{'s' if waiting != 1 else ''} in your chain "
                "without a review",
                reverse("aar:index") + "#awaiting",
            )
        )
    return HomeSection(
        "After-action reviews to facilitate", "No after-action review is waiting for you.", items
    )


def _to_agree(actor: Actor) -> HomeSection | None:
    if not can(actor, "aar.view") or actor.member_id is None:
        return None
    lessons = list(lessons_awaiting_agreement(actor=actor)[:LIMIT])
    if not lessons:
        return None
    return HomeSection(
        "Lessons awaiting your agreement",
        "",
        [
            HomeItem(
                f"Lesson {lesson.pk} of an after-action review you took part in",
                reverse("aar:detail", args=[lesson.aar_id]) + "#lessons",
            )
            for lesson in lessons
        ],
    )


def home_sections(actor: Actor) -> list[HomeSection]:
    return [s for s in (_to_facilitate(actor), _to_agree(actor)) if s is not None]
