"""An uploaded file and what became of it: checked, then loaded (or not)."""

from django.conf import settings
from django.db import models

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency
from steadyhand.core.models import TimeStampedModel
from steadyhand.core.storable_json import StorableJSONEncoder
from steadyhand.imports.roster import RowError
from steadyhand.jobs.models import Job


class ImportKind(models.TextChoices):
    ROSTER = "roster", "Member roster"
    TRAINING = "training", "Training records"
    INCIDENTS = "incidents", "Incidents (through a mapping)"
    COMPLAINTS = "complaints", "Complaints (through a mapping)"


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded, being checked"
    VALIDATED = "validated", "Checked"
    LOADING = "loading", "Loading"
    LOADED = "loaded", "Loaded"
    FAILED = "failed", "Failed"


class LoadMode(models.TextChoices):
    ALL = "all", "All rows"
    VALID_ONLY = "valid_only", "Only the valid rows"


class ImportBatch(TimeStampedModel):
    """One uploaded file. Its bytes live in the database so any web or worker node reads them.

    ``errors`` holds the last check's problems (``RowError.as_dict``); ``plan`` holds what
    loading each valid row would do, with the version of each member it would update, so that
    the load can refuse to overwrite a member someone changed after the check.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="import_batches")
    kind = models.CharField(max_length=20, choices=ImportKind.choices, default=ImportKind.ROSTER)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=12, choices=BatchStatus.choices, default=BatchStatus.UPLOADED
    )
    row_count = models.PositiveIntegerField(default=0)
    valid_count = models.PositiveIntegerField(default=0)
    error_row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    create_count = models.PositiveIntegerField(default=0)
    update_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    # A problem with the whole file (encoding, header): no row can be loaded.
    fatal = models.BooleanField(default=False)
    # Problems quote the file's cells and headers, which may hold NUL (core/storable_json.py).
    errors = models.JSONField(default=list, blank=True, encoder=StorableJSONEncoder)
    plan = models.JSONField(default=list, blank=True, encoder=StorableJSONEncoder)
    load_mode = models.CharField(max_length=12, choices=LoadMode.choices, blank=True)
    loaded_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    # What the importer chose besides the file, e.g. a training import's format and course.
    options = models.JSONField(default=dict, blank=True, encoder=StorableJSONEncoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    # The latest job working on this batch (checking, then loading).
    job = models.ForeignKey(
        Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_batches"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    loaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["agency", "-created_at"], name="import_agency_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import #{self.pk} ({self.file_name})"

    def access_scope(self) -> Scope:
        # Agency-level: importing touches members anywhere in the tree.
        return Scope(agency_id=self.agency_id, owner_user_id=self.created_by_id)

    @property
    def row_errors(self) -> list[RowError]:
        return [RowError.from_dict(e) for e in self.errors]

    @property
    def can_load_all(self) -> bool:
        return (
            self.status == BatchStatus.VALIDATED and self.error_count == 0 and self.valid_count > 0
        )

    @property
    def can_load_valid_only(self) -> bool:
        return (
            self.status == BatchStatus.VALIDATED
            and not self.fatal
            and self.error_count > 0
            and self.valid_count > 0
        )

    @property
    def can_revalidate(self) -> bool:
        """Checked or failed batches may be checked again; so may one whose job ended without
        moving it on (e.g. its task was refused because the starter lost their role)."""
        if self.status in (BatchStatus.VALIDATED, BatchStatus.FAILED):
            return True
        if self.status in (BatchStatus.UPLOADED, BatchStatus.LOADING):
            return self.job is None or self.job.finished
        return False
