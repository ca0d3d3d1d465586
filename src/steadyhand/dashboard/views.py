"""The command dashboard and its printable monthly report.

Views parse the filters, call the dashboard selectors (which check ``dashboard.view`` against
the unit asked for) and render the panels.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from steadyhand.access.actor import Actor
from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.access.registry import get_action
from steadyhand.agencies.models import Agency, Unit
from steadyhand.core.errors import NotFound
from steadyhand.core.views import request_actor
from steadyhand.dashboard import presenters, selectors
from steadyhand.dashboard.forms import DashboardFilterForm, ReportForm

DEFAULT_MONTHS = 12


def _this_month(actor: Actor) -> date:
    tz = Agency.objects.values_list("timezone", flat=True).get(pk=actor.agency_id)
    today = datetime.now(ZoneInfo(tz)).date()
    return today.replace(day=1)


def _months_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _unit_id(raw: object) -> int | None:
    if raw in (None, ""):
        return None
    text = str(raw)
    if not text.isdigit():
        raise NotFound(f"No unit {text!r}.")
    return int(text)


def _agency_wide(actor: Actor) -> bool:
    return any(g.agency_wide for g in actor.grants_for(get_action(selectors.ACTION).roles))


def _render(
    request: HttpRequest, template: str, unit: Unit | None, start: date, end: date, **extra: object
) -> HttpResponse:
    actor = request_actor(request)
    data = selectors.dashboard_get(actor=actor, unit=unit, start=start, end=end)
    # The panels (charts and tables) are the costly part to render: cached as HTML under the
    # same key as the data (statistics version, the viewer's grants, unit, period).
    key = "html:" + selectors.dashboard_cache_key(actor, unit, data.start, data.end, data.version)
    panels_html = cache.get(key)
    if not isinstance(panels_html, str):
        panels_html = render_to_string(
            "dashboard/_panels.html", {"panels": presenters.panels(data)}
        )
        cache.set(key, panels_html, selectors.CACHE_SECONDS)
    context = {
        "data": data,
        "unit": unit,
        "panels_html": mark_safe(panels_html),
        "per": presenters.EXPOSURE_WORDS.get(data.exposure or "", ""),
        "first_label": presenters.month_label(data.start),
        "last_label": presenters.month_label(data.end),
        "can_aar_themes": data.show_aar_themes,
        **extra,
    }
    return render(request, template, context)


@requires("dashboard.view")
def index(request: HttpRequest, unit_id: int | None = None) -> HttpResponse:
    """The dashboard of the agency, or of one unit (``/dashboard/units/<id>/`` or ``?unit=``)."""
    actor = request_actor(request)
    unit = selectors.dashboard_unit(
        actor=actor, unit_id=unit_id if unit_id is not None else _unit_id(request.GET.get("unit"))
    )
    units = selectors.dashboard_units(actor=actor)
    initial = {"unit": str(unit.pk) if unit is not None else ""}
    form = DashboardFilterForm(
        request.GET or None, units=units, agency_wide=_agency_wide(actor), initial=initial
    )
    this_month = _this_month(actor)
    end = this_month
    start = _months_before(end, DEFAULT_MONTHS - 1)
    status = 200
    if form.is_bound:
        if form.is_valid():
            end = form.cleaned_data["end"] or end
            start = form.cleaned_data["start"] or _months_before(end, DEFAULT_MONTHS - 1)
        else:
            status = 400
    response = _render(
        request,
        "dashboard/index.html",
        unit,
        start,
        end,
        form=form,
        report_month=_months_before(this_month, 1),
        unit_choices=form.fields["unit"].choices,  # type: ignore[attr-defined]
        unit_selected=str(unit.pk) if unit is not None else "",
    )
    response.status_code = status
    return response


@requires("dashboard.view")
def monthly_report(request: HttpRequest) -> HttpResponse:
    """One month at a glance, next to the eleven before it: made to be printed."""
    actor = request_actor(request)
    form = ReportForm(request.GET or None)
    month = _months_before(_this_month(actor), 1)
    unit_raw = request.GET.get("unit")
    if form.is_bound and form.is_valid() and form.cleaned_data["month"]:
        month = form.cleaned_data["month"]
    unit = selectors.dashboard_unit(actor=actor, unit_id=_unit_id(unit_raw))
    single = selectors.dashboard_get(actor=actor, unit=unit, start=month, end=month)
    return _render(
        request,
        "dashboard/report.html",
        unit,
        _months_before(month, DEFAULT_MONTHS - 1),
        month,
        month=single,
        month_label=presenters.month_label(month),
        report_form=form,
        can_incidents=can(actor, "incident.view"),
    )
