"""The open-data export: no names, badges, case numbers or free text; dates as coarse as the
agency chose; only the agency's own, submitted incidents; a dictionary that matches the file."""

import csv
import io
from datetime import datetime

import pytest

from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member
from steadyhand.api.tests.factories import CHICAGO, make_incident
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.exports import open_data
from steadyhand.exports.services import export_settings_update
from steadyhand.incidents.intake_services import EventRecord, SubjectRecord


def _export(sa: SmallAgency, precision: str = "month") -> str:
    return "".join(open_data.csv_lines(open_data.rows(agency=sa.agency, precision=precision)))


def _table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def named_agency(small_agency: SmallAgency) -> SmallAgency:
    """Members with distinctive names, and incidents whose narratives and places name them."""
    for n, member in enumerate(Member.objects.filter(agency=small_agency.agency)):
        Member.objects.filter(pk=member.pk).update(
            first_name=f"Zebulon{n}", last_name=f"Quarrington{n}"
        )
    make_incident(small_agency.system, case_number="CASE-7731", badges=("O101", "S100"))
    make_incident(small_agency.system, badges=("O301",))
    return small_agency


def test_no_name_badge_or_case_number_leaves(named_agency: SmallAgency) -> None:
    data = _export(named_agency).encode("utf-8")
    members = Member.objects.filter(agency=named_agency.agency)
    for member in members:
        for secret in (member.first_name, member.last_name, member.badge):
            assert secret.encode() not in data, secret
    for leak in (b"CASE-7731", b"2026-000001", b"Example St", b"0712", b"talked"):
        assert leak not in data
    assert len(_table(data.decode())) == 2


def test_dates_are_coarsened_as_the_agency_chose(small_agency: SmallAgency) -> None:
    make_incident(small_agency.system, when=datetime(2026, 3, 14, 21, 5, tzinfo=CHICAGO))
    by_month = _export(small_agency)
    assert [r["period"] for r in _table(by_month)] == ["2026-03"]
    assert "2026-03-14" not in by_month
    assert "21:05" not in by_month
    assert [r["period"] for r in _table(_export(small_agency, "week"))] == ["2026-W11"]
    assert [r["period"] for r in _table(_export(small_agency, "day"))] == ["2026-03-14"]


def test_the_period_is_the_agencys_local_date(small_agency: SmallAgency) -> None:
    # 23:30 in Chicago on 31 March is already April in UTC.
    make_incident(small_agency.system, when=datetime(2026, 3, 31, 23, 30, tzinfo=CHICAGO))
    assert [r["period"] for r in _table(_export(small_agency))] == ["2026-03"]


def test_officers_get_pseudonyms_fresh_in_every_export(small_agency: SmallAgency) -> None:
    make_incident(small_agency.system, badges=("O101", "S100"))
    make_incident(small_agency.system, badges=("O101",))
    rows = _table(_export(small_agency))
    pairs = sorted((r["officers"] for r in rows), key=len)
    alone, together = pairs[0], pairs[1].split(";")
    assert alone.startswith("OFC-")
    assert alone in together
    assert len(set(together)) == 2
    again = _table(_export(small_agency))
    assert {r["officers"] for r in again}.isdisjoint({r["officers"] for r in rows})


def test_outcomes_and_tactics_are_exported(small_agency: SmallAgency) -> None:
    make_incident(
        small_agency.system,
        subjects=(SubjectRecord(race="black", sex="male", indicators=("mental_health_crisis",)),),
        events=(
            EventRecord(code="arrives", offset_seconds=0, actor_badge="O101"),
            EventRecord(code="create_distance", offset_seconds=5, actor_badge="O101"),
            EventRecord(code="request_crisis_team", offset_seconds=9, actor_badge="O101"),
            EventRecord(code="talks", offset_seconds=60, actor_subject=1),
            EventRecord(code="transported_for_care", offset_seconds=900),
        ),
    )
    (row,) = _table(_export(small_agency))
    assert row["force_used"] == "false"
    assert row["de_escalation_attempted"] == "true"
    assert row["de_escalation_tactics"] == "create_distance;request_crisis_team"
    assert row["subject_races"] == "black"
    assert row["subject_indicators"] == "mental_health_crisis"
    assert row["resolution"] == "transported_for_care"
    assert row["district"] == "D7"


def test_only_the_agencys_own_incidents(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    make_incident(other_agency.system, district="THEIRS")
    make_incident(small_agency.system, district="OURS")
    assert [r["district"] for r in _table(_export(small_agency))] == ["OURS"]


def test_the_dictionary_describes_every_column(small_agency: SmallAgency) -> None:
    header = next(open_data.rows(agency=small_agency.agency, precision="week"))
    described = [row[0] for row in list(open_data.dictionary_rows("week"))[1:]]
    assert described == header
    markdown = open_data.dictionary_markdown(agency=small_agency.agency, precision="week")
    assert all(f"`{name}`" in markdown for name in header)
    assert "YYYY-Www" in markdown


def test_precision_is_an_agency_setting(small_agency: SmallAgency) -> None:
    admin = make_user(small_agency.agency, [Role.AGENCY_ADMIN])
    saved = export_settings_update(actor=actor_of(admin), date_precision="week", ori="il0160000")
    assert saved.date_precision == "week"
    assert saved.ori == "IL0160000"
