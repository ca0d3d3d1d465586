"""Runs in tests get known seeds, in order, instead of the server's random draw.

A test that plays a few turns and then expects the run still to be in progress must not depend
on the draw: with a random seed about one run in thirty of ``knife_crisis`` ends at the first
move. Seeds 0, 1, 2 … all keep it going for the moves the tests make.
"""

import itertools

import pytest

from steadyhand.scenarios import services


@pytest.fixture(autouse=True)
def known_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = itertools.count()
    monkeypatch.setattr(services, "_draw_seed", lambda: next(seeds))
