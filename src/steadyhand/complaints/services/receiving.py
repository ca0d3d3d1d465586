"""Receiving a complaint: from the public web form, or recorded by staff."""

import re
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.audit.services import audit_record
from steadyhand.complaints.models import Complaint
from steadyhand.complaints.services.common import (
    INTAKE_CHANNELS,
    Demographics,
    _agency_tz,
    _check_narrative,
    _check_not_future,
    _complainant,
    _full_clean,
)
from steadyhand.core.errors import InvalidInput
from steadyhand.stats.hooks import months_touched

REFERENCE_PREFIX = "C-{year}-"
REFERENCE_WIDTH = 6


def _next_reference(*, agency_id: int, year: int) -> str:
    prefix = REFERENCE_PREFIX.format(year=year)
    pattern = re.compile(rf"^{re.escape(prefix)}[0-9]{{{REFERENCE_WIDTH}}}$")
    # Zero-padded to a fixed width, so the lexically highest number is the highest one.
    candidates = (
        Complaint.objects.filter(agency_id=agency_id, reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
    )
    highest = next((r for r in candidates.iterator() if pattern.match(r)), None)
    sequence = int(highest[len(prefix) :]) + 1 if highest else 1
    return f"{prefix}{sequence:0{REFERENCE_WIDTH}d}"


def _create(
    *,
    actor: Actor,
    channel: str,
    received_at: datetime,
    narrative: str,
    occurred_at: datetime | None,
    location: str,
    complainant_name: str,
    complainant_contact: str,
    officer_description: str,
    demographics: Demographics | None,
    action: str,
) -> Complaint:
    narrative = _check_narrative(narrative)
    _check_not_future("occurred_at", occurred_at)
    if occurred_at is not None and occurred_at > received_at:
        raise InvalidInput({"occurred_at": ["It cannot have happened after it was reported."]})
    complaint = Complaint(
        agency_id=actor.agency_id,
        reference="pending",
        received_at=received_at,
        channel=channel,
        occurred_at=occurred_at,
        location=location.strip(),
        narrative=narrative,
        complainant_name=complainant_name.strip(),
        complainant_contact=complainant_contact.strip(),
        officer_description=officer_description.strip(),
        created_by_id=actor.user_id,
    )
    _full_clean(complaint, exclude=["created_by", "unit", "incident"])
    person = None
    if demographics is not None:
        person = _complainant(complaint, demographics)
        _full_clean(person, exclude=["complaint"])
    year = received_at.astimezone(_agency_tz(actor.agency_id)).year
    # The unique constraint on (agency, reference) settles a race between two submissions;
    # the loser takes the next number.
    for _attempt in range(5):
        complaint.reference = _next_reference(agency_id=actor.agency_id, year=year)
        try:
            with transaction.atomic():
                complaint.save()
        except IntegrityError:
            continue
        break
    else:
        raise InvalidInput({"reference": ["Could not number the complaint; submit it again."]})
    if person is not None:
        person.complaint = complaint
        person.save()
    audit_record(
        actor=actor,
        action=action,
        obj=complaint,
        changes={
            "reference": [None, complaint.reference],
            "channel": [None, channel],
            "received_at": [None, received_at.isoformat()],
            "anonymous": [None, not (complaint.complainant_name or complaint.complainant_contact)],
            "complainants": [None, 1 if person is not None else 0],
        },
    )
    months_touched(actor.agency_id, [received_at])
    return complaint


@transaction.atomic
def complaint_submit_public(
    *,
    actor: Actor,
    narrative: str,
    occurred_at: datetime | None = None,
    location: str = "",
    complainant_name: str = "",
    complainant_contact: str = "",
    officer_description: str = "",
    demographics: Demographics | None = None,
) -> Complaint:
    """A complaint from the public web form, by the anonymous actor of the agency's page."""
    ensure(actor, "complaint.submit")
    return _create(
        actor=actor,
        channel="public_form",
        received_at=timezone.now(),
        narrative=narrative,
        occurred_at=occurred_at,
        location=location,
        complainant_name=complainant_name,
        complainant_contact=complainant_contact,
        officer_description=officer_description,
        demographics=demographics or Demographics(),
        action="complaint.submit",
    )


@transaction.atomic
def complaint_intake(
    *,
    actor: Actor,
    channel: str,
    narrative: str,
    received_at: datetime | None = None,
    occurred_at: datetime | None = None,
    location: str = "",
    complainant_name: str = "",
    complainant_contact: str = "",
    officer_description: str = "",
    demographics: Demographics | None = None,
) -> Complaint:
    """A complaint staff received by telephone, in person, by mail or from a member."""
    ensure(actor, "complaint.intake")
    if channel not in INTAKE_CHANNELS:
        raise InvalidInput(
            {"channel": [f"Choose how it was received: {', '.join(INTAKE_CHANNELS.values())}."]}
        )
    received_at = received_at or timezone.now()
    _check_not_future("received_at", received_at)
    return _create(
        actor=actor,
        channel=channel,
        received_at=received_at,
        narrative=narrative,
        occurred_at=occurred_at,
        location=location,
        complainant_name=complainant_name,
        complainant_contact=complainant_contact,
        officer_description=officer_description,
        demographics=demographics,
        action="complaint.intake",
    )
