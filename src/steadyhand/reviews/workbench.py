"""The supervisor's workbench: one page of everything waiting in their chain of command.

Sections: force reviews due (theirs first, overdue marked), reports returned for correction,
corrective actions to follow up, overdue policy acknowledgements and overdue training of their
members (the policy and training apps' own selectors, so the numbers match their pages).

Other apps' home sections that belong on the workbench too (after-action reviews to facilitate,
lessons awaiting agreement, nominations and suggested commendations) come through
``WORKBENCH_PROVIDERS``, modules with ``home_sections(actor)`` imported by name: this module
never imports the after-action review app, so the formal review side cannot depend on the
protected learning side (and the AAR selectors keep internal affairs out).
"""

from dataclasses import dataclass, field
from datetime import date
from importlib import import_module

from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.policy.selectors import agency_local_date, compliance_counts, compliance_members
from steadyhand.reviews.selectors import (
    corrective_to_follow_up,
    reviews_due_in_chain,
    reviews_returned_in_chain,
)
from steadyhand.training.selectors.reports import compliance_report

ITEMS = 25
# Modules adding sections to the workbench; see the module docstring.
WORKBENCH_PROVIDERS: tuple[str, ...] = ("steadyhand.aar.home", "steadyhand.recognition.home")


@dataclass(frozen=True)
class WorkItem:
    label: str
    url: str = ""
    note: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class WorkbenchSection:
    title: str
    empty_text: str
    items: list[WorkItem] = field(default_factory=list)
    more_url: str = ""


def _reviews_due(actor: Actor, today: date) -> WorkbenchSection:
    items = []
    for row in reviews_due_in_chain(actor=actor, today=today)[:ITEMS]:
        who = "you" if row.mine else (str(row.step.assignee) if row.step.assignee else "unassigned")
        due = (
            f"OVERDUE by {row.days_overdue} day{'s' if row.days_overdue != 1 else ''}"
            if row.overdue
            else f"due {row.step.due_on:%Y-%m-%d}"
        )
        items.append(
            WorkItem(
                f"Incident {row.review.incident.case_number}: {row.step.get_level_display()} step",
                reverse("reviews:detail", args=[row.review.pk]),
                f"{due}; with {who}",
                row.overdue,
            )
        )
    return WorkbenchSection(
        "Force reviews due in your chain of command",
        "No force review is waiting in your chain.",
        items,
        reverse("reviews:list"),
    )


def _returned(actor: Actor) -> WorkbenchSection:
    items = [
        WorkItem(
            f"Incident {r.incident.case_number}",
            reverse("reviews:detail", args=[r.pk]),
            f"returned: {r.current_step.reason if r.current_step else ''}",
        )
        for r in reviews_returned_in_chain(actor=actor)[:ITEMS]
    ]
    return WorkbenchSection(
        "Reports returned for correction (waiting for the reporting officer)",
        "No report in your chain is waiting for a correction.",
        items,
    )


def _corrective(actor: Actor, today: date) -> WorkbenchSection:
    items = [
        WorkItem(
            f"{a.get_kind_display()}: #{a.member.badge} {a.member.full_name}",
            reverse("reviews:detail", args=[a.review_id]),
            f"{'OVERDUE, ' if a.due_on < today else ''}due {a.due_on:%Y-%m-%d}; "
            f"{a.effective_status_label}; incident {a.review.incident.case_number}",
            a.due_on < today,
        )
        for a in corrective_to_follow_up(actor=actor)[:ITEMS]
    ]
    return WorkbenchSection(
        "Corrective actions to follow up",
        "No corrective action is open in your chain.",
        items,
        reverse("reviews:corrective_list"),
    )


def _policy(actor: Actor, today: date) -> WorkbenchSection | None:
    if not can(actor, "policy.compliance"):
        return None
    items = []
    for counts in compliance_counts(actor=actor, today=today):
        if not counts.overdue:
            continue
        version = counts.version
        for member in compliance_members(actor=actor, version=version, today=today)[:ITEMS]:
            items.append(
                WorkItem(
                    f"#{member.badge} {member.full_name}: {version.document.code} "
                    f"v{version.number}",
                    f"{reverse('policy:compliance')}?version={version.pk}",
                    f"not acknowledged; {member.unit.name}",
                    True,
                )
            )
    return WorkbenchSection(
        "Overdue policy acknowledgements of your members",
        "No one in your chain is overdue on a policy acknowledgement.",
        items[:ITEMS],
        reverse("policy:compliance"),
    )


def _training(actor: Actor, today: date) -> WorkbenchSection | None:
    if not can(actor, "training.report"):
        return None
    items = []
    for mandate in compliance_report(actor=actor, as_of=today).mandates:
        for standing in mandate.overdue:
            missing = standing.compliance.hours_missing
            items.append(
                WorkItem(
                    f"#{standing.member.badge} {standing.member.full_name}: {mandate.mandate.name}",
                    reverse("training:reports_compliance"),
                    f"overdue, {missing} h missing",
                    True,
                )
            )
    return WorkbenchSection(
        "Overdue training of your members",
        "No one in your chain is overdue on mandated training.",
        items[:ITEMS],
        reverse("training:reports_compliance"),
    )


def workbench_sections(actor: Actor) -> list[WorkbenchSection]:
    today = agency_local_date(agency_id=actor.agency_id)
    sections = [_reviews_due(actor, today), _returned(actor), _corrective(actor, today)]
    for optional in (_policy(actor, today), _training(actor, today)):
        if optional is not None:
            sections.append(optional)
    for provider in WORKBENCH_PROVIDERS:
        for home in import_module(provider).home_sections(actor):
            items = [WorkItem(i.label, i.url, i.note) for i in home.items]
            sections.append(WorkbenchSection(home.title, home.empty_text, items))
    return sections
