"""Fixtures for the report tests (people of the small agency; see ``report_factories``)."""

import pytest

from steadyhand.core.testing import SmallAgency
from steadyhand.incidents.tests.report_factories import People, make_people


@pytest.fixture
def people(small_agency: SmallAgency) -> People:
    return make_people(small_agency)
