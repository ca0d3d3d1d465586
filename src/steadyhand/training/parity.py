"""Parity of de-escalation and use-of-force hours, as pure arithmetic over aggregated rows.

The database does the counting (``selectors/reports.py`` groups completed enrolments by unit,
member or year, and by course, setting and parity group); this module turns those groups into
hours, rolls units up their tree and decides which fall below the target ratio. No ORM here:
plain, typed data in, typed results out.

* An enrolment's hours are its own ``hours`` when set (partial credit), else its course's total
  (the sum of the course's hours per delivery mode). Only completed enrolments reach this module.
* ratio = de-escalation hours ÷ use-of-force hours. It is undefined (``None``, shown "—") when
  there are no use-of-force hours: there is nothing to compare against.
* Below target means ``de-escalation < target * use-of-force``, compared exactly (not on the
  rounded ratio). A group with no use-of-force hours is never below target.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")

# The values of ``training.models.ParityGroup`` and ``Setting`` (a test keeps them equal).
DE_ESCALATION = "de_escalation"
USE_OF_FORCE = "use_of_force"
ACADEMY = "academy"
IN_SERVICE = "in_service"
COMBINED = "combined"
SETTINGS = (ACADEMY, IN_SERVICE, COMBINED)
# Hours of a course that has no delivery modes recorded, or of partial credit on such a course.
MODE_NOT_RECORDED = ""


@dataclass(frozen=True)
class Hours:
    """De-escalation and use-of-force hours of one group (a unit, a member, a year …)."""

    de_escalation: Decimal = ZERO
    use_of_force: Decimal = ZERO

    def __add__(self, other: "Hours") -> "Hours":
        return Hours(
            self.de_escalation + other.de_escalation, self.use_of_force + other.use_of_force
        )

    @property
    def ratio(self) -> Decimal | None:
        """De-escalation ÷ use of force, to two decimals; None when use of force is 0."""
        if self.use_of_force == 0:
            return None
        return (self.de_escalation / self.use_of_force).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def empty(self) -> bool:
        return self.de_escalation == 0 and self.use_of_force == 0

    def below(self, target: Decimal) -> bool:
        return self.use_of_force > 0 and self.de_escalation < target * self.use_of_force


@dataclass(frozen=True)
class ParityHours:
    """Hours in the academy and in-service, kept apart; ``combined`` adds them."""

    academy: Hours = field(default_factory=Hours)
    in_service: Hours = field(default_factory=Hours)

    def __add__(self, other: "ParityHours") -> "ParityHours":
        return ParityHours(self.academy + other.academy, self.in_service + other.in_service)

    @property
    def combined(self) -> Hours:
        return self.academy + self.in_service

    def for_setting(self, setting: str) -> Hours:
        if setting == ACADEMY:
            return self.academy
        if setting == IN_SERVICE:
            return self.in_service
        return self.combined


@dataclass(frozen=True)
class GroupRow:
    """One row of the database's GROUP BY: completed enrolments of one course in one group.

    ``at_course_hours`` counts the enrolments without their own hours (they earn the course's
    total each); ``own_hours`` sums the hours of those that carry their own.
    """

    key: int
    course_id: int
    setting: str
    parity_group: str
    at_course_hours: int
    own_hours: Decimal


def row_hours(row: GroupRow, course_totals: Mapping[int, Decimal]) -> Decimal:
    return row.at_course_hours * course_totals.get(row.course_id, ZERO) + row.own_hours


def _as_hours(parity_group: str, hours: Decimal) -> Hours:
    if parity_group == DE_ESCALATION:
        return Hours(de_escalation=hours)
    if parity_group == USE_OF_FORCE:
        return Hours(use_of_force=hours)
    return Hours()


def tally(rows: Iterable[GroupRow], course_totals: Mapping[int, Decimal]) -> dict[int, ParityHours]:
    """Hours per group key, academy and in-service apart. Topics of neither group are ignored."""
    result: dict[int, ParityHours] = defaultdict(ParityHours)
    for row in rows:
        hours = _as_hours(row.parity_group, row_hours(row, course_totals))
        if row.setting == ACADEMY:
            result[row.key] += ParityHours(academy=hours)
        elif row.setting == IN_SERVICE:
            result[row.key] += ParityHours(in_service=hours)
    return dict(result)


def roll_up(
    unit_paths: Mapping[int, str], own: Mapping[int, ParityHours]
) -> dict[int, ParityHours]:
    """Each unit's subtree total: its own members' hours plus those of every unit below it.

    ``unit_paths`` maps unit id → materialised path (``/1/4/9/``); only units named there get a
    total, so hours of units outside the reader's scope never reach an ancestor's row.
    """
    totals: dict[int, ParityHours] = {unit_id: ParityHours() for unit_id in unit_paths}
    for unit_id, hours in own.items():
        path = unit_paths.get(unit_id)
        if path is None:
            continue
        for part in path.strip("/").split("/"):
            ancestor = int(part)
            if ancestor in totals:
                totals[ancestor] += hours
    return totals


def hours_by_mode(
    rows: Iterable[GroupRow],
    course_modes: Mapping[int, Mapping[str, Decimal]],
    *,
    setting: str = COMBINED,
) -> dict[str, dict[str, Decimal]]:
    """Hours per parity group and delivery mode (lecture, role-play …) for ``setting``.

    A full completion earns each mode's hours; a completion with its own (partial) hours is
    split across the course's modes in proportion to their hours. Results are rounded to the
    hundredth, so a split may differ from its total by a cent.
    """
    result: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in rows:
        if setting != COMBINED and row.setting != setting:
            continue
        modes = course_modes.get(row.course_id, {})
        total = sum(modes.values(), ZERO)
        by_mode = result[row.parity_group]
        if total == 0:
            by_mode[MODE_NOT_RECORDED] += row.own_hours
            continue
        for mode, mode_hours in modes.items():
            by_mode[mode] += row.at_course_hours * mode_hours + row.own_hours * mode_hours / total
    return {
        group: {mode: hours.quantize(CENT, rounding=ROUND_HALF_UP) for mode, hours in modes.items()}
        for group, modes in result.items()
    }
