"""The formal force review (accountability), its route up the chain, its corrective actions,
and the in-app notifications it sends.

This app is the *disciplinary* side. It never reads or links after-action reviews (the learning
side, kept behind the AAR wall): nothing here imports the AAR app, and review pages show only
the incident's facts, the reviewers' steps, the findings and the corrective actions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.core.models import TimeStampedModel, VersionedModel
from steadyhand.incidents.models import FORCE_LEVEL_CHOICES, Incident


class Level(models.TextChoices):
    """The rungs of the review ladder, lowest first (``routing.LADDER`` keeps the order)."""

    SERGEANT = "sergeant", "Sergeant"
    LIEUTENANT = "lieutenant", "Lieutenant"
    CAPTAIN = "captain", "Captain"
    BOARD = "board", "Force review board"


class ReviewRoute(VersionedModel):
    """An agency's route for incidents of one force level: the ordered ``steps``, each
    ``{"level": …, "due_days": …}``. Without a row the default of ``routing.DEFAULT_ROUTES``
    applies, so a new agency reviews from the first day."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="review_routes")
    force_level = models.PositiveSmallIntegerField(choices=FORCE_LEVEL_CHOICES)
    steps = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "force_level"], name="review_route_once_per_level"
            ),
        ]
        ordering = ["force_level"]

    def __str__(self) -> str:
        return f"Review route for force level {self.force_level}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id)


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    RETURNED = "returned", "Returned for correction"
    CLOSED = "closed", "Closed"


class YesNoNa(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NA = "na", "Not applicable"


class ForceReview(VersionedModel):
    """The chain of command's review of one force incident.

    ``route`` is a snapshot of the steps planned when the review opened (a later change to the
    agency's routes does not move reviews already under way). The findings are one set, amended
    by each reviewer in turn; every amendment is in the audit log with old and new values.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="force_reviews")
    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="force_review")
    # The incident's unit: the chain of command above it sees and acts on the review.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="force_reviews")
    force_level = models.PositiveSmallIntegerField(
        choices=FORCE_LEVEL_CHOICES, null=True, blank=True
    )
    route = models.JSONField(default=list)
    status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    current_step = models.ForeignKey(
        "ReviewStep", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Findings. None / "": not decided yet.
    within_policy = models.BooleanField(null=True, blank=True)
    de_escalation = models.CharField(
        "De-escalation attempted as policy requires", max_length=3, choices=YesNoNa.choices,
        blank=True,
    )  # fmt: skip
    duty_to_intervene = models.CharField(
        "Duty to intervene met", max_length=3, choices=YesNoNa.choices, blank=True
    )
    tactics_issues = models.TextField(blank=True)
    training_issues = models.TextField(blank=True)
    equipment_issues = models.TextField(blank=True)
    # The findings call for remedial training: the review cannot close until a remedial
    # training corrective action (a real enrolment) exists.
    remedial_training_needed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["agency", "status"], name="review_agency_status_idx")]

    def __str__(self) -> str:
        return f"Force review of incident {self.incident.case_number}"

    def access_scope(self) -> Scope:
        # The members involved own the review only once it is closed (issue 5).
        owners: frozenset[int] = frozenset()
        if self.status == ReviewStatus.CLOSED:
            owners = frozenset(
                uid
                for uid in self.incident.involvements.filter(
                    member__user_account__isnull=False
                ).values_list("member__user_account__id", flat=True)
            )
        return Scope(agency_id=self.agency_id, unit_path=self.unit.path, owner_user_ids=owners)

    @property
    def findings_complete(self) -> bool:
        return (
            self.within_policy is not None
            and self.de_escalation != ""
            and self.duty_to_intervene != ""
        )


class Decision(models.TextChoices):
    APPROVE = "approve", "Approved"
    RETURN = "return", "Returned for correction"
    ESCALATE = "escalate", "Escalated"


class ReviewStep(TimeStampedModel):
    """One reviewer's turn. A step is created when it becomes current; a return or an
    escalation closes it and a new step follows, so the steps are the review's history."""

    review = models.ForeignKey(ForceReview, on_delete=models.CASCADE, related_name="steps")
    level = models.CharField(max_length=12, choices=Level.choices)
    # None: nobody of the rank was found in the chain; anyone of that rank or above in the
    # chain may take it (see docs/reviews.md, "Who reviews").
    assignee = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="review_steps"
    )
    due_on = models.DateField()
    acted_at = models.DateTimeField(null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    reason = models.TextField(blank=True)
    # Set when the overdue check moved the step up (``acted_by`` is then empty).
    escalated_overdue = models.BooleanField(default=False)
    # The reporting officer's answer to a return for correction.
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} step of {self.review}"

    @property
    def is_open(self) -> bool:
        return self.acted_at is None


class CorrectiveKind(models.TextChoices):
    COUNSELLING = "counselling", "Counselling (documented)"
    REMEDIAL_TRAINING = "remedial_training", "Remedial training"
    IA_REFERRAL = "ia_referral", "Referral to internal affairs"


class CorrectiveStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class CorrectiveAction(VersionedModel):
    """What follows from a finding, tracked to completion.

    Remedial training is a real training ``Enrolment`` (``enrolment``); its completion is the
    enrolment's, so ``effective_status`` follows the training record rather than a copy.
    """

    review = models.ForeignKey(
        ForceReview, on_delete=models.PROTECT, related_name="corrective_actions"
    )
    kind = models.CharField(max_length=20, choices=CorrectiveKind.choices)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="corrective_actions")
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=CorrectiveStatus.choices, default=CorrectiveStatus.OPEN
    )
    note = models.TextField(blank=True, help_text="Why, and what is expected.")
    enrolment = models.ForeignKey(
        "training.Enrolment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrective_actions",
    )
    completion_note = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="remedial_training") | Q(enrolment__isnull=False),
                name="corrective_remedial_has_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for #{self.member.badge}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.review.agency_id, unit_path=self.review.unit.path)

    @property
    def effective_status(self) -> str:
        training_done = self.enrolment is not None and self.enrolment.status == "completed"
        if self.status == CorrectiveStatus.OPEN and training_done:
            return CorrectiveStatus.COMPLETED
        return self.status

    @property
    def effective_status_label(self) -> str:
        label = CorrectiveStatus(self.effective_status).label
        if self.enrolment is not None and self.effective_status == CorrectiveStatus.OPEN:
            return f"{label} (training: {self.enrolment.get_status_display().lower()})"
        return label


class Notification(TimeStampedModel):
    """An in-app notice for one user, with a link to the work; also sent by email."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    read = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.text

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id, owner_user_id=self.recipient_id)
