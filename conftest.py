"""Fixtures shared by every test in the repository."""

import pytest

from steadyhand.core.testing import SmallAgency, make_agency


@pytest.fixture
def small_agency(db: None) -> SmallAgency:
    return make_agency()


@pytest.fixture
def other_agency(db: None) -> SmallAgency:
    return make_agency("Other Agency")
