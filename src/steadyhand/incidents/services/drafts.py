"""Writing a report: the draft itself, the members on scene and the subjects.

Each service locks the report, checks that the actor is its reporter and that it is still theirs
to change (``_editable_report``: a draft, or a report a reviewer returned to them for
correction), validates, writes, and records the change in the audit log, in one transaction.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from steadyhand import vocabulary as v
from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.agencies.models import Member, MemberStatus
from steadyhand.audit.models import AuditChainHead
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, PermissionDenied
from steadyhand.core.versioning import model_changes
from steadyhand.incidents.models import (
    Incident,
    Involvement,
    Statement,
    StatementStatus,
    Subject,
)
from steadyhand.incidents.numbering import next_case_number
from steadyhand.incidents.services._common import _full_clean, _renumber
from steadyhand.incidents.services.correction import _editable_report

# The fields of the report an officer types (the outcome summary is derived on submit).
EDITABLE_FIELDS = frozenset(
    {
        "occurred_at",
        "contact_type",
        "call_type",
        "district",
        "beat",
        "location",
        "latitude",
        "longitude",
        "narrative",
        "de_escalation_attempted",
        "supervisor_notified",
    }
)
SUBJECT_FIELDS = frozenset(
    {
        "race",
        "ethnicity",
        "sex",
        "age_band",
        *v.INDICATORS,
        "armed_with",
        "injured",
        "injury_severity",
        "arrested",
        "hospitalised",
    }
)


def _check_not_future(occurred_at: datetime) -> None:
    if occurred_at > timezone.now():
        raise InvalidInput(
            {"occurred_at": ["The date and time of first contact is in the future; check it."]}
        )


@transaction.atomic
def incident_create_draft(
    *,
    actor: Actor,
    occurred_at: datetime,
    contact_type: str,
    call_type: str = "",
    district: str = "",
    beat: str = "",
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Incident:
    """Start a report. The reporter is the primary officer on scene; the incident is filed
    under the reporter's unit, so their chain of command sees it."""
    ensure(actor, "incident.report")
    member = (
        Member.objects.select_related("unit")
        .filter(pk=actor.member_id, agency_id=actor.agency_id)
        .first()
        if actor.member_id is not None
        else None
    )
    if member is None:
        raise PermissionDenied(
            "incident.report",
            "Your login is not linked to a member record, so you cannot file a report; "
            "ask your agency administrator to link it.",
        )
    _check_not_future(occurred_at)
    # next_case_number needs the agency's write lock: the audit chain head is that lock.
    AuditChainHead.objects.select_for_update().filter(agency_id=actor.agency_id).first()
    incident = Incident(
        agency_id=actor.agency_id,
        case_number=next_case_number(agency_id=actor.agency_id, occurred_at=occurred_at),
        unit=member.unit,
        occurred_at=occurred_at,
        contact_type=contact_type,
        call_type=call_type.strip(),
        district=district.strip(),
        beat=beat.strip(),
        location=location.strip(),
        latitude=latitude,
        longitude=longitude,
        reported_by=member,
        source="report",
        created_by_id=actor.user_id,
    )
    _full_clean(incident, exclude=["created_by", "reported_by"])
    incident.save()
    Involvement.objects.create(incident=incident, member=member, role_on_scene="primary")
    audit_record(
        actor=actor,
        action="incident.create",
        obj=incident,
        changes={
            "case_number": [None, incident.case_number],
            "occurred_at": [None, occurred_at.isoformat()],
            "contact_type": [None, contact_type],
            "unit": [None, member.unit_id],
            "reported_by": [None, member.pk],
        },
    )
    return incident


@transaction.atomic
def incident_update(
    *,
    actor: Actor,
    incident: Incident,
    expected_version: int | None,
    fields: dict[str, object],
) -> Incident:
    """Change what the reporter typed: basics, narrative, the policy prompts' answers."""
    unknown = sorted(set(fields) - EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({"__all__": [f"These fields cannot be edited: {', '.join(unknown)}."]})
    incident = _editable_report(
        actor=actor, incident_id=incident.pk, expected_version=expected_version
    )
    cleaned = {k: val.strip() if isinstance(val, str) else val for k, val in fields.items()}
    occurred_at = cleaned.get("occurred_at")
    if isinstance(occurred_at, datetime):
        _check_not_future(occurred_at)
    changes = model_changes(incident, cleaned)
    _full_clean(incident, exclude=["created_by", "reported_by"])
    incident.save()
    audit_record(actor=actor, action="incident.update", obj=incident, changes=changes)
    return incident


# Members on scene --------------------------------------------------------------------------


@transaction.atomic
def involvement_add(
    *,
    actor: Actor,
    incident: Incident,
    expected_version: int | None,
    badge: str,
    role_on_scene: str,
) -> Involvement:
    """Add another member of the agency who was on scene, found by badge number."""
    incident = _editable_report(
        actor=actor, incident_id=incident.pk, expected_version=expected_version
    )
    badge = badge.strip()
    if role_on_scene not in v.ROLES_ON_SCENE:
        raise InvalidInput({"role_on_scene": [f"Unknown role on scene “{role_on_scene}”."]})
    member = Member.objects.filter(agency_id=incident.agency_id, badge__iexact=badge).first()
    if member is None:
        raise InvalidInput(
            {"badge": [f"No member of your agency has badge number “{badge}”; check it."]}
        )
    if member.status == MemberStatus.SEPARATED:
        raise InvalidInput({"badge": [f"Badge {member.badge} belongs to a separated member."]})
    if incident.involvements.filter(member=member).exists():
        raise InvalidInput({"badge": [f"Badge {member.badge} is already listed on this report."]})
    involvement = Involvement.objects.create(
        incident=incident, member=member, role_on_scene=role_on_scene
    )
    audit_record(
        actor=actor,
        action="incident.involvement_add",
        obj=incident,
        changes={"member": [None, member.pk], "role_on_scene": [None, role_on_scene]},
    )
    return involvement


@transaction.atomic
def involvement_remove(
    *, actor: Actor, involvement: Involvement, expected_version: int | None
) -> None:
    incident = _editable_report(
        actor=actor, incident_id=involvement.incident_id, expected_version=expected_version
    )
    involvement = Involvement.objects.get(pk=involvement.pk, incident=incident)
    if involvement.member_id == incident.reported_by_id:
        raise InvalidInput({"member": ["The reporting officer stays on their own report."]})
    if Statement.objects.filter(involvement=involvement, status=StatementStatus.SUBMITTED).exists():
        # A correction must not delete a member's statement along with their place on scene.
        raise InvalidInput(
            {"member": [f"{involvement} has submitted a statement about this incident; they "
                        "stay on the report. Explain the mistake in your note to the reviewer."]}
        )  # fmt: skip
    used = list(involvement.events.values_list("sequence", flat=True))
    if used:
        raise InvalidInput(
            {
                "member": [
                    f"{involvement} is the actor of timeline event(s) "
                    f"{', '.join(map(str, used))}; change or remove those events first."
                ]
            }
        )
    audit_record(
        actor=actor,
        action="incident.involvement_remove",
        obj=incident,
        changes={
            "member": [involvement.member_id, None],
            "role_on_scene": [involvement.role_on_scene, None],
        },
    )
    involvement.delete()


# Subjects ----------------------------------------------------------------------------------


def _subject_values(attributes: dict[str, object]) -> dict[str, object]:
    unknown = sorted(set(attributes) - SUBJECT_FIELDS)
    if unknown:
        raise InvalidInput({"__all__": [f"Unknown subject field(s): {', '.join(unknown)}."]})
    return dict(attributes)


@transaction.atomic
def subject_add(
    *,
    actor: Actor,
    incident: Incident,
    expected_version: int | None,
    attributes: dict[str, object],
) -> Subject:
    incident = _editable_report(
        actor=actor, incident_id=incident.pk, expected_version=expected_version
    )
    ordinal = (incident.subjects.aggregate(top=Max("ordinal"))["top"] or 0) + 1
    subject = Subject(incident=incident, ordinal=ordinal, **_subject_values(attributes))
    _full_clean(subject)
    subject.save()
    audit_record(
        actor=actor,
        action="incident.subject_add",
        obj=incident,
        changes={"subject": [None, ordinal], **{k: [None, val] for k, val in attributes.items()}},
    )
    return subject


@transaction.atomic
def subject_update(
    *,
    actor: Actor,
    subject: Subject,
    expected_version: int | None,
    attributes: dict[str, object],
) -> Subject:
    incident = _editable_report(
        actor=actor, incident_id=subject.incident_id, expected_version=expected_version
    )
    subject = Subject.objects.get(pk=subject.pk, incident=incident)
    changes = model_changes(subject, _subject_values(attributes))
    _full_clean(subject)
    subject.save()
    audit_record(
        actor=actor,
        action="incident.subject_update",
        obj=incident,
        changes={"subject": [subject.ordinal, subject.ordinal], **changes},
    )
    return subject


@transaction.atomic
def subject_remove(*, actor: Actor, subject: Subject, expected_version: int | None) -> None:
    """Remove a subject; the others are renumbered 1, 2, … in their order."""
    incident = _editable_report(
        actor=actor, incident_id=subject.incident_id, expected_version=expected_version
    )
    subject = Subject.objects.get(pk=subject.pk, incident=incident)
    used = sorted(
        set(subject.acts.values_list("sequence", flat=True))
        | set(subject.force_received.values_list("sequence", flat=True))
    )
    if used:
        raise InvalidInput(
            {
                "subject": [
                    f"{subject} appears in timeline event(s) {', '.join(map(str, used))}; "
                    "change or remove those events first."
                ]
            }
        )
    audit_record(
        actor=actor,
        action="incident.subject_remove",
        obj=incident,
        changes={"subject": [subject.ordinal, None]},
    )
    subject.delete()
    remaining = list(incident.subjects.order_by("ordinal").values_list("pk", flat=True))
    _renumber(Subject.objects, "ordinal", remaining)
