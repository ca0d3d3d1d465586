"""Gathering the rows of one record (e.g. one incident's rows per officer) while streaming.

Sources are not always sorted: Austin's rows of one incident can be hundreds of rows apart,
Seattle's are adjacent. The grouper keeps at most ``max_open`` records open, least recently
touched first; opening one more closes (emits) the oldest. A record is therefore complete when
all its rows lie within ``max_open`` distinct keys of each other, which the mapping's
``max_open_groups`` sets (default 50,000). This is checked, not assumed: a row whose key was
already closed is a fatal ``ReopenedGroup`` (sort the file by the key, or raise the limit), so a
record can never load in two halves. Memory is bounded by ``max_open`` open records plus one
64-bit hash per closed key.
"""

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class ReopenedGroup(ValueError):
    def __init__(self, key: tuple[str, ...], max_open: int) -> None:
        self.key = key
        super().__init__(
            f"rows of the record {'/'.join(key)!r} are too far apart: more than {max_open} other "
            "records came between them. Sort the file by the key columns, or raise "
            "max_open_groups in the mapping."
        )


@dataclass
class Group:
    key: tuple[str, ...]
    rows: list[Any]


class Grouper:
    def __init__(self, max_open: int) -> None:
        self.max_open = max_open
        self._open: OrderedDict[tuple[str, ...], list[Any]] = OrderedDict()
        self._closed: set[int] = set()
        self._last: tuple[str, ...] | None = None
        self.peak_open = 0

    def add(self, key: tuple[str, ...], row: Any) -> Iterator[Group]:
        """Add ``row`` to its record; yields the records this closes."""
        rows = self._open.get(key)
        if rows is None:
            if hash(key) in self._closed:
                raise ReopenedGroup(key, self.max_open)
            rows = self._open[key] = []
            while len(self._open) > self.max_open:
                yield self._close_oldest()
            self.peak_open = max(self.peak_open, len(self._open))
        elif key != self._last:
            self._open.move_to_end(key)
        rows.append(row)
        self._last = key

    def _close_oldest(self) -> Group:
        key, rows = self._open.popitem(last=False)
        self._closed.add(hash(key))
        return Group(key, rows)

    def finish(self) -> Iterator[Group]:
        while self._open:
            yield self._close_oldest()
