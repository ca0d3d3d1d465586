"""Mandate compliance as pure arithmetic: plain data in, a typed result out, no ORM.

A mandate (``Rule``) asks for ``hours`` of one topic in every rolling period of
``period_months``. For one member, their completed training records and an "as of" date,
``assess`` says whether the member meets it, how many hours count, how many are missing and by
which date they must complete more. ``docs/training-reports.md`` explains the same rules for
the people who read the report.

The rules, each tested at its edges:

* **Window.** On day ``as_of`` the window is ``(as_of - period, as_of]``: a record completed
  exactly ``period`` months before ``as_of`` no longer counts; one completed on ``as_of``
  does. Records after ``as_of`` are ignored.
* **Month arithmetic.** ``as_of - period`` keeps the day of the month and falls back to the
  month's last day when that day does not exist: 31 March - 1 month = 28 (or 29) February,
  29 February 2024 - 12 months = 28 February 2023.
* **Due date.** The last day on which the member meets the mandate without more training: the
  day before the oldest record they still need drops out of the window. For an overdue member
  it is the last day they met it (so "overdue since" is the day after).
* **First period.** A member hired less than one period ago is not overdue before
  ``hire_date + period`` (inclusive): until then the mandate is due on that date even if no
  hours count yet. Records from before the hire date count like any other while in the window.
* **Who it applies to.** A rule with ``ranks`` applies to members of those ranks only; without
  ranks it applies to every sworn rank (everyone but civilian staff). Others are exempt.
* **Due soon.** Due within ``due_soon_days`` days of ``as_of`` (inclusive).
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0")

# Ranks that are not sworn (mirrors ``agencies.models.Rank.CIVILIAN``; a test keeps them equal).
NON_SWORN_RANKS = frozenset({"civilian"})


class ComplianceStatus(StrEnum):
    COMPLIANT = "compliant"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    FIRST_PERIOD = "first_period"
    EXEMPT = "exempt"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ComplianceStatus.COMPLIANT: "Compliant",
    ComplianceStatus.DUE_SOON: "Due soon",
    ComplianceStatus.OVERDUE: "Overdue",
    ComplianceStatus.FIRST_PERIOD: "In first period",
    ComplianceStatus.EXEMPT: "Exempt",
}


@dataclass(frozen=True)
class Rule:
    """A mandate: ``hours`` of ``topic_id`` per rolling ``period_months``.

    ``setting`` ("academy" or "in_service") counts only courses of that setting; empty counts
    every setting. ``ranks`` empty means every sworn rank.
    """

    topic_id: int
    hours: Decimal
    period_months: int
    ranks: frozenset[str] = frozenset()
    setting: str = ""
    due_soon_days: int = 60

    def __post_init__(self) -> None:
        if self.hours <= 0:
            raise ValueError(f"A mandate needs more than 0 hours (got {self.hours}).")
        if self.period_months < 1:
            raise ValueError(f"A mandate's period is at least 1 month (got {self.period_months}).")
        if self.due_soon_days < 0:
            raise ValueError("due_soon_days cannot be negative.")

    def applies_to(self, rank: str) -> bool:
        if self.ranks:
            return rank in self.ranks
        return rank not in NON_SWORN_RANKS


@dataclass(frozen=True)
class MemberFacts:
    rank: str
    hire_date: date


@dataclass(frozen=True)
class Completion:
    """One completed training record: its course's topic and setting, date and hours."""

    topic_id: int
    setting: str
    completed_on: date
    hours: Decimal


@dataclass(frozen=True)
class Compliance:
    status: ComplianceStatus
    hours_required: Decimal
    hours_in_window: Decimal
    window_start: date  # exclusive
    window_end: date  # inclusive: the "as of" date
    due_date: date | None  # None only for exempt members

    @property
    def hours_missing(self) -> Decimal:
        return max(ZERO, self.hours_required - self.hours_in_window)

    @property
    def days_to_due(self) -> int | None:
        """Days from "as of" to the due date; negative when overdue."""
        if self.due_date is None:
            return None
        return (self.due_date - self.window_end).days


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` (negative: back), clamped to the last day of the month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def window_start(as_of: date, period_months: int) -> date:
    """The exclusive start of the window that ends (inclusively) on ``as_of``."""
    return add_months(as_of, -period_months)


def in_window(completed_on: date, as_of: date, period_months: int) -> bool:
    return window_start(as_of, period_months) < completed_on <= as_of


def drops_out_on(completed_on: date, period_months: int) -> date:
    """The first day on which a record completed on ``completed_on`` no longer counts.

    Usually ``completed_on + period``; later by a day or three when the month-end fallback
    moves the window start back (a record of 31 January drops out on 1 March, not on
    29 February, because the window of 29 February starts after 29 January).
    """
    day = add_months(completed_on, period_months)
    while window_start(day, period_months) < completed_on:
        day += timedelta(days=1)
    return day


def counts_toward(rule: Rule, record: Completion) -> bool:
    return record.topic_id == rule.topic_id and (not rule.setting or record.setting == rule.setting)


def hours_on(rule: Rule, records: Iterable[Completion], day: date) -> Decimal:
    """Hours of ``records`` that count toward ``rule`` in the window ending on ``day``."""
    return sum(
        (
            r.hours
            for r in records
            if counts_toward(rule, r) and in_window(r.completed_on, day, rule.period_months)
        ),
        ZERO,
    )


def _last_day_still_met(rule: Rule, in_window_records: list[Completion]) -> date:
    """For records that meet the rule now: the last day they still will, as the oldest drop out.

    Records leave the window oldest first; the due date is the day before the one whose loss
    takes the total below the requirement.
    """
    remaining = sum((r.hours for r in in_window_records), ZERO)
    for record in sorted(in_window_records, key=lambda r: r.completed_on):
        remaining -= record.hours
        if remaining < rule.hours:
            return drops_out_on(record.completed_on, rule.period_months) - timedelta(days=1)
    raise ValueError("The records do not meet the rule to begin with.")  # pragma: no cover


def assess(
    rule: Rule, member: MemberFacts, records: Iterable[Completion], as_of: date
) -> Compliance:
    """Where ``member`` stands on ``rule`` on ``as_of``; see the module docstring for the rules."""
    relevant = [r for r in records if counts_toward(rule, r) and r.completed_on <= as_of]
    start = window_start(as_of, rule.period_months)
    current = [r for r in relevant if r.completed_on > start]
    hours = sum((r.hours for r in current), ZERO)

    def result(status: ComplianceStatus, due: date | None) -> Compliance:
        return Compliance(
            status=status,
            hours_required=rule.hours,
            hours_in_window=hours,
            window_start=start,
            window_end=as_of,
            due_date=due,
        )

    if not rule.applies_to(member.rank):
        return result(ComplianceStatus.EXEMPT, None)
    first_period_ends = add_months(member.hire_date, rule.period_months)
    if hours >= rule.hours:
        due = max(_last_day_still_met(rule, current), first_period_ends)
    elif as_of <= first_period_ends:
        due = first_period_ends
    else:
        # Overdue: the last day they met the rule. Standing only ends the day after the first
        # period or on a day a record drops out, so those are the days to look at.
        candidates = [first_period_ends] + [
            drops_out_on(r.completed_on, rule.period_months) - timedelta(days=1) for r in relevant
        ]
        due = max(
            day
            for day in candidates
            if day < as_of
            and (day <= first_period_ends or hours_on(rule, relevant, day) >= rule.hours)
        )
        return result(ComplianceStatus.OVERDUE, due)
    if (due - as_of).days <= rule.due_soon_days:
        return result(ComplianceStatus.DUE_SOON, due)
    if hours >= rule.hours:
        return result(ComplianceStatus.COMPLIANT, due)
    return result(ComplianceStatus.FIRST_PERIOD, due)
