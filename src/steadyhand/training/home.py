"""What this app puts on people's home pages (see ``accounts/home.py``).

A trainer sees the sessions starting soon and how full they are; a member sees the sessions
they are enrolled in and any course they have been assigned that waits for a session.
"""

from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.accounts.home import HomeItem, HomeSection
from steadyhand.training.selectors.catalogue import (
    UPCOMING_DAYS,
    member_next_sessions,
    member_waiting_assignments,
    sessions_upcoming,
)

TRAINER_ITEMS = 10


def _trainer_section(actor: Actor) -> HomeSection:
    fills = sessions_upcoming(actor=actor, with_rosters=False)
    items = [
        HomeItem(
            f"{f.session.course.code} {f.session.course.title}, {f.session.starts_on:%Y-%m-%d}",
            reverse("training:session_detail", args=[f.session.pk]),
            f"{f.taken} of {f.capacity} places taken",
        )
        for f in fills[:TRAINER_ITEMS]
    ]
    if len(fills) > TRAINER_ITEMS:
        items.append(
            HomeItem(
                f"All {len(fills)} upcoming sessions and their rosters",
                reverse("training:trainer_upcoming"),
            )
        )
    return HomeSection(
        f"Training sessions in the next {UPCOMING_DAYS} days",
        f"No session starts in the next {UPCOMING_DAYS} days.",
        items,
    )


def _member_section(actor: Actor) -> HomeSection:
    items = []
    for enrolment in member_next_sessions(actor=actor):
        session = enrolment.session
        assert session is not None  # the selector returns only enrolments with a session
        where = f" at {session.location}" if session.location else ""
        items.append(
            HomeItem(
                f"{enrolment.course.code} {enrolment.course.title}",
                reverse("training:session_detail", args=[session.pk]),
                f"{session.starts_on:%Y-%m-%d}{where}",
            )
        )
    for enrolment in member_waiting_assignments(actor=actor):
        items.append(
            HomeItem(
                f"{enrolment.course.code} {enrolment.course.title}",
                reverse("training:my_transcript"),
                "assigned to you; a trainer will enrol you in a session",
            )
        )
    return HomeSection("Your upcoming training", "You are not enrolled in any session.", items)


def home_sections(actor: Actor) -> list[HomeSection]:
    sections = []
    if can(actor, "training.manage"):
        sections.append(_trainer_section(actor))
    if actor.member_id is not None and can(actor, "training.catalogue"):
        sections.append(_member_section(actor))
    return sections
