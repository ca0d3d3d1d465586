"""Training: topics, courses (hours by delivery mode, academy or in-service, the policy sections
they teach), sessions, enrolments with attendance and completion, mandates as data, roll-out
waves with randomized assignment, and anonymous attitude surveys."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.core.models import TimeStampedModel, VersionedModel
from steadyhand.policy.models import PolicyDocument


class ParityGroup(models.TextChoices):
    """Which side of the parity comparison a topic's hours count on."""

    DE_ESCALATION = "de_escalation", "De-escalation"
    USE_OF_FORCE = "use_of_force", "Use of force"
    NEITHER = "neither", "Neither"


class Topic(models.Model):
    """A training topic. Agencies start with the standard list and may add their own."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="topics")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    parity_group = models.CharField(
        max_length=20, choices=ParityGroup.choices, default=ParityGroup.NEITHER
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="topic_code_unique"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Setting(models.TextChoices):
    ACADEMY = "academy", "Academy"
    IN_SERVICE = "in_service", "In-service"


class DeliveryMode(models.TextChoices):
    LECTURE = "lecture", "Lecture"
    VIDEO = "video", "Video"
    TEAM_EXERCISE = "team_exercise", "Team exercise"
    ROLE_PLAY = "role_play", "Role-play scenario"
    GROUP_DISCUSSION = "group_discussion", "Group discussion"
    ONLINE = "online", "Online module"
    PRACTICAL = "practical", "Practical / range"


class Course(VersionedModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="courses")
    code = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="courses")
    setting = models.CharField(max_length=12, choices=Setting.choices)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="course_code_unique"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id)

    @property
    def total_hours(self) -> Decimal:
        return sum((m.hours for m in self.modes.all()), Decimal("0"))


class CourseMode(models.Model):
    """Hours of a course delivered in one mode (a 16-hour course: 6 lecture, 4 role-play …)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modes")
    mode = models.CharField(max_length=20, choices=DeliveryMode.choices)
    hours = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "mode"], name="course_mode_unique"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="course_mode_hours_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()}: {self.hours} h"


class CourseCitation(models.Model):
    """A policy section a course teaches, by document and section number (see PolicySection)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="citations")
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="+")
    section_number = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "document", "section_number"], name="course_citation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.code} §{self.section_number}"


class Session(VersionedModel):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    starts_on = models.DateField()
    ends_on = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveIntegerField(default=24)
    instructors = models.ManyToManyField(Member, blank=True, related_name="sessions_taught")

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="session_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} on {self.starts_on:%Y-%m-%d}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.course.agency_id)


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    ATTENDED = "attended", "Attended, not completed"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "Did not attend"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Enrolment(VersionedModel):
    """A member in a course: through a session, or an external record (an import) without one.

    Only ``completed`` enrolments count towards hours, parity and mandates. A remedial
    enrolment names what caused it (``cause_type``/``cause_id``: a review finding, an
    early-intervention flag) so outcomes can be traced back to it.
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments"
    )
    status = models.CharField(
        max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    completed_on = models.DateField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # Hours credited on completion; defaults to the course's total, less for partial credit.
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    remedial = models.BooleanField(default=False)
    cause_type = models.CharField(max_length=40, blank=True)
    cause_id = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=40, default="manual", help_text="manual, import:…")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["member", "status"], name="enrolment_member_status_idx"),
            models.Index(fields=["course", "completed_on"], name="enrolment_course_done_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "session"],
                condition=models.Q(session__isnull=False),
                name="enrolment_once_per_session",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(completed_on__isnull=False),
                name="enrolment_completed_has_date",
            ),
        ]
        ordering = ["-completed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.member} in {self.course.code} ({self.get_status_display()})"

    def access_scope(self) -> Scope:
        account = getattr(self.member, "user_account", None)
        return Scope(
            agency_id=self.member.agency_id,
            unit_path=self.member.unit.path,
            owner_user_id=account.pk if account is not None else None,
        )


class Mandate(TimeStampedModel):
    """A training requirement as data: ``hours`` of ``topic`` in every rolling ``period_months``
    for members of ``ranks`` (empty: all sworn ranks), optionally counting only one setting."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="mandates")
    name = models.CharField(max_length=200)
    rule_set = models.CharField(
        max_length=120, blank=True, help_text="Groups example or state rule sets."
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="mandates")
    hours = models.DecimalField(max_digits=6, decimal_places=2)
    period_months = models.PositiveIntegerField(help_text="Rolling window length in months.")
    ranks = models.JSONField(default=list, blank=True)
    setting = models.CharField(max_length=12, choices=Setting.choices, blank=True)
    due_soon_days = models.PositiveIntegerField(default=60)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["rule_set", "name"]

    def __str__(self) -> str:
        return self.name


class AssignmentLevel(models.TextChoices):
    MEMBER = "member", "Individual members"
    UNIT = "unit", "Squads / units"


class LockedPlanError(Exception):
    """A write to a locked roll-out plan, its waves or its assignments."""


_LOCKED = "The roll-out plan is locked; its waves and assignment can no longer change."


class RolloutPlanQuerySet(models.QuerySet["RolloutPlan"]):
    # Bulk writes skip ``save``/``delete``; refuse them too when they touch a locked plan.
    def update(self, **kwargs: Any) -> int:
        if self.filter(locked=True).exists():
            raise LockedPlanError(_LOCKED)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(locked=True).exists():
            raise LockedPlanError(_LOCKED)
        return super().delete()


class RolloutPlan(TimeStampedModel):
    """Which members or squads take ``course`` in which wave. Once randomized the assignment
    is frozen: ``locked`` plans and their assignments refuse every change."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="rollouts")
    name = models.CharField(max_length=200)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="rollouts")
    level = models.CharField(max_length=10, choices=AssignmentLevel.choices)
    randomized = models.BooleanField(default=False)
    seed = models.BigIntegerField(null=True, blank=True)
    strata = models.JSONField(default=list, blank=True, help_text="e.g. ['precinct', 'shift']")
    algorithm = models.CharField(max_length=60, blank=True)
    input_hash = models.CharField(max_length=64, blank=True)
    result_hash = models.CharField(max_length=64, blank=True)
    locked = models.BooleanField(default=False)
    locked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = RolloutPlanQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The row as stored decides: the save that sets ``locked`` is the last one allowed.
        if not self._state.adding and RolloutPlan.objects.filter(pk=self.pk, locked=True).exists():
            raise LockedPlanError(_LOCKED)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if RolloutPlan.objects.filter(pk=self.pk, locked=True).exists():
            raise LockedPlanError(_LOCKED)
        return super().delete(*args, **kwargs)


class PlanChildQuerySet(models.QuerySet[Any]):
    """For waves and assignments: bulk writes that touch a locked plan are refused."""

    def _touches_locked(self) -> bool:
        return self.filter(plan__locked=True).exists()

    def update(self, **kwargs: Any) -> int:
        if self._touches_locked():
            raise LockedPlanError(_LOCKED)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._touches_locked():
            raise LockedPlanError(_LOCKED)
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        plan_ids = {obj.plan_id for obj in objs}
        if RolloutPlan.objects.filter(pk__in=plan_ids, locked=True).exists():
            raise LockedPlanError(_LOCKED)
        return super().bulk_create(objs, *args, **kwargs)


class Wave(models.Model):
    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = PlanChildQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="wave_number_unique"),
        ]
        ordering = ["plan_id", "number"]

    def __str__(self) -> str:
        return f"Wave {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if RolloutPlan.objects.filter(pk=self.plan_id, locked=True).exists():
            raise LockedPlanError(_LOCKED)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if RolloutPlan.objects.filter(pk=self.plan_id, locked=True).exists():
            raise LockedPlanError(_LOCKED)
        return super().delete(*args, **kwargs)


class WaveAssignment(models.Model):
    """One member or one unit assigned to one wave of a plan. Immutable once the plan is locked."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.PROTECT, related_name="assignments")
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="assignments")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stratum = models.CharField(max_length=200, blank=True)
    # A unit's active members when the plan was locked: who was treated in this wave, even if
    # they move squads later (the evaluation reads it through ``wave_schedule``).
    unit_member_ids = models.JSONField(default=list, blank=True)

    objects = PlanChildQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "member"],
                condition=models.Q(member__isnull=False),
                name="wave_member_once",
            ),
            models.UniqueConstraint(
                fields=["plan", "unit"],
                condition=models.Q(unit__isnull=False),
                name="wave_unit_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.unit} → {self.wave}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if RolloutPlan.objects.filter(pk=self.plan_id, locked=True).exists():
            raise LockedPlanError(_LOCKED)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if RolloutPlan.objects.filter(pk=self.plan_id, locked=True).exists():
            raise LockedPlanError(_LOCKED)
        return super().delete(*args, **kwargs)


class Survey(TimeStampedModel):
    """An anonymous attitude survey (Likert items), given before and after a course."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(max_length=200)
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="surveys"
    )
    # [{"key": "risk", "text": "Refraining from force puts officers at risk.", "reverse": true}]
    items = models.JSONField(default=list)
    scale_points = models.PositiveSmallIntegerField(default=5)
    min_group_size = models.PositiveIntegerField(default=10)
    open = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.title

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id)


class SurveyPhase(models.TextChoices):
    PRE = "pre", "Before training"
    POST = "post", "After training"


class SurveyInvitation(models.Model):
    """Who was asked and whether they answered; never linked to what they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(max_length=5, choices=SurveyPhase.choices)
    responded = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "member", "phase"], name="survey_invitation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} ({self.get_phase_display()}), invitation {self.pk}"


class SurveyResponse(models.Model):
    """An anonymous answer sheet: no member, no user, no exact time — only the coarse group
    (the respondent's precinct-level unit) and the phase, for aggregates with a minimum size."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    phase = models.CharField(max_length=5, choices=SurveyPhase.choices)
    group_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, related_name="+")
    answers = models.JSONField(default=dict)
    submitted_month = models.DateField(help_text="First day of the month; no exact time kept.")

    def __str__(self) -> str:
        return f"Anonymous response to {self.survey} ({self.get_phase_display()})"


class TrainingSettings(models.Model):
    """Per-agency training settings; created with defaults the first time they are read."""

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, primary_key=True, related_name="training_settings"
    )
    # Units whose de-escalation : use-of-force hours ratio falls below this are flagged.
    parity_target_ratio = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("1"))

    def __str__(self) -> str:
        return f"Training settings of agency {self.agency_id}"
