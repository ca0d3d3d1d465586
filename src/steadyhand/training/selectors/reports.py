"""Reads for the leaders' reports: hours parity, mandate compliance, policy coverage.

Scope: ``training.report`` is chain-scoped, so every number here counts only members in the
reader's units (a supervisor's subtree; the whole agency for agency-wide grants). Names and
per-member numbers additionally need a role that may read members' training records
(``training.record``: supervisor, commander, trainer); analysts and auditors see counts and
hours by unit only.

The database does the counting: completed enrolments are grouped (GROUP BY) by unit, member or
year and by course; ``training.parity`` and ``training.compliance`` then do pure arithmetic on
those groups and on members' dated records.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import ExtractYear

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.access.registry import get_action
from steadyhand.agencies.models import Member, MemberStatus, Unit
from steadyhand.core.errors import NotFound
from steadyhand.policy.models import PolicyDocument, PolicySection, PolicyVersion, VersionStatus
from steadyhand.training.compliance import (
    Completion,
    Compliance,
    ComplianceStatus,
    MemberFacts,
    Rule,
    assess,
)
from steadyhand.training.models import (
    Course,
    CourseMode,
    Enrolment,
    EnrolmentStatus,
    Mandate,
    ParityGroup,
    Topic,
    TrainingSettings,
)
from steadyhand.training.parity import (
    COMBINED,
    GroupRow,
    Hours,
    ParityHours,
    hours_by_mode,
    roll_up,
    tally,
)

ZERO = Decimal("0")
DEFAULT_TARGET_RATIO = Decimal("1")
# Wide enough that summing many 6-digit hours never rounds (SQLite converts with this context).
HOURS_FIELD: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=14, decimal_places=2)
# Members who still have to meet mandates; separated members do not.
SERVING = (MemberStatus.ACTIVE, MemberStatus.LEAVE, MemberStatus.SUSPENDED)


# Scope -----------------------------------------------------------------------------------------


def _report_q(actor: Actor, prefix: str = "") -> Q:
    """Members (through ``prefix``) whose training the actor may count."""
    return visible_q(
        actor,
        "training.report",
        agency_field=f"{prefix}agency_id",
        unit_path_field=f"{prefix}unit__path",
    )


def _identified_q(actor: Actor, prefix: str = "") -> Q:
    """Members the actor may see by name: the chain roles of ``training.record``.

    No owner field on purpose: an analyst's right to their *own* transcript does not make the
    report name anyone.
    """
    return visible_q(
        actor,
        "training.record",
        agency_field=f"{prefix}agency_id",
        unit_path_field=f"{prefix}unit__path",
    )


def reports_scope_is_agency_wide(*, actor: Actor) -> bool:
    """Does the actor report on the whole agency (rather than on a subtree)?"""
    if not can(actor, "training.report"):
        return False
    return any(g.agency_wide for g in actor.grants_for(get_action("training.report").roles))


def report_units(*, actor: Actor, unit: Unit | None = None) -> QuerySet[Unit]:
    """Units whose members' training the actor may count, in tree order."""
    units = Unit.objects.filter(
        visible_q(actor, "training.report", agency_field="agency_id", unit_path_field="path")
    )
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    return units.order_by("path")


def report_unit_get(*, actor: Actor, unit_id: int) -> Unit:
    """A unit the actor may report on; missing and not-allowed look the same."""
    unit = Unit.objects.filter(pk=unit_id, agency_id=actor.agency_id).first()
    if unit is None or not can(actor, "training.report", unit):
        raise NotFound(f"No unit {unit_id}.")
    return unit


# Hours -----------------------------------------------------------------------------------------


def course_totals(*, agency_id: int) -> dict[int, Decimal]:
    """Each course's total hours: the sum of its hours per delivery mode (one GROUP BY)."""
    rows = (
        CourseMode.objects.filter(course__agency_id=agency_id)
        .values("course_id")
        .annotate(total=Sum("hours", output_field=HOURS_FIELD))
        .order_by()
    )
    return {row["course_id"]: row["total"] for row in rows}


def _course_modes(*, agency_id: int) -> dict[int, dict[str, Decimal]]:
    modes: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for course_id, mode, hours in CourseMode.objects.filter(
        course__agency_id=agency_id
    ).values_list("course_id", "mode", "hours"):
        modes[course_id][mode] = hours
    return dict(modes)


def _completed_parity(actor: Actor, unit: Unit | None) -> QuerySet[Enrolment]:
    """Completed enrolments in de-escalation or use-of-force topics, in the actor's scope."""
    enrolments = Enrolment.objects.filter(
        _report_q(actor, "member__"),
        status=EnrolmentStatus.COMPLETED,
        course__agency_id=actor.agency_id,
        course__topic__parity_group__in=[ParityGroup.DE_ESCALATION, ParityGroup.USE_OF_FORCE],
    )
    if unit is not None:
        enrolments = enrolments.filter(member__unit__path__startswith=unit.path)
    return enrolments


def _group_rows(enrolments: QuerySet[Enrolment], key: Combinable) -> list[GroupRow]:
    """One GROUP BY: per ``key`` and course, the count of enrolments earning the course's hours
    and the sum of the hours of those that carry their own."""
    rows = (
        enrolments.values(
            key=key,
            course_ref=F("course_id"),
            course_setting=F("course__setting"),
            group=F("course__topic__parity_group"),
        )
        .annotate(
            at_course_hours=Count("pk", filter=Q(hours__isnull=True)),
            own_hours=Sum("hours", default=ZERO, output_field=HOURS_FIELD),
        )
        .order_by()
    )
    return [
        GroupRow(
            key=int(row["key"]),
            course_id=row["course_ref"],
            setting=row["course_setting"],
            parity_group=row["group"],
            at_course_hours=row["at_course_hours"],
            own_hours=row["own_hours"],
        )
        for row in rows
    ]


def parity_target(*, agency_id: int) -> Decimal:
    """The agency's target ratio; the default (1.0) until someone changes it."""
    stored = (
        TrainingSettings.objects.filter(agency_id=agency_id)
        .values_list("parity_target_ratio", flat=True)
        .first()
    )
    return stored if stored is not None else DEFAULT_TARGET_RATIO


@dataclass(frozen=True)
class UnitParity:
    unit: Unit
    level: int  # depth below the report's top unit, for indentation
    own: ParityHours  # members filed directly in the unit
    total: ParityHours  # the unit and everything below it
    shown: Hours  # ``total`` in the report's setting (academy, in-service or combined)
    below_target: bool  # ``shown`` is below the target ratio


@dataclass(frozen=True)
class ParityReport:
    year: int
    setting: str
    target: Decimal
    units: list[UnitParity]
    total: ParityHours
    agency_wide: bool
    # parity group → delivery mode → hours, for the report's setting
    by_mode: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def flagged(self) -> list[UnitParity]:
        return [u for u in self.units if u.below_target]


def parity_by_unit(
    *, actor: Actor, year: int, setting: str = COMBINED, unit: Unit | None = None
) -> ParityReport:
    """Hours per unit (own and subtree) for ``year``, academy and in-service apart.

    Members count in the unit they are filed in now, not where they were when they trained.
    """
    target = parity_target(agency_id=actor.agency_id)
    units = list(report_units(actor=actor, unit=unit)) if can(actor, "training.report") else []
    enrolments = _completed_parity(actor, unit).filter(completed_on__year=year)
    rows = _group_rows(enrolments, F("member__unit_id"))
    totals = course_totals(agency_id=actor.agency_id)
    own = tally(rows, totals)
    subtree = roll_up({u.pk: u.path for u in units}, own)
    top = min((u.depth for u in units), default=0)
    unit_rows = [
        UnitParity(
            unit=u,
            level=u.depth - top,
            own=own.get(u.pk, ParityHours()),
            total=subtree[u.pk],
            shown=subtree[u.pk].for_setting(setting),
            below_target=subtree[u.pk].for_setting(setting).below(target),
        )
        for u in units
    ]
    return ParityReport(
        year=year,
        setting=setting,
        target=target,
        units=unit_rows,
        total=sum(own.values(), ParityHours()),
        agency_wide=unit is None and reports_scope_is_agency_wide(actor=actor),
        by_mode=hours_by_mode(rows, _course_modes(agency_id=actor.agency_id), setting=setting),
    )


@dataclass(frozen=True)
class MemberParity:
    member: Member
    hours: ParityHours


def parity_by_member(*, actor: Actor, year: int, unit: Unit | None = None) -> list[MemberParity]:
    """Hours per member the actor may name, for ``year``; serving members with no hours too."""
    if not can(actor, "training.report"):
        return []
    enrolments = _completed_parity(actor, unit).filter(
        _identified_q(actor, "member__"), completed_on__year=year
    )
    hours = tally(_group_rows(enrolments, F("member_id")), course_totals(agency_id=actor.agency_id))
    members = Member.objects.filter(_report_q(actor), _identified_q(actor)).filter(
        Q(status__in=SERVING) | Q(pk__in=list(hours))
    )
    if unit is not None:
        members = members.filter(unit__path__startswith=unit.path)
    members = members.select_related("unit").order_by("last_name", "first_name", "badge")
    return [MemberParity(m, hours.get(m.pk, ParityHours())) for m in members]


@dataclass(frozen=True)
class YearParity:
    year: int
    hours: ParityHours


def parity_by_year(*, actor: Actor, unit: Unit | None = None) -> list[YearParity]:
    """Hours per calendar year of completion, every year from the first to the last."""
    if not can(actor, "training.report"):
        return []
    rows = _group_rows(_completed_parity(actor, unit), ExtractYear("completed_on"))
    by_year = tally(rows, course_totals(agency_id=actor.agency_id))
    if not by_year:
        return []
    years = range(min(by_year), max(by_year) + 1)
    return [YearParity(y, by_year.get(y, ParityHours())) for y in years]


# Mandates and compliance --------------------------------------------------------------------------


def mandate_list(*, actor: Actor, include_inactive: bool = True) -> QuerySet[Mandate]:
    """The agency's mandates, for those who manage them or read the reports."""
    if not (can(actor, "mandate.manage") or can(actor, "training.report")):
        return Mandate.objects.none()
    mandates = Mandate.objects.filter(agency_id=actor.agency_id).select_related("topic")
    if not include_inactive:
        mandates = mandates.filter(active=True)
    return mandates.order_by("rule_set", "name", "pk")


def mandate_get_visible(*, actor: Actor, mandate_id: int) -> Mandate:
    mandate = (
        Mandate.objects.filter(pk=mandate_id, agency_id=actor.agency_id)
        .select_related("topic")
        .first()
    )
    if mandate is None or not can(actor, "mandate.manage"):
        raise NotFound(f"No mandate {mandate_id}.")
    return mandate


def topic_list(*, actor: Actor) -> QuerySet[Topic]:
    return Topic.objects.filter(agency_id=actor.agency_id).order_by("name")


def mandate_rule(mandate: Mandate) -> Rule:
    return Rule(
        topic_id=mandate.topic_id,
        hours=mandate.hours,
        period_months=mandate.period_months,
        ranks=frozenset(mandate.ranks or ()),
        setting=mandate.setting,
        due_soon_days=mandate.due_soon_days,
    )


def _completions_by_member(
    *, agency_id: int, members: QuerySet[Member], topic_ids: set[int], as_of: date
) -> dict[int, list[Completion]]:
    totals = course_totals(agency_id=agency_id)
    records: dict[int, list[Completion]] = defaultdict(list)
    rows = Enrolment.objects.filter(
        member__in=members.values("pk"),
        status=EnrolmentStatus.COMPLETED,
        course__agency_id=agency_id,
        course__topic_id__in=topic_ids,
        completed_on__lte=as_of,
    ).values_list(
        "member_id", "course__topic_id", "course__setting", "completed_on", "hours", "course_id"
    )
    for member_id, topic_id, setting, completed_on, own_hours, course_id in rows:
        hours = own_hours if own_hours is not None else totals.get(course_id, ZERO)
        if completed_on is not None:  # a completed enrolment always has its date (constraint)
            records[member_id].append(Completion(topic_id, setting, completed_on, hours))
    return dict(records)


@dataclass(frozen=True)
class MemberStanding:
    member: Member
    compliance: Compliance


@dataclass
class MandateCompliance:
    mandate: Mandate
    counts: dict[ComplianceStatus, int]
    due_soon: list[MemberStanding]
    overdue: list[MemberStanding]

    @property
    def assessed(self) -> int:
        """Members the mandate applies to (everyone counted but the exempt)."""
        return sum(n for s, n in self.counts.items() if s != ComplianceStatus.EXEMPT)


@dataclass
class ComplianceReport:
    as_of: date
    mandates: list[MandateCompliance]
    identified: bool  # whether the lists name members (see the module docstring)
    agency_wide: bool


def compliance_report(
    *, actor: Actor, as_of: date, unit: Unit | None = None, mandate: Mandate | None = None
) -> ComplianceReport:
    """Per active mandate: counts by status in the actor's scope, and who is due or overdue.

    Counts cover every serving member in scope; the due-soon and overdue lists name only those
    the actor may see by name, longest overdue and soonest due first.
    """
    empty = ComplianceReport(as_of=as_of, mandates=[], identified=False, agency_wide=False)
    if not can(actor, "training.report"):
        return empty
    mandates = list(mandate_list(actor=actor, include_inactive=False))
    if mandate is not None:
        mandates = [m for m in mandates if m.pk == mandate.pk]
    members = Member.objects.filter(_report_q(actor), status__in=SERVING)
    if unit is not None:
        members = members.filter(unit__path__startswith=unit.path)
    named = set(members.filter(_identified_q(actor)).values_list("pk", flat=True))
    records = _completions_by_member(
        agency_id=actor.agency_id,
        members=members,
        topic_ids={m.topic_id for m in mandates},
        as_of=as_of,
    )
    people = list(members.select_related("unit").order_by("last_name", "first_name", "badge"))
    results = []
    for m in mandates:
        rule = mandate_rule(m)
        counts = dict.fromkeys(ComplianceStatus, 0)
        due_soon: list[MemberStanding] = []
        overdue: list[MemberStanding] = []
        for person in people:
            standing = assess(
                rule,
                MemberFacts(rank=person.rank, hire_date=person.hire_date),
                records.get(person.pk, []),
                as_of,
            )
            counts[standing.status] += 1
            if person.pk not in named:
                continue
            if standing.status == ComplianceStatus.OVERDUE:
                overdue.append(MemberStanding(person, standing))
            elif standing.status == ComplianceStatus.DUE_SOON:
                due_soon.append(MemberStanding(person, standing))
        overdue.sort(key=lambda s: (s.compliance.due_date or as_of, s.member.last_name))
        due_soon.sort(key=lambda s: (s.compliance.due_date or as_of, s.member.last_name))
        results.append(MandateCompliance(m, counts, due_soon, overdue))
    return ComplianceReport(
        as_of=as_of,
        mandates=results,
        identified=bool(named),
        agency_wide=unit is None and reports_scope_is_agency_wide(actor=actor),
    )


@dataclass(frozen=True)
class TrainingDue:
    mandate: Mandate
    compliance: Compliance


def training_due_for_member(*, member: Member, as_of: date) -> list[TrainingDue]:
    """The member's own mandates that need attention: overdue, due soon, or in a first period.

    For the member's home page; the caller passes the logged-in user's own member record.
    """
    if member.status not in SERVING:
        return []
    mandates = list(
        Mandate.objects.filter(agency_id=member.agency_id, active=True)
        .select_related("topic")
        .order_by("rule_set", "name", "pk")
    )
    if not mandates:
        return []
    records = _completions_by_member(
        agency_id=member.agency_id,
        members=Member.objects.filter(pk=member.pk),
        topic_ids={m.topic_id for m in mandates},
        as_of=as_of,
    ).get(member.pk, [])
    facts = MemberFacts(rank=member.rank, hire_date=member.hire_date)
    due = []
    for m in mandates:
        standing = assess(mandate_rule(m), facts, records, as_of)
        if standing.status in (
            ComplianceStatus.OVERDUE,
            ComplianceStatus.DUE_SOON,
            ComplianceStatus.FIRST_PERIOD,
        ):
            due.append(TrainingDue(m, standing))
    due.sort(key=lambda d: d.compliance.due_date or as_of)
    return due


@dataclass(frozen=True)
class MandateCounts:
    mandate: Mandate
    overdue: int
    due_soon: int


def overdue_counts_for_actor(*, actor: Actor, as_of: date) -> list[MandateCounts]:
    """Per active mandate with anyone overdue or due soon in the actor's scope: the counts.

    Empty for actors without ``training.report`` (officers), so a home page can call it for
    everyone.
    """
    report = compliance_report(actor=actor, as_of=as_of)
    return [
        MandateCounts(
            r.mandate, r.counts[ComplianceStatus.OVERDUE], r.counts[ComplianceStatus.DUE_SOON]
        )
        for r in report.mandates
        if r.counts[ComplianceStatus.OVERDUE] or r.counts[ComplianceStatus.DUE_SOON]
    ]


# Policy coverage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    section: PolicySection
    cells: list[bool]  # one per course column: does the course cite this section?

    @property
    def taught(self) -> bool:
        return any(self.cells)


@dataclass(frozen=True)
class CoverageDocument:
    document: PolicyDocument
    version: PolicyVersion | None  # the current published version; None if never published
    rows: list[CoverageRow]

    @property
    def untaught(self) -> list[PolicySection]:
        return [r.section for r in self.rows if not r.taught]


@dataclass(frozen=True)
class CoverageCourse:
    course: Course
    citations: int  # citations of any section
    current_sections: int  # of those, sections in a current published version
    stale: list[str]  # cited sections that the current published version does not have

    @property
    def cites_policy(self) -> bool:
        return self.citations > 0


@dataclass(frozen=True)
class CoverageMatrix:
    documents: list[CoverageDocument]
    courses: list[CoverageCourse]

    @property
    def untaught_count(self) -> int:
        return sum(len(d.untaught) for d in self.documents)

    @property
    def section_count(self) -> int:
        return sum(len(d.rows) for d in self.documents)

    @property
    def courses_without_policy(self) -> list[CoverageCourse]:
        return [c for c in self.courses if not c.cites_policy]


def coverage_matrix(*, actor: Actor) -> CoverageMatrix:
    """Sections of each document's current published version, against the agency's active courses.

    A course teaches a section when it cites (document, section number); the citation carries
    over to a new version as long as the section keeps its number.
    """
    if not can(actor, "training.report"):
        return CoverageMatrix([], [])
    documents = list(PolicyDocument.objects.filter(agency_id=actor.agency_id).order_by("code"))
    current: dict[int, PolicyVersion] = {}
    for published in PolicyVersion.objects.filter(
        document__agency_id=actor.agency_id, status=VersionStatus.PUBLISHED
    ).order_by("document_id", "number"):
        current[published.document_id] = published  # the highest number wins
    sections: dict[int, list[PolicySection]] = defaultdict(list)
    for section in PolicySection.objects.filter(version__in=list(current.values())).order_by(
        "position", "number"
    ):
        sections[section.version_id].append(section)
    current_numbers = {
        (doc_id, s.number) for doc_id, v in current.items() for s in sections.get(v.pk, [])
    }
    courses = list(
        Course.objects.filter(agency_id=actor.agency_id, active=True)
        .prefetch_related("citations__document")
        .order_by("code")
    )
    cited: list[set[tuple[int, str]]] = []
    course_rows = []
    for course in courses:
        keys = {(c.document_id, c.section_number) for c in course.citations.all()}
        cited.append(keys)
        stale = sorted(
            f"{c.document.code} §{c.section_number}"
            for c in course.citations.all()
            if (c.document_id, c.section_number) not in current_numbers
        )
        course_rows.append(
            CoverageCourse(
                course=course,
                citations=len(keys),
                current_sections=len(keys & current_numbers),
                stale=stale,
            )
        )
    blocks = []
    for document in documents:
        version = current.get(document.pk)
        rows = [
            CoverageRow(section=s, cells=[(document.pk, s.number) in keys for keys in cited])
            for s in (sections.get(version.pk, []) if version else [])
        ]
        blocks.append(CoverageDocument(document=document, version=version, rows=rows))
    return CoverageMatrix(documents=blocks, courses=course_rows)
