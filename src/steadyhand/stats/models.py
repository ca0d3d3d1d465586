"""Pre-aggregated monthly counts, and the exposure (calls, arrests) that turns them into rates.

``MonthlyCount`` is derived data: ``services.stats_refresh`` deletes and rebuilds the rows of the
months it is given, so nothing else writes it. Dashboards and the public page read only these
rows, never the million incidents behind them.
"""

from django.db import models

from steadyhand.agencies.models import Agency, Unit
from steadyhand.core.models import TimeStampedModel


class MonthlyCount(models.Model):
    """The value of one measure (``stats.measures.MEASURES``) in one month, unit and district."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    # First day of the month, in the agency's time zone.
    month = models.DateField()
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    # A copy of ``unit.path``, so that a subtree is one indexed ``LIKE`` without a join.
    unit_path = models.CharField(max_length=255)
    district = models.CharField(max_length=40, blank=True)
    measure = models.CharField(max_length=60)
    # Whole numbers for counts; hours keep two decimals (``Measure.kind``).
    value = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month", "unit", "district", "measure"],
                name="monthly_count_cell_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "measure", "month"], name="monthly_count_measure_idx"),
            models.Index(fields=["agency", "unit_path"], name="monthly_count_path_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.month:%Y-%m} {self.unit_path} {self.district}: {self.value}"


class StatsState(models.Model):
    """The agency's statistics version: it rises on every refresh, so caches keyed by it expire."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveBigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Statistics v{self.version} of agency {self.agency_id}"


class MonthlyExposure(TimeStampedModel):
    """Calls for service and arrests in a month (from the agency's CAD/RMS), the denominators of
    "per 1,000 calls" and "per 1,000 arrests". Loaded by ``steadyhand import-exposure``."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    district = models.CharField(max_length=40, blank=True)
    calls = models.PositiveIntegerField(null=True, blank=True)
    arrests = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month", "unit", "district"], name="monthly_exposure_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Exposure {self.month:%Y-%m} unit {self.unit_id}"
