from django.urls import path

from steadyhand.imports import incident_views as views

app_name = "incident_imports"

urlpatterns = [
    path("imports/incidents/", views.incident_upload, name="upload"),
    path("imports/incidents/<int:batch_id>/", views.incident_batch_detail, name="detail"),
    path(
        "imports/incidents/<int:batch_id>/errors.csv",
        views.incident_batch_errors_csv,
        name="errors_csv",
    ),
    path("imports/incidents/<int:batch_id>/load/", views.incident_batch_load, name="load"),
    path("imports/incidents/<int:batch_id>/recheck/", views.incident_batch_recheck, name="recheck"),
]
