"""The dashboard's panels: each a chart (readable without colour) and the table behind it.

Pure presentation of a ``selectors.Dashboard``: no queries here.
"""

from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString

from steadyhand import vocabulary as v
from steadyhand.core.charts import Number, Series, bar_chart, format_number, line_chart
from steadyhand.dashboard.selectors import REVIEW_TARGET_DAYS, Dashboard
from steadyhand.stats.measures import MEASURES

# Four series at most per chart, so that each has its own pattern or dash and marker.
LEVEL_GROUPS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("Threat or control (levels 1–2)", (1, 2)),
    ("Hard empty-hand (3)", (3,)),
    ("Intermediate weapons (4)", (4,)),
    ("Deadly force (5)", (5,)),
)
EXPOSURE_WORDS = {"calls": "calls for service", "exposure_arrests": "arrests"}


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    summary: str
    chart: SafeString | None
    columns: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (label, url)


def month_label(month: date) -> str:
    return f"{month:%b %Y}"


def _fmt(value: Number | None) -> str:
    return "—" if value is None else format_number(value)


def incidents_url(d: Dashboard, month: date, *, force: bool | None = None) -> str:
    """The incident list filtered to ``month`` (the list shows only what the viewer may open)."""
    last = date(month.year, month.month, monthrange(month.year, month.month)[1])
    query = {"status": "submitted", "occurred_from": month.isoformat(), "occurred_to": last}
    if force is not None:
        query["force"] = "yes" if force else "no"
    if d.unit_id is not None:
        query["unit"] = str(d.unit_id)
    return f"{reverse('incidents:incident_list')}?{urlencode(query)}"


def _per(d: Dashboard) -> str:
    return f"per 1,000 {EXPOSURE_WORDS[d.exposure]}" if d.exposure else ""


def _value(d: Dashboard, measure: str, month: date, rated: bool) -> Number | None:
    """The rate when exposure exists for the period (and the measure is rated), else the count."""
    if d.exposure and rated:
        return d.rate(measure, month)
    return d.table[month].get(measure, 0)


def _month_cell(d: Dashboard, month: date, force: bool | None) -> Cell:
    return Cell(month_label(month), incidents_url(d, month, force=force) if d.can_drill else "")


def _trend(
    d: Dashboard,
    *,
    key: str,
    title: str,
    measures: Sequence[tuple[str, str]],
    force: bool | None,
    bars: bool = False,
    rated: bool = True,
) -> Panel:
    labels = [month_label(m) for m in d.months]
    per = _per(d) if rated else ""
    series = [
        Series(name, [_value(d, m, month, rated) for month in d.months]) for m, name in measures
    ]
    what = f"{per}" if per else "count"
    description = (
        f"{title} by month, {labels[0]} to {labels[-1]} ({what}). "
        "Each series has its own pattern or line style and marker; the table below gives every "
        "number."
    )
    heading, y_label = f"{title} ({what})", per or "Count"
    if bars:
        chart = bar_chart(
            title=heading,
            description=description,
            categories=labels,
            series=series,
            chart_id=key,
            y_label=y_label,
        )
    else:
        chart = line_chart(
            title=heading,
            description=description,
            x_labels=labels,
            series=series,
            chart_id=key,
            y_label=y_label,
        )
    columns = ["Month", *(name for _, name in measures)]
    if per:
        columns += [f"{name} ({per})" for _, name in measures]
    rows = []
    for month in d.months:
        counts = [Cell(_fmt(d.table[month].get(m, 0))) for m, _ in measures]
        rates = [Cell(_fmt(d.rate(m, month))) for m, _ in measures] if per else []
        rows.append([_month_cell(d, month, force), *counts, *rates])
    totals = [Cell(_fmt(d.totals.get(m, 0))) for m, _ in measures]
    rows.append(
        [Cell("Total"), *totals, *([Cell(_fmt(d.rate(m))) for m, _ in measures] if per else [])]
    )
    notes = (
        []
        if per or not rated
        else ["No exposure data (calls or arrests) for every month: counts shown."]
    )
    return Panel(key, title, description, chart, columns, rows, notes)


def force_panel(d: Dashboard) -> Panel:
    labels = [month_label(m) for m in d.months]
    per = _per(d)

    def group_value(levels: tuple[int, ...], month: date) -> Number | None:
        count = sum(d.table[month].get(f"force_level:{n}", 0) for n in levels)
        if not d.exposure:
            return count
        base = d.table[month].get(d.exposure, 0)
        return (Decimal(count) * 1000 / Decimal(base)).quantize(Decimal("0.01")) if base else None

    description = (
        f"Incidents with force by the highest level used, by month, {labels[0]} to {labels[-1]}"
        f" ({per or 'count'}). Lines differ by dash and marker; the table gives every level."
    )
    chart = line_chart(
        title=f"Force incidents by highest level ({per or 'count'})",
        description=description,
        x_labels=labels,
        series=[Series(name, [group_value(lv, m) for m in d.months]) for name, lv in LEVEL_GROUPS],
        chart_id="force-levels",
        y_label=per or "Incidents",
    )
    levels = [lv for lv in v.ForceLevel if lv != v.ForceLevel.NONE]
    columns = ["Month", "Incidents", "With force", *(v.FORCE_LEVEL_LABELS[lv] for lv in levels)]
    if per:
        columns.append(f"With force ({per})")
    rows = []
    for month in [*d.months, None]:
        source = d.totals if month is None else d.table[month]
        first = Cell("Total") if month is None else _month_cell(d, month, True)
        row = [
            first,
            Cell(_fmt(source.get("incidents", 0))),
            Cell(_fmt(source.get("force_incidents", 0))),
        ]
        row += [Cell(_fmt(source.get(f"force_level:{int(lv)}", 0))) for lv in levels]
        if per:
            row.append(Cell(_fmt(d.rate("force_incidents", month))))
        rows.append(row)
    return Panel("force-levels", "Use of force by level", description, chart, columns, rows)


def complaints_panel(d: Dashboard) -> Panel:
    panel = _trend(
        d,
        key="complaints",
        title="Complaints received",
        measures=[("complaints", "Complaints")],
        force=None,
        bars=True,
    )
    findings = [
        f"{label}: {format_number(d.totals.get(f'complaint_finding:{code}', 0))}"
        for code, label in v.FINDINGS.items()
    ]
    notes = [
        *panel.notes,
        "Allegations by finding, complaints received in the period — " + "; ".join(findings) + ".",
    ]
    return Panel(
        panel.key, panel.title, panel.summary, panel.chart, panel.columns, panel.rows, notes
    )


def disparity_panel(d: Dashboard) -> Panel:
    result = d.disparity
    if result is None:
        return Panel(
            "disparity", "Force by subject race", d.disparity_note, None, [], [], [d.disparity_note]
        )
    labels = [v.RACES[g.group] for g in result.groups]
    description = (
        f"Subjects in force incidents per 1,000 subjects of all incidents, by race. Benchmark: "
        f"{result.benchmark_name}. Reference group: {v.RACES[result.reference]}."
    )
    chart = bar_chart(
        title="Force per 1,000 encounters by subject race",
        description=description,
        categories=labels,
        series=[Series("Per 1,000 encounters", [round(g.rate, 1) for g in result.groups])],
        chart_id="disparity",
        y_label="Per 1,000 encounters",
    )
    columns = [
        "Subject race",
        "Subjects of force incidents",
        "Subjects of all incidents",
        "Per 1,000",
        "95% interval",
        f"Ratio to {v.RACES[result.reference]}",
        "Ratio 95% interval",
    ]
    rows = []
    for label, g in zip(labels, result.groups, strict=True):
        ratio_ci = (
            f"{g.ratio_lower:.2f} – {g.ratio_upper:.2f}"
            if g.ratio_lower is not None and g.ratio_upper is not None
            else "—"
        )
        rows.append(
            [
                Cell(label),
                Cell(format_number(g.events)),
                Cell(format_number(int(g.benchmark))),
                Cell(f"{g.rate:.1f}"),
                Cell(f"{g.rate_lower:.1f} – {g.rate_upper:.1f}"),
                Cell("—" if g.ratio is None else f"{g.ratio:.2f}"),
                Cell(ratio_ci),
            ]
        )
    return Panel(
        "disparity",
        "Force by subject race",
        description,
        chart,
        columns,
        rows,
        [result.statement, "Subjects of unknown race are left out."],
    )


def reviews_panel(d: Dashboard) -> Panel | None:
    r = d.reviews
    if r is None:
        return None
    rows = [
        [Cell("Open force reviews"), Cell(format_number(r.open))],
        [Cell("Open with the current step overdue"), Cell(format_number(r.overdue))],
        [Cell("Closed in the period"), Cell(format_number(r.closed))],
        [Cell("Median days from opening to closing"), Cell(_fmt(r.median_days))],
        [Cell(f"Closed within {REVIEW_TARGET_DAYS} days"), Cell(format_number(r.within_target))],
    ]
    return Panel(
        "reviews",
        "Force review timeliness",
        "Live counts from the force reviews.",
        None,
        ["Measure", "Value"],
        rows,
        link=("Force reviews", reverse("reviews:list")),
    )


def training_panel(d: Dashboard) -> Panel:
    trend = _trend(
        d,
        key="training",
        title="Training hours completed",
        measures=[("training_hours", "Hours")],
        force=None,
        bars=True,
        rated=False,
    )
    rows = trend.rows
    notes = ["Hours by month of completion, members counted in their current unit."]
    t = d.training
    if t is not None:
        notes.append(
            f"{t.year}: de-escalation {format_number(t.de_escalation_hours)} h, use of force "
            f"{format_number(t.use_of_force_hours)} h, ratio {_fmt(t.ratio)} against a target of "
            f"{format_number(t.target)}{' — below target' if t.below_target else ''}."
        )
        notes.append(
            f"Mandates today: {format_number(t.overdue)} overdue and {format_number(t.due_soon)} "
            f"due soon, of {format_number(t.assessed)} member-mandates assessed."
        )
    return Panel(
        "training",
        "Training parity and compliance",
        trend.summary,
        trend.chart,
        ["Month", "Hours"],
        [r[:2] for r in rows],
        notes,
    )


def panels(d: Dashboard) -> list[Panel]:
    """Every panel of the dashboard, in the order of the brief's purposes."""
    result = [
        force_panel(d),
        _trend(
            d,
            key="injuries",
            title="Injuries",
            measures=[
                ("subject_injuries", "Subject injured"),
                ("officer_injuries", "Officer injured"),
            ],
            force=None,
        ),
        complaints_panel(d),
        _trend(
            d,
            key="deescalation",
            title="De-escalation without force",
            measures=[("deescalation_successes", MEASURES["deescalation_successes"].label)],
            force=False,
            bars=True,
            rated=False,
        ),
        _trend(
            d,
            key="commendations",
            title="Commendations approved",
            measures=[("commendations", "Commendations")],
            force=None,
            bars=True,
            rated=False,
        ),
        training_panel(d),
        disparity_panel(d),
    ]
    reviews = reviews_panel(d)
    if reviews is not None:
        result.insert(5, reviews)
    return result
