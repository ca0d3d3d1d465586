from datetime import date, datetime, time

import pytest

from steadyhand.imports.mapping.values import (
    ValueProblem,
    age_band,
    fold,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_int,
    parse_time,
    split_values,
)


def test_fold_trims_collapses_and_casefolds() -> None:
    assert fold("  Tensed     ") == "tensed"
    assert fold("Date  Occurred") == "date occurred"


def test_multi_values_split_on_any_separator_and_drop_blanks() -> None:
    assert split_values("A; B ;;C", ";") == ["A", "B", "C"]
    assert split_values("A, B; C", ";,") == ["A", "B", "C"]
    assert split_values("  ", ";") == []


def test_dates_try_each_format() -> None:
    formats = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y")
    assert parse_datetime("06/07/2014 12:09:00 AM", formats) == datetime(2014, 6, 7, 0, 9)
    assert parse_date("06/15/2016", formats) == date(2016, 6, 15)
    with pytest.raises(ValueProblem, match="expected format '%m/%d/%Y %I:%M:%S %p' or '%m/%d/%Y'"):
        parse_date("2016-13-45", formats)


def test_times_accept_dropped_leading_zeros() -> None:
    assert parse_time("230", ("%H%M",)) == time(2, 30)
    assert parse_time("0215", ("%H%M",)) == time(2, 15)
    with pytest.raises(ValueProblem):
        parse_time("2561", ("%H%M",))


def test_numbers_booleans_and_age_bands() -> None:
    assert parse_int("26.0") == 26
    with pytest.raises(ValueProblem):
        parse_int("26.5")
    assert parse_bool("Yes", {"yes"}, {"no"}) is True
    with pytest.raises(ValueProblem, match="expected yes or no"):
        parse_bool("refuse verbal commands", {"yes"}, {"no"})
    assert age_band(17) == "under_18"
    assert age_band(34) == "25_34"
    with pytest.raises(ValueProblem, match="between 0 and 120"):
        age_band(-1)
