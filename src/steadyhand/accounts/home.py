"""What needs each person's attention, section by section, by the roles they hold.

Each later domain adds its sections here (policy acknowledgements, reviews due, AARs to
facilitate …); a section lists items or says plainly that nothing is waiting.
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member, MemberStatus
from steadyhand.jobs.models import Job, JobStatus


@dataclass(frozen=True)
class HomeItem:
    label: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class HomeSection:
    title: str
    empty_text: str
    items: list[HomeItem] = field(default_factory=list)


def _my_jobs(actor: Actor) -> HomeSection:
    jobs = Job.objects.filter(agency_id=actor.agency_id, started_by_id=actor.user_id).exclude(
        status=JobStatus.SUCCEEDED
    )[:10]
    return HomeSection(
        "Your background jobs that are running or failed",
        "No job of yours is running or has failed.",
        [
            HomeItem(j.title, reverse("jobs:detail", args=[j.pk]), j.get_status_display())
            for j in jobs
        ],
    )


# Apps that put sections on the home page; each module has ``home_sections(actor)``.
HOME_PROVIDERS = (
    "steadyhand.policy.home",
    "steadyhand.training.home",
    "steadyhand.scenarios.home",
    "steadyhand.complaints.home",
    "steadyhand.incidents.home",
    "steadyhand.reviews.home",
    "steadyhand.aar.home",
    "steadyhand.recognition.home",
)


def home_sections(actor: Actor) -> list[HomeSection]:
    sections: list[HomeSection] = []
    for provider in HOME_PROVIDERS:
        sections.extend(import_module(provider).home_sections(actor))
    roles = actor.roles
    if Role.ANALYST in roles:
        sections.append(HomeSection("Evaluations", "No evaluation has been run."))
    if can(actor, "audit.verify"):
        sections.append(
            HomeSection(
                "Audit log",
                "",
                [HomeItem("Verify the audit chain", reverse("audit:verify"))],
            )
        )
    if can(actor, "member.manage"):
        inactive = Member.objects.filter(
            agency_id=actor.agency_id, status=MemberStatus.LEAVE
        ).count()
        items = [HomeItem("Import a member roster", reverse("imports:roster_upload"))]
        if inactive:
            items.append(
                HomeItem(
                    f"{inactive} members on leave",
                    reverse("agencies:member_list") + "?status=leave",
                )
            )
        sections.append(HomeSection("Administration", "", items))
    sections.append(_my_jobs(actor))
    return sections
