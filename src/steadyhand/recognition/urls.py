from django.urls import path

from steadyhand.recognition import views

app_name = "recognition"

N = "commendations/<int:nomination_id>"

urlpatterns = [
    # The public form: no login; the agency is named by the address.
    path("public/<slug:agency_slug>/commend", views.public_nominate, name="public_form"),
    path("public/<slug:agency_slug>/commend/sent", views.public_sent, name="public_sent"),
    path("commendations/", views.index, name="index"),
    path("commendations/nominate/", views.nominate, name="nominate"),
    path("commendations/suggestions/", views.suggestions, name="suggestions"),
    path(
        "commendations/suggestions/<int:incident_id>/nominate/",
        views.nominate_suggested,
        name="nominate_suggested",
    ),
    path("commendations/awards/", views.awards, name="awards"),
    path("commendations/awards/<int:award_type_id>/edit/", views.award_edit, name="award_edit"),
    path(f"{N}/", views.detail, name="detail"),
    path(f"{N}/approve/", views.approve, name="approve"),
    path(f"{N}/decline/", views.decline, name="decline"),
    path(f"{N}/identify/", views.identify, name="identify"),
    path(f"{N}/consent/", views.consent, name="consent"),
    path(f"{N}/publish/", views.publish, name="publish"),
    path(f"{N}/unpublish/", views.unpublish, name="unpublish"),
]
