import pytest

from steadyhand.core.testing import SmallAgency
from steadyhand.reviews.tests.factories import Chain, make_chain


@pytest.fixture
def chain(small_agency: SmallAgency) -> Chain:
    return make_chain(small_agency)
