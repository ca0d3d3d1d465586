"""The streaming engine on small in-memory files: every problem has file, row, column, reason."""

from datetime import date
from typing import Any

import pytest

from steadyhand.imports.mapping.engine import Report, run
from steadyhand.imports.mapping.format import load_mapping_text
from steadyhand.imports.mapping.grouping import Grouper, ReopenedGroup
from steadyhand.imports.mapping.incidents import IncidentRecord
from steadyhand.imports.mapping.reader import FileSource
from steadyhand.imports.mapping_context import ImportContext

TODAY = date(2024, 6, 1)

MAPPING = """
name = "city"
key = ["case"]
max_open_groups = 3

[[files]]
pattern = "uof*.csv"
[files.columns]
case = { headers = ["Case No", "Case Number"], required = true }
when = { headers = ["Date"], type = "date", formats = ["%m/%d/%Y"], required = true }
officer = { headers = ["Officer"], required = true }
race = { headers = ["Race"], codes = "race" }
force = { headers = ["Force"], codes = "force", split = ";" }
district = "District"

[codes.race]
into = "races"
unknown = "reject"
[codes.race.values]
"W" = "white"
"B" = "black"

[codes.force]
into = "force_types"
unknown = "default"
default = "other_force"
[codes.force.values]
"Taser" = "cew"
"Takedown" = "takedown"

[incident]
case_number = "C-{case}"
occurred = "when"
district = "district"

[officer]
id = "officer"

[subject]
race = "race"

[[events]]
kind = "force"
code = "force"
"""

GOOD = (
    "Case No,Date,Officer,Race,Force,District\r\n"
    "1,01/02/2024,A,W,Taser; Takedown,North\r\n"
    "1,01/02/2024,B,W,Takedown,North\r\n"
    "2,02/03/2024,A,B,,South\r\n"
)


def _run(*files: tuple[str, bytes], mapping: str = MAPPING) -> tuple[Report, list[Any]]:
    chosen = load_mapping_text(mapping, label="city.toml", default_name="city")
    records: list[IncidentRecord] = []
    ctx = ImportContext(agency_id=1, timezone="America/Chicago", root_unit_id=1, unit_ids={},
                        today=TODAY)  # fmt: skip
    report = run(
        chosen, [FileSource.from_bytes(n, c) for n, c in files], context=ctx, today=TODAY,
        on_record=records.append,
    )  # fmt: skip
    return report, records


def _errors(report: Report) -> list[str]:
    return [str(e) for e in report.errors]


def test_rows_per_officer_group_into_one_incident_with_events_per_value() -> None:
    report, records = _run(("uof_2024.csv", GOOD.encode()))
    assert report.summary() == {
        "rows": 3, "incidents": 2, "involvements": 3, "officers": 2, "subjects": 2,
        "events": 3, "valid_rows": 3, "rejected_rows": 0, "errors": 0,
    }  # fmt: skip
    first = records[0]
    assert first.case_number == "C-1"
    assert [o.external_id for o in first.officers] == ["A", "B"]
    assert [(e.code, e.officer, e.force_level) for e in first.events] == [
        ("cew", "A", 4),
        ("takedown", "A", 3),
        ("takedown", "B", 3),
    ]
    assert first.force_used
    assert first.highest_force_level == 4
    assert records[1].events == []
    assert not records[1].force_used


def test_a_truncated_row_is_rejected_with_its_incident() -> None:
    text = GOOD + "3,03/03/2024,C\r\n"
    report, records = _run(("uof.csv", text.encode()))
    assert _errors(report) == [
        "uof.csv:5:Race: truncated row: it has 3 cells but the header has 6 columns "
        "(value: '3 cells')"
    ]
    assert report.summary()["rejected_rows"] == 1
    assert [r.source_key for r in records] == ["1", "2"]


def test_unknown_codes_are_rejected_when_the_mapping_says_so() -> None:
    text = GOOD.replace("2,02/03/2024,A,B", "2,02/03/2024,A,Q")
    report, records = _run(("uof.csv", text.encode()))
    assert _errors(report) == [
        "uof.csv:4:Race: unknown value for code list 'race' (known, ignoring case: 'b', 'w') "
        "(value: 'Q')"
    ]
    assert [r.source_key for r in records] == ["1"]
    assert report.counts["rejected_records"] == 1


def test_unknown_codes_take_the_default_when_the_mapping_says_so() -> None:
    text = GOOD.replace("Taser; Takedown", "Beanbag")
    _report, records = _run(("uof.csv", text.encode()))
    assert [e.code for e in records[0].events] == ["other_force", "takedown"]
    assert records[0].events[0].source_code == "Beanbag"


def test_dates_in_the_future_and_unparseable_dates_are_rejected() -> None:
    text = GOOD.replace("02/03/2024", "02/03/2025").replace("01/02/2024,B", "31/31/2024,B")
    report, records = _run(("uof.csv", text.encode()))
    assert _errors(report) == [
        "uof.csv:3:Date: not a date/time in the expected format '%m/%d/%Y' (value: '31/31/2024')",
        "uof.csv:4:Date: the date is in the future (today is 2024-06-01) (value: '02/03/2025')",
    ]
    assert records == []  # one bad row sinks its whole incident


def test_a_cp1252_file_is_read_as_windows_1252() -> None:
    text = GOOD.replace("North", "Côte")
    report, records = _run(("uof.csv", text.encode("cp1252")))
    assert report.errors == []
    assert report.files[0]["encoding"] == "cp1252"
    assert records[0].district == "Côte"


def test_a_utf8_bom_is_dropped_from_the_first_header() -> None:
    report, _records = _run(("uof.csv", b"\xef\xbb\xbf" + GOOD.encode()))
    assert report.errors == []
    assert report.counts["incidents"] == 2


def test_a_file_in_neither_encoding_is_fatal_and_names_the_line() -> None:
    mapping = MAPPING.replace('name = "city"', 'name = "city"\nencodings = ["utf-8"]')
    bad = (GOOD + "3,03/03/2024,C,W,Taser,Nord\xe9\r\n").encode("cp1252")
    report, records = _run(("uof.csv", bad),
                           mapping=mapping)  # fmt: skip
    assert report.fatal
    assert records == []
    assert _errors(report) == [
        "uof.csv:5:-: wrong encoding: byte 0xe9 on line 5 is neither UTF-8; save the file as "
        "UTF-8 and import it again (value: '0xe9')"
    ]


def test_header_drift_spaces_case_and_renames() -> None:
    drifted = GOOD.replace("Case No,Date", " CASE  NUMBER ,  date")
    report, records = _run(("uof.csv", drifted.encode()))
    assert report.errors == []
    assert len(records) == 2


def test_a_missing_required_column_is_fatal() -> None:
    report, records = _run(("uof.csv", GOOD.replace("Officer", "Cop").encode()))
    assert report.fatal
    assert records == []
    assert _errors(report) == [
        "uof.csv:1:officer: required column is missing (looked for 'officer', ignoring case and "
        "spaces)"
    ]


def test_a_file_the_mapping_does_not_know_is_fatal() -> None:
    report, _records = _run(("complaints.csv", GOOD.encode()))
    assert report.fatal
    assert "the file name matches none of the mapping's patterns (uof*.csv)" in _errors(report)[0]


def test_rows_of_one_incident_beyond_the_window_are_fatal_not_half_loaded() -> None:
    rows = ["1,01/02/2024,A,W,,N", "2,01/02/2024,A,W,,N", "3,01/02/2024,A,W,,N",
            "4,01/02/2024,A,W,,N", "5,01/02/2024,A,W,,N", "1,01/02/2024,B,W,,N"]  # fmt: skip
    text = "Case No,Date,Officer,Race,Force,District\r\n" + "\r\n".join(rows) + "\r\n"
    report, _records = _run(("uof.csv", text.encode()))
    assert report.fatal
    assert "uof.csv:7:Case No: rows of the record '1' are too far apart" in _errors(report)[0]


def test_the_window_keeps_unsorted_rows_together() -> None:
    rows = ["1,01/02/2024,A,W,,N", "2,01/02/2024,A,W,,N", "1,01/02/2024,B,W,,N",
            "3,01/02/2024,A,W,,N", "2,01/02/2024,C,W,,N"]  # fmt: skip
    text = "Case No,Date,Officer,Race,Force,District\r\n" + "\r\n".join(rows) + "\r\n"
    report, records = _run(("uof.csv", text.encode()))
    assert report.errors == []
    by_key = {r.source_key: [o.external_id for o in r.officers] for r in records}
    assert by_key == {"1": ["A", "B"], "2": ["A", "C"], "3": ["A"]}


def test_the_grouper_bounds_open_groups() -> None:
    grouper = Grouper(max_open=2)
    closed = [g.key for k in "abcab" for g in _safe(grouper, (k,))]
    assert closed == [("a",), ("b",)] or closed == [("a",)]
    assert grouper.peak_open == 2


def _safe(grouper: Grouper, key: tuple[str, ...]) -> list[Any]:
    try:
        return list(grouper.add(key, object()))
    except ReopenedGroup:
        return []


RELATED = MAPPING.replace(
    "[codes.race]",
    """[[files]]
name = "subjects"
pattern = "subjects*.csv"
role = "related"
join = ["subject_case"]
feeds = ["subject"]
[files.columns]
subject_case = { headers = ["Case"], required = true }
subject_race = { headers = ["Race"], codes = "race" }

[codes.race]""",
).replace('[subject]\nrace = "race"', '[subject]\nrace = "subject_race"')


def test_related_files_join_the_main_file_by_key() -> None:
    main = GOOD.replace(",A,W,", ",A,,").replace(",B,W,", ",B,,").replace(",A,B,", ",A,,")
    subjects = "Case,Race\r\n1,B\r\n2,W\r\n9,W\r\n"
    report, records = _run(("uof.csv", main.encode()), ("subjects.csv", subjects.encode()),
                           mapping=RELATED)  # fmt: skip
    assert [(r.source_key, [s.race for s in r.subjects]) for r in records] == [
        ("1", ["black"]),
        ("2", ["white"]),
    ]
    assert _errors(report) == [
        "subjects.csv:4:Case: no record of the main file has this key (value: '9')"
    ]
    assert report.counts["related_rows"] == 3


@pytest.mark.parametrize("name", ["uof.csv.gz"])
def test_gzip_files_are_read_transparently(name: str) -> None:
    import gzip

    report, records = _run((name, gzip.compress(GOOD.encode())),
                           mapping=MAPPING.replace('"uof*.csv"', '"uof*.csv*"'))  # fmt: skip
    assert report.errors == []
    assert len(records) == 2


def test_a_rewrite_applies_to_the_cell_and_to_the_key() -> None:
    mapping = MAPPING.replace(
        'case = { headers = ["Case No", "Case Number"], required = true }',
        "case = { headers = [\"Case No\"], rewrite = ['^\\d{4}-0*(\\d+)$', '\\1'] }",
    )
    text = GOOD.replace("\r\n1,", "\r\n2024-0001,", 1)
    report, records = _run(("uof.csv", text.encode()), mapping=mapping)
    assert report.errors == []
    assert [(r.source_key, r.case_number, len(r.officers)) for r in records] == [
        ("1", "C-1", 2),
        ("2", "C-2", 1),
    ]


def test_a_bad_rewrite_is_a_mapping_error() -> None:
    from steadyhand.imports.mapping.format import MappingError

    mapping = MAPPING.replace(
        'case = { headers = ["Case No", "Case Number"], required = true }',
        "case = { headers = [\"Case No\"], rewrite = ['(', 'x'] }",
    )
    with pytest.raises(MappingError, match=r"files\[0\].columns.case.rewrite: not a regular"):
        _run(("uof.csv", GOOD.encode()), mapping=mapping)


def test_a_boolean_code_list_keeps_false_apart_from_blank() -> None:
    mapping = (
        MAPPING.replace(
            'district = "District"',
            'district = "District"\nhurt = { headers = ["Hurt"], codes = "yn" }',
        )
        .replace(
            "[incident]",
            '[codes.yn]\ninto = "booleans"\n[codes.yn.values]\n"Y" = true\n"N" = false\n'
            "\n[incident]",
        )
        .replace('district = "district"', 'district = "district"\nde_escalation_attempted = "hurt"')
    )
    text = GOOD.replace("District\r\n", "District,Hurt\r\n").replace("North\r\n", "North,N\r\n")
    _report, records = _run(("uof.csv", text.replace("South\r\n", "South,\r\n").encode()),
                            mapping=mapping)  # fmt: skip
    assert [r.de_escalation_attempted for r in records] == [False, None]
