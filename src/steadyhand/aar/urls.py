"""``/aar/…``: protected after-action reviews (walled from internal affairs) and their themes;
``/library/…``: the de-identified case library every member reads."""

from django.urls import path

from steadyhand.aar import scenario_views, views

app_name = "aar"

urlpatterns = [
    path("aar/", views.index, name="index"),
    path("aar/themes/", views.themes, name="themes"),
    path("aar/open/<int:incident_id>/", views.open_review, name="open"),
    path("aar/incident/<int:incident_id>/", views.for_incident, name="for_incident"),
    path("aar/<int:aar_id>/", views.detail, name="detail"),
    path("aar/<int:aar_id>/notes/", views.notes_edit, name="notes"),
    path("aar/<int:aar_id>/events/<int:event_id>/", views.event_note, name="event_note"),
    path("aar/<int:aar_id>/lessons/new/", views.lesson_add, name="lesson_add"),
    path("aar/<int:aar_id>/lessons/<int:lesson_id>/", views.lesson_edit, name="lesson_edit"),
    path(
        "aar/<int:aar_id>/lessons/<int:lesson_id>/agree/",
        views.lesson_agree,
        name="lesson_agree",
    ),
    path("aar/<int:aar_id>/confirm/", views.confirm, name="confirm"),
    path("aar/<int:aar_id>/close/", views.close, name="close"),
    path("aar/<int:aar_id>/publish/", views.publish, name="publish"),
    path("aar/<int:aar_id>/scenario/", scenario_views.scenario_draft, name="scenario_draft"),
    path("library/", views.library, name="library"),
    path("library/<int:entry_id>/", views.library_entry, name="library_entry"),
]
