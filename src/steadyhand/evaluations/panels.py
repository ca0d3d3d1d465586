"""Turn an agency's records into the balanced unit-by-month panel an estimator needs.

Units are the squads a roll-out assigned to waves (or, at officer level, their members as the
plan locked them: ``wave_schedule``); a unit's first treated month is the month its wave began.
Outcomes are counts per unit and calendar month. Months are numbered ``year * 12 + month - 1``
so that consecutive months are consecutive integers.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth

from steadyhand.agencies.models import Agency
from steadyhand.complaints.models import Allegation, Complaint
from steadyhand.evaluations.models import Outcome, UnitOfAnalysis
from steadyhand.incidents.models import FILED_STATUSES, Incident, Involvement
from steadyhand.training.models import RolloutPlan, WaveAssignment
from steadyhand.training.selectors.rollouts import wave_schedule
from steadyhand.vocabulary import ForceLevel


def month_index(day: date | datetime) -> int:
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class EvaluationPanel:
    """Counts per unit (rows) and month (columns), with each unit's first treated month."""

    unit_labels: tuple[str, ...]
    months: tuple[int, ...]
    counts: np.ndarray = field(repr=False)
    first_treated: np.ndarray = field(repr=False)  # month index, inf if never in the window

    @property
    def month_labels(self) -> list[str]:
        return [month_label(m) for m in self.months]

    def input_hash(self) -> str:
        """SHA-256 of the panel's content: the same data gives the same hash on any machine."""
        payload = {
            "units": list(self.unit_labels),
            "months": list(self.months),
            "counts": self.counts.astype(int).tolist(),
            "first_treated": [None if np.isinf(g) else int(g) for g in self.first_treated],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def long_columns(self) -> dict[str, list[object]]:
        """One row per unit-month, the shape ``StaggeredPanel.from_long`` reads."""
        n, t = self.counts.shape
        return {
            "unit": [self.unit_labels[i] for i in range(n) for _ in range(t)],
            "time": [m for _ in range(n) for m in self.months],
            "outcome": self.counts.reshape(-1).tolist(),
            "cohort": [
                (None if np.isinf(self.first_treated[i]) else int(self.first_treated[i]))
                for i in range(n)
                for _ in range(t)
            ],
        }


def _incident_filter(outcome: str, prefix: str = "") -> Q:
    """Incidents that count towards ``outcome`` (``prefix`` reaches them through a relation)."""
    conditions: dict[str, dict[str, object]] = {
        Outcome.FORCE: {"force_used": True},
        Outcome.SERIOUS_FORCE: {"highest_force_level__gte": int(ForceLevel.INTERMEDIATE)},
        Outcome.SUBJECT_INJURY: {"subject_injured": True},
        Outcome.OFFICER_INJURY: {"officer_injured": True},
    }
    if outcome not in conditions:
        raise ValueError(f"{outcome!r} is not an incident outcome.")
    return Q(**{f"{prefix}{k}": v for k, v in conditions[outcome].items()})


def _monthly(
    rows: QuerySet[Any, dict[str, Any]], key: str, tz: ZoneInfo
) -> Iterable[tuple[int, int, int]]:
    for row in rows:
        yield row[key], month_index(row["month"].astimezone(tz)), row["n"]


def build_panel(
    *,
    plan: RolloutPlan,
    outcome: str,
    unit_of_analysis: str,
    first_month: int,
    last_month: int,
) -> EvaluationPanel:
    """The panel of ``outcome`` counts for ``plan``'s units, months ``first_month..last_month``."""
    if last_month <= first_month:
        raise ValueError("The evaluation window must span at least two months.")
    agency = Agency.objects.get(pk=plan.agency_id)
    tz = ZoneInfo(agency.timezone)
    start = datetime(first_month // 12, first_month % 12 + 1, 1, tzinfo=tz)
    end_index = last_month + 1
    end = datetime(end_index // 12, end_index % 12 + 1, 1, tzinfo=tz)
    cohorts: dict[int, int] = {}
    labels: dict[int, str] = {}
    if unit_of_analysis == UnitOfAnalysis.SQUAD:
        assignments = WaveAssignment.objects.filter(plan=plan, unit__isnull=False).select_related(
            "wave", "unit"
        )
        for a in assignments:
            assert a.unit is not None
            cohorts[a.unit.pk] = month_index(a.wave.starts_on)
            labels[a.unit.pk] = a.unit.code
    else:
        for entry in wave_schedule(plan=plan):
            cohorts[entry.member_id] = month_index(entry.wave_start)
            # De-identified: a row number, never a badge (evaluations are aggregate pages).
            labels[entry.member_id] = f"officer-{len(labels) + 1:05d}"
    if len(cohorts) < 2:
        raise ValueError(f"{plan} assigns fewer than two units to waves; nothing to compare.")
    ids = sorted(cohorts)
    row_of = {unit_id: i for i, unit_id in enumerate(ids)}
    months = tuple(range(first_month, last_month + 1))
    counts = np.zeros((len(ids), len(months)), dtype=np.float64)
    for unit_id, month, n in _counts(
        outcome=outcome,
        unit_of_analysis=unit_of_analysis,
        agency_id=plan.agency_id,
        ids=ids,
        start=start,
        end=end,
        tz=tz,
    ):
        if unit_id in row_of and first_month <= month <= last_month:
            counts[row_of[unit_id], month - first_month] += n
    first_treated = np.array(
        [cohorts[i] if cohorts[i] <= last_month else np.inf for i in ids], dtype=np.float64
    )
    return EvaluationPanel(
        unit_labels=tuple(labels[i] for i in ids),
        months=months,
        counts=counts,
        first_treated=first_treated,
    )


def _counts(
    *,
    outcome: str,
    unit_of_analysis: str,
    agency_id: int,
    ids: list[int],
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
) -> Iterable[tuple[int, int, int]]:
    """(unit or member id, month index, count) for every non-zero cell."""
    squad = unit_of_analysis == UnitOfAnalysis.SQUAD
    rows: QuerySet[Any, dict[str, Any]]
    if outcome == Outcome.COMPLAINTS and squad:
        rows = (
            Complaint.objects.filter(
                agency_id=agency_id, unit_id__in=ids, received_at__gte=start, received_at__lt=end
            )
            .annotate(month=TruncMonth("received_at", tzinfo=tz))
            .values("unit_id", "month")
            .annotate(n=Count("id"))
        )
        return _monthly(rows, "unit_id", tz)
    if outcome == Outcome.COMPLAINTS:
        rows = (
            Allegation.objects.filter(
                complaint__agency_id=agency_id,
                member_id__in=ids,
                complaint__received_at__gte=start,
                complaint__received_at__lt=end,
            )
            .annotate(month=TruncMonth("complaint__received_at", tzinfo=tz))
            .values("member_id", "month")
            .annotate(n=Count("complaint_id", distinct=True))
        )
        return _monthly(rows, "member_id", tz)
    if squad:
        rows = (
            Incident.objects.filter(
                _incident_filter(outcome),
                agency_id=agency_id,
                unit_id__in=ids,
                status__in=FILED_STATUSES,
                occurred_at__gte=start,
                occurred_at__lt=end,
            )
            .annotate(month=TruncMonth("occurred_at", tzinfo=tz))
            .values("unit_id", "month")
            .annotate(n=Count("id"))
        )
        return _monthly(rows, "unit_id", tz)
    rows = (
        Involvement.objects.filter(
            _incident_filter(outcome, prefix="incident__"),
            incident__agency_id=agency_id,
            member_id__in=ids,
            incident__status__in=FILED_STATUSES,
            incident__occurred_at__gte=start,
            incident__occurred_at__lt=end,
        )
        .annotate(month=TruncMonth("incident__occurred_at", tzinfo=tz))
        .values("member_id", "month")
        .annotate(n=Count("incident_id", distinct=True))
    )
    return _monthly(rows, "member_id", tz)


def agency_series(
    *, plan: RolloutPlan, outcome: str, first_month: int, last_month: int
) -> tuple[tuple[int, ...], np.ndarray]:
    """Monthly counts of ``outcome`` for the whole agency (every unit, not only the plan's)."""
    agency = Agency.objects.get(pk=plan.agency_id)
    tz = ZoneInfo(agency.timezone)
    start = datetime(first_month // 12, first_month % 12 + 1, 1, tzinfo=tz)
    end_index = last_month + 1
    end = datetime(end_index // 12, end_index % 12 + 1, 1, tzinfo=tz)
    rows: QuerySet[Any, dict[str, Any]]
    if outcome == Outcome.COMPLAINTS:
        rows = (
            Complaint.objects.filter(
                agency_id=agency.pk, received_at__gte=start, received_at__lt=end
            )
            .annotate(month=TruncMonth("received_at", tzinfo=tz))
            .values("month")
            .annotate(n=Count("id"))
        )
    else:
        rows = (
            Incident.objects.filter(
                _incident_filter(outcome),
                agency_id=agency.pk,
                status__in=FILED_STATUSES,
                occurred_at__gte=start,
                occurred_at__lt=end,
            )
            .annotate(month=TruncMonth("occurred_at", tzinfo=tz))
            .values("month")
            .annotate(n=Count("id"))
        )
    months = tuple(range(first_month, last_month + 1))
    counts = np.zeros(len(months))
    for row in rows:
        counts[month_index(row["month"].astimezone(tz)) - first_month] += row["n"]
    return months, counts


def first_data_month(*, agency_id: int, outcome: str) -> int | None:
    """The month of the agency's earliest record of ``outcome``'s kind (None: no records).

    Months before an agency's records begin are not months without events: counting them as
    zeros would invent a rise (and, for a time series, a trend) where there is only missing data.
    """
    if outcome == Outcome.COMPLAINTS:
        first = Complaint.objects.filter(agency_id=agency_id).aggregate(m=Min("received_at"))["m"]
    else:
        first = Incident.objects.filter(agency_id=agency_id, status__in=FILED_STATUSES).aggregate(
            m=Min("occurred_at")
        )["m"]
    if first is None:
        return None
    tz = ZoneInfo(Agency.objects.get(pk=agency_id).timezone)
    return month_index(first.astimezone(tz))
