"""What force reviews put on people's home pages (see ``accounts/home.py``): reviews waiting
for the actor's step, a link to the workbench, reports returned to their reporting officer, and
unread notifications."""

from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.accounts.home import HomeItem, HomeSection
from steadyhand.reviews.selectors import returned_to_me, reviews_due_in_chain, unread_count

LIMIT = 10


def _due(actor: Actor) -> HomeSection:
    rows = [r for r in reviews_due_in_chain(actor=actor) if r.mine][:LIMIT]
    items = [
        HomeItem(
            f"Force review of incident {r.review.incident.case_number} "
            f"({r.step.get_level_display().lower()} step)",
            reverse("reviews:detail", args=[r.review.pk]),
            f"OVERDUE since {r.step.due_on:%Y-%m-%d}"
            if r.overdue
            else f"due {r.step.due_on:%Y-%m-%d}",
        )
        for r in rows
    ]
    items.append(HomeItem("Your workbench: everything waiting in your chain",
                          reverse("reviews:workbench")))  # fmt: skip
    return HomeSection(
        "Force reviews due in your chain of command", "No force review is waiting for you.", items
    )


def _returned(actor: Actor) -> HomeSection | None:
    returned = list(returned_to_me(actor=actor)[:LIMIT])
    if not returned:
        return None
    return HomeSection(
        "Reports returned to you for correction",
        "",
        [
            HomeItem(
                f"Incident {r.incident.case_number}",
                reverse("reviews:resubmit", args=[r.pk]),
                r.current_step.reason if r.current_step else "",
            )
            for r in returned
        ],
    )


def home_sections(actor: Actor) -> list[HomeSection]:
    sections: list[HomeSection] = []
    if can(actor, "review.act"):
        sections.append(_due(actor))
    returned = _returned(actor)
    if returned is not None:
        sections.append(returned)
    unread = unread_count(actor=actor)
    if unread:
        sections.append(
            HomeSection(
                "Notifications",
                "",
                [
                    HomeItem(
                        f"{unread} unread notification{'s' if unread != 1 else ''}",
                        reverse("reviews:notifications"),
                    )
                ],
            )
        )
    return sections
