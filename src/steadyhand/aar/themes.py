"""Aggregate themes across after-action reviews: what reviews keep finding, by quarter and unit.

Counts only, never content: for each group of reviews, in how many of them a decision point was
marked at each Critical Decision-Making Model step, and in how many an alternative tactic was
named that might have avoided force ("create distance" in 34% of reviews). Groups of fewer
than ``MIN_GROUP`` reviews are suppressed, and so is a second group when a single suppressed one
could be recovered from the quarter's total (``suppressed_groups``, shared with the surveys).

Pure: the selector hands over ``ReviewFacts``; nothing here touches the database.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from steadyhand import vocabulary as v
from steadyhand.training.selectors.surveys import suppressed_groups

MIN_GROUP = 5
CDM_PREFIX = "cdm:"
ALT_PREFIX = "alt:"


@dataclass(frozen=True)
class ReviewFacts:
    quarter: str  # "2026 Q3"
    unit_id: int
    categories: frozenset[str]  # "cdm:options", "alt:create_distance"


@dataclass(frozen=True)
class Cell:
    count: int
    percent: int


@dataclass(frozen=True)
class GroupRow:
    label: str
    reviews: int
    suppressed: bool
    cells: list[Cell | None]  # one per category, None when suppressed


@dataclass(frozen=True)
class QuarterBlock:
    quarter: str
    total: GroupRow
    units: list[GroupRow]


@dataclass(frozen=True)
class Themes:
    categories: list[tuple[str, str]]  # (key, label)
    quarters: list[QuarterBlock]
    min_group: int


def category_label(key: str) -> str:
    if key.startswith(CDM_PREFIX):
        step = v.CdmStep(key.removeprefix(CDM_PREFIX))
        return f"Decision point at {v.CDM_LABELS[step]}"
    code = key.removeprefix(ALT_PREFIX)
    term = v.TACTICS.get(code)
    return f"Alternative: {term.label if term else code}"


def _row(label: str, facts: list[ReviewFacts], keys: list[str], *, suppressed: bool) -> GroupRow:
    if suppressed:
        return GroupRow(label, len(facts), True, [None] * len(keys))
    cells: list[Cell | None] = []
    for key in keys:
        count = sum(1 for f in facts if key in f.categories)
        cells.append(Cell(count, round(100 * count / len(facts)) if facts else 0))
    return GroupRow(label, len(facts), False, cells)


def summarise(
    facts: Iterable[ReviewFacts], unit_labels: Mapping[int, str], *, min_group: int = MIN_GROUP
) -> Themes:
    facts = list(facts)
    alternatives = sorted({c for f in facts for c in f.categories if c.startswith(ALT_PREFIX)})
    keys = [f"{CDM_PREFIX}{step.value}" for step in v.CdmStep] + alternatives
    by_quarter: dict[str, dict[int, list[ReviewFacts]]] = defaultdict(lambda: defaultdict(list))
    for fact in facts:
        by_quarter[fact.quarter][fact.unit_id].append(fact)
    blocks = []
    for quarter in sorted(by_quarter, reverse=True):
        groups = by_quarter[quarter]
        everyone = [f for group in groups.values() for f in group]
        total_hidden = len(everyone) < min_group
        hidden = (
            set(groups)
            if total_hidden
            else suppressed_groups({u: len(g) for u, g in groups.items()}, min_group)
        )
        units = [
            _row(unit_labels.get(u, f"Unit {u}"), groups[u], keys, suppressed=u in hidden)
            for u in sorted(groups, key=lambda u: unit_labels.get(u, ""))
        ]
        total = _row("All units", everyone, keys, suppressed=total_hidden)
        blocks.append(QuarterBlock(quarter, total, units))
    return Themes([(k, category_label(k)) for k in keys], blocks, min_group)
