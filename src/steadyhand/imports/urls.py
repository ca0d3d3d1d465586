from django.urls import path

from steadyhand.imports import training_urls, views

app_name = "imports"

urlpatterns = [
    path("imports/roster/", views.roster_upload, name="roster_upload"),
    path("imports/roster/template.csv", views.roster_template, name="roster_template"),
    path("imports/roster/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path(
        "imports/roster/<int:batch_id>/errors.csv", views.batch_errors_csv, name="batch_errors_csv"
    ),
    path("imports/roster/<int:batch_id>/load/", views.batch_load, name="batch_load"),
    path("imports/roster/<int:batch_id>/recheck/", views.batch_recheck, name="batch_recheck"),
    *training_urls.urlpatterns,
]
