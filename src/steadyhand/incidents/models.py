"""An encounter recorded from first contact: who was there, the timeline, and how it ended.

The timeline (``TimelineEvent``) is the record; the outcome fields on ``Incident`` are its
summary. For an incident reported in Steadyhand the summary is derived from the timeline when the
report is submitted; for an imported one (most agencies' data has no timeline) it is what the
source says, and the timeline holds whatever events the source has.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from steadyhand import vocabulary as v
from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.core.models import TimeStampedModel, VersionedModel


def _choices(codes: dict[str, str]) -> list[tuple[str, str]]:
    return list(codes.items())


EVENT_KIND_CHOICES = [(k.value, label) for k, label in v.EVENT_KIND_LABELS.items()]
RESISTANCE_CHOICES = [(int(r), label) for r, label in v.RESISTANCE_LABELS.items()]
FORCE_LEVEL_CHOICES = [(int(f), label) for f, label in v.FORCE_LEVEL_LABELS.items()]
RESOLUTION_CHOICES = [(code, t.label) for code, t in v.RESOLUTIONS.items()]


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    # A reviewer sent the submitted report back to its reporting officer to correct; it is
    # editable by them alone until they resubmit it (``services/correction.py``).
    RETURNED = "returned", "Returned for correction"


# Reports that were filed: what counts as an encounter that happened, in evaluations and the
# monthly statistics alike. A report returned for correction still happened.
FILED_STATUSES = (IncidentStatus.SUBMITTED, IncidentStatus.RETURNED)


class Incident(VersionedModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="incidents")
    case_number = models.CharField(max_length=40)
    # The unit the incident is filed under: the reporting member's unit, or for an import the
    # unit its district maps to (else the agency root). The chain of command above it sees it.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="incidents")
    status = models.CharField(
        max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.DRAFT
    )
    occurred_at = models.DateTimeField()
    district = models.CharField(max_length=40, blank=True)
    beat = models.CharField(max_length=40, blank=True)
    location = models.CharField(max_length=200, blank=True, help_text="Block-level address.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    contact_type = models.CharField(max_length=20, choices=_choices(v.CONTACT_TYPES))
    call_type = models.CharField(max_length=80, blank=True)
    narrative = models.TextField(blank=True)

    # Outcomes (the summary).
    force_used = models.BooleanField(default=False)
    highest_force_level = models.PositiveSmallIntegerField(
        choices=FORCE_LEVEL_CHOICES, null=True, blank=True
    )
    highest_resistance = models.PositiveSmallIntegerField(
        choices=RESISTANCE_CHOICES, null=True, blank=True
    )
    subject_injured = models.BooleanField(default=False)
    officer_injured = models.BooleanField(default=False)
    arrest_made = models.BooleanField(default=False)
    subject_hospitalised = models.BooleanField(default=False)
    resolution = models.CharField(max_length=30, choices=RESOLUTION_CHOICES, blank=True)
    # None: not known (imports that do not record it).
    de_escalation_attempted = models.BooleanField(null=True, blank=True)
    supervisor_notified = models.BooleanField(null=True, blank=True)

    reported_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="reported_incidents"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Where the record came from: "report" (filed here) or "import:<mapping>", and the source's
    # natural key, so that importing the same file again updates instead of duplicating.
    source = models.CharField(max_length=60, default="report")
    source_key = models.CharField(max_length=120, blank=True)
    # The source's own force level label (e.g. Seattle "Level 2"), kept next to ours.
    source_force_level = models.CharField(max_length=40, blank=True)
    # What the last import of this record wrote (a hash of it): a re-import leaves a record
    # whose source has not changed untouched, people and timeline included.
    source_fingerprint = models.CharField(max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "case_number"], name="incident_case_number_unique_in_agency"
            ),
            models.UniqueConstraint(
                fields=["agency", "source", "source_key"],
                condition=~Q(source_key=""),
                name="incident_source_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "occurred_at"], name="incident_agency_when_idx"),
            models.Index(fields=["agency", "status"], name="incident_agency_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Incident {self.case_number}"

    def access_scope(self) -> Scope:
        owners = frozenset(
            uid
            for uid in self.involvements.filter(member__user_account__isnull=False).values_list(
                "member__user_account__id", flat=True
            )
        )
        reporter = self.reported_by.account_user_id if self.reported_by else None
        return Scope(
            agency_id=self.agency_id,
            unit_path=self.unit.path,
            owner_user_id=reporter,
            owner_user_ids=owners,
        )

    @property
    def is_draft(self) -> bool:
        return self.status == IncidentStatus.DRAFT

    @property
    def is_returned(self) -> bool:
        return self.status == IncidentStatus.RETURNED

    @property
    def is_editable(self) -> bool:
        """A draft, or a report returned for correction: its reporter may still change it."""
        return self.status in (IncidentStatus.DRAFT, IncidentStatus.RETURNED)


class Involvement(TimeStampedModel):
    """A member on scene, with their role. Imported officers not on the roster keep the
    source's (anonymised) id in ``external_id`` and no ``member``."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="involvements")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="involvements"
    )
    external_id = models.CharField(max_length=60, blank=True)
    role_on_scene = models.CharField(
        max_length=20, choices=_choices(v.ROLES_ON_SCENE), default="primary"
    )
    used_force = models.BooleanField(default=False)
    injured = models.BooleanField(default=False)
    # A snapshot of the officer at the time, for imports and the FBI export (ages change).
    race = models.CharField(max_length=20, choices=_choices(v.RACES), blank=True)
    sex = models.CharField(max_length=10, choices=_choices(v.SEXES), blank=True)
    age_band = models.CharField(max_length=10, choices=_choices(v.AGE_BANDS), blank=True)
    years_of_service = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "member"],
                condition=Q(member__isnull=False),
                name="involvement_member_once",
            ),
            models.UniqueConstraint(
                fields=["incident", "external_id"],
                condition=~Q(external_id=""),
                name="involvement_external_once",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(external_id=""),
                name="involvement_identifies_someone",
            ),
        ]

    def __str__(self) -> str:
        who = f"#{self.member.badge}" if self.member else f"officer {self.external_id}"
        return f"{who} ({self.get_role_on_scene_display()})"


class Subject(TimeStampedModel):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="subjects")
    ordinal = models.PositiveSmallIntegerField(
        default=1, help_text="Subject 1, 2, … of the incident"
    )
    external_id = models.CharField(max_length=60, blank=True)
    race = models.CharField(max_length=20, choices=_choices(v.RACES), default="unknown")
    ethnicity = models.CharField(max_length=20, choices=_choices(v.ETHNICITIES), default="unknown")
    sex = models.CharField(max_length=10, choices=_choices(v.SEXES), default="unknown")
    age_band = models.CharField(max_length=10, choices=_choices(v.AGE_BANDS), default="unknown")
    mental_health_crisis = models.BooleanField(default=False)
    substance_use = models.BooleanField(default=False)
    disability = models.BooleanField(default=False)
    language_barrier = models.BooleanField(default=False)
    armed_with = models.CharField(max_length=10, choices=_choices(v.ARMED_WITH), default="none")
    highest_resistance = models.PositiveSmallIntegerField(
        choices=RESISTANCE_CHOICES, null=True, blank=True
    )
    injured = models.BooleanField(default=False)
    injury_severity = models.CharField(
        max_length=15, choices=_choices(v.INJURY_SEVERITIES), default="none"
    )
    arrested = models.BooleanField(default=False)
    hospitalised = models.BooleanField(default=False)

    class Meta:
        ordering = ["ordinal", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "ordinal"], name="subject_ordinal_unique"),
        ]

    def __str__(self) -> str:
        return f"Subject {self.ordinal}"

    @property
    def indicators(self) -> list[str]:
        return [code for code in v.INDICATORS if getattr(self, code)]


class TimelineEvent(TimeStampedModel):
    """One event of the encounter, in order from first contact.

    ``code`` is a vocabulary code of the event's kind (``vocabulary.ALL_TERMS``); an agency's own
    code, when imported, is kept in ``source_code``.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    sequence = models.PositiveIntegerField()
    # Seconds after first contact; None when the source has only the order.
    offset_seconds = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=EVENT_KIND_CHOICES)
    code = models.CharField(max_length=40)
    actor_involvement = models.ForeignKey(
        Involvement, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor_subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="acts"
    )
    # For force: on whom.
    target_subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="force_received"
    )
    resistance = models.PositiveSmallIntegerField(choices=RESISTANCE_CHOICES, null=True, blank=True)
    force_level = models.PositiveSmallIntegerField(
        choices=FORCE_LEVEL_CHOICES, null=True, blank=True
    )
    note = models.TextField(blank=True)
    source_code = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["incident", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "sequence"], name="event_sequence_unique"),
            models.CheckConstraint(
                condition=~(Q(actor_involvement__isnull=False) & Q(actor_subject__isnull=False)),
                name="event_one_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.label}"

    @property
    def label(self) -> str:
        known = v.ALL_TERMS.get(self.code)
        return known.label if known else self.code

    @property
    def is_de_escalation(self) -> bool:
        return self.code in v.DE_ESCALATION_TACTICS


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Statement(VersionedModel):
    """Each involved member's own account, including the duty to intervene."""

    involvement = models.OneToOneField(
        Involvement, on_delete=models.CASCADE, related_name="statement"
    )
    text = models.TextField(blank=True)
    witnessed_force = models.BooleanField(default=False)
    # Only meaningful when force was witnessed: did the member intervene?
    intervened = models.BooleanField(null=True, blank=True)
    intervention_note = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Statement of {self.involvement}"

    def access_scope(self) -> Scope:
        incident = self.involvement.incident
        member = self.involvement.member
        owner = member.account_user_id if member is not None else None
        return Scope(
            agency_id=incident.agency_id, unit_path=incident.unit.path, owner_user_id=owner
        )
