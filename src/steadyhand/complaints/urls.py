from django.urls import path

from steadyhand.complaints import views

app_name = "complaints"

A = "complaints/<int:complaint_id>/allegations/<int:allegation_id>"

urlpatterns = [
    # The public form: no login; the agency is named by the address.
    path("public/<slug:agency_slug>/complaint", views.public_complaint, name="public_form"),
    path(
        "public/<slug:agency_slug>/complaint/sent",
        views.public_complaint_sent,
        name="public_sent",
    ),
    path("complaints/", views.complaint_list, name="list"),
    path("complaints/new/", views.intake, name="intake"),
    path("complaints/<int:complaint_id>/", views.complaint_detail, name="detail"),
    path("complaints/<int:complaint_id>/edit/", views.complaint_edit, name="edit"),
    path(
        "complaints/<int:complaint_id>/allegations/new/",
        views.allegation_add,
        name="allegation_add",
    ),
    path(f"{A}/edit/", views.allegation_edit, name="allegation_edit"),
    path(f"{A}/finding/", views.allegation_finding, name="allegation_finding"),
    path(
        "complaints/<int:complaint_id>/complainants/new/",
        views.complainant_add,
        name="complainant_add",
    ),
    path("complaints/<int:complaint_id>/incident/", views.link_incident, name="link_incident"),
    path("complaints/<int:complaint_id>/close/", views.complaint_close, name="close"),
    path("complaints/<int:complaint_id>/reopen/", views.complaint_reopen, name="reopen"),
]
