"""Runs through the services: server-drawn seeds, deterministic replay, stale turns, ownership."""

from typing import Any

import pytest

from steadyhand import simulator
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound
from steadyhand.core.testing import SmallAgency, actor_of
from steadyhand.jobs.models import JobStatus
from steadyhand.scenarios import services
from steadyhand.scenarios.models import RunStatus, ScenarioRun
from steadyhand.scenarios.selectors import run_engine, run_get_own
from steadyhand.scenarios.tests.helpers_web import (
    SCENARIO,
    fast_debrief,  # noqa: F401 - the fixture, used through usefixtures
    fix_seed,
    next_action,
    officer,
    play_to_end,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_debrief")]


def test_a_run_starts_with_a_server_drawn_seed_and_is_audited(small_agency: SmallAgency) -> None:
    actor = actor_of(officer(small_agency))
    run = services.run_start(actor=actor, scenario_id=SCENARIO)
    assert run.status == RunStatus.IN_PROGRESS
    assert run.turn == 0
    assert run.steps == []
    assert 0 <= run.seed < services.SEED_LIMIT
    assert run.member == small_agency.officer_a1
    assert run.unit_path == small_agency.squad_a1.path
    event = AuditEvent.objects.get(action="scenario_run.start", object_id=str(run.pk))
    assert event.changes["seed"] == [None, run.seed]


def test_an_unknown_scenario_is_refused(small_agency: SmallAgency) -> None:
    with pytest.raises(InvalidInput):
        services.run_start(actor=actor_of(officer(small_agency)), scenario_id="no_such_thing")


def test_the_stored_seed_and_steps_replay_to_the_same_run(small_agency: SmallAgency) -> None:
    actor = actor_of(officer(small_agency))
    run = fix_seed(services.run_start(actor=actor, scenario_id=SCENARIO), 4242)
    for _ in range(5):
        run.refresh_from_db()
        if run.is_completed:
            break
        services.run_take_action(
            actor=actor, run_id=run.pk, action=next_action(run), expected_turn=run.turn
        )
    run.refresh_from_db()
    first = [r.to_dict() for r in run_engine(run).results]
    again = [r.to_dict() for r in run_engine(run).results]
    # The same seed and the same actions, played afresh outside the web app.
    fresh = simulator.start_run(SCENARIO, seed=4242)
    for step in run.steps:
        fresh.take(step["action"])
    assert first == again == [r.to_dict() for r in fresh.results]
    assert run.last_result == first[-1]


def test_a_stale_turn_is_refused_and_not_played_twice(small_agency: SmallAgency) -> None:
    actor = actor_of(officer(small_agency))
    run = services.run_start(actor=actor, scenario_id=SCENARIO)
    services.run_take_action(actor=actor, run_id=run.pk, action="create_distance", expected_turn=0)
    with pytest.raises(ConflictError, match="already at turn 2"):
        services.run_take_action(
            actor=actor, run_id=run.pk, action="create_distance", expected_turn=0
        )
    run.refresh_from_db()
    assert run.turn == 1
    assert run.steps == [{"action": "create_distance"}]
    assert AuditEvent.objects.filter(action="scenario_run.turn", object_id=str(run.pk)).count() == 1


def test_an_action_not_open_now_is_refused(small_agency: SmallAgency) -> None:
    actor = actor_of(officer(small_agency))
    run = services.run_start(actor=actor, scenario_id=SCENARIO)
    with pytest.raises(InvalidInput, match="not one of the actions"):
        services.run_take_action(actor=actor, run_id=run.pk, action="fly_away", expected_turn=0)
    run.refresh_from_db()
    assert run.turn == 0
    assert run.steps == []


def test_someone_elses_run_is_not_found(small_agency: SmallAgency) -> None:
    owner = actor_of(officer(small_agency))
    run = services.run_start(actor=owner, scenario_id=SCENARIO)
    other = actor_of(officer(small_agency, member=small_agency.officer_a2))
    with pytest.raises(NotFound):
        services.run_take_action(actor=other, run_id=run.pk, action="empathy", expected_turn=0)
    with pytest.raises(NotFound):
        run_get_own(actor=other, run_id=run.pk)


def test_a_run_of_another_agency_is_not_found(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    run = services.run_start(actor=actor_of(officer(small_agency)), scenario_id=SCENARIO)
    stranger = actor_of(officer(other_agency))
    with pytest.raises(NotFound):
        services.run_take_action(actor=stranger, run_id=run.pk, action="empathy", expected_turn=0)
    with pytest.raises(NotFound):
        run_get_own(actor=stranger, run_id=run.pk)


def test_a_run_played_to_the_end_is_completed_with_outcome_and_debrief(
    small_agency: SmallAgency,
) -> None:
    actor = actor_of(officer(small_agency))
    run = play_to_end(actor, services.run_start(actor=actor, scenario_id=SCENARIO))
    assert run.status == RunStatus.COMPLETED
    assert run.finished_at is not None
    assert run.outcome == run.outcome_data["kind"]
    assert run.score["scenario_id"] == SCENARIO
    assert {item["cdm_step"] for item in run.score["items"]} >= {"collect_information"}
    with pytest.raises(ConflictError, match="has ended"):
        services.run_take_action(
            actor=actor, run_id=run.pk, action="empathy", expected_turn=run.turn
        )


def test_force_ends_the_run_at_once(small_agency: SmallAgency) -> None:
    actor = actor_of(officer(small_agency))
    run = services.run_start(actor=actor, scenario_id=SCENARIO)
    outcome = services.run_take_action(
        actor=actor, run_id=run.pk, action="takedown", expected_turn=0
    )
    assert outcome.run.is_completed
    assert outcome.run.outcome_data["force_used"] is True
    assert ScenarioRun.objects.get(pk=run.pk).turn == 1


def test_the_decision_points_wait_for_a_background_job(small_agency: SmallAgency) -> None:
    actor = actor_of(officer(small_agency))
    run = services.run_start(actor=actor, scenario_id=SCENARIO)
    services.run_take_action(actor=actor, run_id=run.pk, action="takedown", expected_turn=0)
    run.refresh_from_db()
    assert run.score["items"]  # the rubric is there at once
    assert run.score["decision_points"] == []
    assert not run.decision_points_done
    assert run.debrief_job is not None
    assert run.debrief_job.status == JobStatus.QUEUED
    assert run.debrief_job.started_by_id == actor.user_id


def test_the_job_adds_the_decision_points_once(
    small_agency: SmallAgency, django_capture_on_commit_callbacks: Any
) -> None:
    actor = actor_of(officer(small_agency))
    run = services.run_start(actor=actor, scenario_id=SCENARIO)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_take_action(actor=actor, run_id=run.pk, action="takedown", expected_turn=0)
    run.refresh_from_db()
    assert run.decision_points_done
    assert run.debrief_job is not None
    assert run.debrief_job.status == JobStatus.SUCCEEDED
    assert run.score["k"] == services.DEBRIEF_K
    [first, *_] = run.score["decision_points"]
    assert first["chosen"] == "takedown"
    assert first["delta_force"] < 0
    services.run_debrief(actor=actor, run_id=run.pk)
    assert AuditEvent.objects.filter(action="scenario_run.debrief").count() == 1
