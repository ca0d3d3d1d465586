"""Fixtures shared by every test in the repository."""

import pytest
from hypothesis import HealthCheck, settings

from steadyhand.core.testing import SmallAgency, make_agency

# Property tests must not fail because the machine is busy: no per-example deadline and no
# "too slow" health check (the suite never asserts on timings).
settings.register_profile("steadyhand", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("steadyhand")


@pytest.fixture
def small_agency(db: None) -> SmallAgency:
    return make_agency()


@pytest.fixture
def other_agency(db: None) -> SmallAgency:
    return make_agency("Other Agency")
