"""Scenario runs played in the browser, and the group sessions trainers run them in.

A run is stored as what determines it — scenario id, seed and the ordered steps (trainee actions
and applied trainer events) — and nothing else is trusted: every page rebuilds the engine's run
by replaying those steps (``steadyhand.simulator.run_from_dict``). The ``last_result``,
``trainer_state``, ``outcome_data`` and ``score`` columns are derived caches of that replay, kept
so that list pages and the trainer's live view need not replay every run on every poll.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency, Member
from steadyhand.core.models import TimeStampedModel
from steadyhand.jobs.models import Job
from steadyhand.simulator.engine import RUN_FORMAT
from steadyhand.training.models import Enrolment


class GroupSessionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class GroupSession(TimeStampedModel):
    """A trainer's session for a group: trainees join with ``code`` and each plays one run of
    ``scenario_id`` while the trainer watches and may inject the scenario's events."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="scenario_sessions")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scenario_id = models.CharField(max_length=60)
    title = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=8, help_text="What trainees type to join.")
    status = models.CharField(
        max_length=8, choices=GroupSessionStatus.choices, default=GroupSessionStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A code identifies one open session of the agency; closed sessions release it.
            models.UniqueConstraint(
                fields=["agency", "code"],
                condition=models.Q(status="open"),
                name="scenario_session_open_code_unique",
            ),
        ]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title or f"Group session {self.code}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id, owner_user_id=self.trainer_id)

    @property
    def is_open(self) -> bool:
        return self.status == GroupSessionStatus.OPEN


class RunStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class ScenarioRun(TimeStampedModel):
    """One play of one scenario by one user.

    ``turn`` counts the trainee's actions and is the sequence number the play form carries: a
    POST made for another turn (a double submit, a stale tab) is refused, so no turn is ever
    played twice. Trainer injections wait in ``injections`` (``applied_at_step`` None) until the
    trainee's next action, which applies them first; once applied they are ordinary
    ``{"event": id}`` steps, so replay reproduces them at the same place.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="scenario_runs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scenario_runs"
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="scenario_runs"
    )
    # The member's unit when the run started: supervisors see runs of their chain as it was.
    unit_path = models.CharField(max_length=255, blank=True)
    scenario_id = models.CharField(max_length=60)
    seed = models.BigIntegerField()
    # The engine's step list: [{"action": code} | {"event": id}, …] in the order applied.
    steps = models.JSONField(default=list, blank=True)
    # [{"event": id, "label": …, "by": user id, "turn": turn when injected,
    #   "applied_at_step": index in steps or None while pending}]
    injections = models.JSONField(default=list, blank=True)
    turn = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=12, choices=RunStatus.choices, default=RunStatus.IN_PROGRESS
    )
    outcome = models.CharField(max_length=20, blank=True)
    outcome_data = models.JSONField(default=dict, blank=True)
    # The debrief (``Debrief.to_dict()``). The rubric is stored when the run ends; the decision
    # points take seconds of replays and are added by a background job (``debrief_job``).
    score = models.JSONField(default=dict, blank=True)
    decision_points_done = models.BooleanField(default=False)
    debrief_job = models.ForeignKey(
        Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_result = models.JSONField(default=dict, blank=True)
    trainer_state = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    group_session = models.ForeignKey(
        GroupSession, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    # The role-play credit this run earned (set once; the one-to-one makes a second impossible).
    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scenario_run",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group_session", "user"],
                condition=models.Q(group_session__isnull=False),
                name="scenario_run_once_per_session",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(finished_at__isnull=False),
                name="scenario_run_completed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "user", "status"], name="scenario_run_user_idx"),
            models.Index(fields=["agency", "unit_path"], name="scenario_run_unit_idx"),
        ]
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.scenario_id}"

    def access_scope(self) -> Scope:
        return Scope(
            agency_id=self.agency_id,
            unit_path=self.unit_path or None,
            owner_user_id=self.user_id,
        )

    @property
    def is_completed(self) -> bool:
        return self.status == RunStatus.COMPLETED

    @property
    def pending_injections(self) -> list[dict[str, Any]]:
        return [i for i in self.injections if i.get("applied_at_step") is None]

    def engine_dict(self) -> dict[str, Any]:
        """What ``steadyhand.simulator.run_from_dict`` rebuilds the run from."""
        return {
            "format": RUN_FORMAT,
            "scenario": self.scenario_id,
            "seed": self.seed,
            "steps": list(self.steps),
        }
