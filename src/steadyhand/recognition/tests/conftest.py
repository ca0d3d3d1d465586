import pytest

from steadyhand.core.testing import SmallAgency
from steadyhand.recognition.tests.factories import People, make_people


@pytest.fixture
def people(small_agency: SmallAgency) -> People:
    return make_people(small_agency)
