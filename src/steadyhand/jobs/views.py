"""A job's page and its progress as JSON (polled by ``progress.js``)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from steadyhand.access.decorators import requires
from steadyhand.jobs.models import Job
from steadyhand.jobs.selectors import job_get_visible


def _link(job: Job) -> dict[str, str] | None:
    """The page the job's creator named for its outcome; local paths only."""
    link = job.params.get("link") if isinstance(job.params, dict) else None
    if not isinstance(link, dict):
        return None
    url, label = str(link.get("url", "")), str(link.get("label", "")) or "Back"
    if not url.startswith("/") or url.startswith("//"):
        return None
    return {"url": url, "label": label}


def progress_payload(job: Job) -> dict[str, object]:
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "finished": job.finished,
        "error": job.error,
    }


@requires("job.view")
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    job = job_get_visible(actor=actor, job_id=job_id)
    result = job.result if isinstance(job.result, dict) else {}
    items = [(key.replace("_", " ").capitalize(), value) for key, value in result.items()]
    return render(
        request, "jobs/job_detail.html", {"job": job, "result_items": items, "link": _link(job)}
    )


@requires("job.view")
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    job = job_get_visible(actor=actor, job_id=job_id)
    response = JsonResponse(progress_payload(job))
    response["Cache-Control"] = "no-store"
    return response
