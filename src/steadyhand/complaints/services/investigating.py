"""Investigating a complaint: allegations, findings, the linked incident, closing."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from steadyhand import vocabulary as v
from steadyhand.access.actor import Actor
from steadyhand.access.policy import can, ensure
from steadyhand.agencies.models import Member
from steadyhand.audit.services import audit_record
from steadyhand.complaints.models import Allegation, Complainant, Complaint, ComplaintStatus
from steadyhand.complaints.services.common import (
    PENDING,
    Demographics,
    _agency_today,
    _agency_tz,
    _check_narrative,
    _check_not_future,
    _complainant,
    _full_clean,
)
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.core.versioning import check_version, model_changes
from steadyhand.incidents.models import Incident
from steadyhand.stats.hooks import months_touched


def _lock(*, actor: Actor, complaint: Complaint) -> Complaint:
    """Re-read ``complaint`` for update in the actor's agency; refuse what they may not manage."""
    found = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=complaint.pk, agency_id=actor.agency_id)
        .first()
    )
    # Missing and unseen look the same; seen but not managed (a commander) is a refusal.
    seen = found is not None and (
        can(actor, "complaint.view", found) or can(actor, "complaint.manage", found)
    )
    if found is None or not seen:
        raise NotFound(f"No complaint {complaint.pk}.")
    ensure(actor, "complaint.manage", found)
    return found


def _require_open(complaint: Complaint, doing: str) -> None:
    if complaint.status == ComplaintStatus.CLOSED:
        raise InvalidInput(
            {"status": [f"Complaint {complaint.reference} is closed; reopen it to {doing}."]}
        )


def _bump(complaint: Complaint, expected_version: int | None, fields: list[str]) -> None:
    check_version(complaint, expected_version)
    complaint.save(update_fields=[*fields, "version", "updated_at"])


def _refile(complaint: Complaint) -> dict[str, list[object]]:
    """File the complaint under the unit of the first member an allegation names."""
    first = (
        complaint.allegations.filter(member__isnull=False)
        .select_related("member")
        .order_by("pk")
        .first()
    )
    unit_id = first.member.unit_id if first is not None and first.member else None
    if unit_id == complaint.unit_id:
        return {}
    change: dict[str, list[object]] = {"unit": [complaint.unit_id, unit_id]}
    complaint.unit_id = unit_id
    return change


@transaction.atomic
def complaint_update(
    *,
    actor: Actor,
    complaint: Complaint,
    expected_version: int | None,
    narrative: str,
    occurred_at: datetime | None,
    location: str,
    complainant_name: str,
    complainant_contact: str,
    officer_description: str,
) -> Complaint:
    complaint = _lock(actor=actor, complaint=complaint)
    _require_open(complaint, "change it")
    _check_not_future("occurred_at", occurred_at)
    changes = model_changes(
        complaint,
        {
            "narrative": _check_narrative(narrative),
            "occurred_at": occurred_at,
            "location": location.strip(),
            "complainant_name": complainant_name.strip(),
            "complainant_contact": complainant_contact.strip(),
            "officer_description": officer_description.strip(),
        },
    )
    _full_clean(complaint, exclude=["created_by", "unit", "incident"])
    _bump(complaint, expected_version, list(changes))
    # Names and narratives stay out of the log (it is read by auditors): say what changed.
    audit_record(
        actor=actor,
        action="complaint.update",
        obj=complaint,
        changes={
            name: ["…", "…"]
            if name in ("narrative", "complainant_name", "complainant_contact")
            else values
            for name, values in changes.items()
        },
    )
    return complaint


@transaction.atomic
def complainant_add(
    *, actor: Actor, complaint: Complaint, expected_version: int | None, demographics: Demographics
) -> Complainant:
    complaint = _lock(actor=actor, complaint=complaint)
    person = _complainant(complaint, demographics)
    _full_clean(person, exclude=["complaint"])
    person.save()
    _bump(complaint, expected_version, [])
    audit_record(
        actor=actor,
        action="complainant.add",
        obj=complaint,
        changes={
            "complainant": [
                None,
                {
                    "race": person.race,
                    "ethnicity": person.ethnicity,
                    "sex": person.sex,
                    "age_band": person.age_band,
                    "is_victim": person.is_victim,
                },
            ]
        },
    )
    return person


def _check_member(actor: Actor, member: Member | None, external_officer_id: str) -> None:
    if member is not None and member.agency_id != actor.agency_id:
        raise InvalidInput({"member": ["No member of this agency has that badge."]})
    if member is not None and external_officer_id.strip():
        raise InvalidInput(
            {
                "external_officer_id": [
                    "Name either a member or an outside officer identifier, not both."
                ]
            }
        )


@transaction.atomic
def allegation_add(
    *,
    actor: Actor,
    complaint: Complaint,
    expected_version: int | None,
    category: str,
    description: str = "",
    member: Member | None = None,
    external_officer_id: str = "",
) -> Allegation:
    """An allegation against a member, or an officer not (yet) identified (``member=None``)."""
    complaint = _lock(actor=actor, complaint=complaint)
    _require_open(complaint, "add allegations")
    _check_member(actor, member, external_officer_id)
    allegation = Allegation(
        complaint=complaint,
        member=member,
        external_officer_id=external_officer_id.strip(),
        category=category,
        description=description.strip(),
    )
    _full_clean(allegation, exclude=["complaint", "member"])
    allegation.save()
    changes: dict[str, list[object]] = {
        "allegation": [None, allegation.pk],
        "category": [None, category],
        "member": [None, member.pk if member else None],
    }
    changes.update(_refile(complaint))
    fields = ["unit"] if "unit" in changes else []
    if complaint.status == ComplaintStatus.RECEIVED:
        changes["status"] = [complaint.status, ComplaintStatus.INVESTIGATING.value]
        complaint.status = ComplaintStatus.INVESTIGATING
        fields.append("status")
    _bump(complaint, expected_version, fields)
    audit_record(actor=actor, action="allegation.add", obj=complaint, changes=changes)
    return allegation


def _lock_allegation(*, actor: Actor, allegation: Allegation) -> tuple[Complaint, Allegation]:
    complaint = _lock(actor=actor, complaint=allegation.complaint)
    found = complaint.allegations.select_related("member").filter(pk=allegation.pk).first()
    if found is None:
        raise NotFound(f"No allegation {allegation.pk}.")
    found.complaint = complaint
    return complaint, found


@transaction.atomic
def allegation_update(
    *,
    actor: Actor,
    allegation: Allegation,
    expected_version: int | None,
    category: str,
    description: str,
    member: Member | None,
    external_officer_id: str,
) -> Allegation:
    complaint, allegation = _lock_allegation(actor=actor, allegation=allegation)
    _require_open(complaint, "change allegations")
    _check_member(actor, member, external_officer_id)
    changes = model_changes(
        allegation,
        {
            "category": category,
            "description": description.strip(),
            "member": member,
            "external_officer_id": external_officer_id.strip(),
        },
    )
    _full_clean(allegation, exclude=["complaint", "member"])
    allegation.save()
    changes = {"allegation": [allegation.pk, allegation.pk], **changes}
    changes.update(_refile(complaint))
    _bump(complaint, expected_version, ["unit"] if "unit" in changes else [])
    audit_record(actor=actor, action="allegation.update", obj=complaint, changes=changes)
    return allegation


@transaction.atomic
def allegation_record_finding(
    *,
    actor: Actor,
    allegation: Allegation,
    expected_version: int | None,
    finding: str,
    finding_at: date | None = None,
) -> Allegation:
    """Record the investigation's finding on one allegation (dated, by default today)."""
    complaint, allegation = _lock_allegation(actor=actor, allegation=allegation)
    _require_open(complaint, "record findings")
    if finding == PENDING or finding not in v.FINDINGS:
        choices = ", ".join(label for code, label in v.FINDINGS.items() if code != PENDING)
        raise InvalidInput({"finding": [f"Choose a finding: {choices}."]})
    finding_at = finding_at or _agency_today(actor.agency_id)
    _check_not_future("finding_at", finding_at)
    if finding_at < complaint.received_at.astimezone(_agency_tz(actor.agency_id)).date():
        raise InvalidInput(
            {"finding_at": ["A finding cannot be dated before the complaint was received."]}
        )
    changes = model_changes(allegation, {"finding": finding, "finding_at": finding_at})
    allegation.save(update_fields=["finding", "finding_at", "updated_at"])
    _bump(complaint, expected_version, [])
    audit_record(
        actor=actor,
        action="allegation.finding",
        obj=complaint,
        changes={"allegation": [allegation.pk, allegation.pk], **changes},
    )
    # Findings count in the month the complaint was received (steadyhand.stats).
    months_touched(actor.agency_id, [complaint.received_at])
    return allegation


@transaction.atomic
def complaint_link_incident(
    *,
    actor: Actor,
    complaint: Complaint,
    expected_version: int | None,
    incident: Incident | None,
) -> Complaint:
    """Link the incident the complaint is about (``None`` unlinks)."""
    complaint = _lock(actor=actor, complaint=complaint)
    _require_open(complaint, "link an incident")
    if incident is not None and (
        incident.agency_id != actor.agency_id or not can(actor, "incident.view", incident)
    ):
        raise InvalidInput({"incident": ["No incident you may see has that case number."]})
    changes = model_changes(complaint, {"incident": incident})
    _bump(complaint, expected_version, ["incident"] if changes else [])
    audit_record(actor=actor, action="complaint.link_incident", obj=complaint, changes=changes)
    return complaint


@transaction.atomic
def complaint_close(
    *, actor: Actor, complaint: Complaint, expected_version: int | None, reason: str = ""
) -> Complaint:
    """Close a complaint whose every allegation has a finding."""
    complaint = _lock(actor=actor, complaint=complaint)
    _require_open(complaint, "close it again")
    allegations = list(complaint.allegations.all())
    if not allegations:
        raise InvalidInput(
            {
                "status": [
                    "Record at least one allegation before closing (with the finding "
                    "“Withdrawn or closed without finding” if the complaint was withdrawn)."
                ]
            }
        )
    pending = [a for a in allegations if a.finding == PENDING]
    if pending:
        count = len(pending)
        raise InvalidInput(
            {
                "status": [
                    f"{count} allegation{'s' if count != 1 else ''} still "
                    f"{'have' if count != 1 else 'has'} no finding; record "
                    f"{'them' if count != 1 else 'it'} before closing."
                ]
            }
        )
    changes = model_changes(
        complaint, {"status": ComplaintStatus.CLOSED.value, "closed_at": timezone.now()}
    )
    _bump(complaint, expected_version, ["status", "closed_at"])
    audit_record(
        actor=actor, action="complaint.close", obj=complaint, changes=changes, reason=reason
    )
    return complaint


@transaction.atomic
def complaint_reopen(
    *, actor: Actor, complaint: Complaint, expected_version: int | None, reason: str
) -> Complaint:
    complaint = _lock(actor=actor, complaint=complaint)
    if complaint.status != ComplaintStatus.CLOSED:
        raise InvalidInput({"status": [f"Complaint {complaint.reference} is not closed."]})
    if not reason.strip():
        raise InvalidInput({"reason": ["Say why the complaint is reopened."]})
    changes = model_changes(
        complaint, {"status": ComplaintStatus.INVESTIGATING.value, "closed_at": None}
    )
    _bump(complaint, expected_version, ["status", "closed_at"])
    audit_record(
        actor=actor,
        action="complaint.reopen",
        obj=complaint,
        changes=changes,
        reason=reason.strip(),
    )
    return complaint
