"""What every target's writer shares: buffer records, write a chunk at a time, and sort each
chunk into records new to the agency and records a re-import updates (by natural key).

A target's writer says how to create the new ones, update the old ones and write their children
(``_write``), and may turn a record into something quicker to write beforehand (``prepare``,
which must not touch the database: a load runs it in its reading thread); this class keeps the
counts every import reports.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from django.db.models import Model

from steadyhand.imports.mapping.keyed import existing_rows


class Keyed(Protocol):
    source_key: str


class WriteTarget(Protocol):
    agency_id: int
    source: str


R = TypeVar("R", bound=Keyed)
C = TypeVar("C", bound=WriteTarget)


class ChunkedWriter(ABC, Generic[C, R]):
    """Buffers records of one target and writes them ``chunk_size`` at a time."""

    model: type[Model]
    # Columns of the stored records a writer compares with (``self.stored``, per chunk).
    stored_columns: tuple[str, ...] = ()

    def __init__(
        self, ctx: C, chunk_size: int = 2000, on_chunk: Callable[[int], None] | None = None
    ) -> None:
        self.ctx = ctx
        self.chunk_size = chunk_size
        self.on_chunk = on_chunk
        # kept: changed at the source but left as it was (a target says why; see its writer).
        self.created = self.updated = self.unchanged = self.kept = 0
        self._buffer: list[R] = []
        self._kept_in_chunk = 0
        self.kept_names: list[str] = []  # how the user knows the kept records (case numbers)
        # When the records written fall: the months whose statistics the load changed.
        self.touched: set[datetime] = set()
        self.stored: dict[str, tuple[Any, ...]] = {}  # source_key -> stored_columns, this chunk

    def prepare(self, record: Any) -> R:
        """``record`` as this writer buffers it; the record itself unless a writer says more."""
        prepared: R = record
        return prepared

    def add(self, record: Any) -> None:
        self.add_prepared(self.prepare(record))

    def add_prepared(self, prepared: R) -> None:
        self._buffer.append(prepared)
        if len(self._buffer) >= self.chunk_size:
            self.flush()

    def finish(self) -> dict[str, int]:
        self.flush()
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "kept": self.kept,
        }  # fmt: skip

    def flush(self) -> None:
        records, self._buffer = self._buffer, []
        if not records:
            return
        rows = existing_rows(
            self.model,
            agency_id=self.ctx.agency_id,
            source=self.ctx.source,
            keys=[r.source_key for r in records],
            columns=self.stored_columns,
        )
        existing = {key: row[0] for key, row in rows.items()}
        self.stored = {key: row[1:] for key, row in rows.items()}
        new = [r for r in records if r.source_key not in existing]
        old = [r for r in records if r.source_key in existing]
        changed = self._write(records, new, old, existing)
        self.created += len(new)
        self.updated += changed
        self.unchanged += len(old) - changed - self._kept_in_chunk
        self._kept_in_chunk = 0
        if self.on_chunk is not None:
            self.on_chunk(len(records))

    @abstractmethod
    def _write(self, records: list[R], new: list[R], old: list[R], existing: dict[str, int]) -> int:
        """Create ``new``, update ``old`` (ids in ``existing``), write their children; return
        how many of ``old`` were changed (``keep`` counts those changed but kept)."""

    def keep(self, names: list[str]) -> None:
        """Count these records of the chunk as changed at the source but kept as they were."""
        self.kept += len(names)
        self._kept_in_chunk += len(names)
        self.kept_names.extend(names)
