"""The FBI use-of-force export: only qualifying incidents (death, serious bodily injury, a
firearm discharged at a person), in incident, subject and officer segments."""

import csv
import io

from steadyhand.api.tests.factories import make_incident
from steadyhand.core.testing import SmallAgency
from steadyhand.exports import nuofdc
from steadyhand.incidents.intake_services import EventRecord, SubjectRecord


def _segments(sa: SmallAgency) -> dict[str, list[dict[str, str]]]:
    sinks = {s.name: io.StringIO() for s in nuofdc.SEGMENTS}
    nuofdc.write_segments(agency=sa.agency, ori="IL0160000", sinks=sinks)
    return {n: list(csv.DictReader(io.StringIO(s.getvalue()))) for n, s in sinks.items()}


def _shooting(badge: str = "O101") -> tuple[EventRecord, ...]:
    return (
        EventRecord(code="arrives", offset_seconds=0, actor_badge=badge),
        EventRecord(code="displays_weapon", offset_seconds=20, actor_subject=1),
        EventRecord(
            code="firearm_discharge", offset_seconds=25, actor_badge=badge, target_subject=1
        ),
    )


def test_only_qualifying_incidents_are_exported(small_agency: SmallAgency) -> None:
    sa = small_agency
    make_incident(
        sa.system,
        case_number="TAKEDOWN-MINOR",
        subjects=(SubjectRecord(injured=True, injury_severity="minor"),),
    )
    make_incident(
        sa.system,
        case_number="SHOTS",
        events=_shooting(),
        subjects=(SubjectRecord(armed_with="firearm"),),
    )
    make_incident(
        sa.system, case_number="DEATH", subjects=(SubjectRecord(injury_severity="fatal"),)
    )
    make_incident(
        sa.system,
        case_number="HOSPITAL",
        subjects=(SubjectRecord(injury_severity="hospitalised", hospitalised=True),),
    )
    make_incident(
        sa.system,
        case_number="TALKED-DOWN",
        events=(
            EventRecord(code="arrives", offset_seconds=0, actor_badge="O101"),
            EventRecord(code="voluntary_compliance", offset_seconds=60),
        ),
    )
    segments = _segments(sa)
    by_case = {row["incident_number"]: row for row in segments["incident"]}
    assert set(by_case) == {"SHOTS", "DEATH", "HOSPITAL"}
    assert by_case["SHOTS"]["qualifying_reasons"] == "firearm_discharge"
    assert by_case["DEATH"]["qualifying_reasons"] == "death"
    assert by_case["HOSPITAL"]["qualifying_reasons"] == "serious_bodily_injury"
    assert {row["ori"] for row in segments["incident"]} == {"IL0160000"}


def test_the_segments_describe_subjects_and_officers(small_agency: SmallAgency) -> None:
    make_incident(
        small_agency.system,
        case_number="SHOTS",
        badges=("O101", "S100"),
        events=_shooting(),
        subjects=(SubjectRecord(race="white", sex="male", age_band="25_34", armed_with="firearm"),),
    )
    segments = _segments(small_agency)
    (incident,) = segments["incident"]
    assert incident["incident_date"] == "2026-03-14"
    assert incident["incident_time"] == "21:05"
    assert incident["total_officers"] == "2"
    assert incident["officers_applying_force"] == "1"
    (subject,) = segments["subject"]
    assert subject["types_of_force"] == "firearm"
    assert subject["weapon"] == "firearm"
    assert subject["highest_resistance"] == "5"
    (officer,) = segments["officer"]  # only the officer who applied force
    assert officer["discharged_firearm"] == "true"
    assert officer["applied_force"] == "true"
    text = "".join(str(rows) for rows in segments.values())
    assert "O101" not in text
    assert "S100" not in text


def test_each_incident_appears_once_however_many_reasons(small_agency: SmallAgency) -> None:
    make_incident(
        small_agency.system,
        case_number="BOTH",
        events=_shooting(),
        subjects=(SubjectRecord(injury_severity="fatal"),),
    )
    (row,) = _segments(small_agency)["incident"]
    assert row["qualifying_reasons"] == "death;firearm_discharge"


def test_other_agencies_are_not_exported(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    make_incident(other_agency.system, case_number="THEIRS", events=_shooting())
    assert _segments(small_agency)["incident"] == []
