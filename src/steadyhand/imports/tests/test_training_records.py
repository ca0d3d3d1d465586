"""The training-records parser on its own: no database, only a ``TrainingContext``."""

from datetime import date
from decimal import Decimal

import pytest

from steadyhand.imports.roster import RowError
from steadyhand.imports.tests.factories import fixture_bytes
from steadyhand.imports.training_records import (
    NO_MEMBER,
    CourseRef,
    FileFormat,
    MemberRef,
    RowAction,
    TrainingContext,
    validate_training,
)

DE = CourseRef(id=10, code="DE-16", hours=Decimal("16"))
UOF = CourseRef(id=11, code="UOF-8", hours=Decimal("8"))
CIT = CourseRef(id=12, code="CIT-40", hours=Decimal("40"))


def _context(
    members: dict[str, MemberRef] | None = None,
    recorded: frozenset[tuple[int, int, date]] = frozenset(),
    course_code: str = "",
) -> TrainingContext:
    if members is None:
        members = {
            b: MemberRef(id=i, badge=b, hire_date=date(2015, 3, 1))
            for i, b in enumerate(["S100", "O101", "O201", "O301"], start=1)
        }
    return TrainingContext(
        members=members,
        courses={c.code: c for c in (DE, UOF, CIT)},
        recorded=recorded,
        today=date(2025, 6, 30),
        course_code=course_code,
    )


def _check(content: bytes | str, fmt: str = "standard", **context: object):  # type: ignore[no-untyped-def]
    data = content.encode() if isinstance(content, str) else content
    return validate_training(
        file_name="t.csv",
        content=data,
        file_format=fmt,
        context=_context(**context),  # type: ignore[arg-type]
    )


def test_a_valid_standard_file() -> None:
    report = _check(fixture_bytes("training_standard.csv"))
    assert report.errors == ()
    assert report.counts == {
        "rows": 4,
        "valid_rows": 4,
        "error_rows": 0,
        "errors": 0,
        "duplicates": 0,
        "matched": 4,
        "unmatched": 0,
    }
    first, second, third, _ = report.rows
    assert (first.row, first.member_id, first.course_id, first.completed_on) == (
        2,
        2,
        DE.id,
        date(2024, 3, 1),
    )
    assert (first.hours, first.score) == (None, Decimal("92"))
    assert (second.course_code, second.hours) == ("DE-16", Decimal("12"))  # code case ignored
    assert (third.hours, third.score) == (Decimal("8"), Decimal("75.5"))


def test_every_problem_names_row_column_value_and_reason() -> None:
    report = _check(fixture_bytes("training_standard_errors.csv"))
    assert [(e.row, e.column, e.value, e.reason) for e in report.errors] == [
        (3, "badge", "X999", NO_MEMBER),
        (
            4,
            "course_code",
            "NOPE",
            "unknown course code; no course of the agency's catalogue has this code",
        ),
        (5, "completed_on", "2024-02-30", "no such date in the calendar"),
        (
            6,
            "completed_on",
            "03/01/2024",
            "not a date in YYYY-MM-DD form, e.g. 2016-07-22",
        ),
        (
            7,
            "hours",
            "-1",
            "the hours must be between 0.01 and 999.99, with at most two decimals",
        ),
        (8, "score", "101", "the score must be between 0 and 100, with at most two decimals"),
        (9, "badge", "", "required value is missing"),
        (
            11,
            "completed_on",
            "2999-01-01",
            "the completion date is in the future (today is 2025-06-30)",
        ),
    ]
    assert all(e.file_name == "t.csv" for e in report.errors)
    assert [r.row for r in report.rows] == [2]
    # Row 10 repeats row 2: skipped and counted, not an error.
    assert [(d.row, d.note) for d in report.duplicates] == [(10, "the same completion is on row 2")]
    counts = report.counts
    assert (counts["rows"], counts["error_rows"], counts["duplicates"]) == (10, 8, 1)
    assert (counts["matched"], counts["unmatched"]) == (9, 1)


def test_a_completion_already_recorded_is_a_duplicate() -> None:
    report = _check(
        "badge,course_code,completed_on\nO101,DE-16,2024-03-01\nO101,DE-16,2024-03-02\n",
        recorded=frozenset({(2, DE.id, date(2024, 3, 1))}),
    )
    assert [(d.row, d.action, d.note) for d in report.duplicates] == [
        (2, RowAction.DUPLICATE, "already recorded")
    ]
    assert [r.row for r in report.rows] == [3]


def test_the_chosen_course_fills_empty_course_codes() -> None:
    text = "badge,course_code,completed_on\nO101,,2024-03-01\nO201,UOF-8,2024-03-01\n"
    assert [e.reason for e in _check(text).errors] == [
        "required value is missing (or choose a course for the whole file)"
    ]
    report = _check(text, course_code="DE-16")
    assert [r.course_code for r in report.rows] == ["DE-16", "UOF-8"]
    # With a chosen course the column itself may be absent.
    report = _check("badge,completed_on\nO101,2024-03-01\n", course_code="DE-16")
    assert [r.course_code for r in report.rows] == ["DE-16"]


def test_badges_match_without_leading_zeros_when_unambiguous() -> None:
    members = {
        "04568": MemberRef(id=1, badge="04568"),
        "12": MemberRef(id=2, badge="12"),
        "012": MemberRef(id=3, badge="012"),
    }
    report = _check(
        "badge,course_code,completed_on\n4568,DE-16,2024-01-01\n0012,DE-16,2024-01-01\n",
        members=members,
    )
    assert [r.member_id for r in report.rows] == [1]
    assert [(e.row, e.reason) for e in report.errors] == [(3, NO_MEMBER)]


@pytest.mark.parametrize(
    ("header", "column", "reason"),
    [
        (
            "badge,course,completed_on",
            "course",
            "unknown column for the Steadyhand training records format; its columns are: badge, "
            "course_code, completed_on, hours, score. Is this the right format?",
        ),
        ("badge,course_code", "completed_on", "required column is missing"),
        (
            "badge,badge,course_code,completed_on",
            "badge",
            "the column appears twice (columns A and B)",
        ),
    ],
)
def test_header_problems_refuse_the_whole_file(header: str, column: str, reason: str) -> None:
    report = _check(f"{header}\nO101,DE-16,2024-01-01\n")
    assert report.fatal
    assert (report.errors[0].row, report.errors[0].column, report.errors[0].reason) == (
        1,
        column,
        reason,
    )
    assert report.rows == ()
    assert report.counts["matched"] == 0


def test_a_cit40_file_needs_a_chosen_course_in_the_catalogue() -> None:
    content = fixture_bytes("cit40_excerpt.csv")
    assert [e.reason for e in _check(content, "cit40").errors] == [
        "choose the course these records are completions of (e.g. CIT-40)"
    ]
    assert [e.reason for e in _check(content, "cit40", course_code="NOPE").errors] == [
        "the chosen course is not in the agency's catalogue"
    ]


def test_the_cit40_excerpt_maps_star_badge_and_session_end_date() -> None:
    members = {
        "18439": MemberRef(id=1, badge="18439", hire_date=date(1992, 1, 2)),
        "4568": MemberRef(id=2, badge="4568", hire_date=date(2000, 2, 28)),
        "12849": MemberRef(id=3, badge="12849", hire_date=date(2000, 10, 10)),
        # Hired on another day than the file's appointment date: not the same officer.
        "1593": MemberRef(id=4, badge="1593", hire_date=date(2011, 1, 1)),
    }
    report = validate_training(
        file_name="cit40_excerpt.csv",
        content=fixture_bytes("cit40_excerpt.csv"),
        file_format=FileFormat.CIT40,
        context=_context(members=members, course_code="CIT-40"),
    )
    assert report.row_count == 10
    assert [(r.row, r.badge, r.completed_on, r.course_code) for r in report.rows] == [
        (2, "18439", date(2004, 10, 29), "CIT-40"),
        (3, "4568", date(2004, 10, 29), "CIT-40"),
        (10, "12849", date(2004, 11, 19), "CIT-40"),
        (11, "12849", date(2012, 7, 13), "CIT-40"),  # certified again eight years later
    ]
    assert all(r.hours is None for r in report.rows)  # the course's 40 hours are credited
    unmatched = [e for e in report.errors if e.reason == NO_MEMBER]
    assert [(e.row, e.column, e.value) for e in unmatched] == [
        (5, "star_badge", "21311"),
        (6, "star_badge", "19858"),
        (7, "star_badge", "14067"),
        (8, "star_badge", "15380"),
        (9, "star_badge", "16930"),
    ]
    [mismatch] = [e for e in report.errors if e.reason != NO_MEMBER]
    assert (mismatch.row, mismatch.column, mismatch.value) == (
        4,
        "date_of_appointment",
        "1995-08-07",
    )
    assert mismatch.reason.startswith(
        "the member with badge 1593 was hired on 2011-01-01, not on this date"
    )
    assert report.counts == {
        "rows": 10,
        "valid_rows": 4,
        "error_rows": 6,
        "errors": 6,
        "duplicates": 0,
        "matched": 5,
        "unmatched": 5,
    }


def test_a_cit40_date_may_omit_the_time_but_not_be_malformed() -> None:
    header = "star_badge,session_end_date\n"
    members = {"7": MemberRef(id=1, badge="7")}
    report = _check(
        header + "7,2016-07-22\n7,2016-07-23 09:30\n7,22/07/2016 16:00\n",
        "cit40",
        members=members,
        course_code="CIT-40",
    )
    assert [r.completed_on for r in report.rows] == [date(2016, 7, 22), date(2016, 7, 23)]
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (4, "session_end_date", "not a date in YYYY-MM-DD form, e.g. 2016-07-22 16:00")
    ]


def test_an_unreadable_or_empty_file_is_refused() -> None:
    assert _check(b"\x81\x8d\x8f").errors[0].reason.startswith("the file is neither UTF-8")
    assert _check("").errors[0].reason.startswith("the file is empty")
    assert _check("badge,course_code,completed_on\n\n").errors[0].reason == (
        "the file has a header but no rows of records"
    )


def test_extra_cells_and_a_byte_order_mark_are_handled() -> None:
    text = "badge,course_code,completed_on,score\r\nO101,DE-16,2024-01-01,90,extra\r\n"
    report = _check(text)
    assert [e.reason for e in report.errors] == [
        "the row has 5 cells but the header has 4 columns; is a value with a comma missing its "
        "quotes?"
    ]
    report = _check("badge,course_code,completed_on\nO101,DE-16,2024-01-01\n".encode("utf-8-sig"))
    assert report.errors == ()


def test_progress_is_reported_row_by_row() -> None:
    seen: list[tuple[int, int | None]] = []
    validate_training(
        file_name="t.csv",
        content=fixture_bytes("training_standard.csv"),
        file_format="standard",
        context=_context(),
        progress=lambda done, total, message: seen.append((done, total)),
    )
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4), (4, 4)]


def test_row_errors_round_trip_through_storage() -> None:
    error = _check(fixture_bytes("training_standard_errors.csv")).errors[0]
    assert RowError.from_dict(error.as_dict()) == error
    assert str(error) == "t.csv:3:badge: no member with this badge (value: 'X999')"
