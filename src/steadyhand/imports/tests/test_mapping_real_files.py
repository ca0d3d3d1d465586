"""Every shipped mapping on its real files (../shared/data), counts asserted exactly.

The counts were computed once and checked against ../shared/data/README.md: Seattle 11,661 rows,
11,080 incidents, 1,217 officers; New Orleans 5,750 rows and 2,231 PIB file numbers (2,229
incidents load; 2 are left out because 5 of their rows have problems, listed below); Austin
2,886 + 3,302 + 3,293 + 3,595 = 13,076 rows; Minneapolis 12,925 rows. Pure (no database):
these run in a few seconds. Skipped when the data is absent; the excerpts in tests/data always run.
"""

import pytest

from steadyhand.imports.tests.incident_import_support import check, excerpt_paths, real_paths

EXPECTED = {
    "seattle": {
        "rows": 11661, "incidents": 11080, "involvements": 11103, "officers": 1217,
        "subjects": 11638, "events": 11661, "valid_rows": 11661, "rejected_rows": 0, "errors": 0,
    },
    # No officer id in the source: each report (RIN) is one involvement.
    "austin": {
        "rows": 13076, "incidents": 6686, "involvements": 13076, "officers": 13076,
        "subjects": 7383, "events": 24388, "valid_rows": 13076, "rejected_rows": 0, "errors": 0,
    },
    "new_orleans": {
        "rows": 5750, "incidents": 2229, "rejected_records": 2, "involvements": 3919,
        "officers": 3919, "subjects": 2686, "events": 5745, "valid_rows": 5745,
        "rejected_rows": 5, "errors": 5,
    },
    # No officers at all in the OpenIntro extract.
    "minneapolis": {
        "rows": 12925, "incidents": 5310, "involvements": 0, "officers": 0, "subjects": 5864,
        "events": 15969, "valid_rows": 12925, "rejected_rows": 0, "errors": 0,
    },
}  # fmt: skip

EXCERPT_EXPECTED = {
    "seattle": {"rows": 30, "incidents": 15, "involvements": 15, "officers": 15, "subjects": 30,
                "events": 30},
    "austin": {"rows": 30, "incidents": 25, "involvements": 30, "officers": 30, "subjects": 24,
               "events": 64},
    "new_orleans": {"rows": 30, "incidents": 15, "involvements": 28, "officers": 28,
                    "subjects": 15, "events": 30},
    "minneapolis": {"rows": 30, "incidents": 14, "involvements": 0, "officers": 0,
                    "subjects": 18, "events": 39},
}  # fmt: skip


@pytest.mark.parametrize("mapping", sorted(EXPECTED))
def test_real_file_counts(mapping: str) -> None:
    report = check(mapping, real_paths(mapping))
    assert not report.fatal
    assert report.summary() == EXPECTED[mapping]


def test_new_orleans_rejects_are_reported_with_file_row_column_and_reason() -> None:
    report = check("new_orleans", real_paths("new_orleans"))
    assert [str(e) for e in report.errors] == [
        f"NOPD_Use_of_Force_Incidents.csv:{row}:Officer Injured: expected yes or no (one of: "
        "0, 1, f, false, n, no, t, true, y, yes) (value: 'refuse verbal commands')"
        for row in (1534, 1535, 1536)
    ] + [
        f"NOPD_Use_of_Force_Incidents.csv:{row}:Subject Age: an age in years must be between 0 "
        "and 120 (value: '-1')"
        for row in (5345, 5346)
    ]


def test_austin_reads_four_years_of_drifting_headers() -> None:
    report = check("austin", real_paths("austin"))
    assert [(f["name"], f["rows"]) for f in report.files] == [
        ("R2R_2014.csv", 2886),
        ("R2R_2015.csv", 3302),
        ("R2R_2016.csv", 3293),
        ("R2R_2017.csv", 3595),
    ]


@pytest.mark.parametrize("mapping", sorted(EXCERPT_EXPECTED))
def test_excerpt_counts(mapping: str) -> None:
    report = check(mapping, excerpt_paths(mapping))
    assert report.errors == []
    summary = report.summary()
    assert {k: summary[k] for k in EXCERPT_EXPECTED[mapping]} == EXCERPT_EXPECTED[mapping]
