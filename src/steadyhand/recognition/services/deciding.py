"""The chain's decisions (identify, approve, decline), the member's consent and publication.

Each re-reads the nomination ``FOR UPDATE`` and checks the version the page showed, so a second
approver acting on a stale page is refused."""

from django.db import transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.agencies.models import Member
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound, PermissionDenied
from steadyhand.core.versioning import check_version, model_changes
from steadyhand.incidents.models import Incident
from steadyhand.recognition.models import (
    AwardType,
    NameDisplay,
    Nomination,
    NominationStatus,
)
from steadyhand.recognition.notices import tell_about
from steadyhand.recognition.rules import may_publish, step_refusal
from steadyhand.recognition.services.common import _check_award, _check_incident, _check_member
from steadyhand.stats.hooks import months_touched

MAX_REASON = 2_000


# Deciding ------------------------------------------------------------------------------------


def _lock(*, actor: Actor, nomination: Nomination, expected_version: int) -> Nomination:
    locked = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("unit", "member")
        .filter(pk=nomination.pk, agency_id=actor.agency_id)
        .first()
    )
    if locked is None:
        raise NotFound(f"No nomination {nomination.pk}.")
    check_version(locked, expected_version)
    return locked


def _ensure_step(actor: Actor, nomination: Nomination) -> None:
    ensure(actor, "commendation.approve", nomination)
    refusal = step_refusal(actor, nomination)
    if refusal is not None:
        raise PermissionDenied("commendation.approve", refusal)


@transaction.atomic
def nomination_identify(
    *,
    actor: Actor,
    nomination: Nomination,
    expected_version: int,
    member: Member,
    incident: Incident | None = None,
) -> Nomination:
    """Match a public nomination to the member it is about; it moves to that member's chain."""
    ensure(actor, "commendation.approve", nomination)
    locked = _lock(actor=actor, nomination=nomination, expected_version=expected_version)
    if not locked.is_open or locked.member_id is not None:
        raise InvalidInput({"member": ["This nomination already names its member."]})
    member = _check_member(actor=actor, member=member)
    changes = model_changes(
        locked,
        {
            "member": member,
            "unit": member.unit,
            "incident": _check_incident(actor=actor, incident=incident),
        },
    )
    locked.save()
    audit_record(actor=actor, action="commendation.identify", obj=locked, changes=changes)
    tell_about(actor=actor, nomination=locked)
    return locked


@transaction.atomic
def nomination_approve(
    *,
    actor: Actor,
    nomination: Nomination,
    expected_version: int,
    award_type: AwardType | None = None,
) -> Nomination:
    """Take the open step: the supervisor's approval, then a commander's (final) approval.

    A second approver acting on the same page as the first is refused by the version check.
    The final approval needs an award type (chosen now, or by the nominator).
    """
    locked = _lock(actor=actor, nomination=nomination, expected_version=expected_version)
    _ensure_step(actor, locked)
    award = _check_award(actor=actor, award_type=award_type) or locked.award_type
    now = timezone.now()
    if locked.status == NominationStatus.NOMINATED:
        fields: dict[str, object] = {
            "status": NominationStatus.SUPERVISOR_APPROVED,
            "supervisor_approved_by_id": actor.user_id,
            "supervisor_approved_at": now,
            "award_type": award,
        }
    else:
        if award is None:
            raise InvalidInput({"award_type": ["Choose the award this commendation is for."]})
        fields = {
            "status": NominationStatus.APPROVED,
            "approved_by_id": actor.user_id,
            "approved_at": now,
            "award_type": award,
        }
    changes = model_changes(locked, fields)
    locked.save()
    audit_record(actor=actor, action="commendation.approve", obj=locked, changes=changes)
    if locked.status == NominationStatus.APPROVED:
        months_touched(actor.agency_id, [now])
    tell_about(actor=actor, nomination=locked)
    return locked


@transaction.atomic
def nomination_decline(
    *, actor: Actor, nomination: Nomination, expected_version: int, reason: str
) -> Nomination:
    """Decline at either step, with a reason the nominator can read."""
    locked = _lock(actor=actor, nomination=nomination, expected_version=expected_version)
    _ensure_step(actor, locked)
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": ["Give the reason for declining; the nominator sees it."]})
    if len(reason) > MAX_REASON:
        raise InvalidInput({"reason": [f"Keep the reason under {MAX_REASON} characters."]})
    changes = model_changes(
        locked,
        {
            "status": NominationStatus.DECLINED,
            "declined_by_id": actor.user_id,
            "declined_at": timezone.now(),
            "decline_reason": reason,
        },
    )
    locked.save()
    audit_record(
        actor=actor, action="commendation.decline", obj=locked, changes=changes, reason=reason
    )
    tell_about(actor=actor, nomination=locked)
    return locked


# Consent and publication ---------------------------------------------------------------------


@transaction.atomic
def nomination_consent(
    *,
    actor: Actor,
    nomination: Nomination,
    expected_version: int,
    consent: bool,
    name_display: str = NameDisplay.FIRST_LAST_INITIAL,
) -> Nomination:
    """The member's own choice about publication. Withdrawing consent unpublishes at once."""
    ensure(actor, "commendation.view", nomination)
    locked = _lock(actor=actor, nomination=nomination, expected_version=expected_version)
    if actor.member_id is None or actor.member_id != locked.member_id:
        raise PermissionDenied(
            "commendation.consent", "Only the commended member may give or withdraw consent."
        )
    if locked.status != NominationStatus.APPROVED:
        raise InvalidInput({"consent": ["Consent is asked once the commendation is approved."]})
    if name_display not in NameDisplay.values:
        raise InvalidInput({"name_display": ["Choose how you are to be named."]})
    fields: dict[str, object] = {
        "consent_to_publish": consent,
        "consent_recorded_at": timezone.now(),
        "name_display": name_display,
    }
    if not consent:
        fields.update({"published": False, "published_at": None})
    changes = model_changes(locked, fields)
    locked.save()
    audit_record(actor=actor, action="commendation.consent", obj=locked, changes=changes)
    return locked


@transaction.atomic
def nomination_publish(
    *, actor: Actor, nomination: Nomination, expected_version: int, citation: str
) -> Nomination:
    """Put an approved, consented commendation on the public page, with a public citation."""
    ensure(actor, "commendation.approve", nomination)
    locked = _lock(actor=actor, nomination=nomination, expected_version=expected_version)
    if not may_publish(actor, locked):
        raise PermissionDenied(
            "commendation.approve", "Publishing needs a commander over the member's unit."
        )
    if locked.status != NominationStatus.APPROVED:
        raise InvalidInput({"citation": ["Only an approved commendation can be published."]})
    if not locked.consent_to_publish:
        raise InvalidInput({"citation": ["The member has not consented to publication."]})
    citation = citation.strip()
    if not citation:
        raise InvalidInput({"citation": ["Write the citation the public will read."]})
    member = locked.member
    if member is not None and member.badge and member.badge in citation:
        raise InvalidInput({"citation": ["Leave the badge number out of the public citation."]})
    changes = model_changes(
        locked,
        {"published": True, "published_at": timezone.now(), "public_citation": citation},
    )
    locked.save()
    audit_record(actor=actor, action="commendation.publish", obj=locked, changes=changes)
    return locked


@transaction.atomic
def nomination_unpublish(
    *, actor: Actor, nomination: Nomination, expected_version: int
) -> Nomination:
    ensure(actor, "commendation.approve", nomination)
    locked = _lock(actor=actor, nomination=nomination, expected_version=expected_version)
    if not may_publish(actor, locked):
        raise PermissionDenied(
            "commendation.approve", "Publishing needs a commander over the member's unit."
        )
    changes = model_changes(locked, {"published": False, "published_at": None})
    locked.save()
    audit_record(actor=actor, action="commendation.unpublish", obj=locked, changes=changes)
    return locked
