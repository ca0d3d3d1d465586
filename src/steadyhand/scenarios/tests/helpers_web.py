"""Shared builders for the scenario web tests (not a conftest: the tests directory is shared
with the engine's command tests)."""

from collections.abc import Iterator

import pytest

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Member
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.scenarios import services
from steadyhand.scenarios.models import ScenarioRun
from steadyhand.scenarios.selectors import run_engine

SCENARIO = "knife_crisis"
# Good tactics first; the engine decides the rest. A run always ends (time limit, turn cap).
GOOD = (
    "create_distance",
    "take_cover",
    "introduce_self",
    "request_crisis_team",
    "ask_dispatch",
    "active_listening",
    "empathy",
    "offer_options",
    "tactical_pause",
)
MAX_TURNS = 200


@pytest.fixture
def fast_debrief(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Few continuations per alternative: the debrief's shape, not its precision, is tested."""
    monkeypatch.setattr(services, "DEBRIEF_K", 2)
    return


def officer(agency: SmallAgency, member: Member | None = None, **kwargs: str) -> User:
    return make_user(agency.agency, [Role.OFFICER], member=member or agency.officer_a1, **kwargs)


def trainer(agency: SmallAgency) -> User:
    return make_user(agency.agency, [Role.TRAINER])


def next_action(run: ScenarioRun) -> str:
    """The next good tactic still open, cycling; stored state only, like the web page."""
    available = run_engine(run).actions()
    for offset in range(len(GOOD)):
        code = GOOD[(run.turn + offset) % len(GOOD)]
        if code in available:
            return code
    return available[0]


def play_to_end(actor: Actor, run: ScenarioRun) -> ScenarioRun:
    for _ in range(MAX_TURNS):
        run.refresh_from_db()
        if run.is_completed:
            return run
        services.run_take_action(
            actor=actor, run_id=run.pk, action=next_action(run), expected_turn=run.turn
        )
    raise AssertionError("the run did not end")


def fix_seed(run: ScenarioRun, seed: int) -> ScenarioRun:
    """Tests need reproducible runs; the app draws seeds itself."""
    ScenarioRun.objects.filter(pk=run.pk).update(seed=seed)
    run.refresh_from_db()
    return run


def actor_for(user: User) -> Actor:
    return actor_of(user)
