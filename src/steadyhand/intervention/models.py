"""Early-intervention flags and supervisors' responses to them.

Flags are non-disciplinary (PRODUCT.md; issue 8): they go to the member's chain of command for
support, and internal affairs never sees them (the ``intervention`` category is walled off like
``aar`` — see the registry proposal in docs/early-intervention.md). So, as in the AAR app, every
foreign key into another app has ``related_name="+"``: a member or unit has no reverse accessor
into flags, and ``__str__`` names a record by id only (the audit log stores it).
"""

from django.db import models

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.core.models import TimeStampedModel, VersionedModel
from steadyhand.training.models import Enrolment

# The kind of the background job a scoring run started from the scoring page is.
SCORE_JOB_KIND = "intervention.score"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Awaiting the supervisor"
    AGREED = "agreed", "Agreed; intervention assigned"
    DISPUTED = "disputed", "Disputed by the supervisor"
    CLOSED = "closed", "Intervention completed"


class InterventionKind(models.TextChoices):
    COACHING = "coaching", "Coaching"
    REMEDIAL_TRAINING = "remedial_training", "Remedial training"
    WELLNESS = "wellness", "Wellness referral"
    RIDE_ALONG = "ride_along", "Ride-along"


class Flag(VersionedModel):
    """One member flagged by one scoring run, with the explanation shown to the supervisor.

    ``factors`` holds the explanation: a list of ``{"factor", "contribution", "observed",
    "expected", "shrunk_ratio", "prob_above_peers", "peer_rate", "incidents"}`` — numbers only,
    computed from incidents, involvements and complaints; never from after-action reviews.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    # The member's unit when scored: whose chain of command the flag goes to.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    score = models.FloatField()
    combined_ratio = models.FloatField()
    peer_group = models.CharField(max_length=200)
    peer_size = models.PositiveIntegerField()
    exposure = models.FloatField()
    factors = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)

    class Meta:
        ordering = ["-period_end", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "period_end"], name="intervention_flag_once_per_run"
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="intervention_flag_status_idx")]

    def __str__(self) -> str:
        return f"Early-intervention flag {self.pk}"

    @property
    def shown_factors(self) -> tuple[str, ...]:
        return tuple(str(f["factor"]) for f in self.factors)

    def access_scope(self) -> Scope:
        owner = getattr(self.member, "user_account", None)
        return Scope(
            agency_id=self.agency_id,
            unit_path=self.unit.path,
            owner_user_ids=frozenset({owner.pk}) if owner is not None else frozenset(),
        )


class SupervisorResponse(TimeStampedModel):
    """The supervisor's answer to a flag: agree (with a supportive intervention) or dispute.

    ``disputed_factors`` lists the factors the supervisor rejects; a disagreement naming none
    rejects all shown. These feed the dispute rates and the recalibration
    (``steadyhand.analytics.early_warning.feedback``).
    """

    flag = models.OneToOneField(Flag, on_delete=models.PROTECT, related_name="response")
    responder = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    agreed = models.BooleanField()
    reason = models.TextField(blank=True)
    disputed_factors = models.JSONField(default=list)
    intervention = models.CharField(max_length=20, choices=InterventionKind.choices, blank=True)
    # Remedial training is a real enrolment in the training app (cause "early_intervention",
    # the flag's id), so it reaches the trainers' lists and the member's transcript and
    # completes there. No reverse accessor: a training record must not reveal a flag.
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agreed=False) | ~models.Q(intervention=""),
                name="intervention_agreement_names_intervention",
            ),
        ]

    def __str__(self) -> str:
        return f"Supervisor response {self.pk}"
