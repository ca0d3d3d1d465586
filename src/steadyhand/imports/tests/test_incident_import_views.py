"""The incident import pages: upload several files, the check report, the load, refusals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.imports.models import BatchStatus, ImportBatch, LoadMode
from steadyhand.imports.tests.incident_import_support import excerpt_paths
from steadyhand.incidents.models import Incident

pytestmark = pytest.mark.django_db


def _client(a: SmallAgency, role: Role = Role.ANALYST) -> Client:
    client = Client()
    client.force_login(make_user(a.agency, [role], username=f"u-{role}-{a.agency.pk}"))
    return client


def _files(mapping: str) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv")
        for p in excerpt_paths(mapping)
    ]


def test_an_analyst_uploads_checks_and_loads_two_files(small_agency: SmallAgency) -> None:
    client = _client(small_agency)
    page = client.get(reverse("incident_imports:upload"))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(
        reverse("incident_imports:upload"), {"mapping": "austin", "uploads": _files("austin")}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == BatchStatus.VALIDATED  # the test task backend runs it at once
    html = client.get(reverse("incident_imports:detail", args=[batch.pk])).content.decode()
    assert "R2R_2014.csv, R2R_2017.csv" in html
    assert '<th scope="row">Incidents</th><td>25</td>' in html
    response = client.post(
        reverse("incident_imports:load", args=[batch.pk]), {"load_mode": LoadMode.ALL}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.LOADED
    assert Incident.objects.filter(source="import:austin").count() == 25


def test_problems_are_listed_and_downloadable(small_agency: SmallAgency) -> None:
    client = _client(small_agency)
    text = excerpt_paths("seattle")[0].read_text(encoding="utf-8").replace("Male", "Mal", 1)
    upload = SimpleUploadedFile("Use_Of_Force.csv", text.encode(), content_type="text/csv")
    client.post(reverse("incident_imports:upload"), {"mapping": "seattle", "uploads": [upload]})
    batch = ImportBatch.objects.latest("pk")
    html = client.get(reverse("incident_imports:detail", args=[batch.pk])).content.decode()
    assert "unknown value for code list" in html
    assert "Load only the incidents" in html
    csv_text = client.get(reverse("incident_imports:errors_csv", args=[batch.pk])).content.decode()
    assert "Use_Of_Force.csv,2,Subject_Gender,Mal," in csv_text


def test_officers_are_refused_and_nothing_is_stored(small_agency: SmallAgency) -> None:
    client = _client(small_agency, Role.OFFICER)
    assert client.get(reverse("incident_imports:upload")).status_code == 403
    response = client.post(
        reverse("incident_imports:upload"), {"mapping": "seattle", "uploads": _files("seattle")}
    )
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_another_agencys_batch_is_not_found(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    _client(small_agency).post(
        reverse("incident_imports:upload"), {"mapping": "seattle", "uploads": _files("seattle")}
    )
    batch = ImportBatch.objects.latest("pk")
    other = _client(other_agency)
    assert other.get(reverse("incident_imports:detail", args=[batch.pk])).status_code == 404
    response = other.post(
        reverse("incident_imports:load", args=[batch.pk]), {"load_mode": LoadMode.ALL}
    )
    assert response.status_code == 404
    assert Incident.objects.count() == 0


def test_a_re_import_keeps_what_others_refer_to_and_names_it_on_the_page(
    small_agency: SmallAgency,
) -> None:
    """An officer's statement on an imported incident survives a re-import of a corrected
    source file; the incident is kept as it was and the page says which one to correct."""
    from steadyhand.audit.models import AuditEvent
    from steadyhand.incidents.models import Statement

    client = _client(small_agency)
    original = excerpt_paths("seattle")[0].read_text(encoding="utf-8")

    def load(text: str) -> ImportBatch:
        upload = SimpleUploadedFile("Use_Of_Force.csv", text.encode(), content_type="text/csv")
        client.post(reverse("incident_imports:upload"), {"mapping": "seattle", "uploads": [upload]})
        batch = ImportBatch.objects.latest("pk")
        client.post(reverse("incident_imports:load", args=[batch.pk]), {"load_mode": LoadMode.ALL})
        batch.refresh_from_db()
        assert batch.status == BatchStatus.LOADED, batch.failure
        return batch

    load(original)
    incidents = Incident.objects.filter(source="import:seattle").order_by("case_number")
    referred, other = incidents[0], incidents[1]
    statement = Statement.objects.create(
        involvement=referred.involvements.first(), text="my account"
    )
    # The source corrects every row's level: every incident changed.
    batch = load(original.replace("Level 1 - Use of Force", "Level 2 - Use of Force"))

    assert batch.options["kept"] == [referred.case_number]
    assert batch.options["loaded"]["kept"] == 1
    assert batch.update_count == incidents.count() - 1
    statement.refresh_from_db()
    assert statement.involvement.incident_id == referred.pk
    referred.refresh_from_db()
    other.refresh_from_db()
    assert referred.source_force_level == "Level 1 - Use of Force"
    assert other.source_force_level.startswith("Level 2")
    event = AuditEvent.objects.filter(action="import.load").latest("seq")
    assert event.changes["kept"] == [None, 1]
    html = client.get(reverse("incident_imports:detail", args=[batch.pk])).content.decode()
    assert "changed at the source but was kept as it was" in html
    assert f"<code>{referred.case_number}</code>" in html
