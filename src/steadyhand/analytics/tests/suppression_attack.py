"""The attacker of the suppression tests: linear programming over everything that was published.

It knows only what a member of the public can download (tables with hidden numbers as ``None``,
which tables share month totals) and the structure any reader can see: each month total is the
sum of its row, each column total the sum of its column over the months shown, the grand total
the sum of either. Releases are joined by their labels, so several downloads (two thresholds,
the running year at two months, a closed year) are attacked as one system. For every hidden
number it solves two linear programmes (``scipy.optimize.linprog``): its minimum and maximum
subject to all those equalities and non-negativity.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

from steadyhand.analytics.suppression import SuppressedTable


@dataclass(frozen=True)
class PublishedTable:
    """One downloaded table, in the attacker's words."""

    key: str
    margin: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...] | None
    grand_total: int | None


def from_suppressed(table: SuppressedTable) -> PublishedTable:
    return PublishedTable(
        key=table.key,
        margin=table.margin,
        row_labels=table.row_labels,
        column_labels=table.column_labels,
        cells=table.cells,
        row_totals=table.row_totals,
        column_totals=table.column_totals,
        grand_total=table.grand_total,
    )


def from_feed(feed: Mapping[str, Any]) -> list[PublishedTable]:
    """The tables of the public JSON feed (``/public/<slug>/data.json``)."""
    tables = []
    for t in feed["tables"]:
        tables.append(
            PublishedTable(
                key=t["key"],
                margin=t["margin"],
                row_labels=tuple(r["month"] for r in t["rows"]),
                column_labels=tuple(c["code"] for c in t["columns"]),
                cells=tuple(tuple(r["cells"]) for r in t["rows"]),
                row_totals=tuple(r["total"] for r in t["rows"]),
                column_totals=(
                    tuple(t["column_totals"]) if t["column_totals"] is not None else None
                ),
                grand_total=t["grand_total"],
            )
        )
    return tables


@dataclass(frozen=True)
class AttackResult:
    """The interval the attacker can prove for each hidden number."""

    intervals: dict[tuple[object, ...], tuple[float, float]]
    truth_known: dict[tuple[object, ...], int]

    @property
    def pinned(self) -> list[tuple[object, ...]]:
        """Hidden numbers whose interval is a single value."""
        return [k for k, (lo, hi) in self.intervals.items() if hi - lo < 1e-6]

    @property
    def narrowest(self) -> float:
        return min((hi - lo for lo, hi in self.intervals.values()), default=float("inf"))


def attack(tables: Iterable[PublishedTable]) -> AttackResult:
    """Bound every hidden number of every table given (one release or several joined)."""
    keys: dict[tuple[object, ...], int] = {}
    published: dict[int, int] = {}
    equations: list[dict[int, int]] = []

    def var(key: tuple[object, ...], value: int | None) -> int:
        i = keys.setdefault(key, len(keys))
        if value is not None and published.setdefault(i, value) != value:
            raise AssertionError(f"Two releases disagree on {key}.")
        return i

    def equation(parts: Sequence[int], total: int) -> None:
        eq: dict[int, int] = {}
        for p in parts:
            eq[p] = eq.get(p, 0) + 1
        eq[total] = eq.get(total, 0) - 1
        equations.append(eq)

    for t in tables:
        period = t.row_labels
        cells = [
            [var(("cell", t.key, row, col), t.cells[r][c]) for c, col in enumerate(t.column_labels)]
            for r, row in enumerate(t.row_labels)
        ]
        rows = [var(("row", t.margin, row), t.row_totals[r]) for r, row in enumerate(t.row_labels)]
        for r, row_vars in enumerate(cells):
            equation(row_vars, rows[r])
        if t.column_totals is None:
            continue
        grand = var(("grand", t.margin, period), t.grand_total)
        cols = []
        for c, col in enumerate(t.column_labels):
            cols.append(var(("column", t.key, col, period), t.column_totals[c]))
            equation([cells[r][c] for r in range(len(cells))], cols[-1])
        equation(cols, grand)
        equation(rows, grand)

    names = {i: k for k, i in keys.items()}
    hidden = [i for i in range(len(keys)) if i not in published]
    # Published numbers are constants: move them to the right-hand side, and solve each group
    # of hidden numbers linked by equations on its own (same optimum, far smaller programmes).
    rows: list[tuple[dict[int, int], float]] = []
    for eq in equations:
        unknown = {i: k for i, k in eq.items() if i not in published and k != 0}
        constant = -sum(k * published[i] for i, k in eq.items() if i in published)
        if unknown:
            rows.append((unknown, float(constant)))
        elif constant != 0:
            raise AssertionError("The published tables are inconsistent.")
    intervals: dict[tuple[object, ...], tuple[float, float]] = {}
    for group in _groups(hidden, rows):
        position = {v: p for p, v in enumerate(group)}
        local = [(eq, b) for eq, b in rows if next(iter(eq)) in position]
        a_eq = np.zeros((len(local), len(group)))
        for e, (eq, _) in enumerate(local):
            for i, k in eq.items():
                a_eq[e, position[i]] = k
        b_eq = np.array([b for _, b in local])
        for v in group:
            c = np.zeros(len(group))
            c[position[v]] = 1.0
            kwargs: dict[str, Any] = {"bounds": (0, None), "method": "highs"}
            if local:
                kwargs |= {"A_eq": a_eq, "b_eq": b_eq}
            low = linprog(c, **kwargs)
            high = linprog(-c, **kwargs)
            if low.status != 0:
                raise AssertionError(f"The published tables are inconsistent: {low.message}")
            upper = float("inf") if high.status == 3 else -float(high.fun)
            intervals[names[v]] = (float(low.fun), upper)
    return AttackResult(
        intervals=intervals, truth_known={names[i]: v for i, v in published.items()}
    )


def _groups(hidden: list[int], rows: list[tuple[dict[int, int], float]]) -> list[list[int]]:
    parent = {v: v for v in hidden}

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for eq, _ in rows:
        first, *rest = eq
        for other in rest:
            parent[find(other)] = find(first)
    groups: dict[int, list[int]] = {}
    for v in hidden:
        groups.setdefault(find(v), []).append(v)
    return list(groups.values())
