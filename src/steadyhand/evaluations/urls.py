from django.urls import path

from steadyhand.evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("request", views.evaluation_request, name="request"),
    path("<int:evaluation_id>/", views.evaluation_detail, name="detail"),
    path("<int:evaluation_id>/rerun", views.evaluation_rerun, name="rerun"),
    path("synthetic-control/", views.synth_list, name="synth_list"),
    path("synthetic-control/request", views.synth_request, name="synth_request"),
    path("synthetic-control/<int:study_id>/", views.synth_detail, name="synth_detail"),
]
