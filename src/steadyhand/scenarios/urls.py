from django.urls import path

from steadyhand.scenarios import views

app_name = "scenarios"

urlpatterns = [
    path("", views.index, name="index"),
    path("join/", views.join, name="join"),
    path("review/", views.review, name="review"),
    path("start/<slug:scenario_id>/", views.run_start, name="start"),
    path("runs/<int:run_id>/", views.play, name="play"),
    path("runs/<int:run_id>/debrief/", views.debrief, name="debrief"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/<int:session_id>/", views.session_live, name="session_live"),
    path("sessions/<int:session_id>/live.json", views.session_live_json, name="session_live_json"),
    path("sessions/<int:session_id>/inject/", views.session_inject, name="session_inject"),
    path("sessions/<int:session_id>/close/", views.session_close, name="session_close"),
]
