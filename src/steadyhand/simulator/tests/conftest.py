import dataclasses

import pytest

from steadyhand.simulator import default_model
from steadyhand.simulator.scenario import Model


@pytest.fixture
def quiet_model() -> Model:
    """The shared model without noise and spikes, so one effect can be seen on its own."""
    model = default_model()
    dynamics = dataclasses.replace(model.dynamics, noise=0.0, spike_chance=0.0)
    return dataclasses.replace(model, dynamics=dynamics)
