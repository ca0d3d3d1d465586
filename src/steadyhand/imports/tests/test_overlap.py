"""Reading in a thread while the calling thread writes: order, results, progress, and what
happens when either side fails (the other stops, the thread ends, the error reaches the
caller)."""

import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest

from steadyhand.imports.mapping import overlap
from steadyhand.imports.mapping.overlap import overlapped


def _count_to(n: int) -> Callable[[overlap.Emit, Any], str]:
    def produce(emit: overlap.Emit, progress: Any) -> str:
        for i in range(n):
            emit(i)
            if i % 1000 == 0:
                progress(i, n, f"row {i}")
        return "read"

    return produce


def test_everything_arrives_in_order_and_progress_is_reported_by_the_calling_thread() -> None:
    got: list[int] = []
    reported: list[tuple[int, int | None, str, str]] = []
    caller = threading.current_thread().name
    before = sys.getswitchinterval()

    def progress(done: int, total: int | None, message: str) -> None:
        reported.append((done, total, message, threading.current_thread().name))

    result = overlapped(_count_to(5001), got.extend, progress=progress)

    assert result == "read"
    assert got == list(range(5001))
    assert reported, "no progress reached the caller"
    assert {r[3] for r in reported} == {caller}
    assert reported[-1][:3] == (5000, 5001, "row 5000")
    assert [r[0] for r in reported] == sorted(r[0] for r in reported)
    assert sys.getswitchinterval() == before
    assert not [t for t in threading.enumerate() if t.name == "import-reader"]


def test_nothing_to_read_gives_nothing_to_write() -> None:
    got: list[Any] = []
    assert overlapped(lambda emit, progress: 0, got.extend) == 0
    assert got == []


def test_a_failing_reader_raises_its_error_here_after_what_it_read_was_written() -> None:
    got: list[int] = []

    def produce(emit: overlap.Emit, progress: Any) -> None:
        for i in range(overlap.BATCH * 2):
            emit(i)
        raise ValueError("row 1001: bad bytes")

    with pytest.raises(ValueError, match="bad bytes"):
        overlapped(produce, got.extend)
    assert got == list(range(overlap.BATCH * 2))
    assert not [t for t in threading.enumerate() if t.name == "import-reader"]


def test_a_failing_writer_stops_a_reader_that_would_never_end() -> None:
    emitted = {"n": 0}

    def endless(emit: overlap.Emit, progress: Any) -> None:
        while True:
            emitted["n"] += 1
            emit(emitted["n"])

    def write(batch: list[int]) -> None:
        raise RuntimeError("disk full")

    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError, match="disk full"):
        overlapped(endless, write)
    assert not [t for t in threading.enumerate() if t.name == "import-reader"]
    # The reader got at most the queue's depth (plus the batch it was filling) ahead.
    assert emitted["n"] <= overlap.BATCH * (overlap.DEPTH + 3)
    assert sys.getswitchinterval() == before


def test_a_failing_writer_stops_a_reader_that_emits_nothing_but_reports_progress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def rejects_everything(emit: overlap.Emit, progress: Any) -> None:
        emit("the only good record")
        for i in range(10**9):  # every row rejected: nothing emitted, progress every row
            progress(i, None, "")

    def write(batch: list[str]) -> None:
        raise RuntimeError("refused")

    # A partial batch is handed over only when full: make one record a batch.
    monkeypatch.setattr(overlap, "BATCH", 1)
    with pytest.raises(RuntimeError, match="refused"):
        overlapped(rejects_everything, write)
    assert not [t for t in threading.enumerate() if t.name == "import-reader"]
