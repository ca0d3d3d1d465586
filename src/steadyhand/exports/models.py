"""An agency's export settings: how coarse open-data dates are, and its FBI identifier."""

from django.db import models

from steadyhand.access.policy import Scope
from steadyhand.agencies.models import Agency
from steadyhand.core.models import VersionedModel


class DatePrecision(models.TextChoices):
    MONTH = "month", "Month (e.g. 2026-03)"
    WEEK = "week", "ISO week (e.g. 2026-W11)"
    DAY = "day", "Day (e.g. 2026-03-14)"


class ExportSettings(VersionedModel):
    """One row per agency, created on first change; until then the defaults apply."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="export_settings")
    date_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.MONTH
    )
    # The agency's Originating Agency Identifier (nine characters), which the FBI's collection
    # keys every submission by. Blank until the agency enters it.
    ori = models.CharField("ORI", max_length=9, blank=True)

    class Meta:
        verbose_name_plural = "export settings"

    def __str__(self) -> str:
        return f"Export settings of {self.agency}"

    def access_scope(self) -> Scope:
        return Scope(agency_id=self.agency_id)


def settings_for(agency_id: int) -> ExportSettings:
    """The agency's settings, or unsaved defaults."""
    found = ExportSettings.objects.filter(agency_id=agency_id).first()
    return found if found is not None else ExportSettings(agency_id=agency_id)
