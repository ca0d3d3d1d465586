"""Parity of de-escalation and use-of-force hours, checked by hand on a small agency.

The history (``factories_reports.build_parity_world``), year 2025:

====================  ==========================  ============================
member (unit)         academy de-esc / UoF        in-service de-esc / UoF
====================  ==========================  ============================
officer A1 (A1)       0 / 8  (UOF-ACAD)           16 (ICAT16) / 3 (UOF-IS, 3 of 4 h)
sergeant A1 (A1)      6 (DE-ACAD) / 0             0 (ICAT16 not completed) / 4 (UOF-IS)
officer A2 (A2)       0 / 0                       12 (ICAT16, 12 of 16 h) / 2 (DT-IS)
officer B1 (B1)       0 / 8  (UOF-ACAD)           0 / 4 (UOF-IS); ICAT16 on 2024-12-31
====================  ==========================  ============================

First aid (8 h, neither group), a no-show and an attended-not-completed enrolment with hours
count nowhere. Units, subtree totals, combined: A1 22/15 = 1.47; A2 12/2 = 6; precinct A
34/17 = 2; B1 and precinct B 0/12 = 0; bureau and agency 34/29 = 1.17.
"""

from decimal import Decimal

import pytest
from django.test import Client

from steadyhand.access.roles import Role
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.training.models import ParityGroup, Setting
from steadyhand.training.parity import (
    ACADEMY,
    COMBINED,
    DE_ESCALATION,
    IN_SERVICE,
    USE_OF_FORCE,
    GroupRow,
    Hours,
    ParityHours,
    hours_by_mode,
    roll_up,
    tally,
)
from steadyhand.training.selectors.reports import (
    parity_by_member,
    parity_by_unit,
    parity_by_year,
    parity_target,
)
from steadyhand.training.services.mandates import training_settings_set_parity_target
from steadyhand.training.tests.factories_reports import build_parity_world, table

D = Decimal


def cells(groups: str, *extra: str) -> list[str]:
    """Table cells written as "de uof ratio | de uof ratio …", then any extra cells."""
    return [word for word in groups.split() if word != "|"] + list(extra)


def h(de: str, uof: str) -> Hours:
    return Hours(D(de), D(uof))


# Pure arithmetic --------------------------------------------------------------------------------


def test_the_pure_module_uses_the_models_values() -> None:
    assert ParityGroup.DE_ESCALATION.value == DE_ESCALATION
    assert ParityGroup.USE_OF_FORCE.value == USE_OF_FORCE
    assert Setting.ACADEMY.value == ACADEMY
    assert Setting.IN_SERVICE.value == IN_SERVICE


def test_ratio_is_undefined_without_use_of_force_hours() -> None:
    assert h("16", "0").ratio is None
    assert h("0", "0").ratio is None
    assert h("16", "11").ratio == D("1.45")
    assert h("6", "16").ratio == D("0.38")  # 0.375 rounds half up


def test_below_target_compares_exactly_and_never_flags_an_undefined_ratio() -> None:
    assert h("22", "15").below(D("1.5"))  # 1.4667 < 1.5 though it shows as 1.47
    assert not h("22.5", "15").below(D("1.5"))  # exactly on target: not below
    assert not h("0", "0").below(D("1"))
    assert not h("5", "0").below(D("1"))
    assert h("0", "12").below(D("1"))


def test_tally_uses_course_totals_unless_the_enrolment_has_its_own_hours() -> None:
    rows = [
        GroupRow(1, 10, ACADEMY, DE_ESCALATION, at_course_hours=2, own_hours=D("3.5")),
        GroupRow(1, 11, IN_SERVICE, USE_OF_FORCE, at_course_hours=1, own_hours=D("0")),
        GroupRow(1, 12, IN_SERVICE, "neither", at_course_hours=5, own_hours=D("0")),
        GroupRow(2, 11, IN_SERVICE, USE_OF_FORCE, at_course_hours=0, own_hours=D("1")),
    ]
    result = tally(rows, {10: D("8"), 11: D("4"), 12: D("100")})
    assert result[1] == ParityHours(academy=h("19.5", "0"), in_service=h("0", "4"))
    assert result[2].combined == h("0", "1")


def test_roll_up_adds_each_unit_to_every_ancestor_in_scope() -> None:
    paths = {1: "/1/", 2: "/1/2/", 3: "/1/2/3/", 4: "/1/4/"}
    own = {
        3: ParityHours(in_service=h("2", "1")),
        4: ParityHours(academy=h("1", "1")),
        9: ParityHours(academy=h("100", "0")),  # a unit outside the scope: ignored
    }
    totals = roll_up(paths, own)
    assert totals[3].combined == h("2", "1")
    assert totals[2].combined == h("2", "1")
    assert totals[4].combined == h("1", "1")
    assert totals[1] == ParityHours(academy=h("1", "1"), in_service=h("2", "1"))
    # A scope that starts below the root: hours never reach the unseen ancestor.
    assert set(roll_up({2: "/1/2/", 3: "/1/2/3/"}, own)) == {2, 3}


def test_mode_hours_split_partial_credit_in_proportion() -> None:
    rows = [GroupRow(1, 10, IN_SERVICE, DE_ESCALATION, at_course_hours=1, own_hours=D("12"))]
    modes = {10: {"lecture": D("6"), "role_play": D("6"), "group_discussion": D("4")}}
    split = hours_by_mode(rows, modes)[DE_ESCALATION]
    assert split == {"lecture": D("10.50"), "role_play": D("10.50"), "group_discussion": D("7.00")}
    assert hours_by_mode(rows, modes, setting=ACADEMY) == {}


# The hand-checked agency ----------------------------------------------------------------------


@pytest.fixture
def trainer(small_agency: SmallAgency) -> object:
    build_parity_world(small_agency)
    return actor_of(make_user(small_agency.agency, [Role.TRAINER]))


def _units(a: SmallAgency, actor: object, **kwargs: object) -> dict[str, ParityHours]:
    report = parity_by_unit(actor=actor, **kwargs)  # type: ignore[arg-type]
    return {row.unit.name: row.total for row in report.units}


def test_unit_hours_by_setting_match_the_hand_calculation(
    small_agency: SmallAgency, trainer: object
) -> None:
    a = small_agency
    units = _units(a, trainer, year=2025)
    assert units["Squad A1"] == ParityHours(academy=h("6", "8"), in_service=h("16", "7"))
    assert units["Squad A2"] == ParityHours(academy=h("0", "0"), in_service=h("12", "2"))
    assert units["Squad B1"] == ParityHours(academy=h("0", "8"), in_service=h("0", "4"))
    assert units["Precinct A"] == ParityHours(academy=h("6", "8"), in_service=h("28", "9"))
    assert units["Precinct B"] == units["Squad B1"]
    assert units["Patrol Bureau"] == ParityHours(academy=h("6", "16"), in_service=h("28", "13"))
    assert units[a.root.name] == units["Patrol Bureau"]
    assert units["Precinct A"].combined == h("34", "17")
    assert units["Precinct A"].combined.ratio == D("2.00")
    assert units["Patrol Bureau"].combined.ratio == D("1.17")
    assert units["Patrol Bureau"].academy.ratio == D("0.38")
    assert units["Squad A2"].academy.ratio is None


def test_flags_follow_the_setting_and_the_target(
    small_agency: SmallAgency, trainer: object
) -> None:
    a = small_agency

    def flagged(setting: str) -> set[str]:
        report = parity_by_unit(actor=trainer, year=2025, setting=setting)  # type: ignore[arg-type]
        return {row.unit.name for row in report.flagged}

    assert flagged(COMBINED) == {"Squad B1", "Precinct B"}
    assert flagged(ACADEMY) == {
        "Squad A1",
        "Precinct A",
        "Squad B1",
        "Precinct B",
        "Patrol Bureau",
        a.root.name,
    }  # Squad A2 has no academy use-of-force hours: no ratio, not flagged
    assert flagged(IN_SERVICE) == {"Squad B1", "Precinct B"}
    commander = actor_of(make_user(a.agency, [Role.COMMANDER]))
    training_settings_set_parity_target(actor=commander, ratio=D("1.5"), reason="raise the bar")
    assert parity_target(agency_id=a.agency.pk) == D("1.50")
    assert flagged(COMBINED) == {"Squad A1", "Squad B1", "Precinct B", "Patrol Bureau", a.root.name}


def test_the_agency_total_and_modes(small_agency: SmallAgency, trainer: object) -> None:
    report = parity_by_unit(actor=trainer, year=2025)  # type: ignore[arg-type]
    assert report.agency_wide
    assert report.total.combined == h("34", "29")
    assert report.by_mode[DE_ESCALATION] == {
        "lecture": D("14.50"),  # ICAT 6 + 4.5 (12/16 of 6) + DE-ACAD 4
        "role_play": D("10.50"),
        "group_discussion": D("7.00"),
        "video": D("2.00"),
    }
    assert report.by_mode[USE_OF_FORCE] == {"lecture": D("6.00"), "practical": D("23.00")}
    academy = parity_by_unit(actor=trainer, year=2025, setting=ACADEMY)  # type: ignore[arg-type]
    assert academy.by_mode[USE_OF_FORCE] == {"lecture": D("6.00"), "practical": D("10.00")}


def test_member_hours(small_agency: SmallAgency, trainer: object) -> None:
    a = small_agency
    rows = {r.member.pk: r.hours for r in parity_by_member(actor=trainer, year=2025)}  # type: ignore[arg-type]
    assert rows[a.officer_a1.pk] == ParityHours(academy=h("0", "8"), in_service=h("16", "3"))
    assert rows[a.officer_a1.pk].combined.ratio == D("1.45")
    assert rows[a.sergeant_a1.pk] == ParityHours(academy=h("6", "0"), in_service=h("0", "4"))
    assert rows[a.officer_a2.pk].combined.ratio == D("6.00")
    assert rows[a.officer_b1.pk].combined == h("0", "12")


def test_years_split_on_the_calendar(small_agency: SmallAgency, trainer: object) -> None:
    years = {y.year: y.hours for y in parity_by_year(actor=trainer)}  # type: ignore[arg-type]
    assert set(years) == {2024, 2025}
    assert years[2024] == ParityHours(in_service=h("16", "0"))  # B1's ICAT on 31 December
    assert years[2024].combined.ratio is None
    assert years[2025].combined == h("34", "29")
    assert parity_by_unit(actor=trainer, year=2023).total.combined.empty  # type: ignore[arg-type]


def test_a_unit_filter_reports_its_subtree_only(small_agency: SmallAgency, trainer: object) -> None:
    report = parity_by_unit(actor=trainer, year=2025, unit=small_agency.precinct_a)  # type: ignore[arg-type]
    assert [r.unit.name for r in report.units] == ["Precinct A", "Squad A1", "Squad A2"]
    assert [r.level for r in report.units] == [0, 1, 1]
    assert report.total.combined == h("34", "17")
    assert not report.agency_wide


# Scope ----------------------------------------------------------------------------------------


def test_a_supervisor_sees_only_their_precinct(small_agency: SmallAgency) -> None:
    a = small_agency
    build_parity_world(a)
    supervisor = actor_of(
        make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)], member=a.sergeant_a1)
    )
    report = parity_by_unit(actor=supervisor, year=2025)
    assert [r.unit.name for r in report.units] == ["Precinct A", "Squad A1", "Squad A2"]
    assert report.total.combined == h("34", "17")
    assert not report.agency_wide
    members = {r.member.pk for r in parity_by_member(actor=supervisor, year=2025)}
    assert a.officer_b1.pk not in members
    assert a.officer_a1.pk in members
    assert {y.year: y.hours.combined for y in parity_by_year(actor=supervisor)} == {
        2025: h("34", "17")
    }  # B1's 2024 hours are not in the supervisor's scope


def test_another_agency_sees_none_of_these_hours(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    build_parity_world(small_agency)
    outsider = actor_of(make_user(other_agency.agency, [Role.TRAINER]))
    report = parity_by_unit(actor=outsider, year=2025)
    assert report.total.combined.empty
    assert {r.unit.agency_id for r in report.units} == {other_agency.agency.pk}
    their_members = parity_by_member(actor=outsider, year=2025)
    assert their_members
    assert all(r.hours.combined.empty for r in their_members)
    assert parity_by_year(actor=outsider) == []


def test_an_analyst_gets_unit_hours_but_no_names(small_agency: SmallAgency) -> None:
    build_parity_world(small_agency)
    analyst = actor_of(make_user(small_agency.agency, [Role.ANALYST]))
    assert parity_by_unit(actor=analyst, year=2025).total.combined == h("34", "29")
    assert parity_by_member(actor=analyst, year=2025) == []


def test_an_officer_gets_nothing(small_agency: SmallAgency) -> None:
    build_parity_world(small_agency)
    officer = actor_of(
        make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1)
    )
    assert parity_by_unit(actor=officer, year=2025).units == []
    assert parity_by_member(actor=officer, year=2025) == []
    assert parity_by_year(actor=officer) == []


# The page -------------------------------------------------------------------------------------


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_page_shows_every_hand_computed_number(small_agency: SmallAgency) -> None:
    a = small_agency
    build_parity_world(a)
    client = _client(make_user(a.agency, [Role.COMMANDER]))
    response = client.get("/training/reports/parity/", {"year": 2025, "setting": "combined"})
    assert response.status_code == 200
    html = response.content.decode()
    units = table(html, "Hours by unit, 2025")
    #                                 academy    | in-service | combined    | below target?
    assert units["Squad A1"] == cells("6 8 0.75  | 16 7 2.29  | 22 15 1.47", "No")
    assert units["Squad A2"] == cells("0 0 —     | 12 2 6.00  | 12 2 6.00", "No")
    assert units["Squad B1"] == cells("0 8 0.00  | 0 4 0.00   | 0 12 0.00", "⚑ Below target")
    assert units["Precinct A"] == cells("6 8 0.75 | 28 9 3.11 | 34 17 2.00", "No")
    assert units["Patrol Bureau"] == cells("6 16 0.38 | 28 13 2.15 | 34 29 1.17", "No")
    totals = table(html, "Totals for the agency, 2025")
    assert totals["Academy"] == ["6", "16", "0.38"]
    assert totals["In-service"] == ["28", "13", "2.15"]
    assert totals["Combined"] == ["34", "29", "1.17"]
    years = table(html, "Hours by calendar year")
    assert years["2024"] == ["0", "0", "—", "16", "0", "—", "16", "0", "—"]
    modes = table(html, "Hours by delivery mode")
    assert modes["Role-play scenario"] == ["10.50", "0"]
    assert modes["Practical / range"] == ["0", "23"]
    members = table(html, "Hours by member")
    assert members["O101, Test (#O101)"] == [
        "Squad A1",
        *cells("0 8 0.00 | 16 3 5.33 | 16 11 1.45"),
    ]
    assert "2 units below the target ratio" in html
    assert html.count('role="img"') == 3  # hours by unit, ratio by unit, ratio by year
    assert "Target ratio (1)" in html


def test_the_page_for_a_supervisor_never_shows_precinct_b(small_agency: SmallAgency) -> None:
    a = small_agency
    build_parity_world(a)
    client = _client(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)], member=a.sergeant_a1))
    html = client.get("/training/reports/parity/", {"year": 2025}).content.decode()
    assert "Precinct B" not in html
    assert "Squad B1" not in html
    assert "O301" not in html  # officer B1's badge
    assert table(html, "Totals for your units, 2025")["Combined"] == ["34", "17", "2.00"]
    # Asking for precinct B's unit by id is ignored like any invalid filter value.
    html = client.get(
        "/training/reports/parity/", {"year": 2025, "unit": a.precinct_b.pk}
    ).content.decode()
    assert "Squad B1" not in html
    assert "Select a valid choice" in html


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AGENCY_ADMIN, Role.INTERNAL_AFFAIRS])
def test_roles_without_training_report_are_refused(small_agency: SmallAgency, role: Role) -> None:
    client = _client(make_user(small_agency.agency, [role]))
    for url in (
        "/training/reports/",
        "/training/reports/parity/",
        "/training/reports/compliance/",
        "/training/reports/compliance.csv",
        "/training/reports/coverage/",
    ):
        assert client.get(url).status_code == 403, url


def test_the_target_page_changes_the_target_and_audits_it(small_agency: SmallAgency) -> None:
    from steadyhand.audit.models import AuditEvent

    a = small_agency
    trainer_client = _client(make_user(a.agency, [Role.TRAINER]))
    response = trainer_client.post(
        "/training/reports/parity/target/", {"parity_target_ratio": "1.25", "reason": "policy"}
    )
    assert response.status_code == 302
    assert parity_target(agency_id=a.agency.pk) == D("1.25")
    event = AuditEvent.objects.filter(agency_id=a.agency.pk).order_by("-seq").first()
    assert event is not None
    assert event.action == "training_settings.update"
    assert event.changes == {"parity_target_ratio": ["1.00", "1.25"]}
    assert event.reason == "policy"
    bad = trainer_client.post("/training/reports/parity/target/", {"parity_target_ratio": "0"})
    assert bad.status_code == 400
    assert parity_target(agency_id=a.agency.pk) == D("1.25")
    supervisor = _client(make_user(a.agency, [Role.SUPERVISOR]))
    refused = supervisor.post("/training/reports/parity/target/", {"parity_target_ratio": "3"})
    assert refused.status_code == 403
    assert parity_target(agency_id=a.agency.pk) == D("1.25")


def test_parity_target_defaults_to_one(small_agency: SmallAgency) -> None:
    # No settings row is stored until someone changes the target.
    assert parity_target(agency_id=small_agency.agency.pk) == D("1")
