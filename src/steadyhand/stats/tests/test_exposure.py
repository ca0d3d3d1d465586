"""Exposure import: clear errors by line and field, all or nothing, and the months refreshed."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from steadyhand.core.testing import SmallAgency
from steadyhand.stats.exposure import parse_exposure
from steadyhand.stats.models import MonthlyExposure
from steadyhand.stats.selectors import monthly_table, pivot

GOOD = 'month,unit,district,calls,arrests\n2026-01,PA-1,D1,"1,200",40\n2026-02,PB-1,,900,\n'


def test_parse_reports_each_bad_field() -> None:
    result = parse_exposure(
        [
            "month,unit,district,calls,arrests\n",
            "2026-13,A1,,12,3\n",
            "2026-01,,,-4,x\n",
            "2026-02,A1,,5,1\n",
            "2026-02,A1,,6,1\n",
        ]
    )
    assert result.errors == [
        "line 2, month: '2026-13' is not a month; write YYYY-MM.",
        "line 3, unit: empty; write the unit's code.",
        "line 3, calls: '-4' is not a whole number of 0 or more.",
        "line 3, arrests: 'x' is not a whole number of 0 or more.",
        "line 5: repeats line 4 (same month, unit, district).",
    ]


def test_parse_names_missing_columns() -> None:
    assert (
        parse_exposure(["month,unit\n"])
        .errors[0]
        .startswith("header: missing column(s) calls, arrests")
    )


def test_import_writes_and_refreshes(small_agency: SmallAgency, tmp_path: Path) -> None:
    path = tmp_path / "exposure.csv"
    path.write_text(GOOD)
    call_command("import-exposure", "--agency", small_agency.agency.slug, str(path))
    assert MonthlyExposure.objects.filter(agency=small_agency.agency).count() == 2
    table = pivot(
        monthly_table(
            agency=small_agency.agency,
            measures=["calls", "exposure_arrests"],
            start=date(2026, 1, 1),
            end=date(2026, 2, 1),
        )
    )
    assert table[date(2026, 1, 1)] == {"calls": 1200, "exposure_arrests": 40}
    assert table[date(2026, 2, 1)] == {"calls": 900, "exposure_arrests": 0}


def test_unknown_unit_imports_nothing(small_agency: SmallAgency, tmp_path: Path) -> None:
    path = tmp_path / "exposure.csv"
    path.write_text(GOOD + "2026-03,ZZ,,1,1\n")
    with pytest.raises(CommandError, match="line 4: unit: no unit with code 'ZZ'"):
        call_command("import-exposure", "--agency", small_agency.agency.slug, str(path))
    assert not MonthlyExposure.objects.exists()
