"""Fixtures shared by every test in the repository."""

import os

import pytest
from hypothesis import HealthCheck, settings

from steadyhand.core.testing import SmallAgency, make_agency

# Property tests must not fail because the machine is busy: no per-example deadline and no
# "too slow" health check (the suite never asserts on timings). `make test` draws the same
# examples every run (derandomized), so a submission passes or fails on its code, not on a
# lucky draw; `HYPOTHESIS_PROFILE=explore pytest tests/hostile` draws fresh ones to hunt bugs
# (each one found becomes a named test, as in tests/hostile/test_scenario_files.py).
_calm = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("steadyhand", derandomize=True, **_calm)
settings.register_profile("explore", max_examples=500, **_calm)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "steadyhand"))


@pytest.fixture
def small_agency(db: None) -> SmallAgency:
    return make_agency()


@pytest.fixture
def other_agency(db: None) -> SmallAgency:
    return make_agency("Other Agency")
