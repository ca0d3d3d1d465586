"""Reading the next records while the database writes the last ones.

A load's time goes to Python (reading, converting and building records, then formatting rows
for ``COPY``) and to PostgreSQL (indexes, foreign-key checks), in comparable parts. Done one
after the other, each waits for the other. Here the reading runs in a thread and hands
records over in batches through a short queue, while the calling thread (the one holding the
database connection and the transaction) writes them: while it waits on the database it holds
no GIL and the reader moves ahead.

Each time the database answers, the writing thread must take the GIL back from the reader,
which by default keeps it for up to 5 ms: many times per chunk, that added a fifth to a load.
While the two run, the interpreter's switch interval is shortened (``SWITCH_INTERVAL``).

Only the calling thread touches the database: the reader must be pure (the mapping engine is),
and progress it reports is passed on by the calling thread, so a progress callback that writes
to the database writes on the load's own connection, as it would without the thread.
"""

import contextlib
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from steadyhand.jobs.services import ProgressCallback

R = TypeVar("R")

Emit = Callable[[Any], None]

BATCH = 500  # records per hand-over: one queue operation per batch, not per record
DEPTH = 8  # batches the reader may run ahead: bounds the memory held in between
_POLL = 0.1  # seconds between the reader's checks that the writer still wants records
SWITCH_INTERVAL = 0.0005  # seconds; measured on a 50,000-row load: 8.2 s at 5 ms, 6.8 s here


class _Cancelled(Exception):
    """Raised inside the reader when the writer has stopped (it failed)."""


class _Reader(Generic[R]):
    def __init__(self, produce: Callable[[Emit, ProgressCallback], R]) -> None:
        self.queue: queue.Queue[list[Any] | None] = queue.Queue(maxsize=DEPTH)
        self.stopped = threading.Event()
        self.progress: tuple[int, int | None, str] | None = None
        self.result: R | None = None
        self.error: BaseException | None = None
        self._pending: list[Any] = []
        self._produce = produce
        self.thread = threading.Thread(target=self._run, name="import-reader", daemon=True)

    def _put(self, item: list[Any] | None) -> None:
        while True:
            if self.stopped.is_set():
                raise _Cancelled
            try:
                self.queue.put(item, timeout=_POLL)
                return
            except queue.Full:
                continue

    def emit(self, record: Any) -> None:
        self._pending.append(record)
        if len(self._pending) >= BATCH:
            batch, self._pending = self._pending, []
            self._put(batch)

    def report(self, done: int, total: int | None, message: str = "") -> None:
        if self.stopped.is_set():  # the engine reports every few thousand rows, even bad ones
            raise _Cancelled
        self.progress = (done, total, message)  # one assignment: the writer reads it whole

    def _run(self) -> None:
        try:
            self.result = self._produce(self.emit, self.report)
            if self._pending:
                self._put(self._pending)
        except _Cancelled:
            return
        except BaseException as exc:  # handed to the calling thread, which raises it
            self.error = exc
        with contextlib.suppress(_Cancelled):
            self._put(None)


def overlapped(
    produce: Callable[[Emit, ProgressCallback], R],
    consume: Callable[[list[Any]], None],
    *,
    progress: ProgressCallback | None = None,
) -> R:
    """Run ``produce(emit, progress)`` in a thread; call ``consume(batch)`` here with what it
    emits, in order. Returns what ``produce`` returned; an exception in either is raised here,
    after the thread has ended.
    """
    reader = _Reader(produce)
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, SWITCH_INTERVAL))
    reader.thread.start()
    shown: tuple[int, int | None, str] | None = None
    try:
        while (batch := reader.queue.get()) is not None:
            consume(batch)
            if progress is not None and reader.progress is not shown:
                shown = reader.progress
                if shown is not None:
                    progress(*shown)
    finally:
        reader.stopped.set()
        reader.thread.join()
        sys.setswitchinterval(switch_interval)
    if reader.error is not None:
        raise reader.error
    if progress is not None and reader.progress is not shown and reader.progress is not None:
        progress(*reader.progress)
    return reader.result  # type: ignore[return-value]
