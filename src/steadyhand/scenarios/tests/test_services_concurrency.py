"""Two requests for the same turn at the same moment: exactly one is played (PostgreSQL).

The row lock taken by ``run_take_action`` makes the second request wait for the first and
then see that the turn has moved on. SQLite serialises every writer anyway, so this only has
something to prove on PostgreSQL.
"""

import threading

import pytest
from django.db import connection

from steadyhand.core.errors import ConflictError
from steadyhand.core.testing import SmallAgency, actor_of
from steadyhand.scenarios import services
from steadyhand.scenarios.models import ScenarioRun
from steadyhand.scenarios.tests.helpers_web import SCENARIO, officer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks matter on PostgreSQL only"
    ),
]


def test_simultaneous_submits_of_one_turn_play_it_once(small_agency: SmallAgency) -> None:
    actor = actor_of(officer(small_agency))
    run = services.run_start(actor=actor, scenario_id=SCENARIO)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            services.run_take_action(
                actor=actor, run_id=run.pk, action="create_distance", expected_turn=0
            )
            outcomes.append("played")
        except ConflictError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["played", "refused"]
    run = ScenarioRun.objects.get(pk=run.pk)
    assert run.turn == 1
    assert run.steps == [{"action": "create_distance"}]
