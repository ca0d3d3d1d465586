"""Incident import pages: choose a mapping and upload files, follow the check, choose how to
load, download the problems. The same flow as the roster import's pages."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.imports import incident_services as services
from steadyhand.imports.forms import LoadForm
from steadyhand.imports.incident_forms import IncidentUploadForm
from steadyhand.imports.incident_selectors import (
    incident_batch_get_visible,
    incident_batch_list_visible,
)
from steadyhand.imports.models import ImportBatch, LoadMode
from steadyhand.imports.views import ERRORS_SHOWN, errors_csv_response

COUNT_LABELS = (
    ("rows", "Rows read"),
    ("incidents", "Incidents"),
    ("involvements", "Officer involvements"),
    ("officers", "Distinct officers"),
    ("subjects", "Subjects"),
    ("events", "Timeline events"),
    ("rejected_rows", "Rows with problems"),
    ("rejected_records", "Incidents left out (a row has a problem)"),
    ("errors", "Problems found"),
)


@requires("incident.import")
def incident_upload(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = IncidentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["uploads"]
        try:
            batch = services.incident_import_create(
                actor=actor,
                mapping=form.cleaned_data["mapping"],
                files=[(u.name, u.read()) for u in uploads],
            )
        except InvalidInput as exc:
            for field, problems in exc.errors.items():
                form.add_error("mapping" if field == "mapping" else "uploads", problems)
        else:
            messages.success(request, f"{batch.file_name} uploaded; the files are being checked.")
            return redirect("incident_imports:detail", batch_id=batch.pk)
    return render(
        request,
        "imports/incidents_upload.html",
        {"form": form, "batches": incident_batch_list_visible(actor=actor)},
        status=400 if request.method == "POST" else 200,
    )


def _detail_page(
    request: HttpRequest, batch: ImportBatch, *, load_error: str = "", status: int = 200
) -> HttpResponse:
    errors = batch.row_errors
    job = batch.job
    counts = batch.options.get("counts", {})
    return render(
        request,
        "imports/incidents_batch_detail.html",
        {
            "batch": batch,
            "job": job,
            "working": job is not None and not job.finished,
            "mapping": batch.options.get("mapping", ""),
            "files_read": batch.options.get("files_read", []),
            "counts": [(label, counts.get(key, 0)) for key, label in COUNT_LABELS],
            "errors": errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, batch.error_count - ERRORS_SHOWN),
            "load_error": load_error,
            "mode_all": LoadMode.ALL,
            "mode_valid_only": LoadMode.VALID_ONLY,
        },
        status=status,
    )


@requires("incident.import")
def incident_batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return _detail_page(request, incident_batch_get_visible(actor=actor, batch_id=batch_id))


@require_POST
@requires("incident.import")
def incident_batch_load(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    batch = incident_batch_get_visible(actor=actor, batch_id=batch_id)
    form = LoadForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, batch, load_error="Choose how to load the files.", status=400)
    try:
        batch = services.incident_import_load_start(
            actor=actor, batch=batch, mode=form.cleaned_data["load_mode"]
        )
    except InvalidInput as exc:
        message = " ".join(m for ms in exc.errors.values() for m in ms)
        return _detail_page(request, batch, load_error=message, status=400)
    except ConflictError as exc:
        return _detail_page(request, batch, load_error=str(exc), status=409)
    messages.success(request, "Loading started.")
    return redirect("incident_imports:detail", batch_id=batch.pk)


@require_POST
@requires("incident.import")
def incident_batch_recheck(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    batch = incident_batch_get_visible(actor=actor, batch_id=batch_id)
    try:
        batch = services.incident_import_recheck(actor=actor, batch=batch)
    except ConflictError as exc:
        return _detail_page(request, batch, load_error=str(exc), status=409)
    messages.success(request, "Checking the files again.")
    return redirect("incident_imports:detail", batch_id=batch.pk)


@requires("incident.import")
def incident_batch_errors_csv(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return errors_csv_response(incident_batch_get_visible(actor=actor, batch_id=batch_id))
