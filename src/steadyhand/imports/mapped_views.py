"""Import pages for a mapping's target (incidents, complaints): choose a mapping and upload
files, follow the check, choose how to load, download the problems. The same flow as the roster
import's pages; ``MappedPages`` builds one set of views per target, each guarded by the target's
permission."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.imports import mapped_services as services
from steadyhand.imports.forms import LoadForm
from steadyhand.imports.mapped_forms import MappedUploadForm
from steadyhand.imports.mapped_selectors import (
    mapped_batch_get_visible,
    mapped_batch_list_visible,
)
from steadyhand.imports.mapped_targets import COMPLAINTS, INCIDENTS, MappedTarget
from steadyhand.imports.models import ImportBatch, LoadMode
from steadyhand.imports.views import ERRORS_SHOWN, errors_csv_response

COMMON_COUNTS = (("rows", "Rows read"),)
PROBLEM_COUNTS = (("rejected_rows", "Rows with problems"), ("errors", "Problems found"))


@dataclass(frozen=True)
class PageText:
    title: str  # "Import incidents"
    intro: str  # what is imported, in the user's words
    counts: tuple[tuple[str, str], ...]  # summary keys and their labels, in order


TEXTS = {
    INCIDENTS.kind: PageText(
        title="Import incidents",
        intro="another system's use-of-force records: how its columns become Steadyhand "
        "incidents, officers, subjects and timeline events",
        counts=(
            ("incidents", "Incidents"),
            ("involvements", "Officer involvements"),
            ("officers", "Distinct officers"),
            ("subjects", "Subjects"),
            ("events", "Timeline events"),
            ("rejected_records", "Incidents left out (a row has a problem)"),
        ),
    ),
    COMPLAINTS.kind: PageText(
        title="Import complaints",
        intro="another system's complaint records: how its files become Steadyhand complaints, "
        "allegations against members and the people who complained",
        counts=(
            ("complaints", "Complaints"),
            ("allegations", "Allegations"),
            ("accused_officers", "Accused officers"),
            ("complainants", "Complainants"),
            ("victims", "Victims"),
            ("related_rows", "Rows of the related files"),
        ),
    ),
}


class MappedPages:
    """The upload page, batch page, load, check-again and problems download of one target."""

    def __init__(self, target: MappedTarget) -> None:
        self.target = target
        self.text = TEXTS[target.kind]
        guard = requires(target.action)
        self.upload = guard(self._upload)
        self.detail = guard(self._detail)
        self.load = require_POST(guard(self._load))
        self.recheck = require_POST(guard(self._recheck))
        self.errors_csv = guard(self._errors_csv)

    def _url(self, name: str) -> str:
        return f"{self.target.url_namespace}:{name}"

    def _batch(self, request: HttpRequest, batch_id: int) -> ImportBatch:
        actor = request.actor  # type: ignore[attr-defined]
        return mapped_batch_get_visible(actor=actor, batch_id=batch_id, target=self.target)

    def _upload(self, request: HttpRequest) -> HttpResponse:
        actor = request.actor  # type: ignore[attr-defined]
        form = MappedUploadForm(request.POST or None, request.FILES or None, target=self.target)
        if request.method == "POST" and form.is_valid():
            try:
                batch = services.mapped_import_create(
                    actor=actor,
                    target=self.target,
                    mapping=form.cleaned_data["mapping"],
                    files=[(u.name, u.read()) for u in form.cleaned_data["uploads"]],
                )
            except InvalidInput as exc:
                for field, problems in exc.errors.items():
                    form.add_error("mapping" if field == "mapping" else "uploads", problems)
            else:
                messages.success(
                    request, f"{batch.file_name} uploaded; the files are being checked."
                )
                return redirect(self._url("detail"), batch_id=batch.pk)
        return render(
            request,
            "imports/mapped_upload.html",
            {
                "form": form,
                "text": self.text,
                "ns": self.target.url_namespace,
                "batches": mapped_batch_list_visible(actor=actor, target=self.target),
            },
            status=400 if request.method == "POST" else 200,
        )

    def _page(
        self, request: HttpRequest, batch: ImportBatch, *, load_error: str = "", status: int = 200
    ) -> HttpResponse:
        job = batch.job
        counts = batch.options.get("counts", {})
        labels = COMMON_COUNTS + self.text.counts + PROBLEM_COUNTS
        context: dict[str, Any] = {
            "batch": batch,
            "job": job,
            "text": self.text,
            "ns": self.target.url_namespace,
            "noun": self.target.name,
            "working": job is not None and not job.finished,
            "mapping": batch.options.get("mapping", ""),
            "files_read": batch.options.get("files_read", []),
            "loaded": batch.options.get("loaded", {}),
            "kept": batch.options.get("kept", []),
            "counts": [(label, counts.get(key, 0)) for key, label in labels],
            "errors": batch.row_errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, batch.error_count - ERRORS_SHOWN),
            "load_error": load_error,
            "mode_all": LoadMode.ALL,
            "mode_valid_only": LoadMode.VALID_ONLY,
        }
        return render(request, "imports/mapped_batch_detail.html", context, status=status)

    def _detail(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        return self._page(request, self._batch(request, batch_id))

    def _load(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        actor = request.actor  # type: ignore[attr-defined]
        batch = self._batch(request, batch_id)
        form = LoadForm(request.POST)
        if not form.is_valid():
            return self._page(
                request, batch, load_error="Choose how to load the files.", status=400
            )
        try:
            batch = services.mapped_import_load_start(
                actor=actor, batch=batch, mode=form.cleaned_data["load_mode"]
            )
        except InvalidInput as exc:
            message = " ".join(m for ms in exc.errors.values() for m in ms)
            return self._page(request, batch, load_error=message, status=400)
        except ConflictError as exc:
            return self._page(request, batch, load_error=str(exc), status=409)
        messages.success(request, "Loading started.")
        return redirect(self._url("detail"), batch_id=batch.pk)

    def _recheck(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        actor = request.actor  # type: ignore[attr-defined]
        batch = self._batch(request, batch_id)
        try:
            batch = services.mapped_import_recheck(actor=actor, batch=batch)
        except ConflictError as exc:
            return self._page(request, batch, load_error=str(exc), status=409)
        messages.success(request, "Checking the files again.")
        return redirect(self._url("detail"), batch_id=batch.pk)

    def _errors_csv(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        return errors_csv_response(self._batch(request, batch_id))


incident_pages = MappedPages(INCIDENTS)
complaint_pages = MappedPages(COMPLAINTS)
