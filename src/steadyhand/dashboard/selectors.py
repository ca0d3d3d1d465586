"""The command dashboard's reads: aggregates for one agency or one unit subtree, permission-checked.

Who sees what: ``dashboard.view`` (supervisors, commanders, analysts, auditors, agency admins),
agency-wide or over the unit subtree of their grant. A unit outside the actor's reach and a
unit of another agency both raise ``NotFound``.

The counts come from the pre-aggregated ``stats`` layer; the live parts (reviews, training
compliance) from the reviews and training apps' own selectors, so the numbers match their pages.
Everything for one (actor's grants, unit, period) is cached under the agency's statistics
version, which every refresh bumps; the live parts are at most ``CACHE_SECONDS`` old.
"""

import hashlib
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Q

from steadyhand import vocabulary as v
from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.access.registry import get_action
from steadyhand.agencies.models import Agency, Unit
from steadyhand.analytics.disparity import DisparityResult, disparity
from steadyhand.core.errors import NotFound, PermissionDenied
from steadyhand.reviews.models import ReviewStatus
from steadyhand.reviews.selectors import reviews_visible
from steadyhand.stats.measures import MEASURES
from steadyhand.stats.months import month_start, next_month
from steadyhand.stats.selectors import monthly_table, pivot, stats_version
from steadyhand.training.compliance import ComplianceStatus
from steadyhand.training.parity import COMBINED
from steadyhand.training.selectors.reports import compliance_report, parity_by_unit

ACTION = "dashboard.view"
CACHE_SECONDS = 300
# Reviews should close within this many days of opening (shown as a share, not enforced here).
REVIEW_TARGET_DAYS = 30
DISPARITY_BENCHMARK = "Subjects of all submitted incidents in the period (encounters)"

DASHBOARD_MEASURES = (
    "incidents",
    "force_incidents",
    "force_level:*",
    "subject_injuries",
    "officer_injuries",
    "deescalation_successes",
    "arrests",
    "complaints",
    "complaint_finding:*",
    "commendations",
    "training_hours",
    "calls",
    "exposure_arrests",
    "subjects:*",
    "force_subjects:*",
)


def dashboard_unit(*, actor: Actor, unit_id: int | None) -> Unit | None:
    """The unit the dashboard shows (None: the whole agency), checked against ``actor``.

    Without ``unit_id``: the agency for agency-wide viewers, else the top unit of their grant.
    """
    if unit_id is None:
        grants = actor.grants_for(get_action(ACTION).roles)
        if any(g.agency_wide for g in grants):
            return None
        scoped = sorted(
            (g for g in grants if g.unit_id is not None), key=lambda g: g.unit_path or ""
        )
        if not scoped or scoped[0].unit_id is None:
            raise PermissionDenied(ACTION)
        unit_id = scoped[0].unit_id
    unit = Unit.objects.filter(agency_id=actor.agency_id, pk=unit_id).first()
    if unit is None or not can(actor, ACTION, unit):
        raise NotFound(f"No unit {unit_id}.")
    return unit


def dashboard_units(*, actor: Actor) -> list[tuple[int, str, int]]:
    """(id, name, depth) of the units whose dashboard ``actor`` may open, in tree order.

    Plain tuples, not model instances: a large agency has hundreds of units and this runs on
    every page view (for the unit filter)."""
    return list(
        Unit.objects.filter(visible_q(actor, ACTION, unit_path_field="path"))
        .order_by("path")
        .values_list("pk", "name", "depth")
    )


@dataclass(frozen=True)
class ReviewSummary:
    open: int
    overdue: int
    closed: int
    median_days: float | None
    within_target: int


@dataclass(frozen=True)
class TrainingSummary:
    year: int
    de_escalation_hours: Decimal
    use_of_force_hours: Decimal
    ratio: Decimal | None
    target: Decimal
    below_target: bool
    assessed: int
    overdue: int
    due_soon: int


@dataclass(frozen=True)
class Dashboard:
    agency_id: int
    unit_id: int | None
    unit_name: str
    unit_path: str | None
    start: date
    end: date
    months: list[date]
    table: dict[date, dict[str, int | Decimal]]
    totals: dict[str, int | Decimal]
    # "calls" or "exposure_arrests" when every month of the period has that exposure, else None.
    exposure: str | None
    reviews: ReviewSummary | None
    training: TrainingSummary | None
    disparity: DisparityResult | None
    disparity_note: str
    version: int
    show_aar_themes: bool
    can_drill: bool
    notes: list[str] = field(default_factory=list)

    def rate(self, measure: str, month: date | None = None) -> Decimal | None:
        """``measure`` per 1,000 of the exposure (the period's total when ``month`` is None)."""
        if self.exposure is None:
            return None
        source = self.totals if month is None else self.table[month]
        base = source.get(self.exposure, 0)
        if not base:
            return None
        return (Decimal(source.get(measure, 0)) * 1000 / Decimal(base)).quantize(Decimal("0.01"))


def _exposure(table: dict[date, dict[str, int | Decimal]]) -> str | None:
    for key in ("calls", "exposure_arrests"):
        if table and all(row.get(key, 0) for row in table.values()):
            return key
    return None


def _reviews(
    actor: Actor, unit: Unit | None, start: date, end: date, tz: ZoneInfo
) -> ReviewSummary:
    reviews = reviews_visible(actor=actor).order_by()
    if unit is not None:
        reviews = reviews.filter(unit__path__startswith=unit.path)
    today = datetime.now(tz).date()
    open_q = Q(status=ReviewStatus.OPEN)
    open_count = reviews.filter(open_q).count()
    overdue = reviews.filter(
        open_q, current_step__acted_at__isnull=True, current_step__due_on__lt=today
    ).count()
    first = datetime(start.year, start.month, 1, tzinfo=tz)
    beyond = next_month(end)
    after = datetime(beyond.year, beyond.month, 1, tzinfo=tz)
    closed = list(
        reviews.filter(
            status=ReviewStatus.CLOSED, closed_at__gte=first, closed_at__lt=after
        ).values_list("opened_at", "closed_at")
    )
    days = [(c - o).total_seconds() / 86400 for o, c in closed if c is not None]
    return ReviewSummary(
        open=open_count,
        overdue=overdue,
        closed=len(days),
        median_days=round(statistics.median(days), 1) if days else None,
        within_target=sum(1 for d in days if d <= REVIEW_TARGET_DAYS),
    )


def _training(actor: Actor, unit: Unit | None, end: date, today: date) -> TrainingSummary | None:
    if not can(actor, "training.report"):
        return None
    parity = parity_by_unit(actor=actor, year=end.year, setting=COMBINED, unit=unit)
    hours = parity.total.for_setting(COMBINED)
    compliance = compliance_report(actor=actor, as_of=today, unit=unit)
    counts = {s: 0 for s in ComplianceStatus}
    for mandate in compliance.mandates:
        for status, n in mandate.counts.items():
            counts[status] += n
    return TrainingSummary(
        year=end.year,
        de_escalation_hours=hours.de_escalation,
        use_of_force_hours=hours.use_of_force,
        ratio=hours.ratio,
        target=parity.target,
        below_target=hours.below(parity.target),
        assessed=sum(n for s, n in counts.items() if s != ComplianceStatus.EXEMPT),
        overdue=counts[ComplianceStatus.OVERDUE],
        due_soon=counts[ComplianceStatus.DUE_SOON],
    )


def _disparity(totals: dict[str, int | Decimal]) -> tuple[DisparityResult | None, str]:
    benchmark = {
        race: float(totals.get(f"subjects:{race}", 0))
        for race in v.RACES
        if race != "unknown" and totals.get(f"subjects:{race}", 0)
    }
    events = {race: int(totals.get(f"force_subjects:{race}", 0)) for race in benchmark}
    if len(benchmark) < 2:
        return None, "Too few subjects of known race in the period to compare groups."
    reference = "white" if "white" in benchmark else max(benchmark, key=lambda r: benchmark[r])
    result = disparity(
        events,
        benchmark,
        benchmark_name=DISPARITY_BENCHMARK,
        benchmark_kind="encounters",
        reference=reference,
    )
    return result, ""


def dashboard_cache_key(
    actor: Actor, unit: Unit | None, start: date, end: date, version: int
) -> str:
    grants = sorted(f"{g.role}:{g.unit_path}" for g in actor.grants)
    scope = hashlib.sha256("|".join(grants).encode()).hexdigest()[:16]
    where = unit.pk if unit is not None else "agency"
    return f"dashboard:{actor.agency_id}:v{version}:{scope}:{where}:{start:%Y%m}:{end:%Y%m}"


def dashboard_get(*, actor: Actor, unit: Unit | None, start: date, end: date) -> Dashboard:
    """Everything the dashboard shows for ``unit`` (None: the agency) from ``start`` to ``end``.

    ``unit`` must come from ``dashboard_unit`` (which checked it); this checks the action again.
    """
    allowed = can(actor, ACTION, unit) if unit is not None else _agency_wide(actor)
    if not allowed:
        raise NotFound("No such dashboard.")
    start, end = month_start(min(start, end)), month_start(max(start, end))
    version = stats_version(agency_id=actor.agency_id)
    key = dashboard_cache_key(actor, unit, start, end, version)
    found = cache.get(key)
    if isinstance(found, Dashboard):
        return found
    result = _build(actor, unit, start, end, version)
    cache.set(key, result, CACHE_SECONDS)
    return result


def _agency_wide(actor: Actor) -> bool:
    return any(g.agency_wide for g in actor.grants_for(get_action(ACTION).roles))


def _build(actor: Actor, unit: Unit | None, start: date, end: date, version: int) -> Dashboard:
    agency = Agency.objects.get(pk=actor.agency_id)
    tz = ZoneInfo(agency.timezone)
    rows = monthly_table(
        agency=agency.pk,
        measures=DASHBOARD_MEASURES,
        start=start,
        end=end,
        unit_path=unit.path if unit is not None else None,
    )
    table = pivot(rows)
    totals: dict[str, int | Decimal] = {}
    for values in table.values():
        for measure, value in values.items():
            totals[measure] = totals.get(measure, 0) + value
    result, note = _disparity(totals)
    today = datetime.now(tz).date()
    return Dashboard(
        agency_id=agency.pk,
        unit_id=unit.pk if unit is not None else None,
        unit_name=unit.name if unit is not None else agency.name,
        unit_path=unit.path if unit is not None else None,
        start=start,
        end=end,
        months=sorted(table),
        table=table,
        totals=totals,
        exposure=_exposure(table),
        reviews=_reviews(actor, unit, start, end, tz) if can(actor, "review.view") else None,
        training=_training(actor, unit, end, today),
        disparity=result,
        disparity_note=note,
        version=version,
        show_aar_themes=can(actor, "aar.themes"),
        can_drill=can(actor, "incident.view"),
    )


def measure_label(key: str) -> str:
    return MEASURES[key].label
