"""Reports for the program's leaders: hours parity, mandate compliance, policy coverage, and
the pages that define mandates and the parity target.

Views parse input, call selectors or one service, and render; refusals become 403/404 pages
through ``@requires``.
"""

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.agencies.models import Rank, Unit
from steadyhand.core.charts import Reference, Series, bar_chart, line_chart
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.imports.selectors import agency_today
from steadyhand.training.compliance import ComplianceStatus
from steadyhand.training.models import DeliveryMode, Mandate, Setting
from steadyhand.training.parity import COMBINED, DE_ESCALATION, MODE_NOT_RECORDED, USE_OF_FORCE
from steadyhand.training.selectors.reports import (
    ParityReport,
    UnitParity,
    YearParity,
    compliance_report,
    coverage_matrix,
    mandate_get_visible,
    mandate_list,
    parity_by_member,
    parity_by_unit,
    parity_by_year,
    parity_target,
    report_units,
    topic_list,
)
from steadyhand.training.services import mandates as services
from steadyhand.training.views.reports_forms import (
    SETTING_FILTER_CHOICES,
    ComplianceFilterForm,
    MandateForm,
    ParityFilterForm,
    ParityTargetForm,
    ReasonForm,
)

MEMBERS_PER_PAGE = 50
SETTING_LABELS = dict(SETTING_FILTER_CHOICES)
STATUS_ORDER = [
    ComplianceStatus.COMPLIANT,
    ComplianceStatus.DUE_SOON,
    ComplianceStatus.OVERDUE,
    ComplianceStatus.FIRST_PERIOD,
    ComplianceStatus.EXEMPT,
]


@requires("training.report")
def reports_index(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "training/reports_index.html",
        {
            "target": parity_target(agency_id=actor.agency_id),
            "can_manage_mandates": can(actor, "mandate.manage"),
        },
    )


# Parity ------------------------------------------------------------------------------------------


def _chart_units(report: ParityReport) -> list[UnitParity]:
    """The units the bar chart compares: the report's top unit's children, stepping down while
    there is only one (an agency with one bureau compares the bureau's precincts)."""
    if not report.units:
        return []
    by_parent: dict[int | None, list[UnitParity]] = {}
    for row in report.units:
        by_parent.setdefault(row.unit.parent_id, []).append(row)
    top = report.units[0]
    while True:
        children = by_parent.get(top.unit.pk, [])
        if len(children) != 1:
            return children or [top]
        top = children[0]


def _hours_chart(report: ParityReport, rows: Sequence[UnitParity]) -> SafeString:
    setting = report.setting
    hours = [r.total.for_setting(setting) for r in rows]
    return bar_chart(
        title=f"De-escalation and use-of-force hours by unit, {report.year}",
        description=(
            f"{SETTING_LABELS[setting]}. Grouped bars per unit: de-escalation hours (solid) and "
            "use-of-force hours (hatched), each unit with all its sub-units. The table below "
            "gives every number."
        ),
        categories=[r.unit.name for r in rows],
        series=[
            Series("De-escalation hours", [h.de_escalation for h in hours]),
            Series("Use-of-force hours", [h.use_of_force for h in hours]),
        ],
        chart_id="parity-hours",
        y_label="Hours",
    )


def _ratio_chart(report: ParityReport, rows: Sequence[UnitParity]) -> SafeString:
    return bar_chart(
        title=f"De-escalation to use-of-force ratio by unit, {report.year}",
        description=(
            f"{SETTING_LABELS[report.setting]}. One bar per unit; the dashed line is the "
            f"target ratio {report.target}. Units without use-of-force hours have no ratio "
            "and show a dash."
        ),
        categories=[r.unit.name for r in rows],
        series=[Series("Ratio", [r.total.for_setting(report.setting).ratio for r in rows])],
        chart_id="parity-ratio",
        y_label="Ratio",
        reference=Reference(report.target, "Target ratio"),
    )


def _years_chart(years: Sequence[YearParity], target: Decimal, scope: str) -> SafeString:
    return line_chart(
        title=f"De-escalation to use-of-force ratio by year, {scope}",
        description=(
            "Three lines: academy, in-service and combined ratio per calendar year; the dashed "
            f"line is the target ratio {target}. A year without use-of-force hours has no point."
        ),
        x_labels=[str(y.year) for y in years],
        series=[
            Series("Academy", [y.hours.academy.ratio for y in years]),
            Series("In-service", [y.hours.in_service.ratio for y in years]),
            Series("Combined", [y.hours.combined.ratio for y in years]),
        ],
        chart_id="parity-years",
        y_label="Ratio",
        reference=Reference(target, "Target ratio"),
    )


def _mode_rows(by_mode: dict[str, dict[str, Decimal]]) -> list[tuple[str, Decimal, Decimal]]:
    labels = dict(DeliveryMode.choices)
    labels[MODE_NOT_RECORDED] = "Mode not recorded"
    de = by_mode.get(DE_ESCALATION, {})
    uof = by_mode.get(USE_OF_FORCE, {})
    modes = [m for m in [*DeliveryMode.values, MODE_NOT_RECORDED] if m in de or m in uof]
    zero = Decimal("0")
    return [(labels[m], de.get(m, zero), uof.get(m, zero)) for m in modes]


@requires("training.report")
def parity(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    today = agency_today(agency_id=actor.agency_id)
    units = report_units(actor=actor)
    all_years = parity_by_year(actor=actor)
    years = sorted({today.year, *(y.year for y in all_years)})
    filters = ParityFilterForm(request.GET or None, years=years, units=units)
    filters.is_valid()  # a bad value is reported on the form and the default used
    cleaned = getattr(filters, "cleaned_data", {})
    year: int = cleaned.get("year") or today.year
    setting: str = cleaned.get("setting") or COMBINED
    unit: Unit | None = cleaned.get("unit")
    report = parity_by_unit(actor=actor, year=year, setting=setting, unit=unit)
    year_rows = parity_by_year(actor=actor, unit=unit) if unit is not None else all_years
    chart_rows = _chart_units(report)
    members = Paginator(
        parity_by_member(actor=actor, year=year, unit=unit), MEMBERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    scope = unit.name if unit else ("the agency" if report.agency_wide else "your units")
    return render(
        request,
        "training/reports_parity.html",
        {
            "filters": filters,
            "report": report,
            "setting_label": SETTING_LABELS[setting],
            "unit": unit,
            "scope": scope,
            "year_rows": year_rows,
            "members": members,
            "query": query.urlencode(),
            "mode_rows": _mode_rows(report.by_mode),
            "hours_chart": _hours_chart(report, chart_rows),
            "ratio_chart": _ratio_chart(report, chart_rows),
            "years_chart": _years_chart(year_rows, report.target, scope),
            "can_set_target": can(actor, "mandate.manage"),
        },
    )


@requires("mandate.manage")
def parity_target_edit(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    current = parity_target(agency_id=actor.agency_id)
    form = ParityTargetForm(request.POST or None, initial={"parity_target_ratio": current})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.training_settings_set_parity_target(
                actor=actor,
                ratio=form.cleaned_data["parity_target_ratio"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Parity target ratio is now {saved.parity_target_ratio}.")
            return redirect("training:reports_parity")
    return render(
        request,
        "training/reports_parity_target.html",
        {"form": form, "current": current},
        status=400 if request.method == "POST" else 200,
    )


# Compliance --------------------------------------------------------------------------------------


def _compliance_inputs(request: HttpRequest) -> tuple[ComplianceFilterForm, date, Unit | None]:
    actor = request_actor(request)
    filters = ComplianceFilterForm(request.GET or None, units=report_units(actor=actor))
    filters.is_valid()
    cleaned = getattr(filters, "cleaned_data", {})
    as_of = cleaned.get("as_of") or agency_today(agency_id=actor.agency_id)
    return filters, as_of, cleaned.get("unit")


def describe_mandate(mandate: Mandate) -> str:
    """ "4 h of De-escalation in every 12 months, in-service courses only, sergeants" …"""
    setting = dict(Setting.choices).get(mandate.setting)
    ranks = dict(Rank.choices)
    who = ", ".join(ranks.get(r, r) for r in mandate.ranks) or "all sworn ranks"
    where = f", {setting.lower()} courses only" if setting else ""
    return (
        f"{mandate.hours.normalize():f} h of {mandate.topic.name} in every rolling "
        f"{mandate.period_months} months{where}; applies to {who}"
    )


@requires("training.report")
def compliance(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    filters, as_of, unit = _compliance_inputs(request)
    report = compliance_report(actor=actor, as_of=as_of, unit=unit)
    rows = [
        {
            "report": r,
            "description": describe_mandate(r.mandate),
            "counts": [(s, r.counts[s]) for s in STATUS_ORDER],
        }
        for r in report.mandates
    ]
    return render(
        request,
        "training/reports_compliance.html",
        {
            "filters": filters,
            "report": report,
            "rows": rows,
            "unit": unit,
            "csv_query": request.GET.urlencode(),
            "can_manage_mandates": can(actor, "mandate.manage"),
        },
    )


def _safe_cell(value: object) -> object:
    # Names come from the roster; a value starting with = + - @ would run as a spreadsheet
    # formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _hours(value: Decimal) -> str:
    """4.00 → "4", 3.50 → "3.5": plain numbers for spreadsheets."""
    return f"{value.normalize():f}"


COMPLIANCE_CSV_COLUMNS = [
    "mandate",
    "rule_set",
    "status",
    "badge",
    "last_name",
    "first_name",
    "unit",
    "hours_required",
    "hours_in_window",
    "hours_missing",
    "due_date",
    "as_of",
]


@requires("training.report")
def compliance_csv(request: HttpRequest) -> HttpResponse:
    """The due-soon and overdue lists of the compliance page, one row per member and mandate."""
    actor = request_actor(request)
    _, as_of, unit = _compliance_inputs(request)
    report = compliance_report(actor=actor, as_of=as_of, unit=unit)
    out = io.StringIO()
    out.write("\ufeff")  # lets spreadsheets on Windows read UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COMPLIANCE_CSV_COLUMNS)
    for r in report.mandates:
        for standing in [*r.overdue, *r.due_soon]:
            c = standing.compliance
            m = standing.member
            writer.writerow(
                [
                    _safe_cell(v)
                    for v in (
                        r.mandate.name,
                        r.mandate.rule_set,
                        c.status.value,
                        m.badge,
                        m.last_name,
                        m.first_name,
                        m.unit.name,
                        _hours(c.hours_required),
                        _hours(c.hours_in_window),
                        _hours(c.hours_missing),
                        c.due_date.isoformat() if c.due_date else "",
                        as_of.isoformat(),
                    )
                ]
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="training-compliance-{as_of.isoformat()}.csv"'
    )
    return response


# Coverage ----------------------------------------------------------------------------------------


@requires("training.report")
def coverage(request: HttpRequest) -> HttpResponse:
    matrix = coverage_matrix(actor=request_actor(request))
    return render(
        request,
        "training/reports_coverage.html",
        {"matrix": matrix, "column_count": len(matrix.courses) + 2},
    )


# Mandates ----------------------------------------------------------------------------------------


@requires("mandate.manage")
def mandate_list_view(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    mandates = [(m, describe_mandate(m)) for m in mandate_list(actor=actor)]
    return render(
        request,
        "training/reports_mandate_list.html",
        {"mandates": mandates, "example_prefix": "Example:"},
    )


def _mandate_fields(data: dict[str, object]) -> dict[str, object]:
    return {
        key: data[key]
        for key in (
            "name",
            "rule_set",
            "topic",
            "hours",
            "period_months",
            "setting",
            "ranks",
            "due_soon_days",
            "active",
            "reason",
        )
    }


@requires("mandate.manage")
def mandate_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = MandateForm(request.POST or None, topics=topic_list(actor=actor))
    if request.method == "POST" and form.is_valid():
        try:
            mandate = services.mandate_create(
                actor=actor,
                **_mandate_fields(form.cleaned_data),  # type: ignore[arg-type]
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Mandate “{mandate.name}” added.")
            return redirect("training:reports_mandates")
    return render(
        request,
        "training/reports_mandate_form.html",
        {"form": form, "mandate": None},
        status=400 if request.method == "POST" else 200,
    )


@requires("mandate.manage")
def mandate_edit(request: HttpRequest, mandate_id: int) -> HttpResponse:
    actor = request_actor(request)
    mandate = mandate_get_visible(actor=actor, mandate_id=mandate_id)
    form = MandateForm(request.POST or None, topics=topic_list(actor=actor), mandate=mandate)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.mandate_update(
                    actor=actor,
                    mandate=mandate,
                    expected_updated_at=form.cleaned_data["updated_at"],
                    **_mandate_fields(form.cleaned_data),  # type: ignore[arg-type]
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Mandate “{saved.name}” saved.")
                return redirect("training:reports_mandates")
    return render(
        request,
        "training/reports_mandate_form.html",
        {"form": form, "mandate": mandate, "conflict": status == 409},
        status=status,
    )


@requires("mandate.manage")
def mandate_delete(request: HttpRequest, mandate_id: int) -> HttpResponse:
    actor = request_actor(request)
    mandate = mandate_get_visible(actor=actor, mandate_id=mandate_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = mandate.name
        services.mandate_delete(actor=actor, mandate=mandate, reason=form.cleaned_data["reason"])
        messages.success(request, f"Mandate “{name}” deleted.")
        return redirect("training:reports_mandates")
    return render(
        request,
        "training/reports_mandate_delete.html",
        {"form": form, "mandate": mandate, "description": describe_mandate(mandate)},
    )


@requires("mandate.manage")
def mandate_examples(request: HttpRequest) -> HttpResponse:
    """Load the example rule sets (POST only; the mandates page has the button)."""
    if request.method != "POST":
        return redirect("training:reports_mandates")
    loaded = services.mandate_load_example_rule_sets(actor=request_actor(request))
    if loaded.created:
        messages.success(
            request,
            f"Added {len(loaded.created)} example mandates. They are examples, not any "
            "state's law: edit them to match your requirements.",
        )
    else:
        messages.info(request, "The example rule sets are already loaded; nothing was added.")
    return redirect("training:reports_mandates")
