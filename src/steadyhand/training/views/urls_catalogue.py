from django.urls import URLPattern, path

from steadyhand.training.views import catalogue

urlpatterns: list[URLPattern] = [
    path("", catalogue.catalogue, name="catalogue"),
    path("topics/", catalogue.topic_manage, name="topic_manage"),
    path("topics/standard/", catalogue.topic_setup, name="topic_setup"),
    path("topics/<int:topic_id>/edit/", catalogue.topic_edit, name="topic_edit"),
    path("courses/new/", catalogue.course_create, name="course_create"),
    path("courses/<int:course_id>/", catalogue.course_detail, name="course_detail"),
    path("courses/<int:course_id>/edit/", catalogue.course_edit, name="course_edit"),
    path("courses/<int:course_id>/sessions/new/", catalogue.session_create, name="session_create"),
    path("sessions/", catalogue.session_list, name="session_list"),
    path("sessions/upcoming/", catalogue.trainer_upcoming, name="trainer_upcoming"),
    path("sessions/<int:session_id>/", catalogue.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/edit/", catalogue.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/enrol/", catalogue.session_enrol, name="session_enrol"),
    path("sessions/<int:session_id>/roster/", catalogue.session_roster, name="session_roster"),
    path("members/<int:member_id>/transcript/", catalogue.transcript, name="transcript"),
    path("my-transcript/", catalogue.my_transcript, name="my_transcript"),
    path("units/status/", catalogue.unit_status, name="unit_status"),
]
