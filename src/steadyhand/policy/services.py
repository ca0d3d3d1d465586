"""Writes for written policy. Each: check permission, check state, validate, save, audit.

A version moves draft → approved → published. Only a draft's text may change; a published
version never changes (the model refuses too, see ``models.py``). A document has at most one
unpublished (draft or approved) version at a time.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.agencies.models import Member, MemberStatus, Rank
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from steadyhand.core.versioning import check_version, model_changes
from steadyhand.policy.examples import EXAMPLE_DOCUMENTS
from steadyhand.policy.models import (
    Acknowledgement,
    PolicyDocument,
    PolicySection,
    PolicyVersion,
    VersionStatus,
)
from steadyhand.policy.selectors import (
    agency_local_date,
    version_applies_to,
    version_current,
)

MAX_ACK_DUE_DAYS = 365


def _full_clean(
    instance: PolicyDocument | PolicyVersion | PolicySection, exclude: list[str] | None = None
) -> None:
    try:
        # Uniqueness is checked by the callers, with messages that name the holder.
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput(exc.message_dict) from exc


def _lock_document(*, actor: Actor, document: PolicyDocument) -> PolicyDocument:
    found = (
        PolicyDocument.objects.select_for_update()
        .filter(pk=document.pk, agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No policy document {document.pk}.")
    return found


def _lock_version(*, actor: Actor, version: PolicyVersion) -> PolicyVersion:
    """Re-read ``version`` for update, in the actor's agency (a stale copy is never written)."""
    found = (
        PolicyVersion.objects.select_for_update(of=("self",))
        .select_related("document")
        .filter(pk=version.pk, document__agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No policy version {version.pk}.")
    return found


def _require_status(version: PolicyVersion, status: str, doing: str) -> None:
    if version.status == status:
        return
    if version.status == VersionStatus.PUBLISHED:
        why = "it is published, and a published version never changes"
    else:
        why = f"it is {version.get_status_display().lower()}"
    hints: dict[str, str] = {
        VersionStatus.DRAFT: " Start a new draft version to change the text.",
        VersionStatus.APPROVED: " A version must be approved before it is published.",
    }
    hint = hints.get(status, "")
    raise InvalidInput(
        {"status": [f"Cannot {doing} {version.document.code} v{version.number}: {why}.{hint}"]}
    )


def _check_ack_due_days(days: int) -> None:
    if not 1 <= days <= MAX_ACK_DUE_DAYS:
        raise InvalidInput(
            {"ack_due_days": [f"Give between 1 and {MAX_ACK_DUE_DAYS} days to acknowledge."]}
        )


def _check_ranks(ranks: list[str]) -> list[str]:
    known = {r.value for r in Rank}
    unknown = sorted(set(ranks) - known)
    if unknown:
        raise InvalidInput({"applies_to_ranks": [f"Unknown rank(s): {', '.join(unknown)}."]})
    return [r.value for r in Rank if r.value in set(ranks)]  # in rank order, no duplicates


def _bump(version: PolicyVersion, expected_version: int | None) -> None:
    """Optimistic locking on the version: every change to its text bumps ``version``."""
    check_version(version, expected_version)
    version.save(update_fields=["version", "updated_at"])


# Documents -----------------------------------------------------------------------------------


@transaction.atomic
def policy_document_create(
    *, actor: Actor, code: str, title: str, kind: str, applies_to_ranks: list[str]
) -> PolicyDocument:
    ensure(actor, "policy.edit")
    document = PolicyDocument(
        agency_id=actor.agency_id,
        code=code.strip(),
        title=title.strip(),
        kind=kind,
        applies_to_ranks=_check_ranks(applies_to_ranks),
    )
    _full_clean(document)
    holder = PolicyDocument.objects.filter(agency_id=actor.agency_id, code=document.code).first()
    if holder is not None:
        raise InvalidInput(
            {"code": [f"Code “{document.code}” is already used by “{holder}”; choose another."]}
        )
    document.save()
    audit_record(
        actor=actor,
        action="policy_document.create",
        obj=document,
        changes={
            "code": [None, document.code],
            "title": [None, document.title],
            "kind": [None, kind],
            "applies_to_ranks": [None, document.applies_to_ranks],
        },
    )
    return document


# Versions ------------------------------------------------------------------------------------


@transaction.atomic
def policy_version_create(
    *, actor: Actor, document: PolicyDocument, summary: str = "", ack_due_days: int = 30
) -> PolicyVersion:
    """Start the next draft, with a copy of the latest version's sections to edit from."""
    document = _lock_document(actor=actor, document=document)  # one draft at a time
    ensure(actor, "policy.edit", document)
    _check_ack_due_days(ack_due_days)
    unpublished = (
        document.versions.exclude(status=VersionStatus.PUBLISHED).order_by("number").first()
    )
    if unpublished is not None:
        raise InvalidInput(
            {
                "status": [
                    f"{document.code} v{unpublished.number} is "
                    f"{unpublished.get_status_display().lower()} and not yet published; "
                    "publish or discard it before starting another version."
                ]
            }
        )
    latest = document.versions.order_by("-number").first()
    number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = PolicyVersion(
        document=document,
        number=number,
        summary=summary.strip(),
        ack_due_days=ack_due_days,
        created_by_id=actor.user_id,
    )
    _full_clean(version, exclude=["created_by"])
    version.save()
    copied = 0
    if latest is not None:
        sections = [
            PolicySection(
                version=version,
                number=s.number,
                heading=s.heading,
                text=s.text,
                position=position,
            )
            for position, s in enumerate(latest.sections.order_by("position", "number"))
        ]
        PolicySection.objects.bulk_create(sections)
        copied = len(sections)
    audit_record(
        actor=actor,
        action="policy_version.create",
        obj=version,
        changes={
            "number": [None, number],
            "summary": [None, version.summary],
            "ack_due_days": [None, ack_due_days],
            "copied_from": [None, latest.pk if latest else None],
            "sections_copied": [None, copied],
        },
    )
    return version


@transaction.atomic
def policy_version_update(
    *,
    actor: Actor,
    version: PolicyVersion,
    expected_version: int | None,
    summary: str,
    ack_due_days: int,
) -> PolicyVersion:
    version = _lock_version(actor=actor, version=version)
    ensure(actor, "policy.edit", version)
    _require_status(version, VersionStatus.DRAFT, "edit")
    _check_ack_due_days(ack_due_days)
    check_version(version, expected_version)
    changes = model_changes(version, {"summary": summary.strip(), "ack_due_days": ack_due_days})
    if not changes:
        version.refresh_from_db()  # nothing to save; undo check_version's bump
        return version
    version.save()
    audit_record(actor=actor, action="policy_version.update", obj=version, changes=changes)
    return version


@transaction.atomic
def policy_version_discard(
    *, actor: Actor, version: PolicyVersion, expected_version: int | None, reason: str = ""
) -> None:
    """Throw away an unpublished (draft or approved) version and its sections."""
    version = _lock_version(actor=actor, version=version)
    ensure(actor, "policy.edit", version)
    if version.status == VersionStatus.PUBLISHED:
        _require_status(version, VersionStatus.DRAFT, "discard")
    check_version(version, expected_version)
    sections = version.sections.count()
    audit_record(
        actor=actor,
        action="policy_version.discard",
        obj=version,
        reason=reason,
        changes={
            "number": [version.number, None],
            "status": [version.status, None],
            "sections": [sections, None],
        },
    )
    version.sections.all().delete()
    version.delete()


@transaction.atomic
def policy_version_approve(
    *, actor: Actor, version: PolicyVersion, expected_version: int | None = None
) -> PolicyVersion:
    version = _lock_version(actor=actor, version=version)
    ensure(actor, "policy.approve", version)
    _require_status(version, VersionStatus.DRAFT, "approve")
    if not version.sections.exists():
        raise InvalidInput({"status": ["A version without sections cannot be approved."]})
    check_version(version, expected_version)
    version.status = VersionStatus.APPROVED
    version.approved_by_id = actor.user_id
    version.approved_at = timezone.now()
    version.save()
    audit_record(
        actor=actor,
        action="policy_version.approve",
        obj=version,
        changes={"status": [VersionStatus.DRAFT, VersionStatus.APPROVED]},
    )
    return version


@transaction.atomic
def policy_version_publish(
    *,
    actor: Actor,
    version: PolicyVersion,
    effective_date: date | None = None,
    expected_version: int | None = None,
    published_at: datetime | None = None,
) -> PolicyVersion:
    """Publish an approved version: from now on it never changes, and members have
    ``ack_due_days`` days from the publication date to acknowledge it.

    ``published_at`` (default: now) may be set only by system actors, for demo data and for
    recording versions that were published on paper before the agency used Steadyhand.
    """
    version = _lock_version(actor=actor, version=version)
    ensure(actor, "policy.publish", version)
    _require_status(version, VersionStatus.APPROVED, "publish")
    if published_at is not None and not actor.is_system:
        raise PermissionDenied(
            "policy.publish", "Only the command line may record an earlier publication time."
        )
    check_version(version, expected_version)
    published_at = published_at or timezone.now()
    publish_date = agency_local_date(agency_id=actor.agency_id, moment=published_at)
    effective_date = effective_date or publish_date
    if effective_date < publish_date:
        raise InvalidInput(
            {
                "effective_date": [
                    f"The effective date {effective_date} is before the publication date "
                    f"{publish_date}; a policy cannot take effect before it is published."
                ]
            }
        )
    version.status = VersionStatus.PUBLISHED
    version.published_by_id = actor.user_id
    version.published_at = published_at
    version.effective_date = effective_date
    version.ack_due_date = publish_date + timedelta(days=version.ack_due_days)
    version.save()
    audit_record(
        actor=actor,
        action="policy_version.publish",
        obj=version,
        changes={
            "status": [VersionStatus.APPROVED, VersionStatus.PUBLISHED],
            "effective_date": [None, str(effective_date)],
            "ack_due_date": [None, str(version.ack_due_date)],
        },
    )
    return version


# Sections ------------------------------------------------------------------------------------


def _check_section(*, version: PolicyVersion, number: str, exclude_pk: int | None) -> None:
    holders = version.sections.filter(number=number)
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    holder = holders.first()
    if holder is not None:
        raise InvalidInput(
            {"number": [f"Section {number} already exists (“{holder.heading}”); renumber one."]}
        )


def _lock_section(*, actor: Actor, section: PolicySection) -> tuple[PolicyVersion, PolicySection]:
    version = _lock_version(actor=actor, version=section.version)
    found = PolicySection.objects.filter(pk=section.pk, version=version).first()
    if found is None:
        raise NotFound(f"No section {section.pk} in {version}.")
    return version, found


@transaction.atomic
def policy_section_add(
    *,
    actor: Actor,
    version: PolicyVersion,
    expected_version: int | None,
    number: str,
    heading: str,
    text: str,
) -> PolicySection:
    """Add a numbered section at the end of a draft."""
    version = _lock_version(actor=actor, version=version)
    ensure(actor, "policy.edit", version)
    _require_status(version, VersionStatus.DRAFT, "edit")
    _bump(version, expected_version)
    top = version.sections.aggregate(top=Max("position"))["top"]
    section = PolicySection(
        version=version,
        number=number.strip(),
        heading=heading.strip(),
        text=text.strip(),
        position=0 if top is None else top + 1,
    )
    _full_clean(section)
    _check_section(version=version, number=section.number, exclude_pk=None)
    section.save()
    audit_record(
        actor=actor,
        action="policy_section.add",
        obj=section,
        changes={
            "version": [None, version.pk],
            "number": [None, section.number],
            "heading": [None, section.heading],
            "text": [None, section.text],
        },
    )
    return section


@transaction.atomic
def policy_section_update(
    *,
    actor: Actor,
    section: PolicySection,
    expected_version: int | None,
    number: str,
    heading: str,
    text: str,
) -> PolicySection:
    version, section = _lock_section(actor=actor, section=section)
    ensure(actor, "policy.edit", version)
    _require_status(version, VersionStatus.DRAFT, "edit")
    check_version(version, expected_version)
    changes = model_changes(
        section, {"number": number.strip(), "heading": heading.strip(), "text": text.strip()}
    )
    if not changes:
        return section
    version.save(update_fields=["version", "updated_at"])
    _full_clean(section)
    _check_section(version=version, number=section.number, exclude_pk=section.pk)
    section.save()
    audit_record(
        actor=actor,
        action="policy_section.update",
        obj=section,
        changes={"version": [version.pk, version.pk], **changes},
    )
    return section


@transaction.atomic
def policy_section_delete(
    *, actor: Actor, section: PolicySection, expected_version: int | None
) -> None:
    version, section = _lock_section(actor=actor, section=section)
    ensure(actor, "policy.edit", version)
    _require_status(version, VersionStatus.DRAFT, "edit")
    _bump(version, expected_version)
    audit_record(
        actor=actor,
        action="policy_section.delete",
        obj=section,
        changes={
            "version": [version.pk, version.pk],
            "number": [section.number, None],
            "heading": [section.heading, None],
            "text": [section.text, None],
        },
    )
    section.delete()


@transaction.atomic
def policy_section_move(
    *, actor: Actor, section: PolicySection, expected_version: int | None, direction: str
) -> PolicySection:
    """Move a section one place ``"up"`` or ``"down"`` in the reading order."""
    if direction not in ("up", "down"):
        raise InvalidInput({"direction": ["Move a section “up” or “down”."]})
    version, section = _lock_section(actor=actor, section=section)
    ensure(actor, "policy.edit", version)
    _require_status(version, VersionStatus.DRAFT, "edit")
    ordered = list(version.sections.order_by("position", "number"))
    index = next(i for i, s in enumerate(ordered) if s.pk == section.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        edge = "first" if direction == "up" else "last"
        raise InvalidInput({"direction": [f"Section {section.number} is already the {edge}."]})
    _bump(version, expected_version)
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, s in enumerate(ordered):
        if s.position != position:
            s.position = position
            s.save(update_fields=["position"])
    audit_record(
        actor=actor,
        action="policy_section.move",
        obj=section,
        changes={"position": [index, target], "version": [version.pk, version.pk]},
    )
    return ordered[target]


# Acknowledgements ----------------------------------------------------------------------------


def _refuse_unless_acknowledgeable(*, version: PolicyVersion, member: Member) -> None:
    if version.status != VersionStatus.PUBLISHED:
        raise InvalidInput({"version": ["Only a published version can be acknowledged."]})
    if member.status != MemberStatus.ACTIVE:
        raise InvalidInput(
            {"member": [f"{member} is {member.get_status_display().lower()}, not active."]}
        )
    if not version_applies_to(version=version, member=member):
        raise InvalidInput(
            {
                "version": [
                    f"{version.document.code} does not apply to the rank "
                    f"{member.get_rank_display()}; there is nothing to acknowledge."
                ]
            }
        )


def _create_acknowledgement(
    *, actor: Actor, version: PolicyVersion, member: Member, acknowledged_at: datetime
) -> Acknowledgement:
    existing = Acknowledgement.objects.filter(version=version, member=member).first()
    if existing is None:
        try:
            with transaction.atomic():
                ack = Acknowledgement.objects.create(
                    version=version,
                    member=member,
                    acknowledged_at=acknowledged_at,
                    recorded_by_id=actor.user_id,
                )
        except IntegrityError:  # acknowledged at the same moment in another request
            existing = Acknowledgement.objects.filter(version=version, member=member).first()
        else:
            audit_record(
                actor=actor,
                action="policy_acknowledgement.create",
                obj=ack,
                changes={
                    "version": [None, version.pk],
                    "member": [None, member.pk],
                    "acknowledged_at": [None, acknowledged_at.isoformat()],
                },
            )
            return ack
    when = existing.acknowledged_at if existing else acknowledged_at
    raise ConflictError(
        f"{member.full_name} already acknowledged {version.document.code} v{version.number} "
        f"on {agency_local_date(agency_id=member.agency_id, moment=when)}; nothing to do."
    )


@transaction.atomic
def policy_version_acknowledge(*, actor: Actor, version: PolicyVersion) -> Acknowledgement:
    """The actor's own member record acknowledges ``version``, which must be the current
    published version of its document and apply to them. A second acknowledgement is refused."""
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("unit", "user_account")
        .filter(pk=actor.member_id, agency_id=actor.agency_id)
        .first()
        if actor.member_id is not None
        else None
    )
    if member is None:
        raise InvalidInput(
            {
                "member": [
                    "Your login is not linked to a member record, so there is no one to record "
                    "the acknowledgement for; ask your agency administrator to link it."
                ]
            }
        )
    ensure(actor, "policy.acknowledge", member)
    found = (
        PolicyVersion.objects.select_related("document")
        .filter(pk=version.pk, document__agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No policy version {version.pk}.")
    version = found
    _refuse_unless_acknowledgeable(version=version, member=member)
    current = version_current(document=version.document)
    if current is not None and current.pk != version.pk:
        raise InvalidInput(
            {
                "version": [
                    f"{version.document.code} v{version.number} has been replaced by "
                    f"v{current.number}; acknowledge the current version instead."
                ]
            }
        )
    return _create_acknowledgement(
        actor=actor, version=version, member=member, acknowledged_at=timezone.now()
    )


@transaction.atomic
def acknowledgement_record_historical(
    *, actor: Actor, version: PolicyVersion, member: Member, acknowledged_at: datetime
) -> Acknowledgement:
    """Record that ``member`` acknowledged ``version`` at ``acknowledged_at`` — for demo data
    and for acknowledgements collected on paper. Only system actors (the command line) may."""
    if not actor.is_system:
        raise PermissionDenied(
            "policy.acknowledge",
            "Only the command line may record an acknowledgement on a member's behalf.",
        )
    if version.document.agency_id != actor.agency_id or member.agency_id != actor.agency_id:
        raise NotFound("No such version or member in this agency.")
    _refuse_unless_acknowledgeable(version=version, member=member)
    published_at = version.published_at or timezone.now()
    if not published_at <= acknowledged_at <= timezone.now():
        raise InvalidInput(
            {
                "acknowledged_at": [
                    f"{acknowledged_at.isoformat()} is outside the time between publication "
                    f"({published_at.isoformat()}) and now."
                ]
            }
        )
    return _create_acknowledgement(
        actor=actor, version=version, member=member, acknowledged_at=acknowledged_at
    )


# Examples ------------------------------------------------------------------------------------


@transaction.atomic
def policy_seed_examples(
    *, actor: Actor, published_at: datetime | None = None
) -> list[PolicyVersion]:
    """Create the two example documents (``examples.py``) as published version 1, through the
    normal workflow; the actor needs ``policy.edit``, ``policy.approve`` and
    ``policy.publish``. A document whose code already exists is left alone."""
    ensure(actor, "policy.edit")
    ensure(actor, "policy.approve")
    ensure(actor, "policy.publish")
    published: list[PolicyVersion] = []
    for example in EXAMPLE_DOCUMENTS:
        if PolicyDocument.objects.filter(agency_id=actor.agency_id, code=example.code).exists():
            continue
        document = policy_document_create(
            actor=actor,
            code=example.code,
            title=example.title,
            kind=example.kind,
            applies_to_ranks=list(example.applies_to_ranks),
        )
        version = policy_version_create(
            actor=actor, document=document, summary=example.summary, ack_due_days=30
        )
        for number, heading, text in example.sections:
            policy_section_add(
                actor=actor,
                version=version,
                expected_version=None,
                number=number,
                heading=heading,
                text=text,
            )
        version = policy_version_approve(actor=actor, version=version)
        published.append(
            policy_version_publish(actor=actor, version=version, published_at=published_at)
        )
    return published
