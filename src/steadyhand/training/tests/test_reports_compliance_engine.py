"""The pure compliance engine: rolling windows at their edges, month ends, first periods."""

from datetime import date
from decimal import Decimal

import pytest

from steadyhand.agencies.models import Rank
from steadyhand.training.compliance import (
    NON_SWORN_RANKS,
    Completion,
    ComplianceStatus,
    MemberFacts,
    Rule,
    add_months,
    assess,
    drops_out_on,
    in_window,
    window_start,
)
from steadyhand.training.models import Setting

DEESC = 1
CRISIS = 2
ANNUAL = Rule(topic_id=DEESC, hours=Decimal("4"), period_months=12, due_soon_days=60)
VETERAN = MemberFacts(rank="officer", hire_date=date(2010, 1, 1))


def done(on: date, hours: str = "4", topic: int = DEESC, setting: str = "in_service") -> Completion:
    return Completion(topic_id=topic, setting=setting, completed_on=on, hours=Decimal(hours))


# Month arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 2, 29), -12, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 5, 31), -1, date(2025, 4, 30)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 6, 30), -60, date(2020, 6, 30)),
    ],
)
def test_add_months_keeps_the_day_or_falls_back_to_the_month_end(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


# The window's edges ------------------------------------------------------------------------------


def test_a_record_exactly_one_period_old_has_dropped_out() -> None:
    as_of = date(2025, 6, 15)
    assert not in_window(date(2024, 6, 15), as_of, 12)
    assert in_window(date(2024, 6, 16), as_of, 12)
    assert in_window(as_of, as_of, 12)  # completed on the day itself: counts
    assert not in_window(date(2025, 6, 16), as_of, 12)  # after "as of": not yet


def test_status_flips_on_the_day_the_period_is_complete() -> None:
    records = [done(date(2024, 6, 15))]
    on_last_day = assess(ANNUAL, VETERAN, records, date(2025, 6, 14))
    assert on_last_day.hours_in_window == Decimal("4")
    assert on_last_day.status == ComplianceStatus.DUE_SOON
    assert on_last_day.due_date == date(2025, 6, 14)
    a_period_later = assess(ANNUAL, VETERAN, records, date(2025, 6, 15))
    assert a_period_later.hours_in_window == 0
    assert a_period_later.status == ComplianceStatus.OVERDUE
    assert a_period_later.hours_missing == Decimal("4")
    assert a_period_later.due_date == date(2025, 6, 14)


def test_the_window_on_the_31st_starts_at_the_end_of_february() -> None:
    monthly = Rule(topic_id=DEESC, hours=Decimal("1"), period_months=1)
    as_of = date(2025, 3, 31)
    assert window_start(as_of, 1) == date(2025, 2, 28)
    assert assess(monthly, VETERAN, [done(date(2025, 2, 28), "1")], as_of).hours_in_window == 0
    assert assess(monthly, VETERAN, [done(date(2025, 3, 1), "1")], as_of).hours_in_window == 1


def test_feb_29_as_of_date_reaches_back_to_feb_28() -> None:
    as_of = date(2024, 2, 29)
    assert window_start(as_of, 12) == date(2023, 2, 28)
    assert assess(ANNUAL, VETERAN, [done(date(2023, 2, 28))], as_of).hours_in_window == 0
    assert assess(ANNUAL, VETERAN, [done(date(2023, 3, 1))], as_of).hours_in_window == 4


def test_a_feb_29_record_counts_through_feb_28_of_the_next_year() -> None:
    # The window of 28 February 2025 starts after 28 February 2024, so 29 February 2024 is
    # still inside; on 1 March 2025 the window starts after 1 March 2024 and it is out.
    records = [done(date(2024, 2, 29))]
    assert drops_out_on(date(2024, 2, 29), 12) == date(2025, 3, 1)
    last = assess(ANNUAL, VETERAN, records, date(2025, 2, 28))
    assert last.hours_in_window == 4
    assert last.due_date == date(2025, 2, 28)
    assert assess(ANNUAL, VETERAN, records, date(2025, 3, 1)).hours_in_window == 0


def test_a_record_of_the_31st_outlives_a_shorter_month() -> None:
    # On 29 February the 1-month window starts after 29 January, so 31 January still counts;
    # it drops out on 1 March.
    monthly = Rule(topic_id=DEESC, hours=Decimal("1"), period_months=1, due_soon_days=0)
    records = [done(date(2024, 1, 31), "1")]
    assert drops_out_on(date(2024, 1, 31), 1) == date(2024, 3, 1)
    assert assess(monthly, VETERAN, records, date(2024, 2, 29)).hours_in_window == 1
    overdue = assess(monthly, VETERAN, records, date(2024, 3, 1))
    assert overdue.hours_in_window == 0
    assert overdue.status == ComplianceStatus.OVERDUE
    assert overdue.due_date == date(2024, 2, 29)


# Statuses ----------------------------------------------------------------------------------------


def test_compliant_far_from_the_due_date() -> None:
    result = assess(ANNUAL, VETERAN, [done(date(2025, 5, 1))], date(2025, 6, 1))
    assert result.status == ComplianceStatus.COMPLIANT
    assert result.due_date == date(2026, 4, 30)
    assert result.hours_missing == 0
    assert result.days_to_due == 333


def test_due_soon_is_inclusive_of_its_last_day() -> None:
    records = [done(date(2024, 8, 1))]  # due 2025-07-31
    assert assess(ANNUAL, VETERAN, records, date(2025, 6, 1)).status == ComplianceStatus.DUE_SOON
    sixty_one_days_before = date(2025, 5, 31)
    assert (
        assess(ANNUAL, VETERAN, records, sixty_one_days_before).status == ComplianceStatus.COMPLIANT
    )


def test_the_due_date_is_set_by_the_oldest_record_still_needed() -> None:
    rule = Rule(topic_id=DEESC, hours=Decimal("4"), period_months=12, due_soon_days=0)
    records = [
        done(date(2024, 9, 1), "2"),  # needed: with it 2 + 2 = 4
        done(date(2025, 3, 1), "2"),
        done(date(2024, 7, 1), "2"),  # spare: 6 > 4, its drop-out does not matter
    ]
    result = assess(rule, VETERAN, records, date(2025, 6, 1))
    assert result.hours_in_window == 6
    assert result.due_date == date(2025, 8, 31)


def test_hours_short_in_window_means_overdue_with_the_missing_hours() -> None:
    records = [done(date(2025, 1, 10), "1.5")]
    result = assess(ANNUAL, VETERAN, records, date(2025, 6, 1))
    assert result.status == ComplianceStatus.OVERDUE
    assert result.hours_missing == Decimal("2.5")
    # Never met since hire: overdue since the end of the first period.
    assert result.due_date == date(2011, 1, 1)


def test_overdue_since_the_last_day_the_rule_was_met() -> None:
    records = [done(date(2023, 3, 10)), done(date(2025, 2, 1), "1")]
    result = assess(ANNUAL, VETERAN, records, date(2025, 6, 1))
    assert result.status == ComplianceStatus.OVERDUE
    assert result.due_date == date(2024, 3, 9)
    assert result.days_to_due == -449


def test_only_the_mandated_topic_and_setting_count() -> None:
    in_service_only = Rule(
        topic_id=DEESC, hours=Decimal("4"), period_months=12, setting=Setting.IN_SERVICE
    )
    records = [
        done(date(2025, 5, 1), "4", topic=CRISIS),
        done(date(2025, 5, 1), "4", setting=Setting.ACADEMY),
        done(date(2025, 5, 2), "1", setting=Setting.IN_SERVICE),
    ]
    result = assess(in_service_only, VETERAN, records, date(2025, 6, 1))
    assert result.hours_in_window == 1
    any_setting = Rule(topic_id=DEESC, hours=Decimal("4"), period_months=12)
    assert assess(any_setting, VETERAN, records, date(2025, 6, 1)).hours_in_window == 5


# Who it applies to -------------------------------------------------------------------------------


def test_ranks_outside_the_mandate_are_exempt() -> None:
    sergeants = Rule(
        topic_id=DEESC, hours=Decimal("4"), period_months=12, ranks=frozenset({"sergeant"})
    )
    officer = assess(sergeants, VETERAN, [], date(2025, 6, 1))
    assert officer.status == ComplianceStatus.EXEMPT
    assert officer.due_date is None
    sergeant = MemberFacts(rank="sergeant", hire_date=date(2010, 1, 1))
    assert assess(sergeants, sergeant, [], date(2025, 6, 1)).status == ComplianceStatus.OVERDUE


def test_without_ranks_every_sworn_rank_but_not_civilians() -> None:
    civilian = MemberFacts(rank="civilian", hire_date=date(2010, 1, 1))
    recruit = MemberFacts(rank="recruit", hire_date=date(2010, 1, 1))
    assert assess(ANNUAL, civilian, [], date(2025, 6, 1)).status == ComplianceStatus.EXEMPT
    assert assess(ANNUAL, recruit, [], date(2025, 6, 1)).status == ComplianceStatus.OVERDUE
    assert {Rank.CIVILIAN.value} == NON_SWORN_RANKS


# The first period after hire ---------------------------------------------------------------------


def test_a_new_member_is_due_one_period_after_hire() -> None:
    new = MemberFacts(rank="officer", hire_date=date(2025, 3, 1))
    early = assess(ANNUAL, new, [], date(2025, 6, 1))
    assert early.status == ComplianceStatus.FIRST_PERIOD
    assert early.due_date == date(2026, 3, 1)
    assert early.hours_missing == 4
    near = assess(ANNUAL, new, [], date(2026, 1, 1))
    assert near.status == ComplianceStatus.DUE_SOON
    on_the_day = assess(ANNUAL, new, [], date(2026, 3, 1))
    assert on_the_day.status == ComplianceStatus.DUE_SOON
    assert on_the_day.days_to_due == 0
    after = assess(ANNUAL, new, [], date(2026, 3, 2))
    assert after.status == ComplianceStatus.OVERDUE
    assert after.due_date == date(2026, 3, 1)


def test_a_new_member_who_trained_early_is_due_no_sooner_than_the_first_period_ends() -> None:
    new = MemberFacts(rank="officer", hire_date=date(2025, 3, 1))
    result = assess(ANNUAL, new, [done(date(2025, 3, 10))], date(2025, 6, 1))
    assert result.status == ComplianceStatus.COMPLIANT
    assert result.due_date == date(2026, 3, 9)
    # Trained before the hire date (academy): the first period's end still sets the date.
    before = assess(ANNUAL, new, [done(date(2024, 12, 1))], date(2025, 6, 1))
    assert before.status == ComplianceStatus.COMPLIANT
    assert before.due_date == date(2026, 3, 1)


def test_records_after_as_of_do_not_count() -> None:
    result = assess(ANNUAL, VETERAN, [done(date(2025, 6, 2))], date(2025, 6, 1))
    assert result.hours_in_window == 0
    assert result.status == ComplianceStatus.OVERDUE


def test_rules_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="more than 0 hours"):
        Rule(topic_id=1, hours=Decimal("0"), period_months=12)
    with pytest.raises(ValueError, match="at least 1 month"):
        Rule(topic_id=1, hours=Decimal("1"), period_months=0)
