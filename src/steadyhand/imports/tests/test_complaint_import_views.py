"""The complaint import pages: Chicago's four files uploaded together, checked, loaded; the
same flow as the incident import pages and the same refusals."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.complaints.models import Allegation, Complaint
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.imports.models import BatchStatus, ImportBatch, LoadMode
from steadyhand.imports.tests.incident_import_support import excerpt_paths

pytestmark = pytest.mark.django_db

CHICAGO = Path(__file__).resolve().parent / "data" / "chicago"


def _client(a: SmallAgency, role: Role = Role.AGENCY_ADMIN) -> Client:
    client = Client()
    client.force_login(make_user(a.agency, [role], username=f"u-{role}-{a.agency.pk}"))
    return client


def _complaint_files() -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv")
        for p in sorted(CHICAGO.glob("complaints-*.csv"))
    ]


def _upload(client: Client) -> ImportBatch:
    response = client.post(
        reverse("complaint_imports:upload"),
        {"mapping": "chicago_complaints", "uploads": _complaint_files()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.latest("pk")


def test_an_admin_uploads_checks_and_loads_the_valid_complaints(
    small_agency: SmallAgency,
) -> None:
    client = _client(small_agency)
    page = client.get(reverse("complaint_imports:upload")).content.decode()
    assert '<option value="chicago_complaints">' in page
    assert '<option value="seattle">' not in page, "incident mappings are not offered here"

    batch = _upload(client)
    assert batch.status == BatchStatus.VALIDATED  # the test task backend runs the check at once
    html = client.get(reverse("complaint_imports:detail", args=[batch.pk])).content.decode()
    assert '<th scope="row">Complaints</th><td>26</td>' in html
    assert '<th scope="row">Allegations</th><td>56</td>' in html
    assert '<th scope="row">Rows with problems</th><td>5</td>' in html
    assert "disabled" in html, "with problems, loading everything is not offered"
    assert Complaint.objects.count() == 0, "the check writes nothing"

    refused = client.post(
        reverse("complaint_imports:load", args=[batch.pk]), {"load_mode": LoadMode.ALL}
    )
    assert refused.status_code == 400
    assert Complaint.objects.count() == 0

    client.post(
        reverse("complaint_imports:load", args=[batch.pk]), {"load_mode": LoadMode.VALID_ONLY}
    )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.LOADED
    loaded = Complaint.objects.filter(agency=small_agency.agency)
    assert loaded.count() == batch.create_count > 0
    assert Allegation.objects.filter(complaint__in=loaded).exists()

    again = _upload(client)
    assert again.create_count == 0
    assert again.update_count == batch.create_count, "a re-import updates, never duplicates"


def test_an_incident_mapping_is_refused_on_the_complaint_page(small_agency: SmallAgency) -> None:
    client = _client(small_agency)
    uploads = [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv")
        for p in excerpt_paths("seattle")
    ]
    response = client.post(
        reverse("complaint_imports:upload"), {"mapping": "seattle", "uploads": uploads}
    )
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_roles_without_the_permission_and_other_agencies_are_refused(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    admin = _client(small_agency)
    batch = _upload(admin)
    analyst = _client(small_agency, Role.ANALYST)  # imports incidents, not complaints
    assert analyst.get(reverse("complaint_imports:upload")).status_code == 403
    outsider = _client(other_agency)
    assert outsider.get(reverse("complaint_imports:detail", args=[batch.pk])).status_code == 404
    # A complaint batch is not reachable through the incident pages either.
    response = admin.get(reverse("incident_imports:detail", args=[batch.pk]))
    assert response.status_code == 404
