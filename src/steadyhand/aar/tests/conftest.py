import pytest

from steadyhand.aar.tests.factories import Scene, make_scene
from steadyhand.core.testing import SmallAgency


@pytest.fixture
def scene(small_agency: SmallAgency) -> Scene:
    return make_scene(small_agency)
