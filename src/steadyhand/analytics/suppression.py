"""Small-cell suppression of published count tables: primary and complementary.

Every public number (page, CSV, JSON feed) goes through ``suppress_tables``. The input is a set
of two-way count tables, rows = months, columns = a category (district, force level …), that are
released together; tables counting the same records by month declare the same ``margin`` key, so
they share one vector of month totals (e.g. force incidents by district and by highest level).

Published structure
-------------------
Each table publishes its cells and its month (row) totals. With ``column_totals=True`` (a closed
year) it also publishes one total per column and a grand total; with ``False`` (the year still
running) it publishes neither, because a year-to-date column total differenced against next
month's release would give the newest month's cells exactly.

Rules
-----
1. **Primary**: every published number ``0 < n < threshold`` (cells *and* totals) is hidden.
   Zeros are published: a count of nobody identifies nobody, hiding them would blank most of a
   small agency's table, and it keeps a property the guarantee below relies on (every hidden
   number is at least 1).
2. **Complementary, by rule**: a row, column or total line with exactly one hidden member gets a
   second one, the smallest positive published member (ties: first in table order); repeated
   until stable.
3. **Complementary, by audit**: the rule above misses patterns such as a hidden cell that is a
   *bridge* between two otherwise safe blocks, and links between tables through shared margins.
   So the whole release is written as one linear system (every published number an equation,
   every total the sum of its parts) and each hidden number is checked: it is *pinned* when the
   equations alone determine it (its coordinate is zero in every null-space vector). A pinned
   number gets a further complement from its own lines (else the nearest line of its block);
   repeated until nothing is pinned. Because every hidden number is ≥ 1 (rule 1), "not
   determined by the equations" is the same as "its interval under the equations and
   non-negativity has positive width": a null-space direction can be followed a little both ways
   without any hidden number becoming negative.
4. **Releases over time**: a month's row is first suppressed against its own row equations only,
   so its pattern does not depend on other months and is identical in every release that shows
   that month (the running year grows a month at a time). When the year closes, the column
   totals are added and complements for them are chosen *only among the new totals*: a number
   published in a monthly release is never hidden later (hiding it would achieve nothing and let
   the two releases be differenced). If no choice of totals protects a column, every positive
   column total is hidden, and any total that is still determined by the published months (so
   public already) is published.
5. **Thresholds**: the pattern is built level by level (hide the 1s, complete; then the 2s,
   complete; …), so the pattern at a lower threshold is a subset of the pattern at a higher one.
   Two releases at thresholds ``s < t`` together reveal exactly what the ``s`` release does.

Guarantee
---------
Let an attacker hold any number of releases of one agency made by this function from the same
data: any calendar years, the running year at any month, any thresholds, all tables of each.
For every hidden number of the release with the lowest threshold among them, the set of real
values satisfying all the published equalities (cells, month totals, column and grand totals,
shared margins between tables, the same numbers across releases) and non-negativity is an
interval of positive width: the number cannot be pinned by linear algebra or linear programming
(the attack in ``analytics/tests/test_suppression_attack.py`` and
``transparency/tests/test_attack.py``). Within one release this holds by construction (rule 3
audits it); across releases it follows from rules 4 and 5 and is checked by attacking a year's
every release at once. For one two-way table the interval bounds are integers, so at least two
whole values remain possible.

Not covered (stated so nobody relies on it): inequalities between *different* measures
(incidents ≥ incidents with force, cell by cell), which can narrow intervals and are not
audited; a protection *width* (a hidden 3 may be known to lie in
[2, 4]); revisions of past data between releases (a late report changes a month; the two
versions can be differenced); and groups that are wholly in one category (a published 12 of 12
sustained). Training hours are not counts of people and are not passed through here.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.linalg import null_space

DEFAULT_THRESHOLD = 10

# A numerically zero row of the null-space basis: the coordinate is determined.
_TOLERANCE = 1e-9

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CountTable:
    """One two-way table of counts before suppression.

    Attributes
    ----------
    key : str
        Unique within a release; names the table in results and in variable keys.
    row_labels, column_labels : tuple of str
        Rows are months in every table we publish; tables sharing a ``margin`` must have the
        same rows.
    counts : tuple of tuple of int
        ``counts[r][c] >= 0``.
    margin : str or None
        Tables that count the same records per row (their row totals are equal) share this key,
        so their month totals are one published number, not two to difference.
    """

    key: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    margin: str | None = None

    def __post_init__(self) -> None:
        if len(self.counts) != len(self.row_labels):
            raise ValueError(
                f"Table {self.key!r}: {len(self.counts)} rows of counts for "
                f"{len(self.row_labels)} row labels."
            )
        for r, row in enumerate(self.counts):
            if len(row) != len(self.column_labels):
                raise ValueError(
                    f"Table {self.key!r}, row {r}: {len(row)} counts for "
                    f"{len(self.column_labels)} columns."
                )
            if any(int(n) != n or n < 0 for n in row):
                raise ValueError(f"Table {self.key!r}, row {r}: counts must be whole and ≥ 0.")


@dataclass(frozen=True)
class SuppressedTable:
    """A table as published: ``None`` marks a hidden number.

    ``column_totals`` and ``grand_total`` are ``None`` as a whole when the release does not
    publish them (the running year); otherwise each entry is a number or ``None`` (hidden).
    """

    key: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...] | None
    grand_total: int | None
    margin: str
    threshold: int

    @property
    def hidden_count(self) -> int:
        """How many cells and totals of this table are hidden."""
        n = sum(v is None for row in self.cells for v in row)
        n += sum(v is None for v in self.row_totals)
        if self.column_totals is not None:
            n += sum(v is None for v in self.column_totals) + (self.grand_total is None)
        return n


# The linear system ----------------------------------------------------------------------------


@dataclass
class _System:
    """Every published number as a variable; every "total = sum of parts" as an equation."""

    keys: list[tuple[object, ...]]
    values: list[int]
    stage: list[int]  # 1: shown in monthly releases; 2: only once the year closes
    equations: list[tuple[int, list[int], list[int]]]  # (stage, variables, coefficients)

    def var(self, key: tuple[object, ...], value: int, stage: int) -> int:
        index = self._index.get(key)
        if index is None:
            index = len(self.keys)
            self._index[key] = index
            self.keys.append(key)
            self.values.append(value)
            self.stage.append(stage)
        elif self.values[index] != value:
            raise ValueError(
                f"Tables sharing margin {key[1]!r} disagree on {key}: {self.values[index]} and "
                f"{value}. Give them different margin keys, or fix the counts."
            )
        return index

    def __post_init__(self) -> None:
        self._index: dict[tuple[object, ...], int] = {}


def _margin(table: CountTable) -> str:
    return table.margin or f"table:{table.key}"


def _build(tables: Sequence[CountTable], *, column_totals: bool) -> _System:
    system = _System(keys=[], values=[], stage=[], equations=[])
    rows_of: dict[str, tuple[str, ...]] = {}
    grand_done: set[str] = set()
    for table in tables:
        margin = _margin(table)
        if rows_of.setdefault(margin, table.row_labels) != table.row_labels:
            raise ValueError(f"Tables sharing margin {margin!r} must have the same rows.")
        counts = [[int(n) for n in row] for row in table.counts]
        cells = [
            [system.var(("cell", table.key, r, c), n, 1) for c, n in enumerate(row)]
            for r, row in enumerate(counts)
        ]
        row_totals = [system.var(("row", margin, r), sum(row), 1) for r, row in enumerate(counts)]
        for r, row_vars in enumerate(cells):
            system.equations.append((1, [*row_vars, row_totals[r]], [1] * len(row_vars) + [-1]))
        if not column_totals:
            continue
        grand = system.var(("grand", margin), sum(map(sum, counts)), 2)
        col_vars = []
        for c in range(len(table.column_labels)):
            total = sum(row[c] for row in counts)
            col = system.var(("column", table.key, c), total, 2)
            col_vars.append(col)
            column = [cells[r][c] for r in range(len(cells))]
            system.equations.append((2, [*column, col], [1] * len(column) + [-1]))
        system.equations.append((2, [*col_vars, grand], [1] * len(col_vars) + [-1]))
        if margin not in grand_done:
            grand_done.add(margin)
            system.equations.append((2, [*row_totals, grand], [1] * len(row_totals) + [-1]))
    return system


# Completing a pattern -------------------------------------------------------------------------


def _matrix(system: _System, max_stage: int) -> npt.NDArray[np.float64]:
    active = [eq for eq in system.equations if eq[0] <= max_stage]
    matrix = np.zeros((len(active), len(system.keys)))
    for e, (_, variables, coefficients) in enumerate(active):
        for v, k in zip(variables, coefficients, strict=True):
            matrix[e, v] += k
    return matrix


def pinned_mask(matrix: npt.NDArray[np.float64], hidden: BoolArray) -> BoolArray:
    """Hidden variables that the equations ``matrix @ x = const`` determine exactly.

    Published variables are constants, so only the columns of hidden ones matter: a hidden
    variable is determined iff its coordinate vanishes in every vector of their null space.
    """
    if matrix.ndim != 2 or hidden.shape != (matrix.shape[1],):
        raise ValueError(
            f"hidden must flag each of the matrix's columns: shapes {matrix.shape}, {hidden.shape}."
        )
    pinned = np.zeros(hidden.shape, dtype=bool)
    columns = np.flatnonzero(hidden)
    if columns.size == 0:
        return pinned
    sub = matrix[:, columns]
    sub = sub[np.any(sub != 0, axis=1)]
    # Blocks of hidden variables linked by shared equations are independent: one small null
    # space each instead of one large one (a month's row, a table's columns).
    for block in _blocks(sub):
        rows = sub[np.any(sub[:, block] != 0, axis=1)][:, block]
        basis = null_space(rows)
        if basis.shape[1] == 0:
            pinned[columns[block]] = True
        else:
            pinned[columns[block]] = np.linalg.norm(basis, axis=1) <= _TOLERANCE
    return pinned


def _blocks(sub: npt.NDArray[np.float64]) -> list[npt.NDArray[np.intp]]:
    """Connected groups of columns of ``sub`` (columns sharing a non-zero row are linked)."""
    parent = list(range(sub.shape[1]))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for row in sub:
        members = np.flatnonzero(row)
        for other in members[1:]:
            parent[find(int(other))] = find(int(members[0]))
    groups: dict[int, list[int]] = {}
    for j in range(sub.shape[1]):
        groups.setdefault(find(j), []).append(j)
    return [np.asarray(g, dtype=np.intp) for g in groups.values()]


def _lines(matrix: npt.NDArray[np.float64]) -> list[npt.NDArray[np.intp]]:
    return [np.flatnonzero(row) for row in matrix]


def _smallest(candidates: Sequence[int], values: npt.NDArray[np.int64]) -> int | None:
    if not candidates:
        return None
    return min(candidates, key=lambda j: (int(values[j]), j))


def _by_rule(
    lines: list[npt.NDArray[np.intp]],
    hidden: BoolArray,
    allowed: BoolArray,
    values: npt.NDArray[np.int64],
) -> None:
    """Rule 2, in place: no line keeps exactly one hidden member if a second can be found."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            if int(hidden[line].sum()) != 1:
                continue
            pick = _smallest(
                [int(j) for j in line if not hidden[j] and allowed[j] and values[j] > 0], values
            )
            if pick is not None:
                hidden[pick] = True
                changed = True


def _complement_for(
    i: int,
    lines: list[npt.NDArray[np.intp]],
    lines_of: list[list[int]],
    hidden: BoolArray,
    allowed: BoolArray,
    values: npt.NDArray[np.int64],
) -> int | None:
    """A complement for pinned ``i``: from its own lines, else the nearest lines of its block."""
    seen_vars = {i}
    frontier = [i]
    while frontier:
        touched = sorted({e for v in frontier for e in lines_of[v]})
        pick = _smallest(
            sorted(
                {
                    int(j)
                    for e in touched
                    for j in lines[e]
                    if not hidden[j] and allowed[j] and values[j] > 0
                }
            ),
            values,
        )
        if pick is not None:
            return pick
        nxt = {int(j) for e in touched for j in lines[e] if hidden[j]} - seen_vars
        seen_vars |= nxt
        frontier = sorted(nxt)
    return None


def _complete(
    matrix: npt.NDArray[np.float64],
    hidden: BoolArray,
    allowed: BoolArray,
    values: npt.NDArray[np.int64],
) -> BoolArray:
    """Rules 2 and 3 until nothing is pinned or no complement is left; returns what is pinned."""
    lines = _lines(matrix)
    lines_of: list[list[int]] = [[] for _ in range(len(values))]
    for e, line in enumerate(lines):
        for j in line:
            lines_of[int(j)].append(e)
    while True:
        _by_rule(lines, hidden, allowed, values)
        pinned = pinned_mask(matrix, hidden)
        if not pinned.any():
            return pinned
        # One complement per pinned variable, all chosen from the same state, so a block's
        # choices never depend on the order other blocks (other months) are visited in.
        picks = {
            pick
            for i in np.flatnonzero(pinned)
            if (pick := _complement_for(int(i), lines, lines_of, hidden, allowed, values))
            is not None
        }
        if not picks:
            return pinned
        hidden[sorted(picks)] = True


def _suppress_system(system: _System, *, threshold: int) -> BoolArray:
    values = np.asarray(system.values, dtype=np.int64)
    stage = np.asarray(system.stage)
    has_stage_two = bool((stage == 2).any())
    rows_matrix = _matrix(system, 1)
    full_matrix = _matrix(system, 2) if has_stage_two else rows_matrix
    hidden = np.zeros(len(values), dtype=bool)
    for level in sorted({int(v) for v in values if 0 < v < threshold}):
        hidden |= values == level
        pinned = _complete(rows_matrix, hidden, stage == 1, values)
        if pinned.any():  # pragma: no cover - every block can always be hidden whole
            raise RuntimeError("Row suppression could not protect every hidden cell.")
        if not has_stage_two:
            continue
        pinned = _complete(full_matrix, hidden, stage == 2, values)
        if pinned.any():
            hidden |= (stage == 2) & (values > 0)
            pinned = pinned_mask(full_matrix, hidden)
            # Still determined with every new total hidden: derivable from the monthly releases,
            # public already, so publishing it reveals nothing.
            if (pinned & (stage == 1)).any():  # pragma: no cover - see rule 4 in the docstring
                raise RuntimeError("Column totals made a monthly cell derivable.")
            hidden &= ~pinned
    return hidden


# Public functions -----------------------------------------------------------------------------


def suppress_tables(
    tables: Sequence[CountTable], *, threshold: int = DEFAULT_THRESHOLD, column_totals: bool
) -> list[SuppressedTable]:
    """Suppress a release of tables together (see the module docstring for the guarantee).

    Parameters
    ----------
    tables : sequence of CountTable
        Everything released together. Keys must be unique.
    threshold : int
        Smallest count that may be shown (the agency's setting, default 10). ``1`` hides nothing.
    column_totals : bool
        Publish column and grand totals (a closed period) or not (the running year).

    Returns
    -------
    list of SuppressedTable
        In the order given, with ``None`` for every hidden number.
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}.")
    if len({t.key for t in tables}) != len(tables):
        raise ValueError("Table keys must be unique within a release.")
    system = _build(tables, column_totals=column_totals)
    hidden = _suppress_system(system, threshold=threshold)
    index = {key: i for i, key in enumerate(system.keys)}

    def shown(key: tuple[object, ...]) -> int | None:
        i = index[key]
        return None if hidden[i] else system.values[i]

    result = []
    for table in tables:
        margin = _margin(table)
        rows = range(len(table.row_labels))
        cols = range(len(table.column_labels))
        result.append(
            SuppressedTable(
                key=table.key,
                row_labels=table.row_labels,
                column_labels=table.column_labels,
                cells=tuple(tuple(shown(("cell", table.key, r, c)) for c in cols) for r in rows),
                row_totals=tuple(shown(("row", margin, r)) for r in rows),
                column_totals=(
                    tuple(shown(("column", table.key, c)) for c in cols) if column_totals else None
                ),
                grand_total=shown(("grand", margin)) if column_totals else None,
                margin=margin,
                threshold=threshold,
            )
        )
    return result


def suppress_table(
    counts: Sequence[Sequence[int]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    column_totals: bool = True,
) -> SuppressedTable:
    """One table on its own: rows and columns are labelled by their positions."""
    table = CountTable(
        key="table",
        row_labels=tuple(str(r) for r in range(len(counts))),
        column_labels=tuple(str(c) for c in range(len(counts[0]) if counts else 0)),
        counts=tuple(tuple(int(n) for n in row) for row in counts),
    )
    return suppress_tables([table], threshold=threshold, column_totals=column_totals)[0]
