from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from steadyhand.imports import mapped_urls


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("health", health, name="health"),
    path("", include("steadyhand.accounts.urls")),
    path("", include("steadyhand.agencies.urls")),
    path("", include("steadyhand.imports.urls")),
    path("", include(mapped_urls.incident_patterns)),
    path("", include(mapped_urls.complaint_patterns)),
    path("", include("steadyhand.audit.urls")),
    path("", include("steadyhand.jobs.urls")),
    path("", include("steadyhand.complaints.urls")),
    path("policy/", include("steadyhand.policy.urls")),
    path("training/", include("steadyhand.training.urls")),
    path("scenarios/", include("steadyhand.scenarios.urls")),
    path("incidents/", include("steadyhand.incidents.urls")),
    path("evaluations/", include("steadyhand.evaluations.urls")),
    path("", include("steadyhand.api.urls")),
    path("exports/", include("steadyhand.exports.urls")),
    path("reviews/", include("steadyhand.reviews.urls")),
    path("", include("steadyhand.aar.urls")),
    path("", include("steadyhand.recognition.urls")),
    path("dashboard/", include("steadyhand.dashboard.urls")),
    path("", include("steadyhand.transparency.urls")),
    path("intervention/", include("steadyhand.intervention.urls")),
]

# A failed request gets the site's own page, and a 503 when the database is away.
handler500 = "steadyhand.core.server_errors.server_error"
