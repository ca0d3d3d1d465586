"""A stored evaluation: what was asked, of which data, by which code, and what came out.

An evaluation never changes once it has run. ``input_hash`` fingerprints the panel it was
computed from and ``code_version`` the package, so that re-running the same request on the same
data can be checked to reproduce the stored result (``evaluation_rerun``).
"""

from django.conf import settings
from django.db import models

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency
from steadyhand.core.models import TimeStampedModel
from steadyhand.jobs.models import Job
from steadyhand.training.models import RolloutPlan


class Outcome(models.TextChoices):
    FORCE = "force", "Incidents with force"
    SERIOUS_FORCE = "serious_force", "Incidents with intermediate or deadly force"
    SUBJECT_INJURY = "subject_injury", "Incidents with a subject injured"
    OFFICER_INJURY = "officer_injury", "Incidents with an officer injured"
    COMPLAINTS = "complaints", "Complaints received"


class UnitOfAnalysis(models.TextChoices):
    SQUAD = "squad", "Squad (the unit randomized to waves)"
    OFFICER = "officer", "Officer"


class Method(models.TextChoices):
    EFFICIENT = "efficient", "Efficient estimator for randomized timing (Roth & Sant'Anna 2023)"
    CS = "cs", "Callaway & Sant'Anna (2021), not-yet-treated controls"
    SA = "sa", "Sun & Abraham (2021) event study"
    TWFE = "twfe", "Two-way fixed effects (for comparison only)"
    ITS = "its", "Interrupted time series of the whole agency (no comparison group)"


class EvaluationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Evaluation(TimeStampedModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="evaluations")
    plan = models.ForeignKey(RolloutPlan, on_delete=models.PROTECT, related_name="evaluations")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    unit_of_analysis = models.CharField(max_length=10, choices=UnitOfAnalysis.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    # Months of data before the first wave to include, the last month, Fisher draws, seed.
    params = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.QUEUED
    )
    input_hash = models.CharField(max_length=64, blank=True)
    code_version = models.CharField(max_length=40, blank=True)
    result = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Evaluation #{self.pk}: {self.get_outcome_display()} — {self.plan}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id)


class SynthStudy(TimeStampedModel):
    """A synthetic-control comparison of the agency with peer agencies, from an uploaded CSV
    of every agency's outcome by period (long format). Immutable once it has run."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="synth_studies")
    title = models.CharField(max_length=200)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    unit_column = models.CharField(max_length=80)
    time_column = models.CharField(max_length=80)
    outcome_column = models.CharField(max_length=80)
    treated = models.CharField(max_length=200, help_text="This agency's name in the file.")
    treatment_start = models.FloatField()
    fit_from = models.FloatField()
    fit_to = models.FloatField()
    status = models.CharField(
        max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.QUEUED
    )
    code_version = models.CharField(max_length=40, blank=True)
    result = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "synthetic-control studies"

    def __str__(self) -> str:
        return f"Synthetic control #{self.pk}: {self.title}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id)
