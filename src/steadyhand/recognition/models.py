"""Commendations: agency-defined award types and nominations approved through the chain.

A nomination is filed under the nominated member's unit, so the chain of command above that
unit approves it (``commendation.approve`` is scoped). A nomination from the public names no
member at first (the public does not see the roster): it sits at the agency's root unit, where
only agency-wide approvers see it, until one of them identifies the member.

Nothing of a nomination reaches the public unless it is approved, the member consented, and a
commander published it (a database constraint holds the last two together).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency, Member, Unit
from steadyhand.core.models import VersionedModel
from steadyhand.incidents.models import Incident


class AwardType(VersionedModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="award_types")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    # Retired award types stay on the commendations that carry them but are no longer offered.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="award_type_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id)


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", "Nominated: awaiting the supervisor"
    SUPERVISOR_APPROVED = "supervisor_approved", "Supervisor approved: awaiting a commander"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class Channel(models.TextChoices):
    MEMBER = "member", "A member"
    SUGGESTION = "suggestion", "A supervisor, from a suggestion"
    PUBLIC = "public", "A member of the public"


class NameDisplay(models.TextChoices):
    """How a consenting member is named on the public page (never with a badge number)."""

    FIRST_LAST_INITIAL = "first_last_initial", "First name and last initial (Jane D.)"
    FULL_NAME = "full_name", "Full name (Jane Doe)"
    UNNAMED = "unnamed", "Not named (“An officer”)"


class Nomination(VersionedModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="nominations")
    # None only for a public nomination not yet matched to a member.
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="nominations"
    )
    # The chain that approves: the member's unit when nominated (the root until identified).
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="nominations"
    )
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, null=True, blank=True, related_name="nominations"
    )
    narrative = models.TextField()
    status = models.CharField(
        max_length=20, choices=NominationStatus.choices, default=NominationStatus.NOMINATED
    )
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.MEMBER)

    # Who nominated: a user, or (public) whatever they chose to give.
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    public_name = models.CharField(max_length=200, blank=True)
    public_contact = models.CharField(max_length=200, blank=True)
    # What the public wrote to identify the officer (badge, name, description).
    officer_description = models.CharField(max_length=300, blank=True)
    occurred_on = models.DateField(null=True, blank=True)

    supervisor_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supervisor_approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    # The member's own choice, recorded by the member; nobody else can give it.
    consent_to_publish = models.BooleanField(default=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    name_display = models.CharField(
        max_length=20, choices=NameDisplay.choices, default=NameDisplay.FIRST_LAST_INITIAL
    )
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    # The text the public reads, written for it by the publisher (the narrative stays internal).
    public_citation = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(published=False)
                | Q(consent_to_publish=True, status="approved", member__isnull=False),
                name="nomination_published_needs_consent_and_approval",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="nomination_agency_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Nomination {self.pk}"

    def access_scope(self) -> Scope:
        member = self.member
        return Scope(
            agency_id=self.agency_id,
            unit_path=self.unit.path,
            owner_user_id=member.account_user_id if member is not None else None,
        )

    @property
    def is_open(self) -> bool:
        return self.status in (NominationStatus.NOMINATED, NominationStatus.SUPERVISOR_APPROVED)
