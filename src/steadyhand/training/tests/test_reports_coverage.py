"""The coverage matrix: current published sections against active courses, gaps marked."""

import pytest
from django.test import Client

from steadyhand.access.roles import Role
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.training.models import ParityGroup, Setting
from steadyhand.training.selectors.reports import coverage_matrix
from steadyhand.training.tests.factories_reports import (
    cite,
    make_course,
    make_topic,
    publish_policy,
    table,
)


@pytest.fixture
def policy_world(small_agency: SmallAgency) -> None:
    agency = small_agency.agency
    deesc = make_topic(agency, "de_escalation", ParityGroup.DE_ESCALATION)
    uof = make_topic(agency, "use_of_force", ParityGroup.USE_OF_FORCE)
    # DE-1: version 1 had §1 §2 §3; the current (published) version 2 has §1 §2 §4; a draft
    # version 3 adds §5, which is not in force yet.
    de1 = publish_policy(agency, "DE-1", [["1", "2", "3"], ["1", "2", "4"]], draft=["1", "5"])
    uof1 = publish_policy(agency, "UOF-1", [["1", "2"]])
    publish_policy(agency, "DTI-1", [], draft=["1"])  # never published
    icat = make_course(agency, "ICAT16", deesc, Setting.IN_SERVICE, {"lecture": "16"})
    cite(icat, de1, "1", "3", "5")  # §3 was dropped in version 2; §5 is only a draft
    uof_course = make_course(agency, "UOF-ACAD", uof, Setting.ACADEMY, {"lecture": "8"})
    cite(uof_course, uof1, "2")
    make_course(agency, "FA-IS", uof, Setting.IN_SERVICE, {"lecture": "8"})  # cites nothing
    old = make_course(agency, "OLD", deesc, Setting.ACADEMY, {"lecture": "2"}, active=False)
    cite(old, de1, "4")  # an inactive course teaches nothing


def test_the_matrix(small_agency: SmallAgency, policy_world: None) -> None:
    matrix = coverage_matrix(actor=actor_of(make_user(small_agency.agency, [Role.TRAINER])))
    assert [c.course.code for c in matrix.courses] == ["FA-IS", "ICAT16", "UOF-ACAD"]
    docs = {d.document.code: d for d in matrix.documents}
    assert docs["DE-1"].version is not None
    assert docs["DE-1"].version.number == 2
    cells = {r.section.number: r.cells for r in docs["DE-1"].rows}
    assert cells == {
        "1": [False, True, False],
        "2": [False, False, False],
        "4": [False, False, False],
    }
    assert [s.number for s in docs["DE-1"].untaught] == ["2", "4"]
    assert [s.number for s in docs["UOF-1"].untaught] == ["1"]
    assert docs["DTI-1"].version is None
    assert docs["DTI-1"].rows == []
    assert matrix.section_count == 5
    assert matrix.untaught_count == 3
    assert [c.course.code for c in matrix.courses_without_policy] == ["FA-IS"]
    icat = {c.course.code: c for c in matrix.courses}["ICAT16"]
    assert icat.stale == ["DE-1 §3", "DE-1 §5"]
    assert icat.current_sections == 1


def test_the_page_marks_gaps_in_text(small_agency: SmallAgency, policy_world: None) -> None:
    client = Client()
    client.force_login(make_user(small_agency.agency, [Role.SUPERVISOR]))
    response = client.get("/training/reports/coverage/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = table(html, "Policy sections (rows) against active courses")
    assert rows["DE-1 §1 Heading 1"] == ["", "✓", "", "Yes"]
    assert rows["DE-1 §2 Heading 2"] == ["", "", "", "⚑ Not taught"]
    assert rows["UOF-1 §2 Heading 2"] == ["", "", "✓", "Yes"]
    assert "DE-1 §3 Heading 3" not in rows  # not in the current version
    assert rows["Cites policy?"] == ["⚑ No policy cited", "Yes", "Yes", ""]
    assert "3 not taught by any course" in html
    assert "1 cite no policy" in html
    assert "DE-1 §3, DE-1 §5" in html
    assert "no published version" in html
    assert "OLD" not in html


def test_other_agencies_see_only_their_own(
    small_agency: SmallAgency, other_agency: SmallAgency, policy_world: None
) -> None:
    matrix = coverage_matrix(actor=actor_of(make_user(other_agency.agency, [Role.COMMANDER])))
    assert matrix.documents == []
    assert matrix.courses == []


def test_officers_get_nothing(small_agency: SmallAgency, policy_world: None) -> None:
    officer = actor_of(make_user(small_agency.agency, [Role.OFFICER]))
    assert coverage_matrix(actor=officer).documents == []
