"""Complaints, members, import batches and the schema: the same refusals as the pages —
roles without the action get 403, another agency's records 404 — and protected reads logged."""

from typing import Any

import pytest
from drf_spectacular.validation import validate_schema

from steadyhand.access.roles import Role
from steadyhand.api.tests.factories import api_client, client_for
from steadyhand.audit.models import AuditEvent, EventKind
from steadyhand.complaints.models import Complaint
from steadyhand.complaints.services import complaint_intake
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.imports.models import ImportBatch
from steadyhand.imports.services import roster_upload

COMPLAINTS = "/api/v1/complaints/"
MEMBERS = "/api/v1/members/"
IMPORTS = "/api/v1/imports/"


def _complaint(sa: SmallAgency) -> Complaint:
    ia = make_user(sa.agency, [Role.INTERNAL_AFFAIRS])
    return complaint_intake(actor=actor_of(ia), channel="phone", narrative="Rude at the desk.")


# Complaints -----------------------------------------------------------------------------------


def test_internal_affairs_records_and_reads_complaints(small_agency: SmallAgency) -> None:
    client = api_client(make_user(small_agency.agency, [Role.INTERNAL_AFFAIRS]))
    created = client.post(
        COMPLAINTS,
        {
            "channel": "email",
            "narrative": "An officer shouted at my son.",
            "complainant_name": "A. B.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    complaint = Complaint.objects.get(pk=created.json()["id"])
    assert AuditEvent.objects.filter(
        action="complaint.intake", object_id=str(complaint.pk)
    ).exists()
    assert [c["id"] for c in client.get(COMPLAINTS).json()["results"]] == [complaint.pk]
    detail = client.get(f"{COMPLAINTS}{complaint.pk}/")
    assert detail.status_code == 200
    assert detail.json()["complainant_name"] == "A. B."
    read = AuditEvent.objects.get(kind=EventKind.READ, object_id=str(complaint.pk))
    assert read.action == "complaint.read"


def test_complaint_intake_errors_name_the_field(small_agency: SmallAgency) -> None:
    client = api_client(make_user(small_agency.agency, [Role.INTERNAL_AFFAIRS]))
    response = client.post(COMPLAINTS, {"channel": "carrier_pigeon"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"narrative"}
    response = client.post(COMPLAINTS, {"channel": "pigeon", "narrative": "x" * 30}, format="json")
    assert response.status_code == 400
    assert "channel" in response.json()["errors"]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ANALYST, Role.AGENCY_ADMIN, Role.TRAINER])
def test_roles_without_complaint_actions_are_refused(small_agency: SmallAgency, role: Role) -> None:
    complaint = _complaint(small_agency)
    client = api_client(make_user(small_agency.agency, [role]))
    assert client.get(COMPLAINTS).status_code == 403
    assert client.get(f"{COMPLAINTS}{complaint.pk}/").status_code == 403
    body = {"channel": "phone", "narrative": "Something happened yesterday."}
    assert client.post(COMPLAINTS, body, format="json").status_code == 403
    assert Complaint.objects.count() == 1


def test_another_agencys_complaint_is_not_found(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    theirs = _complaint(other_agency)
    client = api_client(make_user(small_agency.agency, [Role.INTERNAL_AFFAIRS]))
    assert client.get(f"{COMPLAINTS}{theirs.pk}/").status_code == 404
    assert client.get(COMPLAINTS).json()["results"] == []
    assert not AuditEvent.objects.filter(kind=EventKind.READ).exists()


# Members --------------------------------------------------------------------------------------


def test_members_follow_member_view(small_agency: SmallAgency, other_agency: SmallAgency) -> None:
    sa = small_agency
    sergeant = api_client(make_user(sa.agency, [(Role.SUPERVISOR, sa.precinct_a)]))
    badges = {m["badge"] for m in sergeant.get(MEMBERS).json()["results"]}
    assert badges == {"S100", "O101", "O201"}
    assert sergeant.get(f"{MEMBERS}{sa.officer_b1.pk}/").status_code == 404
    assert sergeant.get(f"{MEMBERS}{other_agency.officer_a1.pk}/").status_code == 404
    officer = api_client(make_user(sa.agency, [Role.OFFICER], member=sa.officer_a1))
    assert [m["badge"] for m in officer.get(MEMBERS).json()["results"]] == ["O101"]
    assert officer.get(f"{MEMBERS}{sa.officer_a2.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUDITOR])
def test_roles_without_member_view_are_refused(small_agency: SmallAgency, role: Role) -> None:
    client = api_client(make_user(small_agency.agency, [role]))
    assert client.get(MEMBERS).status_code == 403
    assert client.get(f"{MEMBERS}{small_agency.officer_a1.pk}/").status_code == 403


# Imports --------------------------------------------------------------------------------------


def _batch(sa: SmallAgency) -> ImportBatch:
    content = (
        b"badge,first_name,last_name,rank,unit_code,hire_date\n"
        b"O999,Ann,Lee,officer,PA-1,2020-01-01\n"
    )
    return roster_upload(
        actor=sa.system, file_name="roster.csv", content=content, check_in_background=False
    )


def test_import_batches_by_kind(small_agency: SmallAgency, other_agency: SmallAgency) -> None:
    batch = _batch(small_agency)
    theirs = _batch(other_agency)
    admin = api_client(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    assert [b["id"] for b in admin.get(IMPORTS).json()["results"]] == [batch.pk]
    detail = admin.get(f"{IMPORTS}{batch.pk}/")
    assert detail.status_code == 200
    assert detail.json()["kind"] == "roster"
    assert "content" not in detail.json()
    assert admin.get(f"{IMPORTS}{theirs.pk}/").status_code == 404
    # An analyst imports incidents, not rosters: the list answers, without the roster batch.
    analyst = api_client(make_user(small_agency.agency, [Role.ANALYST]))
    assert analyst.get(IMPORTS).json()["results"] == []
    assert analyst.get(f"{IMPORTS}{batch.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR])
def test_roles_that_import_nothing_are_refused(small_agency: SmallAgency, role: Role) -> None:
    batch = _batch(small_agency)
    client = api_client(make_user(small_agency.agency, [role]))
    assert client.get(IMPORTS).status_code == 403
    assert client.get(f"{IMPORTS}{batch.pk}/").status_code == 403


def test_imports_are_read_only(small_agency: SmallAgency) -> None:
    admin = api_client(make_user(small_agency.agency, [Role.AGENCY_ADMIN]))
    assert admin.post(IMPORTS, {}, format="json").status_code == 403
    assert admin.delete(f"{IMPORTS}1/").status_code == 403


# The schema -----------------------------------------------------------------------------------


def test_the_schema_is_openapi_json_listing_every_endpoint(small_agency: SmallAgency) -> None:
    client = api_client(make_user(small_agency.agency, [Role.OFFICER]))
    response = client.get("/api/v1/schema")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema: dict[str, Any] = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # against the OpenAPI 3 JSON schema bundled with drf-spectacular
    assert set(schema["paths"]) >= {
        "/api/v1/incidents/",
        "/api/v1/incidents/{incident_id}/",
        "/api/v1/complaints/",
        "/api/v1/complaints/{complaint_id}/",
        "/api/v1/members/",
        "/api/v1/members/{member_id}/",
        "/api/v1/imports/",
        "/api/v1/imports/{batch_id}/",
    }
    assert set(schema["paths"]["/api/v1/incidents/"]) == {"get", "post"}
    assert "apiToken" in schema["components"]["securitySchemes"]


def test_the_schema_needs_a_login(small_agency: SmallAgency) -> None:
    assert client_for(None).get("/api/v1/schema").status_code == 401


def test_each_import_kind_is_read_under_its_own_action() -> None:
    from steadyhand.api.selectors import import_action

    assert import_action("roster") == "member.import"
    assert import_action("training") == "training.import"
    assert import_action("incidents") == "incident.import"
    assert import_action("complaints") == "complaint.import"
