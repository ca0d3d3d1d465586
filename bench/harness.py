"""Timing and memory helpers shared by the benchmarks, and a throw-away test database."""

import os
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float  # median of the repeats
    peak_bytes: int


def measure(label: str, fn: Callable[[], Any], *, repeat: int = 5) -> Measurement:
    times = []
    tracemalloc.start()
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measurement(label, statistics.median(times), peak)


def report(title: str, ours: Measurement, baseline: Measurement, *, note: str = "") -> None:
    ratio = baseline.seconds / ours.seconds if ours.seconds else float("inf")
    print(f"\n{title}")
    for m in (ours, baseline):
        print(f"  {m.label:<44} {m.seconds * 1000:10.2f} ms   peak {m.peak_bytes / 2**20:7.2f} MiB")
    print(f"  ratio baseline/ours: {ratio:.1f}x {note}")


@contextmanager
def test_database() -> Iterator[None]:
    """Set Django up with the test settings and a fresh, migrated test database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steadyhand.config.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
