from django.urls import URLPattern, path

from steadyhand.imports import training_views as views

urlpatterns: list[URLPattern] = [
    path("imports/training/", views.training_upload, name="training_upload"),
    path("imports/training/template.csv", views.training_template, name="training_template"),
    path(
        "imports/training/<int:batch_id>/",
        views.training_batch_detail,
        name="training_batch_detail",
    ),
    path(
        "imports/training/<int:batch_id>/errors.csv",
        views.training_batch_errors_csv,
        name="training_batch_errors_csv",
    ),
    path(
        "imports/training/<int:batch_id>/load/",
        views.training_batch_load,
        name="training_batch_load",
    ),
    path(
        "imports/training/<int:batch_id>/recheck/",
        views.training_batch_recheck,
        name="training_batch_recheck",
    ),
]
