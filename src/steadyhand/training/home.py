"""What this app puts on people's home pages (see ``accounts/home.py``).

A trainer sees the sessions starting soon and how full they are; a member sees the sessions
they are enrolled in, any course they have been assigned that waits for a session, the
mandates they are behind on and surveys waiting for them; whoever may read training reports
sees how many in their scope are overdue.
"""

from datetime import date

from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.accounts.home import HomeItem, HomeSection
from steadyhand.agencies.models import Member
from steadyhand.policy.selectors import actor_member, agency_local_date
from steadyhand.training.selectors.catalogue import (
    UPCOMING_DAYS,
    member_next_sessions,
    member_waiting_assignments,
    sessions_upcoming,
)
from steadyhand.training.selectors.reports import overdue_counts_for_actor, training_due_for_member
from steadyhand.training.selectors.surveys import survey_invitations_for_member

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


def _due_section(actor: Actor, member: Member, today: date) -> HomeSection:
    items = [
        HomeItem(
            due.mandate.name,
            reverse("training:my_transcript"),
            f"{due.compliance.status.label}: {due.compliance.hours_missing} h missing"
            + (f", due {due.compliance.due_date:%Y-%m-%d}" if due.compliance.due_date else ""),
        )
        for due in training_due_for_member(member=member, as_of=today)
    ]
    return HomeSection("Training due", "You meet every training mandate that applies to you.",
                       items)  # fmt: skip


def _chain_due_section(actor: Actor, today: date) -> HomeSection | None:
    counts = overdue_counts_for_actor(actor=actor, as_of=today)
    if not counts:
        return None
    return HomeSection(
        "Training overdue in your scope",
        "",
        [
            HomeItem(
                c.mandate.name,
                reverse("training:reports_compliance"),
                f"{c.overdue} overdue, {c.due_soon} due soon",
            )
            for c in counts
        ],
    )


def _survey_section(member: Member) -> HomeSection | None:
    invitations = survey_invitations_for_member(member)
    if not invitations:
        return None
    return HomeSection(
        "Surveys waiting for your answer (anonymous)",
        "",
        [
            HomeItem(i.survey.title, reverse("training:survey_mine"), i.get_phase_display())
            for i in invitations
        ],
    )


def home_sections(actor: Actor) -> list[HomeSection]:
    sections: list[HomeSection] = []
    today = agency_local_date(agency_id=actor.agency_id)
    if can(actor, "training.manage"):
        sections.append(_trainer_section(actor))
    member = actor_member(actor=actor)
    if member is not None and can(actor, "training.catalogue"):
        sections.append(_member_section(actor))
        sections.append(_due_section(actor, member, today))
        surveys = _survey_section(member)
        if surveys is not None:
            sections.append(surveys)
    chain = _chain_due_section(actor, today)
    if chain is not None:
        sections.append(chain)
    return sections
