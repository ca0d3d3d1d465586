"""Group sessions: joining with a code, trainer injections applied at the next turn and replayed."""

import pytest

from steadyhand import simulator
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of
from steadyhand.scenarios import services
from steadyhand.scenarios.models import GroupSessionStatus
from steadyhand.scenarios.selectors import group_session_get, run_engine, run_get_visible
from steadyhand.scenarios.tests.helpers_web import (
    SCENARIO,
    fast_debrief,  # noqa: F401 - the fixture, used through usefixtures
    officer,
    trainer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_debrief")]

EVENT = "second_unit"


def test_trainees_join_with_the_code_once(small_agency: SmallAgency) -> None:
    coach = actor_of(trainer(small_agency))
    session = services.group_session_create(actor=coach, scenario_id=SCENARIO)
    assert len(session.code) == services.JOIN_CODE_LENGTH
    trainee = actor_of(officer(small_agency))
    run = services.group_session_join(actor=trainee, code=f" {session.code.lower()} ")
    assert run.group_session == session
    assert run.scenario_id == SCENARIO
    assert services.group_session_join(actor=trainee, code=session.code) == run
    assert session.runs.count() == 1


def test_a_wrong_or_closed_code_is_refused(small_agency: SmallAgency) -> None:
    coach = actor_of(trainer(small_agency))
    session = services.group_session_create(actor=coach, scenario_id=SCENARIO)
    trainee = actor_of(officer(small_agency))
    with pytest.raises(InvalidInput, match="No open group session"):
        services.group_session_join(actor=trainee, code="ZZZZZZ")
    services.group_session_close(actor=coach, session_id=session.pk)
    session.refresh_from_db()
    assert session.status == GroupSessionStatus.CLOSED
    with pytest.raises(InvalidInput):
        services.group_session_join(actor=trainee, code=session.code)


def test_a_code_of_another_agency_is_refused(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    session = services.group_session_create(
        actor=actor_of(trainer(other_agency)), scenario_id=SCENARIO
    )
    with pytest.raises(InvalidInput):
        services.group_session_join(actor=actor_of(officer(small_agency)), code=session.code)


def test_only_trainers_open_sessions(small_agency: SmallAgency) -> None:
    with pytest.raises(PermissionDenied):
        services.group_session_create(actor=actor_of(officer(small_agency)), scenario_id=SCENARIO)


def test_an_injection_waits_for_the_next_turn_and_replays_in_place(
    small_agency: SmallAgency,
) -> None:
    coach = actor_of(trainer(small_agency))
    session = services.group_session_create(actor=coach, scenario_id=SCENARIO)
    trainee = actor_of(officer(small_agency))
    run = services.group_session_join(actor=trainee, code=session.code)
    services.run_take_action(actor=trainee, run_id=run.pk, action="create_distance",
                             expected_turn=0)  # fmt: skip
    [target] = services.group_session_inject(actor=coach, session_id=session.pk, event_id=EVENT)
    assert target.pk == run.pk
    run.refresh_from_db()
    assert [i["event"] for i in run.pending_injections] == [EVENT]
    assert run.steps == [{"action": "create_distance"}]  # nothing applied yet
    # The trainee's page is not made stale by the injection.
    outcome = services.run_take_action(
        actor=trainee, run_id=run.pk, action="introduce_self", expected_turn=1
    )
    run.refresh_from_db()
    assert run.steps == [
        {"action": "create_distance"},
        {"event": EVENT},
        {"action": "introduce_self"},
    ]
    assert run.pending_injections == []
    assert run.injections[0]["applied_at_step"] == 1
    assert [r["kind"] for r in outcome.results] == ["event", "action"]
    # Replay from seed and steps reproduces the event at its place.
    fresh = simulator.start_run(SCENARIO, seed=run.seed)
    fresh.take("create_distance")
    fresh.inject(EVENT)
    fresh.take("introduce_self")
    assert [r.to_dict() for r in run_engine(run).results] == [r.to_dict() for r in fresh.results]
    assert AuditEvent.objects.filter(action="scenario_run.inject", object_id=str(run.pk)).exists()


def test_injections_go_to_one_run_or_all_runs_in_progress(small_agency: SmallAgency) -> None:
    coach = actor_of(trainer(small_agency))
    session = services.group_session_create(actor=coach, scenario_id=SCENARIO)
    first = services.group_session_join(actor=actor_of(officer(small_agency)), code=session.code)
    second_actor = actor_of(officer(small_agency, member=small_agency.officer_b1))
    second = services.group_session_join(actor=second_actor, code=session.code)
    services.group_session_inject(
        actor=coach, session_id=session.pk, event_id=EVENT, run_ids=[second.pk]
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.pending_injections == []
    assert len(second.pending_injections) == 1
    services.run_take_action(actor=second_actor, run_id=second.pk, action="takedown",
                             expected_turn=0)  # fmt: skip
    # "All" means the runs still in progress; the ended one is left alone.
    targets = services.group_session_inject(actor=coach, session_id=session.pk, event_id=EVENT)
    assert [r.pk for r in targets] == [first.pk]
    with pytest.raises(InvalidInput, match="has ended"):
        services.group_session_inject(
            actor=coach, session_id=session.pk, event_id=EVENT, run_ids=[second.pk]
        )


def test_only_declared_events_and_only_trainers(small_agency: SmallAgency) -> None:
    coach = actor_of(trainer(small_agency))
    session = services.group_session_create(actor=coach, scenario_id=SCENARIO)
    trainee = actor_of(officer(small_agency))
    services.group_session_join(actor=trainee, code=session.code)
    with pytest.raises(InvalidInput, match="not an event of this scenario"):
        services.group_session_inject(actor=coach, session_id=session.pk, event_id="meteor")
    with pytest.raises(PermissionDenied):
        services.group_session_inject(actor=trainee, session_id=session.pk, event_id=EVENT)


def test_a_session_of_another_agency_is_not_found(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    session = services.group_session_create(
        actor=actor_of(trainer(other_agency)), scenario_id=SCENARIO
    )
    coach = actor_of(trainer(small_agency))
    with pytest.raises(NotFound):
        group_session_get(actor=coach, session_id=session.pk)
    with pytest.raises(NotFound):
        services.group_session_inject(actor=coach, session_id=session.pk, event_id=EVENT)


def test_session_trainers_and_the_chain_see_runs_others_do_not(
    small_agency: SmallAgency,
) -> None:
    from steadyhand.access.roles import Role
    from steadyhand.core.testing import make_user

    coach = actor_of(trainer(small_agency))
    session = services.group_session_create(actor=coach, scenario_id=SCENARIO)
    run = services.group_session_join(actor=actor_of(officer(small_agency)), code=session.code)
    solo = services.run_start(
        actor=actor_of(officer(small_agency, member=small_agency.officer_a2)),
        scenario_id=SCENARIO,
    )
    assert run_get_visible(actor=coach, run_id=run.pk) == run
    sergeant_a = actor_of(
        make_user(small_agency.agency, [(Role.SUPERVISOR, small_agency.precinct_a)])
    )
    sergeant_b = actor_of(
        make_user(small_agency.agency, [(Role.SUPERVISOR, small_agency.precinct_b)])
    )
    assert run_get_visible(actor=sergeant_a, run_id=solo.pk) == solo
    with pytest.raises(NotFound):
        run_get_visible(actor=sergeant_b, run_id=solo.pk)
    analyst = actor_of(make_user(small_agency.agency, [Role.ANALYST]))
    with pytest.raises(NotFound):
        run_get_visible(actor=analyst, run_id=solo.pk)
