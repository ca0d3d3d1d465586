"""The compliance report on the hand-checked agency: counts, lists, scope, CSV, home helpers.

Mandates (as the example rule sets): 16 h of de-escalation per 60 months (any setting) and
4 h of in-service de-escalation per 12 months. Everyone was hired on 2015-03-01. De-escalation
records (``factories_reports.build_parity_world``):

* officer A1: ICAT16 (in-service, 16 h) on 2025-03-10
* sergeant A1: DE-ACAD (academy, 6 h) on 2025-06-01
* officer A2: ICAT16 with 12 h partial credit on 2025-04-04
* officer B1: ICAT16 (16 h) on 2024-12-31
"""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member, MemberStatus, Rank
from steadyhand.agencies.services import member_update
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.training.compliance import ComplianceStatus as S
from steadyhand.training.models import Mandate, Setting
from steadyhand.training.selectors.reports import (
    compliance_report,
    overdue_counts_for_actor,
    training_due_for_member,
)
from steadyhand.training.services.mandates import mandate_create
from steadyhand.training.tests.factories_reports import ParityWorld, build_parity_world, table

AS_OF = date(2025, 6, 30)


@pytest.fixture
def world(small_agency: SmallAgency) -> ParityWorld:
    w = build_parity_world(small_agency)
    trainer = actor_of(make_user(small_agency.agency, [Role.TRAINER]))
    mandate_create(
        actor=trainer, name="ICAT 16", topic=w.deesc, hours=Decimal("16"), period_months=60
    )
    mandate_create(
        actor=trainer,
        name="Annual refresher",
        topic=w.deesc,
        hours=Decimal("4"),
        period_months=12,
        setting=Setting.IN_SERVICE,
    )
    return w


def _by_name(actor: Actor, **kwargs: object) -> dict[str, object]:
    report = compliance_report(actor=actor, **kwargs)  # type: ignore[arg-type]
    return {r.mandate.name: r for r in report.mandates}


def _badges(standings: list) -> list[str]:  # type: ignore[type-arg]
    return [s.member.badge for s in standings]


def test_counts_and_lists_match_the_hand_calculation(
    small_agency: SmallAgency, world: ParityWorld
) -> None:
    trainer = actor_of(make_user(small_agency.agency, [Role.TRAINER]))
    reports = _by_name(trainer, as_of=AS_OF)
    icat = reports["ICAT 16"]
    # A1 and B1 have 16 h in the 60 months; A2 has 12 (4 missing), the sergeant 6 (10 missing).
    assert icat.counts[S.COMPLIANT] == 2  # type: ignore[attr-defined]
    assert icat.counts[S.OVERDUE] == 2  # type: ignore[attr-defined]
    assert _badges(icat.overdue) == ["O201", "S100"]  # type: ignore[attr-defined]
    missing = {s.member.badge: s.compliance.hours_missing for s in icat.overdue}  # type: ignore[attr-defined]
    assert missing == {"O201": Decimal("4"), "S100": Decimal("10")}
    # Never met since hire: overdue since the end of the first 60 months.
    assert {s.compliance.due_date for s in icat.overdue} == {date(2020, 3, 1)}  # type: ignore[attr-defined]
    annual = reports["Annual refresher"]
    # In-service only: the sergeant's academy hours do not count; A2's 12 h do.
    assert annual.counts[S.COMPLIANT] == 3  # type: ignore[attr-defined]
    assert annual.counts[S.OVERDUE] == 1  # type: ignore[attr-defined]
    assert _badges(annual.overdue) == ["S100"]  # type: ignore[attr-defined]


def test_due_soon_appears_when_a_record_is_about_to_drop_out(
    small_agency: SmallAgency, world: ParityWorld
) -> None:
    trainer = actor_of(make_user(small_agency.agency, [Role.TRAINER]))
    # B1's ICAT of 2024-12-31 counts for the annual refresher through 2025-12-30: on
    # 2025-12-31 the window starts after 2024-12-31.
    annual = _by_name(trainer, as_of=date(2025, 11, 15))["Annual refresher"]
    assert _badges(annual.due_soon) == ["O301"]  # type: ignore[attr-defined]
    standing = annual.due_soon[0].compliance  # type: ignore[attr-defined]
    assert standing.due_date == date(2025, 12, 30)
    assert standing.hours_missing == 0
    still = _by_name(trainer, as_of=date(2025, 12, 30))["Annual refresher"]
    assert "O301" in _badges(still.due_soon)  # type: ignore[attr-defined]
    dropped = _by_name(trainer, as_of=date(2025, 12, 31))["Annual refresher"]
    assert "O301" in _badges(dropped.overdue)  # type: ignore[attr-defined]


def test_ranks_and_separation(small_agency: SmallAgency, world: ParityWorld) -> None:
    a = small_agency
    trainer = actor_of(make_user(a.agency, [Role.TRAINER]))
    mandate_create(
        actor=trainer,
        name="Sergeants only",
        topic=world.deesc,
        hours=Decimal("40"),
        period_months=12,
        ranks=[Rank.SERGEANT],
    )
    member_update(
        actor=a.system,
        member=Member.objects.get(pk=a.officer_b1.pk),
        expected_version=1,
        badge="O301",
        first_name="Test",
        last_name="O301",
        rank=Rank.OFFICER,
        unit=a.squad_b1,
        supervisor=None,
        hire_date=date(2015, 3, 1),
        status=MemberStatus.SEPARATED,
    )
    reports = _by_name(trainer, as_of=AS_OF)
    sergeants = reports["Sergeants only"]
    assert sergeants.counts[S.EXEMPT] == 2  # type: ignore[attr-defined]
    assert sergeants.counts[S.OVERDUE] == 1  # type: ignore[attr-defined]
    assert sergeants.assessed == 1  # type: ignore[attr-defined]
    assert sum(reports["ICAT 16"].counts.values()) == 3  # type: ignore[attr-defined]


def test_inactive_mandates_are_not_reported(small_agency: SmallAgency, world: ParityWorld) -> None:
    Mandate.objects.filter(name="ICAT 16").update(active=False)
    trainer = actor_of(make_user(small_agency.agency, [Role.TRAINER]))
    assert set(_by_name(trainer, as_of=AS_OF)) == {"Annual refresher"}


def test_a_supervisor_counts_and_lists_only_their_precinct(
    small_agency: SmallAgency, world: ParityWorld
) -> None:
    a = small_agency
    supervisor = actor_of(
        make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)], member=a.sergeant_a1)
    )
    icat = _by_name(supervisor, as_of=AS_OF)["ICAT 16"]
    assert sum(icat.counts.values()) == 3  # type: ignore[attr-defined]
    assert icat.counts[S.COMPLIANT] == 1  # type: ignore[attr-defined]
    annual = _by_name(supervisor, as_of=date(2025, 11, 15))["Annual refresher"]
    assert annual.due_soon == []  # type: ignore[attr-defined]  # B1 is not theirs


def test_an_auditor_gets_counts_without_names(
    small_agency: SmallAgency, world: ParityWorld
) -> None:
    auditor = actor_of(make_user(small_agency.agency, [Role.AUDITOR]))
    report = compliance_report(actor=auditor, as_of=AS_OF)
    assert not report.identified
    icat = {r.mandate.name: r for r in report.mandates}["ICAT 16"]
    assert icat.counts[S.OVERDUE] == 2
    assert icat.overdue == []


def test_other_agencies_and_officers_get_nothing(
    small_agency: SmallAgency, other_agency: SmallAgency, world: ParityWorld
) -> None:
    outsider = actor_of(make_user(other_agency.agency, [Role.TRAINER]))
    assert compliance_report(actor=outsider, as_of=AS_OF).mandates == []
    officer = actor_of(
        make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1)
    )
    assert compliance_report(actor=officer, as_of=AS_OF).mandates == []
    assert overdue_counts_for_actor(actor=officer, as_of=AS_OF) == []


def test_home_page_helpers(small_agency: SmallAgency, world: ParityWorld) -> None:
    a = small_agency
    due = training_due_for_member(member=a.sergeant_a1, as_of=AS_OF)
    # Longest overdue first: the annual refresher since 2016-03-01, ICAT since 2020-03-01.
    assert [(d.mandate.name, d.compliance.status, d.compliance.due_date) for d in due] == [
        ("Annual refresher", S.OVERDUE, date(2016, 3, 1)),
        ("ICAT 16", S.OVERDUE, date(2020, 3, 1)),
    ]
    assert training_due_for_member(member=a.officer_a1, as_of=AS_OF) == []
    commander = actor_of(make_user(a.agency, [Role.COMMANDER]))
    counts = {c.mandate.name: (c.overdue, c.due_soon) for c in overdue_counts_for_actor(
        actor=commander, as_of=AS_OF
    )}  # fmt: skip
    assert counts == {"ICAT 16": (2, 0), "Annual refresher": (1, 0)}


# Pages ----------------------------------------------------------------------------------------


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_compliance_page(small_agency: SmallAgency, world: ParityWorld) -> None:
    client = _client(make_user(small_agency.agency, [Role.COMMANDER]))
    response = client.get("/training/reports/compliance/", {"as_of": "2025-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    counts = table(html, "ICAT 16: members by status")
    assert counts == {
        "Compliant": ["Due soon", "Overdue", "In first period", "Exempt"],
        "2": ["0", "2", "0", "0"],
    }
    assert table(html, "Annual refresher: members by status")["3"] == ["0", "1", "0", "0"]
    assert "O201" in html
    assert "S100" in html
    assert "2020-03-01" in html
    assert "Mandate compliance as of 30 June 2025" in html


def test_the_csv_lists_the_same_members(small_agency: SmallAgency, world: ParityWorld) -> None:
    client = _client(make_user(small_agency.agency, [Role.TRAINER]))
    response = client.get("/training/reports/compliance.csv", {"as_of": "2025-06-30"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "training-compliance-2025-06-30.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["mandate"], r["badge"], r["status"], r["hours_missing"]) for r in rows] == [
        ("Annual refresher", "S100", "overdue", "4"),
        ("ICAT 16", "O201", "overdue", "4"),
        ("ICAT 16", "S100", "overdue", "10"),
    ]
    assert {r["unit"] for r in rows} == {"Squad A1", "Squad A2"}


def test_the_csv_for_a_supervisor_stays_in_scope(
    small_agency: SmallAgency, world: ParityWorld
) -> None:
    a = small_agency
    client = _client(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)]))
    body = client.get("/training/reports/compliance.csv", {"as_of": "2026-01-02"}).content
    assert b"O301" not in body
    assert b"S100" in body
