"""Training-records import pages: upload, the batch's check report and the load choice, the
error CSV. The same flow as the roster import's pages (``imports.views``)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.imports import training_services as services
from steadyhand.imports.forms import LoadForm
from steadyhand.imports.models import ImportBatch, LoadMode
from steadyhand.imports.training_forms import TrainingUploadForm
from steadyhand.imports.training_records import LAYOUTS, FileFormat, unmatched_count
from steadyhand.imports.training_selectors import (
    training_batch_get_visible,
    training_batch_list_visible,
)
from steadyhand.imports.views import ERRORS_SHOWN, errors_csv_response


@requires("training.import")
def training_upload(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = TrainingUploadForm(
        request.POST or None, request.FILES or None, agency_id=actor.agency_id
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        course = form.cleaned_data.get("course")
        try:
            batch = services.training_upload(
                actor=actor,
                file_name=upload.name,
                content=upload.read(),
                file_format=form.cleaned_data["file_format"],
                course_code=course.code if course is not None else "",
            )
        except InvalidInput as exc:
            for field, problems in exc.errors.items():
                form.add_error(
                    {"course_code": "course", "file_format": "file_format"}.get(field, "file"),
                    problems,
                )
        else:
            messages.success(request, f"{batch.file_name} uploaded; it is being checked.")
            return redirect("imports:training_batch_detail", batch_id=batch.pk)
    return render(
        request,
        "imports/training_upload.html",
        {
            "form": form,
            "batches": training_batch_list_visible(actor=actor),
            "layouts": [(f, LAYOUTS[f]) for f in FileFormat],
        },
        status=400 if request.method == "POST" else 200,
    )


@requires("training.import")
def training_template(request: HttpRequest) -> HttpResponse:
    columns = LAYOUTS[FileFormat.STANDARD].columns
    response = HttpResponse(",".join(columns) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-records-template.csv"'
    return response


def _detail_page(
    request: HttpRequest, batch: ImportBatch, *, load_error: str = "", status: int = 200
) -> HttpResponse:
    errors = batch.row_errors
    job = batch.job
    unmatched = unmatched_count(errors)
    file_format = FileFormat(batch.options.get("format", FileFormat.STANDARD))
    return render(
        request,
        "imports/training_batch_detail.html",
        {
            "batch": batch,
            "job": job,
            "working": job is not None and not job.finished,
            "layout": LAYOUTS[file_format],
            "course_code": batch.options.get("course_code", ""),
            "matched": 0 if batch.fatal else batch.row_count - unmatched,
            "unmatched": unmatched,
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


@requires("training.import")
def training_batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return _detail_page(request, training_batch_get_visible(actor=actor, batch_id=batch_id))


@require_POST
@requires("training.import")
def training_batch_load(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    batch = training_batch_get_visible(actor=actor, batch_id=batch_id)
    form = LoadForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, batch, load_error="Choose how to load the file.", status=400)
    try:
        batch = services.training_load_start(
            actor=actor, batch=batch, mode=form.cleaned_data["load_mode"]
        )
    except InvalidInput as exc:
        message = " ".join(m for ms in exc.errors.values() for m in ms)
        return _detail_page(request, batch, load_error=message, status=400)
    except ConflictError as exc:
        return _detail_page(request, batch, load_error=str(exc), status=409)
    messages.success(request, "Loading started.")
    return redirect("imports:training_batch_detail", batch_id=batch.pk)


@require_POST
@requires("training.import")
def training_batch_recheck(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    batch = training_batch_get_visible(actor=actor, batch_id=batch_id)
    try:
        batch = services.training_recheck(actor=actor, batch=batch)
    except ConflictError as exc:
        return _detail_page(request, batch, load_error=str(exc), status=409)
    messages.success(request, "Checking the file again.")
    return redirect("imports:training_batch_detail", batch_id=batch.pk)


@requires("training.import")
def training_batch_errors_csv(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return errors_csv_response(training_batch_get_visible(actor=actor, batch_id=batch_id))
