"""Builders for the report tests: topics, courses with hours per mode, completed enrolments,
published policy, and the hand-checked "parity agency" of ``test_reports_parity.py``.

Rows are written with the ORM directly: the reports only read them, and the catalogue's own
services are tested where they live.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

from steadyhand.agencies.models import Agency, Member
from steadyhand.core.testing import SmallAgency
from steadyhand.policy.models import PolicyDocument, PolicySection, PolicyVersion, VersionStatus
from steadyhand.training.models import (
    Course,
    CourseCitation,
    CourseMode,
    Enrolment,
    EnrolmentStatus,
    ParityGroup,
    Setting,
    Topic,
)


def make_topic(agency: Agency, code: str, parity_group: str) -> Topic:
    return Topic.objects.create(
        agency=agency, code=code, name=code.replace("_", " ").title(), parity_group=parity_group
    )


def make_course(
    agency: Agency,
    code: str,
    topic: Topic,
    setting: str,
    modes: dict[str, str],
    *,
    active: bool = True,
) -> Course:
    course = Course.objects.create(
        agency=agency, code=code, title=f"Course {code}", topic=topic, setting=setting,
        active=active,
    )  # fmt: skip
    for mode, hours in modes.items():
        CourseMode.objects.create(course=course, mode=mode, hours=Decimal(hours))
    return course


def complete(member: Member, course: Course, on: date, hours: str | None = None) -> Enrolment:
    return Enrolment.objects.create(
        member=member,
        course=course,
        status=EnrolmentStatus.COMPLETED,
        completed_on=on,
        hours=Decimal(hours) if hours is not None else None,
    )


def enrol(member: Member, course: Course, status: str, hours: str | None = None) -> Enrolment:
    return Enrolment.objects.create(
        member=member,
        course=course,
        status=status,
        hours=Decimal(hours) if hours is not None else None,
    )


def publish_policy(
    agency: Agency,
    code: str,
    versions: list[list[str]],
    *,
    draft: list[str] | None = None,
) -> PolicyDocument:
    """A document with one published version per list of section numbers (oldest first) and
    optionally a draft after them."""
    document = PolicyDocument.objects.create(
        agency=agency, code=code, title=f"Policy {code}", kind="other"
    )
    all_versions = [(numbers, True) for numbers in versions]
    if draft is not None:
        all_versions.append((draft, False))
    for n, (numbers, published) in enumerate(all_versions, start=1):
        version = PolicyVersion.objects.create(document=document, number=n)
        for position, number in enumerate(numbers):
            PolicySection.objects.create(
                version=version,
                number=number,
                heading=f"Heading {number}",
                text="…",
                position=position,
            )
        if published:
            version.status = VersionStatus.PUBLISHED
            version.save()
    return document


def cite(course: Course, document: PolicyDocument, *numbers: str) -> None:
    for number in numbers:
        CourseCitation.objects.create(course=course, document=document, section_number=number)


@dataclass
class ParityWorld:
    """The hand-checked training history of ``SmallAgency`` (see test_reports_parity.py)."""

    deesc: Topic
    uof: Topic
    tactics: Topic
    first_aid: Topic
    icat: Course  # de-escalation, in-service: 6 lecture + 6 role-play + 4 discussion = 16 h
    deesc_academy: Course  # de-escalation, academy: 4 lecture + 2 video = 6 h
    uof_academy: Course  # use of force, academy: 3 lecture + 5 practical = 8 h
    uof_refresher: Course  # use of force, in-service: 4 practical = 4 h
    tactics_refresher: Course  # defensive tactics (use of force), in-service: 2 practical
    first_aid_course: Course  # neither group, in-service: 8 lecture


def build_parity_world(a: SmallAgency) -> ParityWorld:
    agency = a.agency
    deesc = make_topic(agency, "de_escalation", ParityGroup.DE_ESCALATION)
    uof = make_topic(agency, "use_of_force", ParityGroup.USE_OF_FORCE)
    tactics = make_topic(agency, "defensive_tactics", ParityGroup.USE_OF_FORCE)
    first_aid = make_topic(agency, "first_aid", ParityGroup.NEITHER)
    w = ParityWorld(
        deesc=deesc,
        uof=uof,
        tactics=tactics,
        first_aid=first_aid,
        icat=make_course(
            agency,
            "ICAT16",
            deesc,
            Setting.IN_SERVICE,
            {"lecture": "6", "role_play": "6", "group_discussion": "4"},
        ),
        deesc_academy=make_course(
            agency, "DE-ACAD", deesc, Setting.ACADEMY, {"lecture": "4", "video": "2"}
        ),
        uof_academy=make_course(
            agency, "UOF-ACAD", uof, Setting.ACADEMY, {"lecture": "3", "practical": "5"}
        ),
        uof_refresher=make_course(agency, "UOF-IS", uof, Setting.IN_SERVICE, {"practical": "4"}),
        tactics_refresher=make_course(
            agency, "DT-IS", tactics, Setting.IN_SERVICE, {"practical": "2"}
        ),
        first_aid_course=make_course(
            agency, "FA-IS", first_aid, Setting.IN_SERVICE, {"lecture": "8"}
        ),
    )
    # Officer A1: 16 h de-escalation in-service, 8 h use of force academy, 3 of the 4 h
    # in-service use of force (partial credit), first aid (neither group).
    complete(a.officer_a1, w.icat, date(2025, 3, 10))
    complete(a.officer_a1, w.uof_academy, date(2025, 1, 20))
    complete(a.officer_a1, w.uof_refresher, date(2025, 5, 1), hours="3")
    complete(a.officer_a1, w.first_aid_course, date(2025, 5, 2))
    # Sergeant A1: enrolled in ICAT but not completed; 4 h use of force in-service; 6 h
    # de-escalation in the academy.
    enrol(a.sergeant_a1, w.icat, EnrolmentStatus.ENROLLED)
    enrol(a.sergeant_a1, w.icat, EnrolmentStatus.ATTENDED, hours="16")
    complete(a.sergeant_a1, w.uof_refresher, date(2025, 2, 1))
    complete(a.sergeant_a1, w.deesc_academy, date(2025, 6, 1))
    # Officer A2: 12 of ICAT's 16 h (partial credit); a no-show; 2 h defensive tactics.
    complete(a.officer_a2, w.icat, date(2025, 4, 4), hours="12")
    enrol(a.officer_a2, w.uof_refresher, EnrolmentStatus.NO_SHOW)
    complete(a.officer_a2, w.tactics_refresher, date(2025, 7, 7))
    # Officer B1: use of force only in 2025 (8 academy + 4 in-service); ICAT on the last day
    # of 2024.
    complete(a.officer_b1, w.uof_academy, date(2025, 9, 9))
    complete(a.officer_b1, w.uof_refresher, date(2025, 10, 10))
    complete(a.officer_b1, w.icat, date(2024, 12, 31))
    return w


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._caption: list[str] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            rows = self.tables[-1][1]
            self.tables[-1] = (" ".join("".join(self._caption).split()), rows)
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def table(html: str, caption_starts: str) -> dict[str, list[str]]:
    """The rows of the table whose caption starts with ``caption_starts``, keyed by first cell
    (indentation removed)."""
    parser = _TableParser()
    parser.feed(html)
    for caption, rows in parser.tables:
        if caption.startswith(caption_starts):
            return {row[0].strip("\u2003 "): row[1:] for row in rows if row}
    raise AssertionError(f"No table captioned {caption_starts!r}; found {parser.tables!r}")
