"""Every measure of some months, computed straight from the records with ``GROUP BY`` queries.

Never a Python loop over incidents: each source table is read by one or two grouped queries,
whose rows are (month, unit, district) cells. Works the same on SQLite and PostgreSQL.
"""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from steadyhand import vocabulary as v
from steadyhand.agencies.models import Agency, Unit
from steadyhand.complaints.models import Allegation, Complaint
from steadyhand.incidents.models import FILED_STATUSES, Incident, Subject, TimelineEvent
from steadyhand.recognition.evidence import NOT_ARMED, RESISTED
from steadyhand.recognition.models import Nomination, NominationStatus
from steadyhand.stats.models import MonthlyExposure
from steadyhand.stats.months import next_month
from steadyhand.training.models import CourseMode, Enrolment, EnrolmentStatus

Key = tuple[date, int, str, str]  # month, unit id, district, measure


def _bounds(months: list[date], tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    return [
        (
            datetime(m.year, m.month, 1, tzinfo=tz),
            datetime(next_month(m).year, next_month(m).month, 1, tzinfo=tz),
        )
        for m in months
    ]


def _in_months(field: str, months: list[date] | None, tz: ZoneInfo | None) -> Q:
    """``field`` (a datetime if ``tz`` is given, else a date) falls in one of ``months``."""
    if months is None:
        return Q()
    q = Q(pk__in=[])
    if tz is None:
        for m in months:
            q |= Q(**{f"{field}__gte": m, f"{field}__lt": next_month(m)})
        return q
    for start, end in _bounds(months, tz):
        q |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return q


class Cells:
    """Accumulates values per (month, unit, district, measure); merges duplicates by summing."""

    def __init__(self) -> None:
        self.values: dict[Key, Decimal] = defaultdict(Decimal)
        self.paths: dict[int, str] = {}

    def add(
        self, month: Any, unit_id: int, path: str, district: str | None, measure: str, value: Any
    ) -> None:
        if not value:
            return
        day = month.date() if isinstance(month, datetime) else month
        self.paths[unit_id] = path
        self.values[(day, unit_id, district or "", measure)] += Decimal(value)


def _month(field: str, tz: ZoneInfo | None) -> TruncMonth:
    if tz is None:
        return TruncMonth(field, output_field=DateField())
    return TruncMonth(field, output_field=DateField(), tzinfo=tz)


def _incidents(agency: Agency, months: list[date] | None, tz: ZoneInfo) -> QuerySet[Incident]:
    # A report returned for correction still records an encounter that happened; only drafts,
    # which nobody has filed yet, stay out.
    return Incident.objects.filter(
        _in_months("occurred_at", months, tz), agency_id=agency.pk, status__in=FILED_STATUSES
    )


def deescalation_q() -> Q:
    """The no-force half of ``recognition.evidence.candidate_q``: resistance met without force."""
    armed = Exists(
        Subject.objects.filter(incident=OuterRef("pk")).exclude(armed_with__in=NOT_ARMED)
    )
    return Q(force_used=False) & (Q(highest_resistance__gte=int(RESISTED)) | Q(armed))


INCIDENT_FLAGS: dict[str, Q] = {
    "force_incidents": Q(force_used=True),
    "subject_injuries": Q(subject_injured=True),
    "officer_injuries": Q(officer_injured=True),
    "arrests": Q(arrest_made=True),
}


def _collect_incidents(
    cells: Cells, agency: Agency, months: list[date] | None, tz: ZoneInfo
) -> None:
    base = _incidents(agency, months, tz).annotate(m=_month("occurred_at", tz))
    aggregates = {"incidents": Count("pk")}
    aggregates |= {name: Count("pk", filter=q) for name, q in INCIDENT_FLAGS.items()}
    aggregates["deescalation_successes"] = Count("pk", filter=deescalation_q())
    rows = base.values("m", "unit_id", "unit__path", "district").annotate(**aggregates).order_by()
    for row in rows:
        for name in aggregates:
            cells.add(row["m"], row["unit_id"], row["unit__path"], row["district"], name, row[name])
    levels = (
        base.filter(force_used=True, highest_force_level__isnull=False)
        .values("m", "unit_id", "unit__path", "district", "highest_force_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in levels:
        cells.add(
            row["m"],
            row["unit_id"],
            row["unit__path"],
            row["district"],
            f"force_level:{row['highest_force_level']}",
            row["n"],
        )
    types = (
        TimelineEvent.objects.filter(
            incident__in=_incidents(agency, months, tz).values("pk"),
            kind=v.EventKind.FORCE,
            code__in=list(v.FORCE_TYPES),
        )
        .annotate(m=_month("incident__occurred_at", tz))
        .values("m", "incident__unit_id", "incident__unit__path", "incident__district", "code")
        .annotate(n=Count("incident_id", distinct=True))
        .order_by()
    )
    for row in types:
        cells.add(
            row["m"],
            row["incident__unit_id"],
            row["incident__unit__path"],
            row["incident__district"],
            f"force_type:{row['code']}",
            row["n"],
        )


def _collect_subjects(
    cells: Cells, agency: Agency, months: list[date] | None, tz: ZoneInfo
) -> None:
    rows = (
        Subject.objects.filter(incident__in=_incidents(agency, months, tz).values("pk"))
        .annotate(m=_month("incident__occurred_at", tz))
        .values("m", "incident__unit_id", "incident__unit__path", "incident__district", "race")
        .annotate(n=Count("pk"), forced=Count("pk", filter=Q(incident__force_used=True)))
        .order_by()
    )
    for row in rows:
        where = (
            row["m"],
            row["incident__unit_id"],
            row["incident__unit__path"],
            row["incident__district"],
        )
        cells.add(*where, f"subjects:{row['race']}", row["n"])
        cells.add(*where, f"force_subjects:{row['race']}", row["forced"])


def _collect_complaints(
    cells: Cells, agency: Agency, months: list[date] | None, tz: ZoneInfo, root: Unit
) -> None:
    complaints = Complaint.objects.filter(
        _in_months("received_at", months, tz), agency_id=agency.pk
    )
    rows = (
        complaints.annotate(m=_month("received_at", tz))
        .values("m", "unit_id", "unit__path", "incident__district")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        unit_id, path = row["unit_id"] or root.pk, row["unit__path"] or root.path
        cells.add(row["m"], unit_id, path, row["incident__district"], "complaints", row["n"])
    findings = (
        Allegation.objects.filter(complaint__in=complaints.values("pk"))
        .annotate(m=_month("complaint__received_at", tz))
        .values(
            "m",
            "complaint__unit_id",
            "complaint__unit__path",
            "complaint__incident__district",
            "finding",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in findings:
        unit_id = row["complaint__unit_id"] or root.pk
        path = row["complaint__unit__path"] or root.path
        cells.add(
            row["m"],
            unit_id,
            path,
            row["complaint__incident__district"],
            f"complaint_finding:{row['finding']}",
            row["n"],
        )


def _collect_commendations(
    cells: Cells, agency: Agency, months: list[date] | None, tz: ZoneInfo
) -> None:
    rows = (
        Nomination.objects.filter(
            _in_months("approved_at", months, tz),
            agency_id=agency.pk,
            status=NominationStatus.APPROVED,
            approved_at__isnull=False,
        )
        .annotate(m=_month("approved_at", tz))
        .values("m", "unit_id", "unit__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        cells.add(row["m"], row["unit_id"], row["unit__path"], "", "commendations", row["n"])


def _collect_training(cells: Cells, agency: Agency, months: list[date] | None) -> None:
    done = Enrolment.objects.filter(
        _in_months("completed_on", months, None),
        member__agency_id=agency.pk,
        status=EnrolmentStatus.COMPLETED,
        completed_on__isnull=False,
    ).annotate(m=_month("completed_on", None))
    credited = (
        done.filter(hours__isnull=False)
        .values("m", "member__unit_id", "member__unit__path")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    for row in credited:
        cells.add(
            row["m"],
            row["member__unit_id"],
            row["member__unit__path"],
            "",
            "training_hours",
            row["h"],
        )
    # Without credited hours an enrolment earns its course's total (as in training/parity.py).
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for course_id, hours in CourseMode.objects.filter(course__agency_id=agency.pk).values_list(
        "course_id", "hours"
    ):
        totals[course_id] += hours
    by_course = (
        done.filter(hours__isnull=True)
        .values("m", "member__unit_id", "member__unit__path", "course_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in by_course:
        cells.add(
            row["m"],
            row["member__unit_id"],
            row["member__unit__path"],
            "",
            "training_hours",
            totals.get(row["course_id"], Decimal(0)) * row["n"],
        )


def _collect_exposure(cells: Cells, agency: Agency, months: list[date] | None) -> None:
    rows = MonthlyExposure.objects.filter(agency_id=agency.pk)
    if months is not None:
        rows = rows.filter(month__in=months)
    for month, unit_id, path, district, calls, arrests in rows.values_list(
        "month", "unit_id", "unit__path", "district", "calls", "arrests"
    ):
        cells.add(month, unit_id, path, district, "calls", calls)
        cells.add(month, unit_id, path, district, "exposure_arrests", arrests)


def compute_cells(*, agency: Agency, months: list[date] | None) -> Cells:
    """Every measure of ``months`` (None: all), straight from the records; writes nothing."""
    tz = ZoneInfo(agency.timezone)
    cells = Cells()
    root = agency.root_unit
    _collect_incidents(cells, agency, months, tz)
    _collect_subjects(cells, agency, months, tz)
    _collect_complaints(cells, agency, months, tz, root)
    _collect_commendations(cells, agency, months, tz)
    _collect_training(cells, agency, months)
    _collect_exposure(cells, agency, months)
    return cells
