from django.urls import path

from steadyhand.jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobs/<int:job_id>/", views.job_detail, name="detail"),
    path("jobs/<int:job_id>/progress.json", views.job_progress, name="progress"),
]
