"""The protected after-action review (AAR) and the de-identified case library it feeds.

An AAR is a learning record, walled off from internal affairs and from everything disciplinary
(PRODUCT.md, non-negotiable 1). Two design choices follow from that:

- Every foreign key from here to another app's model has ``related_name="+"``: an incident,
  member or timeline event has no reverse accessor into AARs, so a template or query in another
  app cannot reach AAR content by accident. Only this app's selectors read AARs.
- ``__str__`` of every model names a record by id only. ``audit_record`` stores ``str(obj)`` as
  the event's description, and the auditor role reads the audit log: no text, names or case
  numbers may end up there.
"""

from django.db import models

from steadyhand import vocabulary as v
from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency, Member
from steadyhand.core.models import TimeStampedModel, VersionedModel
from steadyhand.incidents.models import Incident, TimelineEvent

CDM_STEP_CHOICES = [(step.value, label) for step, label in v.CDM_LABELS.items()]
# The alternative that might have avoided force, as a category: one of the vocabulary's
# de-escalation tactics ("create distance" not used → counted by the themes page).
ALTERNATIVE_CHOICES = [
    (code, term.label) for code, term in v.TACTICS.items() if code in v.DE_ESCALATION_TACTICS
]


class AarStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class AfterActionReview(VersionedModel):
    """One review per incident, facilitated by a supervisor or trainer with the members involved."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+")
    facilitator = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=AarStatus.choices, default=AarStatus.OPEN)
    notes = models.TextField(blank=True, help_text="The facilitator's notes on the discussion.")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "after-action review"
        constraints = [
            models.UniqueConstraint(fields=["incident"], name="aar_one_per_incident"),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="aar_agency_status_idx")]

    def __str__(self) -> str:
        return f"After-action review {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == AarStatus.OPEN

    def access_scope(self) -> Scope:
        """Filed under the incident's unit; its participants own it (``aar.view``'s self role)."""
        owners = frozenset(
            uid
            for uid in self.participants.filter(member__user_account__isnull=False).values_list(
                "member__user_account__id", flat=True
            )
        )
        return Scope(
            agency_id=self.agency_id, unit_path=self.incident.unit.path, owner_user_ids=owners
        )


class Participant(TimeStampedModel):
    """A member involved in the incident, taking part in its review.

    ``agreed``: the participant confirms that the walk-through notes are a fair account.
    """

    aar = models.ForeignKey(
        AfterActionReview, on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    agreed = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["aar", "member"], name="aar_participant_once"),
        ]

    def __str__(self) -> str:
        return f"AAR participant {self.pk}"


class EventNote(VersionedModel):
    """What the review made of one timeline event."""

    aar = models.ForeignKey(
        AfterActionReview, on_delete=models.CASCADE, related_name="notes_by_event"
    )
    event = models.ForeignKey(TimelineEvent, on_delete=models.CASCADE, related_name="+")
    decision_point = models.BooleanField(default=False)
    cdm_step = models.CharField(max_length=30, choices=CDM_STEP_CHOICES, blank=True)
    went_well = models.TextField(blank=True)
    alternative = models.TextField(
        blank=True, help_text="The alternative that might have avoided force."
    )
    alternative_tactic = models.CharField(max_length=40, choices=ALTERNATIVE_CHOICES, blank=True)

    class Meta:
        ordering = ["event__sequence", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["aar", "event"], name="aar_note_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"AAR event note {self.pk}"


class CaseLibraryEntry(TimeStampedModel):
    """A de-identified case for the library any member may read.

    No names, badge numbers, case numbers, addresses or exact dates (``deidentify.py`` refuses
    them); ``period`` is a quarter at most. It keeps no link to the review or the incident.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    lessons = models.TextField()
    training_recommendations = models.TextField(blank=True)
    period = models.CharField(max_length=20, help_text="e.g. “2026 Q3”; never a date.")
    # [{"kind": …, "code": …, "decision_point": bool, "cdm_step": …, "alternative": …}, …]
    event_sequence = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "case-library entry"
        verbose_name_plural = "case-library entries"

    def __str__(self) -> str:
        return f"Case-library entry {self.pk}"

    def readable_steps(self) -> list[dict[str, object]]:
        """The event sequence with the vocabulary's labels, for the page."""
        steps = []
        for step in self.event_sequence:
            term = v.ALL_TERMS.get(step.get("code", ""))
            alternative = v.TACTICS.get(step.get("alternative", ""))
            cdm = step.get("cdm_step", "")
            steps.append(
                {
                    "label": term.label if term else step.get("code", ""),
                    "decision_point": bool(step.get("decision_point")),
                    "cdm_step": v.CDM_LABELS.get(v.CdmStep(cdm), "") if cdm else "",
                    "alternative": alternative.label if alternative else "",
                }
            )
        return steps


class Lesson(VersionedModel):
    """A lesson and a training recommendation; it leaves the review only when every participant
    agreed to it (``LessonAgreement``). Changing its text withdraws the agreements given."""

    aar = models.ForeignKey(AfterActionReview, on_delete=models.CASCADE, related_name="lessons")
    text = models.TextField()
    training_recommendation = models.TextField(blank=True)
    # Set when a trainer publishes it in a case-library entry (no link back from the entry).
    published_in = models.ForeignKey(
        CaseLibraryEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"AAR lesson {self.pk}"


class LessonAgreement(TimeStampedModel):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="agreements")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="agreements"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "participant"], name="aar_lesson_agreed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"AAR lesson agreement {self.pk}"
