"""Reads for scenario runs and group sessions, filtered by what the actor may see.

Who sees a run: its player (``scenario.play``, own runs only); supervisors, commanders and
trainers over the player's unit (``scenario.view_runs``); trainers, for runs played in a group
session (``scenario.run_session`` — the trainee joined the session to be watched). Missing and
not allowed both raise ``NotFound``.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from steadyhand import simulator
from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.core.errors import ConflictError, NotFound
from steadyhand.scenarios.models import GroupSession, GroupSessionStatus, RunStatus, ScenarioRun


def scenario_list() -> list[simulator.ScenarioSummary]:
    return simulator.list_scenarios()


def scenario_get(*, scenario_id: str) -> simulator.ScenarioSummary:
    for summary in simulator.list_scenarios():
        if summary.id == scenario_id:
            return summary
    raise NotFound("scenario")


def scenario_titles() -> dict[str, str]:
    return {s.id: s.title for s in simulator.list_scenarios()}


def run_engine(run: ScenarioRun) -> simulator.Run:
    """The engine's run rebuilt from the stored seed and steps (the only source of truth)."""
    try:
        return simulator.run_from_dict(run.engine_dict())
    except (ValueError, KeyError, simulator.ScenarioError) as exc:
        raise ConflictError(
            f"Run {run.pk} can no longer be replayed: the scenario “{run.scenario_id}” changed or "
            f"was removed since it was played ({exc}). Start a new run."
        ) from exc


def _runs_visible_q(actor: Actor) -> Q:
    q = visible_q(actor, "scenario.play", owner_user_field="user_id")
    q |= visible_q(actor, "scenario.view_runs", unit_path_field="unit_path")
    if can(actor, "scenario.run_session"):
        q |= Q(agency_id=actor.agency_id, group_session__isnull=False)
    return q


def run_get_own(*, actor: Actor, run_id: int) -> ScenarioRun:
    """The actor's own run (the only runs anyone may play)."""
    if actor.user_id is None:
        raise NotFound("scenario run")
    run = (
        ScenarioRun.objects.filter(visible_q(actor, "scenario.play", owner_user_field="user_id"))
        .filter(pk=run_id, user_id=actor.user_id)
        .first()
    )
    if run is None:
        raise NotFound("scenario run")
    return run


def run_get_visible(*, actor: Actor, run_id: int) -> ScenarioRun:
    """A run the actor may read: their own, their chain's, or one in a group session."""
    run = (
        ScenarioRun.objects.filter(_runs_visible_q(actor))
        .filter(pk=run_id)
        .select_related("member", "user", "group_session")
        .first()
    )
    if run is None:
        raise NotFound("scenario run")
    return run


def runs_of_actor(*, actor: Actor) -> QuerySet[ScenarioRun]:
    if actor.user_id is None:
        return ScenarioRun.objects.none()
    return ScenarioRun.objects.filter(
        visible_q(actor, "scenario.play", owner_user_field="user_id"), user_id=actor.user_id
    ).select_related("group_session")


def runs_for_review(*, actor: Actor, limit: int = 200) -> list[ScenarioRun]:
    """Completed runs of others in the actor's chain, newest first."""
    runs = ScenarioRun.objects.filter(
        visible_q(actor, "scenario.view_runs", unit_path_field="unit_path"),
        status=RunStatus.COMPLETED,
    )
    if actor.user_id is not None:
        runs = runs.exclude(user_id=actor.user_id)
    return list(runs.select_related("member", "user").order_by("-finished_at", "-pk")[:limit])


def group_session_get(*, actor: Actor, session_id: int) -> GroupSession:
    if not can(actor, "scenario.run_session"):
        raise NotFound("group session")
    session = GroupSession.objects.filter(pk=session_id, agency_id=actor.agency_id).first()
    if session is None or not can(actor, "scenario.run_session", session):
        raise NotFound("group session")
    return session


def group_sessions(*, actor: Actor, limit: int = 50) -> list[GroupSession]:
    if not can(actor, "scenario.run_session"):
        return []
    return list(
        GroupSession.objects.filter(agency_id=actor.agency_id)
        .select_related("trainer")
        .order_by("status", "-created_at")[:limit]
    )


def group_session_runs(*, session: GroupSession) -> list[ScenarioRun]:
    return list(session.runs.select_related("member", "user").order_by("pk"))


def open_session_count(*, actor: Actor) -> int:
    return GroupSession.objects.filter(
        agency_id=actor.agency_id, trainer_id=actor.user_id, status=GroupSessionStatus.OPEN
    ).count()


def trainee_label(run: ScenarioRun) -> str:
    if run.member is not None:
        return f"{run.member.full_name} (#{run.member.badge})"
    return run.user.get_username()


@dataclass(frozen=True)
class LiveRow:
    """One trainee's run as the trainer's live page (and its JSON) shows it."""

    run_id: int
    trainee: str
    turn: int
    status: str
    status_label: str
    outcome_label: str
    demeanour: str
    distance_m: float | None
    last_action: str
    last_line: str
    agitation: float | None
    rapport: float | None
    pending: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "trainee": self.trainee,
            "turn": self.turn,
            "status": self.status,
            "status_label": self.status_label,
            "outcome_label": self.outcome_label,
            "demeanour": self.demeanour,
            "distance_m": self.distance_m,
            "last_action": self.last_action,
            "last_line": self.last_line,
            "agitation": self.agitation,
            "rapport": self.rapport,
            "pending": self.pending,
        }


def live_rows(*, session: GroupSession) -> list[LiveRow]:
    rows = []
    for run in group_session_runs(session=session):
        result = run.last_result or {}
        view = result.get("view") or {}
        state = run.trainer_state or {}
        rows.append(
            LiveRow(
                run_id=run.pk,
                trainee=trainee_label(run),
                turn=run.turn,
                status=run.status,
                status_label=run.get_status_display(),
                outcome_label=str(run.outcome_data.get("label", "")),
                demeanour=str(view.get("demeanour", "")),
                distance_m=view.get("distance_m", state.get("distance_m")),
                last_action=str(result.get("label") or ""),
                last_line=str(result.get("line") or ""),
                agitation=state.get("agitation"),
                rapport=state.get("rapport"),
                pending=[str(i.get("label", i.get("event"))) for i in run.pending_injections],
            )
        )
    return rows
