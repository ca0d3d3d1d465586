"""The training app's pages, one module per area, in one ``training`` namespace."""

from steadyhand.training.views import urls_catalogue, urls_reports, urls_rollouts

app_name = "training"

urlpatterns = [
    *urls_catalogue.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_rollouts.urlpatterns,
]
