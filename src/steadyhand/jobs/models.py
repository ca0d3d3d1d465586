"""A background job's visible progress: what pages and the CLI show while a task runs."""

from django.conf import settings
from django.db import models

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class Job(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="jobs")
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="jobs"
    )
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=255, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "status"], name="job_agency_status_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id, owner_user_id=self.started_by_id)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.status == JobStatus.SUCCEEDED else None
        return min(100, int(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
