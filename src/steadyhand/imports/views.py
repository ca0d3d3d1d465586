"""Roster import pages: upload, the batch's check report and the load choice, the error CSV."""

import csv
import io
from pathlib import PurePosixPath

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.agencies.models import MemberStatus, Rank
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.imports import services
from steadyhand.imports.forms import LoadForm, RosterUploadForm
from steadyhand.imports.models import ImportBatch, LoadMode
from steadyhand.imports.roster import COLUMNS
from steadyhand.imports.selectors import import_batch_get_visible, import_batch_list_visible

# The page shows this many problems; the CSV download has them all.
ERRORS_SHOWN = 500


@requires("member.import")
def roster_upload(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if request.method != "POST":
        return _upload_page(request, RosterUploadForm())
    form = RosterUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.roster_upload(
                actor=actor, file_name=upload.name, content=upload.read()
            )
        except InvalidInput as exc:
            for problems in exc.errors.values():
                form.add_error("file", problems)
        else:
            messages.success(request, f"{batch.file_name} uploaded; it is being checked.")
            return redirect("imports:batch_detail", batch_id=batch.pk)
    return _upload_page(request, form, status=400)


def _upload_page(request: HttpRequest, form: RosterUploadForm, status: int = 200) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(
        request,
        "imports/roster_upload.html",
        {
            "form": form,
            "batches": import_batch_list_visible(actor=actor),
            "columns": COLUMNS,
            "ranks": Rank.values,
            "statuses": MemberStatus.values,
        },
        status=status,
    )


@requires("member.import")
def roster_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(",".join(COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
    return response


def _detail_page(
    request: HttpRequest, batch: ImportBatch, *, load_error: str = "", status: int = 200
) -> HttpResponse:
    errors = batch.row_errors
    job = batch.job
    return render(
        request,
        "imports/batch_detail.html",
        {
            "batch": batch,
            "job": job,
            "working": job is not None and not job.finished,
            "errors": errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
            "plan": batch.plan[:ERRORS_SHOWN],
            "plan_hidden": max(0, len(batch.plan) - ERRORS_SHOWN),
            "load_error": load_error,
            "mode_all": LoadMode.ALL,
            "mode_valid_only": LoadMode.VALID_ONLY,
        },
        status=status,
    )


@requires("member.import")
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return _detail_page(request, import_batch_get_visible(actor=actor, batch_id=batch_id))


@require_POST
@requires("member.import")
def batch_load(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    batch = import_batch_get_visible(actor=actor, batch_id=batch_id)
    form = LoadForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, batch, load_error="Choose how to load the file.", status=400)
    try:
        batch = services.roster_load_start(
            actor=actor, batch=batch, mode=form.cleaned_data["load_mode"]
        )
    except InvalidInput as exc:
        message = " ".join(m for ms in exc.errors.values() for m in ms)
        return _detail_page(request, batch, load_error=message, status=400)
    except ConflictError as exc:
        return _detail_page(request, batch, load_error=str(exc), status=409)
    messages.success(request, "Loading started.")
    return redirect("imports:batch_detail", batch_id=batch.pk)


@require_POST
@requires("member.import")
def batch_recheck(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    batch = import_batch_get_visible(actor=actor, batch_id=batch_id)
    try:
        batch = services.roster_recheck(actor=actor, batch=batch)
    except ConflictError as exc:
        return _detail_page(request, batch, load_error=str(exc), status=409)
    messages.success(request, "Checking the file again.")
    return redirect("imports:batch_detail", batch_id=batch.pk)


def _safe_cell(value: object) -> object:
    # A value starting with = + - @ would run as a formula when the report is opened in a
    # spreadsheet; the report echoes what the uploaded file contained.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@requires("member.import")
def batch_errors_csv(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return errors_csv_response(import_batch_get_visible(actor=actor, batch_id=batch_id))


def errors_csv_response(batch: ImportBatch) -> HttpResponse:
    """A batch's problems as a CSV download (``file,row,column,value,reason``)."""
    out = io.StringIO()
    # The BOM lets spreadsheets on Windows read the report as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["file", "row", "column", "value", "reason"])
    for e in batch.row_errors:
        writer.writerow([_safe_cell(v) for v in (e.file_name, e.row, e.column, e.value, e.reason)])
    stem = PurePosixPath(batch.file_name).stem or "roster"
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_ascii(stem)}-errors.csv"'
    return response


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
