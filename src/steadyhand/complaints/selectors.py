"""Reads of complaints, filtered in the database by the access rules.

A complaint is a protected record: opening one (``complaint_get_visible``) is logged. Lists are
not logged row by row; they show references, dates, status and findings, not people.
"""

from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.querying import visible_q
from steadyhand.agencies.models import Member
from steadyhand.audit.services import audit_read
from steadyhand.complaints.models import Allegation, Complaint, ComplaintStatus
from steadyhand.core.errors import NotFound
from steadyhand.incidents.models import Incident
from steadyhand.incidents.selectors import incidents_visible

PENDING = "pending"


def complaints_visible(*, actor: Actor, action: str = "complaint.view") -> QuerySet[Complaint]:
    """Complaints ``actor`` may take ``action`` on: their chain of command's, or the agency's."""
    return Complaint.objects.filter(
        visible_q(actor, action, unit_path_field="unit__path")
    ).select_related("unit")


def complaint_list(
    *,
    actor: Actor,
    status: str = "",
    finding: str = "",
    received_from: date | None = None,
    received_to: date | None = None,
) -> QuerySet[Complaint]:
    """The list page: visible complaints, filtered, with allegation counts (one query)."""
    complaints = complaints_visible(actor=actor)
    if status:
        complaints = complaints.filter(status=status)
    if finding:
        complaints = complaints.filter(
            pk__in=Allegation.objects.filter(finding=finding).values("complaint_id")
        )
    if received_from is not None:
        complaints = complaints.filter(received_at__date__gte=received_from)
    if received_to is not None:
        complaints = complaints.filter(received_at__date__lte=received_to)
    return complaints.annotate(
        allegation_count=Count("allegations"),
        pending_count=Count("allegations", filter=Q(allegations__finding=PENDING)),
    ).order_by("-received_at", "-pk")


def complaint_get_visible(
    *, actor: Actor, complaint_id: int, action: str = "complaint.view", log_read: bool = True
) -> Complaint:
    """One complaint, or ``NotFound`` whether it is missing or not ``actor``'s to see.

    The read is logged (PRODUCT.md: every read of a complaint).
    """
    complaint = (
        complaints_visible(actor=actor, action=action)
        .select_related("incident", "created_by")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None:
        raise NotFound(f"No complaint {complaint_id}.")
    if log_read:
        with transaction.atomic():
            audit_read(actor=actor, obj=complaint)
    return complaint


def allegation_get(*, complaint: Complaint, allegation_id: int) -> Allegation:
    allegation = complaint.allegations.select_related("member").filter(pk=allegation_id).first()
    if allegation is None:
        raise NotFound(f"No allegation {allegation_id} on complaint {complaint.reference}.")
    allegation.complaint = complaint
    return allegation


def complaint_allegations(*, complaint: Complaint) -> QuerySet[Allegation]:
    return complaint.allegations.select_related("member", "member__unit").order_by("pk")


def member_by_badge(*, actor: Actor, badge: str) -> Member | None:
    """The member of ``actor``'s agency with this badge (allegations may name anyone in it)."""
    badge = badge.strip()
    if not badge:
        return None
    return (
        Member.objects.filter(agency_id=actor.agency_id, badge__iexact=badge)
        .select_related("unit")
        .first()
    )


def incident_by_case_number(*, actor: Actor, case_number: str) -> Incident | None:
    """An incident ``actor`` may see, by its case number (not logged: only linked, not read)."""
    return incidents_visible(actor=actor).filter(case_number=case_number.strip()).first()


def complaints_awaiting_finding(*, actor: Actor) -> QuerySet[Complaint]:
    """Open complaints ``actor`` manages with no allegation yet, or one still pending."""
    return (
        complaints_visible(actor=actor, action="complaint.manage")
        .exclude(status=ComplaintStatus.CLOSED)
        .annotate(
            allegation_count=Count("allegations"),
            pending_count=Count("allegations", filter=Q(allegations__finding=PENDING)),
        )
        .filter(Q(allegation_count=0) | Q(pending_count__gt=0))
        .order_by("received_at", "pk")
    )
