"""The pure parser and checker: no database involved."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steadyhand.imports.roster import (
    COLUMNS,
    ExistingMember,
    RosterContext,
    RosterReport,
    RosterRow,
    RowAction,
    UnitRef,
    decode,
    load_order,
    validate_roster,
)
from steadyhand.imports.tests.factories import fixture_bytes

HEADER = ",".join(COLUMNS)
TODAY = date(2024, 6, 1)


def _context(*existing: ExistingMember, manageable: bool = True) -> RosterContext:
    return RosterContext(
        ranks={"officer": "Police officer", "sergeant": "Sergeant", "lieutenant": "Lieutenant"},
        statuses={"active": "Active", "leave": "On leave"},
        units={
            "PA-1": UnitRef(id=1, code="PA-1", name="Squad A1"),
            "PB-1": UnitRef(id=2, code="PB-1", name="Squad B1", manageable=manageable),
        },
        existing={m.badge: m for m in existing},
        today=TODAY,
    )


def _existing(badge: str, supervisor: str = "", **fields: object) -> ExistingMember:
    values: dict[str, object] = {
        "id": int(badge[1:]),
        "version": 3,
        "badge": badge,
        "first_name": "Sam",
        "last_name": "Existing",
        "rank": "officer",
        "unit_code": "PA-1",
        "supervisor_badge": supervisor,
        "hire_date": date(2010, 1, 1),
        "status": "active",
    }
    values.update(fields)
    return ExistingMember(**values)  # type: ignore[arg-type]


def _check(text: str, context: RosterContext | None = None) -> RosterReport:
    return validate_roster(
        file_name="r.csv", content=text.encode("utf-8"), context=context or _context()
    )


def _triples(report: RosterReport) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.reason) for e in report.errors]


def test_a_clean_file_plans_creates_with_forward_supervisor_references() -> None:
    report = _check(
        f"{HEADER}\n"
        "A1,Ada,Moss,officer,PA-1,A2,2020-01-01,\n"
        "A2,Bo,Reed,sergeant,PA-1,,2015-01-01,leave\n"
    )
    assert report.errors == ()
    assert [(r.row, r.badge, r.action) for r in report.rows] == [
        (2, "A1", RowAction.CREATE),
        (3, "A2", RowAction.CREATE),
    ]
    assert [r.badge for r in load_order(report.rows)] == ["A2", "A1"]
    assert report.rows[1].status == "leave"
    assert report.rows[0].status == ""  # left empty: the loader makes new members active


def test_headers_ignore_case_spaces_and_hyphens() -> None:
    report = _check(
        " Badge ,FIRST NAME,last-name,Rank,Unit Code,supervisor badge,Hire_Date\n"
        "A1,Ada,Moss,Sergeant,pa-1,,2020-01-01\n"
    )
    assert report.errors == ()
    row = report.rows[0]
    # Rank accepted by its label in any case; the unit code matched without regard to case.
    assert (row.rank, row.unit_code, row.first_name) == ("sergeant", "PA-1", "Ada")


def test_missing_duplicate_and_unknown_columns_stop_the_whole_file() -> None:
    report = _check("badge,first_name,First Name,rank,unit,supervisor_badge,hire_date\nA1\n")
    assert report.fatal
    assert report.rows == ()
    assert _triples(report) == [
        (
            1,
            "unit",
            "unknown column; the columns are: " + ", ".join(COLUMNS) + ". Rename or remove it.",
        ),
        (1, "first_name", "the column appears twice (columns B and C)"),
        (1, "last_name", "required column is missing"),
        (1, "unit_code", "required column is missing"),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty; the first row must be the header: " + ", ".join(COLUMNS)),
        (HEADER.encode() + b"\r\n\r\n", "the file has a header but no member rows"),
    ],
)
def test_an_empty_file_is_reported(content: bytes, reason: str) -> None:
    report = validate_roster(file_name="r.csv", content=content, context=_context())
    assert report.fatal
    assert [e.reason for e in report.errors] == [reason]


def test_bytes_that_are_neither_utf8_nor_cp1252_name_their_line() -> None:
    # 0x81 is undefined in Windows-1252 and not valid UTF-8 on its own.
    content = f"{HEADER}\nA1,Ada,Moss,officer,PA-1,,2020-01-01,\nA2,B\x81".encode("latin-1")
    report = validate_roster(file_name="r.csv", content=content, context=_context())
    assert report.fatal
    (error,) = report.errors
    assert (error.row, error.value) == (3, "0x81")
    assert "neither UTF-8 nor Windows-1252" in error.reason


def test_encodings_from_spreadsheets_are_detected() -> None:
    assert decode(fixture_bytes("roster_utf8_bom.csv"))[1] == "utf-8"
    assert decode(fixture_bytes("roster_utf8_bom.csv"))[0].startswith("Badge")  # BOM dropped
    text, encoding = decode(fixture_bytes("roster_cp1252.csv"))
    assert encoding == "cp1252"
    assert "Renée,Nuñez" in text
    assert "Œuvrard" in text


def test_rows_are_numbered_like_a_spreadsheet_even_with_multiline_values() -> None:
    report = _check(
        f"{HEADER}\n"
        'A1,"Ada\nMarie",Moss,officer,PA-1,,2020-01-01,\n'
        "\n"  # a blank row still takes a row number
        "A2,Bo,Reed,general,PA-1,,2015-01-01,\n"
    )
    assert _triples(report)[0][:2] == (4, "rank")
    assert report.row_count == 2


def test_each_field_problem_is_reported_with_its_value() -> None:
    report = _check(
        f"{HEADER}\n"
        "A1,Ada,Moss,officer,PB-1,A1,2024-02-30,\n"
        f"{'B' * 21},,Reed,officer,PA-1,,2024-06-02,gone,extra\n",
        _context(manageable=False),
    )
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (2, "unit_code", "PB-1"),
        (2, "supervisor_badge", "A1"),
        (2, "hire_date", "2024-02-30"),
        (3, "", "9 cells"),
        (3, "badge", "B" * 21),
        (3, "first_name", ""),
        (3, "hire_date", "2024-06-02"),
        (3, "status", "gone"),
    ]
    reasons = [e.reason for e in report.errors]
    assert reasons[0].startswith("you may not add or change members in “Squad B1”")
    assert reasons[1] == "a member cannot be their own supervisor"
    assert reasons[2] == "no such date in the calendar"
    assert reasons[6] == "hire date is in the future (today is 2024-06-01)"


def test_existing_badges_are_updates_or_no_change() -> None:
    context = _context(_existing("X1"), _existing("X2"))
    report = _check(
        f"{HEADER}\n"
        "X1,Sam,Existing,officer,PA-1,,2010-01-01,\n"  # same values; empty status keeps it
        "X2,Sam,Existing,sergeant,PA-1,,2010-01-01,\n",
        context,
    )
    assert [(r.action, r.member_id, r.version) for r in report.rows] == [
        (RowAction.UNCHANGED, 1, 3),
        (RowAction.UPDATE, 2, 3),
    ]


def test_a_cycle_through_existing_members_is_found() -> None:
    # In the database X2 reports to X1; the file makes X1 report to X2.
    context = _context(_existing("X1"), _existing("X2", supervisor="X1"))
    report = _check(f"{HEADER}\nX1,Sam,Existing,officer,PA-1,X2,2010-01-01,\n", context)
    assert _triples(report) == [
        (
            2,
            "supervisor_badge",
            "supervisor cycle: X1 → X2 → X1; a member cannot supervise themselves, directly "
            "or through others",
        )
    ]


def test_rows_depending_on_a_bad_row_are_not_loadable() -> None:
    report = _check(
        f"{HEADER}\n"
        "A3,Cy,Lowe,officer,PA-1,A2,2020-01-01,\n"
        "A2,Bo,Reed,officer,PA-1,A1,2020-01-01,\n"
        "A1,Ada,Moss,colonel,PA-1,,2020-01-01,\n"
    )
    assert _triples(report) == [
        (
            2,
            "supervisor_badge",
            "the supervisor's own row (row 3) has errors, so this row cannot be loaded without it",
        ),
        (
            3,
            "supervisor_badge",
            "the supervisor's own row (row 4) has errors, so this row cannot be loaded without it",
        ),
        (4, "rank", "unknown rank; allowed values: officer, sergeant, lieutenant"),
    ]
    assert report.rows == ()


def test_an_existing_member_outside_the_actors_units_cannot_be_updated() -> None:
    context = _context(_existing("X1", manageable=False))
    report = _check(f"{HEADER}\nX1,Sam,Existing,officer,PA-1,,2010-01-01,\n", context)
    assert [(e.column, e.value) for e in report.errors] == [("badge", "X1")]


def test_progress_is_reported_row_by_row() -> None:
    calls: list[tuple[int, int | None]] = []
    validate_roster(
        file_name="r.csv",
        content=f"{HEADER}\nA1,Ada,Moss,officer,PA-1,,2020-01-01,\n\n".encode(),
        context=_context(),
        progress=lambda done, total, message: calls.append((done, total)),
    )
    assert calls == [(1, 2), (2, 2), (2, 2)]


def _row(badge: str, supervisor: str) -> RosterRow:
    return RosterRow(
        row=int(badge),
        badge=badge,
        first_name="A",
        last_name="B",
        rank="officer",
        unit_code="PA-1",
        supervisor_badge=supervisor,
        hire_date=TODAY,
        status="",
        action=RowAction.CREATE,
    )


@given(st.lists(st.integers(min_value=-1, max_value=40), min_size=1, max_size=40))
def test_load_order_puts_every_supervisor_first(parents: list[int]) -> None:
    # Row i's supervisor is a row with a smaller index (or nobody), so the chain has no loop;
    # the rows are then shuffled into reverse order, the worst case for forward references.
    rows = [_row(str(i), str(p % i) if i and p >= 0 else "") for i, p in enumerate(parents)][::-1]
    ordered = load_order(rows)
    assert sorted(r.badge for r in ordered) == sorted(r.badge for r in rows)
    position = {r.badge: n for n, r in enumerate(ordered)}
    for r in rows:
        if r.supervisor_badge:
            assert position[r.supervisor_badge] < position[r.badge]


def test_load_order_refuses_a_cycle() -> None:
    with pytest.raises(ValueError, match="cycle"):
        load_order([_row("1", "2"), _row("2", "1")])
