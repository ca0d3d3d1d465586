"""Reads for written policy, scoped to the actor's agency and, for compliance, their chain.

Who must acknowledge what:

- Each document's **current** version is its latest published one; only that version is
  waiting to be acknowledged (an older one, once superseded, is no longer asked for).
- It applies to **active** members whose rank is in the document's ``applies_to_ranks`` (an
  empty list means every rank).
- A member's **due date** is the version's ``ack_due_date``, or, for someone hired after the
  version was published, the same number of days (``ack_due_days``) after their hire date.
- A member is **overdue** from the day after the due date; on the due date itself they are not.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.agencies.models import Agency, Member, MemberStatus, Unit
from steadyhand.core.errors import NotFound
from steadyhand.policy import diff
from steadyhand.policy.models import (
    Acknowledgement,
    PolicyDocument,
    PolicySection,
    PolicyVersion,
    VersionStatus,
)

# Dates ---------------------------------------------------------------------------------------


def agency_local_date(*, agency_id: int, moment: datetime | None = None) -> date:
    """The calendar date at ``moment`` (default: now) where the agency is."""
    tz_name = Agency.objects.filter(pk=agency_id).values_list("timezone", flat=True).first()
    return (moment or timezone.now()).astimezone(ZoneInfo(tz_name or "UTC")).date()


def member_due_date(*, version: PolicyVersion, member: Member) -> date:
    """When ``member`` must have acknowledged ``version`` (see the module docstring)."""
    if version.ack_due_date is None:
        raise ValueError(f"{version} is not published, so it has no due date.")
    return max(version.ack_due_date, member.hire_date + timedelta(days=version.ack_due_days))


def _overdue_q(version: PolicyVersion, today: date) -> Q | None:
    """Members (of those the version applies to) who are overdue on ``today``; None: nobody."""
    if version.ack_due_date is None or today <= version.ack_due_date:
        return None
    # today > hire_date + ack_due_days  ⇔  hire_date < today - ack_due_days
    return Q(hire_date__lt=today - timedelta(days=version.ack_due_days))


def _due_base(version: PolicyVersion) -> Case:
    """A SQL expression whose order is the members' due-date order (due = base + days)."""
    if version.ack_due_date is None:
        raise ValueError(f"{version} is not published, so it has no due date.")
    cutoff = version.ack_due_date - timedelta(days=version.ack_due_days)
    return Case(
        When(hire_date__gt=cutoff, then=F("hire_date")),
        default=Value(cutoff),
        output_field=DateField(),
    )


# Documents and versions ------------------------------------------------------------------


def can_edit(actor: Actor) -> bool:
    return can(actor, "policy.edit")


@dataclass(frozen=True)
class DocumentRow:
    document: PolicyDocument
    current: PolicyVersion | None
    in_progress: PolicyVersion | None  # the draft or approved version (editors only)


def document_list_visible(*, actor: Actor) -> list[DocumentRow]:
    """The agency's documents with their current version; editors also see unpublished ones.

    Three queries, however many documents there are.
    """
    if not can(actor, "policy.view"):
        return []
    editor = can_edit(actor)
    documents = list(PolicyDocument.objects.filter(agency_id=actor.agency_id).order_by("code"))
    current = {v.document_id: v for v in current_versions(agency_id=actor.agency_id)}
    in_progress: dict[int, PolicyVersion] = {}
    if editor:
        in_progress = {
            v.document_id: v
            for v in PolicyVersion.objects.filter(
                document__agency_id=actor.agency_id,
                status__in=[VersionStatus.DRAFT, VersionStatus.APPROVED],
            )
        }
    return [
        DocumentRow(d, current.get(d.pk), in_progress.get(d.pk))
        for d in documents
        if editor or d.pk in current
    ]


def document_get_visible(*, actor: Actor, document_id: int) -> PolicyDocument:
    """A document of the actor's agency; a non-editor sees only documents with a published
    version. Missing and not visible look the same."""
    document = PolicyDocument.objects.filter(pk=document_id, agency_id=actor.agency_id).first()
    if document is None or not can(actor, "policy.view", document):
        raise NotFound(f"No policy document {document_id}.")
    published = document.versions.filter(status=VersionStatus.PUBLISHED)
    if not can_edit(actor) and not published.exists():
        raise NotFound(f"No policy document {document_id}.")
    return document


def version_list(*, actor: Actor, document: PolicyDocument) -> QuerySet[PolicyVersion]:
    """The document's version history, newest first; drafts only for editors."""
    versions = PolicyVersion.objects.filter(document=document).select_related(
        "created_by", "approved_by", "published_by"
    )
    if not can_edit(actor):
        versions = versions.filter(status=VersionStatus.PUBLISHED)
    return versions.order_by("-number")


def version_get_visible(
    *, actor: Actor, version_id: int, action: str = "policy.view"
) -> PolicyVersion:
    """A version of the actor's agency they may ``action``; unpublished ones only for editors."""
    version = (
        PolicyVersion.objects.filter(pk=version_id, document__agency_id=actor.agency_id)
        .select_related("document", "approved_by", "published_by", "created_by")
        .first()
    )
    if version is None or not can(actor, action, version):
        raise NotFound(f"No policy version {version_id}.")
    if version.status != VersionStatus.PUBLISHED and not can_edit(actor):
        raise NotFound(f"No policy version {version_id}.")
    return version


def section_get_visible(*, actor: Actor, version: PolicyVersion, section_id: int) -> PolicySection:
    section = PolicySection.objects.filter(pk=section_id, version=version).first()
    if section is None:
        raise NotFound(f"No section {section_id} in {version}.")
    return section


def version_sections(*, version: PolicyVersion) -> QuerySet[PolicySection]:
    return version.sections.order_by("position", "number")


def current_versions(*, agency_id: int) -> list[PolicyVersion]:
    """The latest published version of each of the agency's documents, by document code."""
    latest = (
        PolicyVersion.objects.filter(
            document_id=OuterRef("document_id"), status=VersionStatus.PUBLISHED
        )
        .order_by("-number")
        .values("number")[:1]
    )
    return list(
        PolicyVersion.objects.filter(
            document__agency_id=agency_id, status=VersionStatus.PUBLISHED, number=Subquery(latest)
        )
        .select_related("document")
        .order_by("document__code")
    )


def version_current(*, document: PolicyDocument) -> PolicyVersion | None:
    return document.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def version_previous_published(*, version: PolicyVersion) -> PolicyVersion | None:
    """The published version this one follows (for a draft: the current one)."""
    return (
        PolicyVersion.objects.filter(
            document_id=version.document_id,
            status=VersionStatus.PUBLISHED,
            number__lt=version.number,
        )
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class VersionDiff:
    version: PolicyVersion
    previous: PolicyVersion | None
    sections: list[diff.SectionDiff]
    blocks: list[diff.SectionDiff | diff.UnchangedRun]
    summary: diff.DiffSummary


def _plain_sections(version: PolicyVersion | None) -> list[diff.Section]:
    if version is None:
        return []
    return [diff.Section(s.number, s.heading, s.text) for s in version_sections(version=version)]


def version_diff(*, version: PolicyVersion) -> VersionDiff:
    """``version`` against the previous published version (all "added" for a first version)."""
    previous = version_previous_published(version=version)
    sections = diff.diff_sections(_plain_sections(previous), _plain_sections(version))
    return VersionDiff(
        version=version,
        previous=previous,
        sections=sections,
        blocks=diff.collapse_unchanged(sections),
        summary=diff.summarize(sections),
    )


# Acknowledgements ------------------------------------------------------------------------


def version_applies_to(*, version: PolicyVersion, member: Member) -> bool:
    ranks = version.document.applies_to_ranks
    return member.status == MemberStatus.ACTIVE and (not ranks or member.rank in ranks)


def _applies_q(version: PolicyVersion) -> Q:
    ranks = version.document.applies_to_ranks
    return Q(status=MemberStatus.ACTIVE) & (Q(rank__in=ranks) if ranks else Q())


@dataclass(frozen=True)
class PendingAcknowledgement:
    version: PolicyVersion
    due_date: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.today > self.due_date

    @property
    def days_overdue(self) -> int:
        return max(0, (self.today - self.due_date).days)

    @property
    def days_left(self) -> int:
        return max(0, (self.due_date - self.today).days)


def pending_acknowledgements(
    *, member: Member, today: date | None = None
) -> list[PendingAcknowledgement]:
    """Current versions that apply to ``member`` and that they have not acknowledged; overdue
    first, then by due date. Two queries."""
    today = today or agency_local_date(agency_id=member.agency_id)
    acknowledged = acknowledged_version_ids(member=member)
    pending = [
        PendingAcknowledgement(v, member_due_date(version=v, member=member), today)
        for v in current_versions(agency_id=member.agency_id)
        if v.pk not in acknowledged and version_applies_to(version=v, member=member)
    ]
    return sorted(pending, key=lambda p: (not p.overdue, p.due_date, p.version.document.code))


def acknowledged_version_ids(*, member: Member) -> set[int]:
    return set(Acknowledgement.objects.filter(member=member).values_list("version_id", flat=True))


def actor_member(*, actor: Actor) -> Member | None:
    if actor.member_id is None:
        return None
    return (
        Member.objects.filter(pk=actor.member_id, agency_id=actor.agency_id)
        .select_related("unit", "user_account")
        .first()
    )


@dataclass(frozen=True)
class ReaderStatus:
    """Where the reading actor stands with one version (for its page's acknowledge button)."""

    member: Member | None
    acknowledgement: Acknowledgement | None
    applies: bool
    is_current: bool
    current: PolicyVersion | None
    due_date: date | None
    today: date

    @property
    def can_acknowledge(self) -> bool:
        return (
            self.member is not None
            and self.applies
            and self.is_current
            and self.acknowledgement is None
        )

    @property
    def overdue(self) -> bool:
        return self.due_date is not None and self.today > self.due_date


def reader_status(
    *, actor: Actor, version: PolicyVersion, today: date | None = None
) -> ReaderStatus:
    member = actor_member(actor=actor)
    current = version_current(document=version.document)
    is_current = current is not None and current.pk == version.pk
    ack = None
    applies = False
    due = None
    if member is not None and version.status == VersionStatus.PUBLISHED:
        ack = Acknowledgement.objects.filter(version=version, member=member).first()
        applies = version_applies_to(version=version, member=member)
        if applies:
            due = member_due_date(version=version, member=member)
    return ReaderStatus(
        member=member,
        acknowledgement=ack,
        applies=applies,
        is_current=is_current,
        current=current,
        due_date=due,
        today=today or agency_local_date(agency_id=version.document.agency_id),
    )


# Compliance --------------------------------------------------------------------------------


def compliance_members_base(*, actor: Actor, unit: Unit | None = None) -> QuerySet[Member]:
    """Members whose acknowledgements the actor may follow: their chain of command (or the
    agency, for an agency-wide grant), optionally narrowed to ``unit``'s subtree."""
    members = Member.objects.filter(
        visible_q(actor, "policy.compliance", unit_path_field="unit__path")
    )
    if unit is not None:
        members = members.filter(unit__path__startswith=unit.path)
    return members


@dataclass(frozen=True)
class VersionCompliance:
    version: PolicyVersion
    applicable: int
    acknowledged: int
    overdue: int

    @property
    def pending(self) -> int:
        """Not acknowledged and not yet due."""
        return self.applicable - self.acknowledged - self.overdue

    @property
    def outstanding(self) -> int:
        return self.applicable - self.acknowledged


def compliance_counts(
    *,
    actor: Actor,
    unit: Unit | None = None,
    versions: list[PolicyVersion] | None = None,
    today: date | None = None,
) -> list[VersionCompliance]:
    """For each version (default: every current version) the members of the actor's chain it
    applies to, how many acknowledged it, and how many are overdue. One aggregate query."""
    if not can(actor, "policy.compliance"):
        return []
    versions = current_versions(agency_id=actor.agency_id) if versions is None else versions
    if not versions:
        return []
    today = today or agency_local_date(agency_id=actor.agency_id)
    aggregates: dict[str, Count] = {}
    for v in versions:
        applies = _applies_q(v)
        acked = Exists(Acknowledgement.objects.filter(version_id=v.pk, member_id=OuterRef("pk")))
        aggregates[f"applicable_{v.pk}"] = Count("pk", filter=applies)
        aggregates[f"acknowledged_{v.pk}"] = Count("pk", filter=applies & Q(acked))
        overdue = _overdue_q(v, today)
        if overdue is not None:
            aggregates[f"overdue_{v.pk}"] = Count("pk", filter=applies & ~Q(acked) & overdue)
    totals = compliance_members_base(actor=actor, unit=unit).aggregate(**aggregates)
    return [
        VersionCompliance(
            version=v,
            applicable=totals[f"applicable_{v.pk}"] or 0,
            acknowledged=totals[f"acknowledged_{v.pk}"] or 0,
            overdue=totals.get(f"overdue_{v.pk}") or 0,
        )
        for v in versions
    ]


def compliance_version_choices(*, actor: Actor) -> QuerySet[PolicyVersion]:
    """Every published version of the agency (current and superseded), for the filter."""
    return (
        PolicyVersion.objects.filter(
            document__agency_id=actor.agency_id, status=VersionStatus.PUBLISHED
        )
        .select_related("document")
        .order_by("document__code", "-number")
    )


@dataclass(frozen=True)
class OutstandingMember:
    member: Member
    due_date: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.today > self.due_date

    @property
    def days_overdue(self) -> int:
        return max(0, (self.today - self.due_date).days)


SHOW_OVERDUE = "overdue"
SHOW_OUTSTANDING = "outstanding"


def compliance_members(
    *,
    actor: Actor,
    version: PolicyVersion,
    unit: Unit | None = None,
    show: str = SHOW_OVERDUE,
    today: date | None = None,
) -> QuerySet[Member]:
    """Members of the actor's chain to whom ``version`` applies and who have not acknowledged
    it: only the overdue ones (``show="overdue"``) or all of them; most overdue first."""
    if not can(actor, "policy.compliance") or version.document.agency_id != actor.agency_id:
        return Member.objects.none()
    today = today or agency_local_date(agency_id=actor.agency_id)
    members = (
        compliance_members_base(actor=actor, unit=unit)
        .filter(_applies_q(version))
        .exclude(Exists(Acknowledgement.objects.filter(version=version, member_id=OuterRef("pk"))))
        .select_related("unit")
    )
    if show == SHOW_OVERDUE:
        overdue = _overdue_q(version, today)
        if overdue is None:
            return Member.objects.none()
        members = members.filter(overdue)
    return members.annotate(due_base=_due_base(version)).order_by(
        "due_base", "unit__path", "last_name", "first_name", "badge"
    )


def outstanding_rows(
    *, version: PolicyVersion, members: list[Member], today: date
) -> list[OutstandingMember]:
    return [
        OutstandingMember(m, member_due_date(version=version, member=m), today) for m in members
    ]


def compliance_units(*, actor: Actor) -> QuerySet[Unit]:
    """The units whose members' acknowledgements the actor may follow, in tree order."""
    return Unit.objects.filter(
        visible_q(actor, "policy.compliance", unit_path_field="path")
    ).order_by("path")
