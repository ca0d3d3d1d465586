"""Small-cell suppression, attacked: no hidden number may be pinned by linear programming."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steadyhand.analytics.suppression import (
    CountTable,
    SuppressedTable,
    suppress_table,
    suppress_tables,
)
from steadyhand.analytics.tests.suppression_attack import (
    PublishedTable,
    attack,
    from_suppressed,
)

MONTHS = tuple(f"2025-{m:02d}" for m in range(1, 13))


def _table(key: str, counts: list[list[int]], margin: str | None = None) -> CountTable:
    return CountTable(
        key=key,
        row_labels=MONTHS[: len(counts)],
        column_labels=tuple(f"c{c}" for c in range(len(counts[0]))),
        counts=tuple(tuple(row) for row in counts),
        margin=margin,
    )


def _primary_only(table: CountTable, threshold: int, column_totals: bool) -> PublishedTable:
    """The broken suppressor: hides small numbers and nothing else."""

    def show(n: int) -> int | None:
        return None if 0 < n < threshold else n

    cols = list(zip(*table.counts, strict=True))
    return PublishedTable(
        key=table.key,
        margin=table.margin or f"table:{table.key}",
        row_labels=table.row_labels,
        column_labels=table.column_labels,
        cells=tuple(tuple(show(n) for n in row) for row in table.counts),
        row_totals=tuple(show(sum(row)) for row in table.counts),
        column_totals=tuple(show(sum(c)) for c in cols) if column_totals else None,
        grand_total=show(sum(map(sum, table.counts))) if column_totals else None,
    )


def _shown_numbers(table: SuppressedTable) -> list[int]:
    numbers = [v for row in table.cells for v in row if v is not None]
    numbers += [v for v in table.row_totals if v is not None]
    if table.column_totals is not None:
        numbers += [v for v in table.column_totals if v is not None]
        numbers += [table.grand_total] if table.grand_total is not None else []
    return numbers


# A district table with one small cell per row and column: primary suppression alone leaks.
PLANTED = [
    [25, 3, 40, 12],
    [30, 18, 22, 4],
    [11, 27, 0, 35],
    [45, 16, 19, 21],
]


def test_primary_only_is_broken_by_the_attack() -> None:
    published = _primary_only(_table("d", PLANTED), threshold=10, column_totals=True)
    result = attack([published])
    pinned = {k for k in result.pinned if k[0] == "cell"}
    # The 3 and the 4 are each alone in their row: the attacker recovers both exactly.
    assert ("cell", "d", "2025-01", "c1") in pinned
    assert ("cell", "d", "2025-02", "c3") in pinned
    lo, hi = result.intervals[("cell", "d", "2025-01", "c1")]
    assert lo == pytest.approx(3)
    assert hi == pytest.approx(3)


def test_complementary_suppression_defeats_the_attack() -> None:
    table = suppress_table(PLANTED, threshold=10)
    assert table.cells[0][1] is None
    assert table.cells[1][3] is None
    assert all(n >= 10 or n == 0 for n in _shown_numbers(table))
    result = attack([from_suppressed(table)])
    assert result.pinned == []
    # A single two-way table: integer bounds, so at least two whole values stay possible.
    assert result.narrowest >= 1 - 1e-9


def test_zeros_are_published_and_nothing_small_is() -> None:
    table = suppress_table([[0, 12, 5], [0, 0, 0], [14, 11, 10]], threshold=10)
    assert table.cells[1] == (0, 0, 0)
    assert table.cells[0][0] == 0
    assert table.cells[0][2] is None
    assert all(n >= 10 or n == 0 for n in _shown_numbers(table))


def test_a_bridge_between_two_safe_blocks_is_caught_by_the_audit() -> None:
    # Rows 0-1 × cols 0-1 and rows 2-3 × cols 2-3 are small blocks; the 5 at (0, 2) joins them.
    # Every row and column then has two hidden cells, yet the 5 is determined: the audit must
    # add complements until it is not.
    counts = [
        [3, 4, 5, 50],
        [2, 6, 40, 60],
        [70, 80, 7, 8],
        [90, 30, 9, 1],
    ]
    table = suppress_table(counts, threshold=10)
    assert attack([from_suppressed(table)]).pinned == []


def test_two_tables_sharing_month_totals_are_attacked_together() -> None:
    by_district = _table("by_district", [[20, 4, 16], [12, 30, 9]], margin="force")
    by_level = _table("by_level", [[5, 35], [44, 7]], margin="force")
    tables = suppress_tables([by_district, by_level], threshold=10, column_totals=True)
    assert tables[0].row_totals == tables[1].row_totals
    assert attack(from_suppressed(t) for t in tables).pinned == []


def test_shared_margins_must_agree() -> None:
    with pytest.raises(ValueError, match="disagree"):
        suppress_tables(
            [_table("a", [[5, 6]], margin="m"), _table("b", [[5, 7]], margin="m")],
            column_totals=False,
        )


def test_a_lower_threshold_hides_a_subset() -> None:
    counts = [[25, 3, 40, 12], [30, 18, 22, 4], [11, 7, 6, 35], [45, 16, 19, 21]]
    patterns = [
        {
            (r, c)
            for r, row in enumerate(suppress_table(counts, threshold=t).cells)
            for c, v in enumerate(row)
            if v is None
        }
        for t in range(1, 21)
    ]
    for lower, higher in itertools.pairwise(patterns):
        assert lower <= higher


# Hypothesis: random releases ------------------------------------------------------------------

small_counts = st.integers(min_value=0, max_value=25)


@st.composite
def tables(draw: st.DrawFn, min_rows: int = 1) -> list[list[int]]:
    rows = draw(st.integers(min_value=min_rows, max_value=6))
    cols = draw(st.integers(min_value=1, max_value=5))
    return draw(
        st.lists(st.lists(small_counts, min_size=cols, max_size=cols), min_size=rows, max_size=rows)
    )


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    counts=tables(), threshold=st.integers(min_value=1, max_value=12), column_totals=st.booleans()
)
def test_no_random_table_leaks(
    counts: list[list[int]], threshold: int, column_totals: bool
) -> None:
    table = suppress_table(counts, threshold=threshold, column_totals=column_totals)
    assert all(n >= threshold or n == 0 for n in _shown_numbers(table))
    result = attack([from_suppressed(table)])
    assert result.pinned == []
    # One two-way table: the bounds are whole numbers, so two or more values stay possible.
    assert result.narrowest >= 1 - 1e-9


@SETTINGS
@given(counts=tables(), split=st.data(), threshold=st.integers(min_value=2, max_value=12))
def test_no_random_pair_of_linked_tables_leaks(
    counts: list[list[int]], split: st.DataObject, threshold: int
) -> None:
    # A second table counting the same records by another category: same month totals.
    other = [
        _split_total(sum(row), split.draw(st.lists(small_counts, min_size=2, max_size=2)))
        for row in counts
    ]
    released = suppress_tables(
        [_table("a", counts, margin="m"), _table("b", other, margin="m")],
        threshold=threshold,
        column_totals=True,
    )
    assert attack(from_suppressed(t) for t in released).pinned == []


def _split_total(total: int, pair: list[int]) -> list[int]:
    """``total`` split into three non-negative parts, shaped by ``pair``."""
    a = min(total, pair[0])
    b = min(total - a, pair[1])
    return [a, b, total - a - b]


@SETTINGS
@given(
    counts=tables(min_rows=2),
    low=st.integers(min_value=2, max_value=8),
    extra=st.integers(min_value=1, max_value=6),
)
def test_releases_over_months_and_thresholds_leak_nothing_together(
    counts: list[list[int]], low: int, extra: int
) -> None:
    """Everything ever downloaded about one year: each month of the running year at two
    thresholds, then the closed year at both. Only the lower threshold's hidden numbers are
    promised (the higher release hides more, which the lower one shows by the agency's choice)."""
    downloads: list[PublishedTable] = []
    for threshold in (low, low + extra):
        for months in range(1, len(counts) + 1):
            running = suppress_table(counts[:months], threshold=threshold, column_totals=False)
            downloads.append(_labelled(running, months))
        closed = suppress_table(counts, threshold=threshold, column_totals=True)
        downloads.append(_labelled(closed, len(counts)))
    assert attack(downloads).pinned == []


def _labelled(table: SuppressedTable, months: int) -> PublishedTable:
    published = from_suppressed(table)
    return PublishedTable(
        key="t",
        margin="m",
        row_labels=MONTHS[:months],
        column_labels=published.column_labels,
        cells=published.cells,
        row_totals=published.row_totals,
        column_totals=published.column_totals,
        grand_total=published.grand_total,
    )
