from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("health", health, name="health"),
    path("", include("steadyhand.accounts.urls")),
    path("", include("steadyhand.agencies.urls")),
    path("", include("steadyhand.imports.urls")),
    path("", include("steadyhand.audit.urls")),
    path("", include("steadyhand.jobs.urls")),
    path("policy/", include("steadyhand.policy.urls")),
    path("training/", include("steadyhand.training.urls")),
]
