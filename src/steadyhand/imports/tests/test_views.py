"""The import pages: upload, batch report, load choice, error CSV; and their refusals."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Member
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.imports.models import BatchStatus, ImportBatch, LoadMode
from steadyhand.imports.tests.factories import fixture_bytes, make_admin
from steadyhand.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, name: str) -> ImportBatch:
    response = client.post(
        reverse("imports:roster_upload"),
        {"file": SimpleUploadedFile(name, fixture_bytes(name), content_type="text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("imports:batch_detail", args=[batch.pk])
    return batch


def test_upload_page_lists_the_format_and_recent_imports(small_agency: SmallAgency) -> None:
    client = _client(make_admin(small_agency.agency))
    _upload(client, "roster_valid.csv")
    page = client.get(reverse("imports:roster_upload"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "supervisor_badge" in html
    assert "roster_valid.csv" in html


def test_an_admin_uploads_checks_and_loads_a_file(small_agency: SmallAgency) -> None:
    client = _client(make_admin(small_agency.agency))
    batch = _upload(client, "roster_valid.csv")
    page = client.get(reverse("imports:batch_detail", args=[batch.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Load all rows</button>" in html
    assert "disabled" not in html.split("Load all rows")[0].rsplit("<button", 1)[1]
    assert reverse("jobs:detail", args=[batch.job_id]) in html
    assert "Load only the" not in html  # nothing to leave out

    members = Member.objects.count()
    response = client.post(reverse("imports:batch_load", args=[batch.pk]), {"load_mode": "all"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.LOADED
    assert batch.job is not None
    assert batch.job.status == JobStatus.SUCCEEDED
    assert batch.job.kind == "import.roster.load"
    assert Member.objects.count() == members + 5
    html = client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    assert "Members written" in html
    assert "Load all rows" not in html


def test_the_report_shows_problems_and_refuses_to_load_all(small_agency: SmallAgency) -> None:
    client = _client(make_admin(small_agency.agency))
    batch = _upload(client, "roster_errors.csv")
    html = client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    assert "<td>3</td><td>rank</td><td><code>sgt</code></td>" in html
    assert "unknown rank; allowed values:" in html
    assert 'disabled aria-describedby="why-not-all"' in html
    assert "Not possible: 12 rows have problems." in html
    assert "Load only the 3 valid rows" in html

    members = Member.objects.count()
    refused = client.post(reverse("imports:batch_load", args=[batch.pk]), {"load_mode": "all"})
    assert refused.status_code == 400
    assert "cannot be loaded in full" in refused.content.decode()
    assert Member.objects.count() == members
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED

    loaded = client.post(
        reverse("imports:batch_load", args=[batch.pk]), {"load_mode": LoadMode.VALID_ONLY}
    )
    assert loaded.status_code == 302
    assert Member.objects.count() == members + 2
    batch.refresh_from_db()
    assert (batch.status, batch.loaded_count) == (BatchStatus.LOADED, 3)


def test_the_error_report_downloads_as_csv(small_agency: SmallAgency) -> None:
    client = _client(make_admin(small_agency.agency))
    content = (
        b"badge,first_name,last_name,rank,unit_code,supervisor_badge,hire_date\n"
        b"Q1,Ada,Moss,=HYPERLINK(1),PA-1,,2020-01-01\n"
    )
    client.post(
        reverse("imports:roster_upload"),
        {"file": SimpleUploadedFile("my roster.csv", content, content_type="text/csv")},
    )
    batch = ImportBatch.objects.latest("pk")
    response = client.get(reverse("imports:batch_errors_csv", args=[batch.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my_roster-errors.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["file", "row", "column", "value", "reason"]
    # The formula from the file is defused so a spreadsheet shows it as text.
    assert rows[1][:4] == ["my roster.csv", "2", "rank", "'=HYPERLINK(1)"]
    assert len(rows) == 2


def test_a_file_that_is_not_csv_text_is_reported_on_the_page(small_agency: SmallAgency) -> None:
    client = _client(make_admin(small_agency.agency))
    client.post(
        reverse("imports:roster_upload"),
        {"file": SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x81\x8d", "text/csv")},
    )
    batch = ImportBatch.objects.latest("pk")
    html = client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    assert "neither UTF-8 nor Windows-1252" in html
    assert "The file itself has a problem" in html
    assert "Load only the" not in html


def test_upload_form_errors_are_shown(small_agency: SmallAgency) -> None:
    client = _client(make_admin(small_agency.agency))
    response = client.post(reverse("imports:roster_upload"), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.ANALYST])
def test_non_importers_are_refused_every_page(small_agency: SmallAgency, role: Role) -> None:
    admin_client = _client(make_admin(small_agency.agency))
    batch = _upload(admin_client, "roster_valid.csv")
    client = _client(make_user(small_agency.agency, [role]))
    upload = client.post(
        reverse("imports:roster_upload"),
        {"file": SimpleUploadedFile("r.csv", fixture_bytes("roster_valid.csv"), "text/csv")},
    )
    assert upload.status_code == 403
    assert client.get(reverse("imports:roster_upload")).status_code == 403
    assert client.get(reverse("imports:batch_detail", args=[batch.pk])).status_code == 403
    assert (
        client.post(
            reverse("imports:batch_load", args=[batch.pk]), {"load_mode": "all"}
        ).status_code
        == 403
    )
    assert ImportBatch.objects.count() == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED


def test_another_agencys_batch_is_not_found(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    batch = _upload(_client(make_admin(small_agency.agency)), "roster_valid.csv")
    client = _client(make_admin(other_agency.agency))
    for name in ("imports:batch_detail", "imports:batch_errors_csv"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    for name in ("imports:batch_load", "imports:batch_recheck"):
        response = client.post(reverse(name, args=[batch.pk]), {"load_mode": "all"})
        assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED


def test_anonymous_users_are_sent_to_login(small_agency: SmallAgency) -> None:
    response = Client().get(reverse("imports:roster_upload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_template_csv_has_the_header(small_agency: SmallAgency) -> None:
    client = _client(make_admin(small_agency.agency))
    response = client.get(reverse("imports:roster_template"))
    assert response.content.decode().strip() == (
        "badge,first_name,last_name,rank,unit_code,supervisor_badge,hire_date,status"
    )


def test_check_again_after_a_failure(small_agency: SmallAgency) -> None:
    client = _client(make_admin(small_agency.agency))
    batch = _upload(client, "roster_valid.csv")
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, failure="stopped")
    response = client.post(reverse("imports:batch_recheck", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.failure) == (BatchStatus.VALIDATED, "")
    # A loaded batch cannot be checked again.
    client.post(reverse("imports:batch_load", args=[batch.pk]), {"load_mode": "all"})
    refused = client.post(reverse("imports:batch_recheck", args=[batch.pk]))
    assert refused.status_code == 409


def test_a_batch_whose_job_ended_without_moving_it_can_be_checked_again(
    small_agency: SmallAgency,
) -> None:
    client = _client(make_admin(small_agency.agency))
    batch = _upload(client, "roster_valid.csv")
    job = batch.job
    assert job is not None
    # As if the load task had been refused before it reached the batch.
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.LOADING)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    still_running = client.post(reverse("imports:batch_recheck", args=[batch.pk]))
    assert still_running.status_code == 409
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    assert client.post(reverse("imports:batch_recheck", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
