"""Written policy: documents, their versions (draft → approved → published) and numbered
sections, and each member's acknowledgement of each published version that applies to them."""

from typing import Any

from django.conf import settings
from django.db import models

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency, Member
from steadyhand.core.models import TimeStampedModel, VersionedModel


class PolicyKind(models.TextChoices):
    DE_ESCALATION = "de_escalation", "De-escalation"
    USE_OF_FORCE = "use_of_force", "Use of force"
    DUTY_TO_INTERVENE = "duty_to_intervene", "Duty to intervene"
    CRISIS_RESPONSE = "crisis_response", "Crisis response"
    OTHER = "other", "Other"


class PolicyDocument(TimeStampedModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="policies")
    code = models.CharField(max_length=20, help_text="e.g. 'GO-300' or 'DE-1'.")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=PolicyKind.choices)
    # Ranks a published version applies to (who must acknowledge it); empty means every member.
    applies_to_ranks = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="policy_code_unique"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


class ImmutableVersionError(Exception):
    pass


class PolicyVersionQuerySet(models.QuerySet["PolicyVersion"]):
    """Bulk writes bypass ``save``; refuse them too when they would touch a published version."""

    def update(self, **kwargs: Any) -> int:
        if self.filter(status=VersionStatus.PUBLISHED).exists():
            raise ImmutableVersionError("A published policy version cannot be changed.")
        return super().update(**kwargs)

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
        objs = list(objs)
        if self.filter(pk__in=[o.pk for o in objs], status=VersionStatus.PUBLISHED).exists():
            raise ImmutableVersionError("A published policy version cannot be changed.")
        return super().bulk_update(objs, *args, **kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=VersionStatus.PUBLISHED).exists():
            raise ImmutableVersionError("A published policy version cannot be deleted.")
        return super().delete()


class PolicyVersion(VersionedModel):
    """One version of a document. Once published it never changes (``save`` refuses), so an
    acknowledgement always refers to exactly the text the member read."""

    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default="draft")
    summary = models.TextField(blank=True, help_text="What changed and why, for members.")
    effective_date = models.DateField(null=True, blank=True)
    ack_due_days = models.PositiveIntegerField(
        default=30, help_text="Days after publication by which members must acknowledge."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    ack_due_date = models.DateField(null=True, blank=True)

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="policy_version_unique"),
        ]
        ordering = ["document_id", "number"]

    def __str__(self) -> str:
        return f"{self.document.code} v{self.number} ({self.get_status_display()})"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.document.agency_id)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and not self._state.adding:
            stored = PolicyVersion.objects.filter(pk=self.pk).values_list("status", flat=True)
            if stored.first() == VersionStatus.PUBLISHED:
                raise ImmutableVersionError(f"{self} is published and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if PolicyVersion.objects.filter(pk=self.pk, status=VersionStatus.PUBLISHED).exists():
            raise ImmutableVersionError(f"{self} is published and cannot be deleted.")
        return super().delete(*args, **kwargs)


def _published_version_ids(version_ids: set[int]) -> bool:
    return PolicyVersion.objects.filter(pk__in=version_ids, status=VersionStatus.PUBLISHED).exists()


class PolicySectionQuerySet(models.QuerySet["PolicySection"]):
    """Bulk writes bypass ``save``; refuse them when they touch a published version's sections."""

    def update(self, **kwargs: Any) -> int:
        target = kwargs.get("version_id", kwargs.get("version"))
        target_ids = {getattr(target, "pk", target)} if target is not None else set()
        if self.filter(version__status=VersionStatus.PUBLISHED).exists() or (
            target_ids and _published_version_ids(target_ids)
        ):
            raise ImmutableVersionError("A published version's sections cannot be changed.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(version__status=VersionStatus.PUBLISHED).exists():
            raise ImmutableVersionError("A published version's sections cannot be deleted.")
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list["PolicySection"]:
        objs = list(objs)
        if _published_version_ids({obj.version_id for obj in objs}):
            raise ImmutableVersionError("Sections cannot be added to a published version.")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
        # Checked here, before Django opens the savepoint-less transaction bulk_update uses.
        objs = list(objs)
        touched = self.filter(pk__in=[o.pk for o in objs], version__status=VersionStatus.PUBLISHED)
        if touched.exists():
            raise ImmutableVersionError("A published version's sections cannot be changed.")
        if _published_version_ids({obj.version_id for obj in objs}):
            raise ImmutableVersionError("Sections cannot be moved into a published version.")
        return super().bulk_update(objs, *args, **kwargs)


class PolicySection(models.Model):
    """A numbered section of a version. Courses cite sections by (document, number), so a
    citation carries over to the next version as long as the section keeps its number."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="sections")
    number = models.CharField(max_length=20, help_text="e.g. '4.2'.")
    heading = models.CharField(max_length=200)
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)

    objects = PolicySectionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="policy_section_unique"),
        ]
        ordering = ["version_id", "position", "number"]

    def __str__(self) -> str:
        return f"§{self.number} {self.heading}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_published()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse_if_published()
        return super().delete(*args, **kwargs)

    def _refuse_if_published(self) -> None:
        # Ask the database, not the cached ``self.version``: it may have been published since
        # this section was read. Check the stored version too, in case the section is moved.
        ids = {self.version_id}
        if self.pk and not self._state.adding:
            stored = PolicySection.objects.filter(pk=self.pk).values_list("version_id", flat=True)
            ids.update(stored)
        if _published_version_ids(ids):
            raise ImmutableVersionError(f"{self.version} is published; its sections are fixed.")


class Acknowledgement(models.Model):
    """``member`` has read and acknowledged ``version``."""

    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "member"], name="acknowledgement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member} acknowledged {self.version}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.member.agency_id, unit_path=self.member.unit.path)
