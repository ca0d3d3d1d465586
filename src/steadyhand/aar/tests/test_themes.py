"""Themes: counts by quarter and unit, small groups suppressed (with the complement)."""

import pytest

from steadyhand.aar.selectors import review_themes
from steadyhand.aar.tests.factories import Scene, reviewed
from steadyhand.aar.themes import ReviewFacts, summarise

DISTANCE = "alt:create_distance"


def _facts(quarter: str, unit: int, n: int, with_distance: int) -> list[ReviewFacts]:
    return [
        ReviewFacts(
            quarter,
            unit,
            frozenset({DISTANCE, "cdm:options"} if i < with_distance else {"cdm:assess"}),
        )
        for i in range(n)
    ]


def test_counts_and_shares_by_quarter_and_unit() -> None:
    facts = _facts("2026 Q1", 1, 6, 2) + _facts("2026 Q1", 2, 5, 5)
    themes = summarise(facts, {1: "Precinct A", 2: "Precinct B"})
    keys = [k for k, _ in themes.categories]
    (block,) = themes.quarters
    col = keys.index(DISTANCE)
    assert block.total.reviews == 11
    assert block.total.cells[col].count == 7  # type: ignore[union-attr]
    assert block.total.cells[col].percent == 64  # type: ignore[union-attr]
    a, b = block.units
    assert (a.label, a.cells[col].count, a.cells[col].percent) == ("Precinct A", 2, 33)  # type: ignore[union-attr]
    assert (b.label, b.cells[col].percent) == ("Precinct B", 100)  # type: ignore[union-attr]


def test_small_groups_are_suppressed_with_their_complement() -> None:
    facts = _facts("2026 Q2", 1, 9, 1) + _facts("2026 Q2", 2, 6, 6) + _facts("2026 Q2", 3, 2, 2)
    (block,) = summarise(facts, {1: "A", 2: "B", 3: "C"}).quarters
    shown = {row.label: row.suppressed for row in block.units}
    # C has 2 reviews: hidden. Alone it could be recovered from the total, so the smallest
    # shown group (B) is hidden too.
    assert shown == {"A": False, "B": True, "C": True}
    assert all(cell is None for cell in block.units[2].cells)
    assert not block.total.suppressed


def test_a_quarter_with_fewer_than_five_reviews_shows_nothing() -> None:
    (block,) = summarise(_facts("2026 Q3", 1, 4, 4), {1: "A"}).quarters
    assert block.total.suppressed
    assert all(row.suppressed for row in block.units)


@pytest.mark.django_db
def test_the_selector_counts_real_reviews_and_suppresses_one(scene: Scene) -> None:
    reviewed(scene)
    themes = review_themes(actor=scene.trainer)
    (block,) = themes.quarters
    assert block.total.reviews == 1
    assert block.total.suppressed
    assert review_themes(actor=scene.ia).quarters == []
