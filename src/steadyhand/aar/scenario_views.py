"""The draft-scenario page of a closed after-action review (trainers: ``aar.publish``).

Thin: the service checks the review, builds the text and audits; this shows it or sends it as a
file. Nothing is stored, so GET is enough (the audit event records each draft made).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from steadyhand.aar import scenario_services, selectors
from steadyhand.aar.scenario_draft import draft_id
from steadyhand.access.decorators import requires
from steadyhand.core.errors import InvalidInput
from steadyhand.core.views import error_page, request_actor


@requires("aar.publish")
def scenario_draft(request: HttpRequest, aar_id: int) -> HttpResponse:
    actor = request_actor(request)
    aar = selectors.aar_get_visible(actor=actor, aar_id=aar_id, log_read=False)
    try:
        text = scenario_services.aar_scenario_draft(actor=actor, aar=aar)
    except InvalidInput as exc:
        message = " ".join(m for errors in exc.errors.values() for m in errors)
        return error_page(
            request, status=409, heading="No draft scenario for this review", message=message
        )
    filename = f"{draft_id(aar)}.toml"
    if request.GET.get("download"):
        response = HttpResponse(text, content_type="application/toml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(
        request, "aar/scenario_draft.html", {"aar": aar, "text": text, "filename": filename}
    )
