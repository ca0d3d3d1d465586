from django.urls import path

from steadyhand.intervention import views

app_name = "intervention"

urlpatterns = [
    path("", views.flag_list, name="list"),
    path("<int:flag_id>/", views.flag_detail, name="detail"),
    path("<int:flag_id>/respond/", views.flag_respond, name="respond"),
    path("<int:flag_id>/complete/", views.flag_complete, name="complete"),
    path("calibration/", views.calibration, name="calibration"),
    path("score/", views.score, name="score"),
]
