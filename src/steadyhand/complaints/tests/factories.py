"""Builders for complaint tests, through the real services (so they are audited too)."""

from datetime import UTC, datetime

from django.test import Client

from steadyhand import vocabulary as v
from steadyhand.access.actor import Actor
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Member, Unit
from steadyhand.complaints import services
from steadyhand.complaints.models import Allegation, Complaint
from steadyhand.incidents.models import Incident


def client_for(actor: Actor) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


def make_complaint(actor: Actor, narrative: str = "The officer shoved me.") -> Complaint:
    return services.complaint_intake(actor=actor, channel="phone", narrative=narrative)


def accuse(
    actor: Actor, complaint: Complaint, member: Member | None, category: str = "discourtesy"
) -> Allegation:
    complaint.refresh_from_db()
    return services.allegation_add(
        actor=actor,
        complaint=complaint,
        expected_version=complaint.version,
        category=category,
        member=member,
    )


def make_incident(*, agency_id: int, unit: Unit, case_number: str) -> Incident:
    # Written directly: the incident services belong to another app and are not under test.
    return Incident.objects.create(
        agency_id=agency_id,
        case_number=case_number,
        unit=unit,
        occurred_at=datetime(2026, 1, 5, 22, 0, tzinfo=UTC),
        contact_type=next(iter(v.CONTACT_TYPES)),
    )
