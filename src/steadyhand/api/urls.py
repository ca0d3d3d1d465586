"""``/api/v1/…`` (the REST API and its OpenAPI schema) and ``/account/api-tokens/`` (the pages
where a user manages their own tokens). Every route carries its action (``guarded``)."""

from django.urls import path

from steadyhand.api import token_views, views
from steadyhand.api.permissions import guarded
from steadyhand.api.schema import SchemaView

app_name = "api"

urlpatterns = [
    path("api/v1/schema", guarded(SchemaView), name="schema"),
    path("api/v1/incidents/", guarded(views.IncidentListCreate), name="incident_list"),
    path(
        "api/v1/incidents/<int:incident_id>/",
        guarded(views.IncidentDetail),
        name="incident_detail",
    ),
    path("api/v1/complaints/", guarded(views.ComplaintListCreate), name="complaint_list"),
    path(
        "api/v1/complaints/<int:complaint_id>/",
        guarded(views.ComplaintDetail),
        name="complaint_detail",
    ),
    path("api/v1/members/", guarded(views.MemberList), name="member_list"),
    path("api/v1/members/<int:member_id>/", guarded(views.MemberDetail), name="member_detail"),
    path("api/v1/imports/", guarded(views.ImportBatchList), name="import_list"),
    path("api/v1/imports/<int:batch_id>/", guarded(views.ImportBatchDetail), name="import_detail"),
    path("account/api-tokens/", token_views.token_list, name="token_list"),
    path(
        "account/api-tokens/<int:token_id>/revoke/", token_views.token_revoke, name="token_revoke"
    ),
]
