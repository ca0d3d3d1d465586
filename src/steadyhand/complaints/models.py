"""Complaints from the community: what was alleged, against whom, and what was found."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from steadyhand import vocabulary as v
from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.core.models import TimeStampedModel, VersionedModel
from steadyhand.incidents.models import Incident


def _choices(codes: dict[str, str]) -> list[tuple[str, str]]:
    return list(codes.items())


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    INVESTIGATING = "investigating", "Under investigation"
    CLOSED = "closed", "Closed"


class Complaint(VersionedModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="complaints")
    reference = models.CharField(max_length=40)
    received_at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=_choices(v.COMPLAINT_CHANNELS))
    status = models.CharField(
        max_length=15, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    occurred_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    narrative = models.TextField()
    # Contact details are optional: a complaint may be anonymous.
    complainant_name = models.CharField(max_length=200, blank=True)
    complainant_contact = models.CharField(max_length=200, blank=True)
    # What the complainant said about the officer (badge, name, description) in their words;
    # intake turns it into allegations naming members.
    officer_description = models.CharField(max_length=300, blank=True)
    # Filed under the accused members' unit once known; agency level (None) until then, which
    # only agency-wide grants reach.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=60, default="intake")
    source_key = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "reference"], name="complaint_reference_unique_in_agency"
            ),
            models.UniqueConstraint(
                fields=["agency", "source", "source_key"],
                condition=~Q(source_key=""),
                name="complaint_source_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "received_at"], name="complaint_agency_when_idx"),
        ]

    def __str__(self) -> str:
        return f"Complaint {self.reference}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id, unit_path=self.unit.path if self.unit else None)


class Complainant(TimeStampedModel):
    """Demographics of a complainant or victim, for disparity analysis (no names here)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="people")
    is_victim = models.BooleanField(default=False)
    race = models.CharField(max_length=20, choices=_choices(v.RACES), default="unknown")
    ethnicity = models.CharField(max_length=15, choices=_choices(v.ETHNICITIES), default="unknown")
    sex = models.CharField(max_length=10, choices=_choices(v.SEXES), default="unknown")
    age_band = models.CharField(max_length=10, choices=_choices(v.AGE_BANDS), default="unknown")

    class Meta:
        ordering = ["pk"]


class Allegation(TimeStampedModel):
    """One allegation against one member (or an unidentified / imported officer)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="allegations")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="allegations"
    )
    external_officer_id = models.CharField(max_length=60, blank=True)
    category = models.CharField(max_length=30, choices=_choices(v.ALLEGATION_CATEGORIES))
    description = models.TextField(blank=True)
    finding = models.CharField(max_length=15, choices=_choices(v.FINDINGS), default="pending")
    finding_at = models.DateField(null=True, blank=True)
    # The source's own codes, kept next to ours.
    source_category = models.CharField(max_length=120, blank=True)
    source_finding = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.get_finding_display()})"


class SubmissionAttempt(models.Model):
    """One accepted attempt at a public form, for the per-client rate limit.

    ``client`` is a keyed hash of the client's IP address (never the address itself). Rows older
    than the rate window are deleted as new ones arrive, so the table stays small. A database
    table rather than the cache so the limit holds across every web process of a deployment.
    """

    scope = models.CharField(max_length=40)
    client = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["scope", "client", "at"], name="submission_attempt_client_idx"),
            models.Index(fields=["at"], name="submission_attempt_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} attempt at {self.at:%Y-%m-%d %H:%M}"
