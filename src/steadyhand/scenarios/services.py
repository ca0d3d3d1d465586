"""Writes for scenario runs and group sessions.

A run is its scenario, its seed (drawn here, never taken from the browser) and its list of
steps. Each trainee action locks the run, checks the turn number the page was read at (a double
submit or a stale tab is refused, so no turn is played twice), rebuilds the engine's run by
replaying the stored steps, applies any trainer events waiting for this turn, then the action,
and stores the new steps — with its audit event, in one transaction. When the run ends the
rubric is stored, the run is credited as role-play training (see ``credit_services``), and a
background job adds the decision points (``run_debrief``: seconds of counterfactual replays,
too long for a request).
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steadyhand import simulator
from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.agencies.models import Member
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound
from steadyhand.jobs.services import job_create
from steadyhand.scenarios.credit_services import run_credit
from steadyhand.scenarios.models import GroupSession, GroupSessionStatus, RunStatus, ScenarioRun
from steadyhand.scenarios.selectors import run_engine, run_get_own
from steadyhand.training.models import Enrolment

# Continuations per alternative for the debrief's decision points (see docs/scenarios-web.md).
DEBRIEF_K = 24
DEBRIEF_JOB_KIND = "scenario_debrief"
SEED_LIMIT = 2**31
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud in class
JOIN_CODE_LENGTH = 6


def _scenario(scenario_id: str, field_name: str = "scenario") -> simulator.ScenarioSummary:
    for summary in simulator.list_scenarios():
        if summary.id == scenario_id:
            return summary
    raise InvalidInput({field_name: [f"There is no scenario “{scenario_id}”; choose one listed."]})


def _cache(run: ScenarioRun, engine: simulator.Run) -> None:
    """Store what list pages and the trainer's live view show, derived from the replay."""
    run.steps = engine.to_dict()["steps"]
    run.last_result = engine.results[-1].to_dict() if engine.results else {}
    run.trainer_state = engine.state.to_dict()
    if engine.outcome is not None:
        run.outcome = engine.outcome.kind.value
        run.outcome_data = engine.outcome.to_dict()


# Runs ----------------------------------------------------------------------------------------


def _draw_seed() -> int:
    """A fresh seed for a run, drawn by the server (never taken from the browser)."""
    return secrets.randbelow(SEED_LIMIT)


@transaction.atomic
def run_start(
    *, actor: Actor, scenario_id: str, group_session: GroupSession | None = None
) -> ScenarioRun:
    """Start a run of ``scenario_id`` for the actor with a fresh server-drawn seed."""
    ensure(actor, "scenario.play", Scope(agency_id=actor.agency_id, owner_user_id=actor.user_id))
    if actor.user_id is None:
        raise InvalidInput({"scenario": ["Only a person with a login can play a scenario."]})
    _scenario(scenario_id)
    member = (
        Member.objects.select_related("unit")
        .filter(pk=actor.member_id, agency_id=actor.agency_id)
        .first()
        if actor.member_id is not None
        else None
    )
    seed = _draw_seed()
    engine = simulator.start_run(scenario_id, seed=seed)
    run = ScenarioRun(
        agency_id=actor.agency_id,
        user_id=actor.user_id,
        member=member,
        unit_path=member.unit.path if member is not None else "",
        scenario_id=scenario_id,
        seed=seed,
        group_session=group_session,
        trainer_state=engine.state.to_dict(),
    )
    run.save()
    audit_record(
        actor=actor,
        action="scenario_run.start",
        obj=run,
        changes={
            "scenario": [None, scenario_id],
            "seed": [None, seed],
            "group_session": [None, group_session.pk if group_session else None],
        },
    )
    return run


@dataclass(frozen=True)
class TurnOutcome:
    """What one POST of the play form did.

    ``results`` are the engine's TurnResult dicts of this request: applied trainer events first,
    then the action's. ``interrupted`` is True when an event changed the scene so that the
    chosen action was no longer possible: the events were applied, the action was not.
    """

    run: ScenarioRun
    results: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False
    credited: Enrolment | None = None


def _lock_own_run(actor: Actor, run_id: int) -> ScenarioRun:
    run = (
        ScenarioRun.objects.select_for_update().filter(pk=run_id, agency_id=actor.agency_id).first()
    )
    if run is None or run.user_id != actor.user_id:
        raise NotFound("scenario run")
    ensure(actor, "scenario.play", run)
    return run


def _stale(run: ScenarioRun, expected_turn: int) -> ConflictError:
    return ConflictError(
        f"That choice was made for turn {expected_turn + 1}, but this run is already at turn "
        f"{run.turn + 1} (the form was sent twice, or the run is open in another tab). Nothing "
        "was played twice; the page now shows the run as it is."
    )


@transaction.atomic
def run_take_action(*, actor: Actor, run_id: int, action: str, expected_turn: int) -> TurnOutcome:
    """Play one trainee action on the actor's own run.

    ``expected_turn`` is the run's ``turn`` when the page was read; any other value is refused
    with ``ConflictError``. Trainer events waiting on the run are applied first, at this turn.
    """
    run = _lock_own_run(actor, run_id)
    if run.is_completed:
        raise ConflictError("This run has ended; its debrief shows how it went.")
    if expected_turn != run.turn:
        raise _stale(run, expected_turn)
    engine = run_engine(run)
    pending = run.pending_injections
    results: list[dict[str, Any]] = []
    applied: list[str] = []
    for injection in pending:
        if engine.terminal:
            break
        result = engine.inject(str(injection["event"]))
        injection["applied_at_step"] = len(engine.steps) - 1
        applied.append(str(injection["event"]))
        if result is not None:
            results.append(result.to_dict())
    changes: dict[str, list[object]] = {}
    if applied:
        changes["events_applied"] = [None, applied]
    interrupted = False
    if action not in engine.actions():
        if not applied:
            choices = ", ".join(o.label for o in engine.available_actions())
            raise InvalidInput(
                {"action": [f"“{action}” is not one of the actions open to you now: {choices}."]}
            )
        interrupted = True
    else:
        result = engine.take(action)
        if result is not None:
            results.append(result.to_dict())
        changes["turn"] = [run.turn, run.turn + 1]
        changes["action"] = [None, action]
        run.turn += 1
    _cache(run, engine)
    credited = None
    if engine.terminal:
        run.status = RunStatus.COMPLETED
        run.finished_at = timezone.now()
        # The rubric now (instant); the decision points in the background (seconds).
        run.score = simulator.score_run(engine, decision_points=False).to_dict()
        run.debrief_job = job_create(
            actor=actor,
            kind=DEBRIEF_JOB_KIND,
            title=f"Decision points of run {run.pk} ({run.scenario_id})",
            params={"link": reverse("scenarios:debrief", args=[run.pk])},
        )
        changes["status"] = [RunStatus.IN_PROGRESS, RunStatus.COMPLETED]
        changes["outcome"] = [None, run.outcome]
    run.save()
    audit_record(actor=actor, action="scenario_run.turn", obj=run, changes=changes)
    if run.is_completed:
        credited = run_credit(actor=actor, run=run)
        run.enrolment = credited
        job_id = run.debrief_job_id
        run_pk = run.pk
        transaction.on_commit(lambda: _enqueue_debrief(run_pk, job_id))
    return TurnOutcome(run=run, results=results, interrupted=interrupted, credited=credited)


def _enqueue_debrief(run_id: int, job_id: int | None) -> None:
    from steadyhand.scenarios.tasks import run_debrief_task

    if job_id is not None:
        run_debrief_task.enqueue(run_id, job_id)


def run_debrief(*, actor: Actor, run_id: int) -> ScenarioRun:
    """Add the decision points to a completed run's debrief (the background job's work).

    The replays take seconds, so they run outside any transaction; the result is written under
    the row lock, once (a second call, or a job run twice, changes nothing).
    """
    run = run_get_own(actor=actor, run_id=run_id)
    if not run.is_completed:
        raise InvalidInput({"run": ["Only a completed run has a debrief; finish it first."]})
    if run.decision_points_done:
        return run
    debrief = simulator.score_run(run_engine(run), k=DEBRIEF_K).to_dict()
    with transaction.atomic():
        run = _lock_own_run(actor, run_id)
        if run.decision_points_done:
            return run
        run.score = debrief
        run.decision_points_done = True
        run.save(update_fields=["score", "decision_points_done", "updated_at"])
        audit_record(
            actor=actor,
            action="scenario_run.debrief",
            obj=run,
            changes={
                "decision_points": [None, len(debrief.get("decision_points", []))],
                "k": [None, DEBRIEF_K],
            },
        )
    return run


# Group sessions ------------------------------------------------------------------------------


def _new_code(agency_id: int) -> str:
    taken = set(
        GroupSession.objects.filter(
            agency_id=agency_id, status=GroupSessionStatus.OPEN
        ).values_list("code", flat=True)
    )
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if code not in taken:
            return code


@transaction.atomic
def group_session_create(*, actor: Actor, scenario_id: str, title: str = "") -> GroupSession:
    ensure(actor, "scenario.run_session", Scope(agency_id=actor.agency_id))
    if actor.user_id is None:
        raise InvalidInput({"scenario": ["A group session needs a trainer with a login."]})
    summary = _scenario(scenario_id)
    session = GroupSession(
        agency_id=actor.agency_id,
        trainer_id=actor.user_id,
        scenario_id=scenario_id,
        title=title.strip()[:200] or summary.title,
        code=_new_code(actor.agency_id),
    )
    session.save()
    audit_record(
        actor=actor,
        action="scenario_session.create",
        obj=session,
        changes={
            "scenario": [None, scenario_id],
            "title": [None, session.title],
            "code": [None, session.code],
        },
    )
    return session


def _lock_session(actor: Actor, session_id: int) -> GroupSession:
    session = (
        GroupSession.objects.select_for_update()
        .filter(pk=session_id, agency_id=actor.agency_id)
        .first()
    )
    if session is None:
        raise NotFound("group session")
    ensure(actor, "scenario.run_session", session)
    return session


@transaction.atomic
def group_session_close(*, actor: Actor, session_id: int) -> GroupSession:
    """Close a session: nobody can join it any more (runs in progress can still be finished)."""
    session = _lock_session(actor, session_id)
    if session.is_open:
        session.status = GroupSessionStatus.CLOSED
        session.closed_at = timezone.now()
        session.save()
        audit_record(
            actor=actor,
            action="scenario_session.close",
            obj=session,
            changes={"status": [GroupSessionStatus.OPEN, GroupSessionStatus.CLOSED]},
        )
    return session


def _normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


@transaction.atomic
def group_session_join(*, actor: Actor, code: str) -> ScenarioRun:
    """Join the agency's open session with ``code``: start the actor's run in it, or return the
    run they already have there (one run per trainee per session)."""
    ensure(actor, "scenario.play", Scope(agency_id=actor.agency_id, owner_user_id=actor.user_id))
    if actor.user_id is None:
        raise InvalidInput({"code": ["Only a person with a login can join a session."]})
    wanted = _normalise_code(code)
    session = (
        GroupSession.objects.select_for_update()
        .filter(agency_id=actor.agency_id, code=wanted, status=GroupSessionStatus.OPEN)
        .first()
    )
    if session is None:
        raise InvalidInput(
            {
                "code": [
                    f"No open group session has the code “{wanted}”. Check it with your trainer."
                ]
            }
        )
    existing = ScenarioRun.objects.filter(group_session=session, user_id=actor.user_id).first()
    if existing is not None:
        return existing
    return run_start(actor=actor, scenario_id=session.scenario_id, group_session=session)


@transaction.atomic
def group_session_inject(
    *,
    actor: Actor,
    session_id: int,
    event_id: str,
    run_ids: Sequence[int] | None = None,
    reason: str = "",
) -> list[ScenarioRun]:
    """Queue a scenario-declared event for runs in progress in the session (all of them, or
    ``run_ids``). Each run applies it before the trainee's next action (see ``run_take_action``)."""
    session = _lock_session(actor, session_id)
    summary = _scenario(session.scenario_id)
    labels = dict(summary.events)
    if event_id not in labels:
        known = ", ".join(labels.values()) or "none"
        raise InvalidInput(
            {"event": [f"“{event_id}” is not an event of this scenario; it declares: {known}."]}
        )
    runs = ScenarioRun.objects.select_for_update().filter(
        group_session=session, status=RunStatus.IN_PROGRESS
    )
    if run_ids is not None:
        runs = runs.filter(pk__in=list(run_ids))
    targets = list(runs.order_by("pk"))
    if run_ids is not None and len(targets) != len(set(run_ids)):
        raise InvalidInput(
            {"target": ["That run has ended or is not part of this session; reload the page."]}
        )
    if not targets:
        raise InvalidInput({"target": ["No run in this session is in progress."]})
    for run in targets:
        run.injections = [
            *run.injections,
            {
                "event": event_id,
                "label": labels[event_id],
                "by": actor.user_id,
                "turn": run.turn,
                "applied_at_step": None,
            },
        ]
        run.save(update_fields=["injections", "updated_at"])
        audit_record(
            actor=actor,
            action="scenario_run.inject",
            obj=run,
            changes={"injection": [None, event_id], "turn": [None, run.turn]},
            reason=reason,
        )
    return targets
