from django.urls import path

from steadyhand.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("new/", views.document_create, name="document_create"),
    path("compliance/", views.compliance, name="compliance"),
    path("<int:document_id>/", views.document_detail, name="document_detail"),
    path("<int:document_id>/versions/new/", views.version_create, name="version_create"),
    path("versions/<int:version_id>/", views.version_detail, name="version_detail"),
    path("versions/<int:version_id>/changes/", views.version_changes, name="version_changes"),
    path("versions/<int:version_id>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:version_id>/discard/", views.version_discard, name="version_discard"),
    path("versions/<int:version_id>/approve/", views.version_approve, name="version_approve"),
    path("versions/<int:version_id>/publish/", views.version_publish, name="version_publish"),
    path(
        "versions/<int:version_id>/acknowledge/",
        views.version_acknowledge,
        name="version_acknowledge",
    ),
    path("versions/<int:version_id>/sections/new/", views.section_add, name="section_add"),
    path(
        "versions/<int:version_id>/sections/<int:section_id>/edit/",
        views.section_edit,
        name="section_edit",
    ),
    path(
        "versions/<int:version_id>/sections/<int:section_id>/delete/",
        views.section_delete,
        name="section_delete",
    ),
    path(
        "versions/<int:version_id>/sections/<int:section_id>/move/",
        views.section_move,
        name="section_move",
    ),
]
