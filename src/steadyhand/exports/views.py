"""Export pages: the open-data CSV and its data dictionary, the FBI use-of-force segments, and
the agency's export settings. Downloads stream; each is checked and logged first."""

import io
import zipfile
from datetime import date

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.agencies.models import Agency
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.exports import nuofdc, open_data, services
from steadyhand.exports.forms import ExportSettingsForm
from steadyhand.exports.models import settings_for


def _agency(request: HttpRequest) -> Agency:
    return Agency.objects.get(pk=request_actor(request).agency_id)


def _stamp() -> str:
    return date.today().isoformat()


@requires("incident.export")
def index(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    current = settings_for(actor.agency_id)
    form = ExportSettingsForm(
        initial={
            "date_precision": current.date_precision,
            "ori": current.ori,
            "version": current.version,
        }
    )
    return _index(request, form)


def _index(request: HttpRequest, form: ExportSettingsForm, status: int = 200) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "exports/index.html",
        {
            "settings": settings_for(actor.agency_id),
            "form": form,
            "can_configure": can(actor, "agency.configure"),
            "can_nuofdc": can(actor, "incident.export_nuofdc"),
        },
        status=status,
    )


@requires("agency.configure")
@require_POST
def settings_update(request: HttpRequest) -> HttpResponse:
    form = ExportSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.export_settings_update(
                actor=request_actor(request),
                date_precision=form.cleaned_data["date_precision"],
                ori=form.cleaned_data["ori"],
                expected_version=form.cleaned_data["version"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Export settings saved.")
            return redirect("exports:index")
    return _index(request, form, status=400)


# ``requires`` is typed for HttpResponse; a streamed download is an HttpResponseBase.
@requires("incident.export")
def open_data_csv(request: HttpRequest) -> HttpResponseBase:
    agency = _agency(request)
    chosen = services.export_begin(
        actor=request_actor(request), export="open_data", detail={"format": "csv"}
    )
    rows = open_data.rows(agency=agency, precision=chosen.date_precision)
    response = StreamingHttpResponse(
        open_data.csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{agency.slug}-open-data-{_stamp()}.csv"'
    )
    return response


@requires("incident.export")
def data_dictionary(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    precision = settings_for(agency.pk).date_precision
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            open_data.to_text(open_data.dictionary_rows(precision)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="data-dictionary.csv"'
        return response
    return HttpResponse(
        open_data.dictionary_markdown(agency=agency, precision=precision),
        content_type="text/markdown; charset=utf-8",
    )


@requires("incident.export_nuofdc")
def nuofdc_zip(request: HttpRequest) -> HttpResponseBase:
    agency = _agency(request)
    chosen = services.export_begin(
        actor=request_actor(request), export="nuofdc", detail={"format": "zip"}
    )
    sinks = {segment.name: io.StringIO() for segment in nuofdc.SEGMENTS}
    nuofdc.write_segments(agency=agency, ori=chosen.ori, sinks=sinks)
    # Qualifying incidents are few (dozens a year in a large city): the archive fits in memory.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, sink in sinks.items():
            zf.writestr(nuofdc.file_name(name), sink.getvalue())
    archive.seek(0)
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"{agency.slug}-nuofdc-{_stamp()}.zip",
        content_type="application/zip",
    )
