"""What incident reporting puts on a member's home page (see ``accounts/home.py``):
the reports they started and have not submitted, and the statements they still owe."""

from django.db.models import Q
from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.accounts.home import HomeItem, HomeSection
from steadyhand.incidents.models import (
    FILED_STATUSES,
    Incident,
    IncidentStatus,
    Involvement,
    StatementStatus,
)

LIMIT = 20


def _drafts(actor: Actor, member_id: int) -> HomeSection:
    drafts = Incident.objects.filter(
        agency_id=actor.agency_id, reported_by_id=member_id, status=IncidentStatus.DRAFT
    ).order_by("-updated_at")[:LIMIT]
    return HomeSection(
        "Your reports in draft",
        "You have no report in draft.",
        [
            HomeItem(
                f"Continue report {i.case_number}",
                reverse("incidents:report_basics", args=[i.pk]),
                f"{i.call_type or i.get_contact_type_display()}, last saved "
                f"{i.updated_at:%Y-%m-%d}",
            )
            for i in drafts
        ],
    )


def _statements_owed(actor: Actor, member_id: int) -> HomeSection:
    # Owed once the report is filed (returned for correction too): no statement yet, or one
    # still in draft.
    involvements = Involvement.objects.filter(
        member_id=member_id,
        incident__agency_id=actor.agency_id,
        incident__status__in=FILED_STATUSES,
    ).filter(Q(statement__isnull=True) | Q(statement__status=StatementStatus.DRAFT))
    owed = Incident.objects.filter(pk__in=involvements.values("incident_id")).order_by(
        "-occurred_at"
    )[:LIMIT]
    return HomeSection(
        "Statements you still owe",
        "You owe no statement.",
        [
            HomeItem(
                f"Write your statement on incident {i.case_number}",
                reverse("incidents:statement", args=[i.pk]),
                f"first contact {i.occurred_at:%Y-%m-%d}",
            )
            for i in owed
        ],
    )


def home_sections(actor: Actor) -> list[HomeSection]:
    if actor.member_id is None:
        return []
    return [_drafts(actor, actor.member_id), _statements_owed(actor, actor.member_id)]
