"""The training-records import pages: upload with format and course, the report with unmatched
badges, the load choice, the problems CSV; and their refusals."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.imports.models import BatchStatus, ImportBatch
from steadyhand.imports.tests.factories import fixture_bytes, make_admin
from steadyhand.training.models import Enrolment
from steadyhand.training.tests.factories import make_course, make_trainer, trainer_actor

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _setup(a: SmallAgency) -> Client:
    user = make_trainer(a.agency)
    t = trainer_actor(a.agency)
    make_course(t, "DE-16", modes={"lecture": 16})
    make_course(t, "UOF-8", topic_code="use_of_force")
    make_course(t, "CIT-40", topic_code="crisis_intervention", modes={"lecture": 40})
    return _client(user)


def _upload(client: Client, name: str, **fields: str) -> ImportBatch:
    data = {"file_format": "standard", "course": "", **fields}
    response = client.post(
        reverse("imports:training_upload"),
        {**data, "file": SimpleUploadedFile(name, fixture_bytes(name), content_type="text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("imports:training_batch_detail", args=[batch.pk])
    return batch


def test_upload_check_and_load_in_the_browser(small_agency: SmallAgency) -> None:
    client = _setup(small_agency)
    page = client.get(reverse("imports:training_upload")).content.decode()
    assert "star_badge" in page
    assert 'enctype="multipart/form-data"' in page
    batch = _upload(client, "training_standard.csv")
    html = client.get(reverse("imports:training_batch_detail", args=[batch.pk])).content.decode()
    assert "Rows matched to a member by badge</th><td>4</td>" in html
    assert "Load all rows</button>" in html
    response = client.post(
        reverse("imports:training_batch_load", args=[batch.pk]), {"load_mode": "all"}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.LOADED
    assert Enrolment.objects.count() == 4
    html = client.get(reverse("imports:training_batch_detail", args=[batch.pk])).content.decode()
    assert 'Completions recorded</th><td class="ok">4</td>' in html
    assert (
        reverse("imports:training_batch_detail", args=[batch.pk])
        in client.get(reverse("imports:training_upload")).content.decode()
    )


def test_unmatched_badges_are_listed_and_downloadable(small_agency: SmallAgency) -> None:
    client = _setup(small_agency)
    batch = _upload(client, "cit40_excerpt.csv", file_format="cit40", course="CIT-40")
    html = client.get(reverse("imports:training_batch_detail", args=[batch.pk])).content.decode()
    assert 'Rows whose badge matches no member</th><td><span class="error">10</span>' in html
    assert "<td>2</td><td>star_badge</td><td><code>18439</code></td>" in html
    assert "no member with this badge" in html
    assert "Load only the" not in html  # nothing is valid
    response = client.get(reverse("imports:training_batch_errors_csv", args=[batch.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["file", "row", "column", "value", "reason"]
    assert rows[1] == ["cit40_excerpt.csv", "2", "star_badge", "18439", "no member with this badge"]
    assert len(rows) == 11
    refused = client.post(
        reverse("imports:training_batch_load", args=[batch.pk]), {"load_mode": "all"}
    )
    assert refused.status_code == 400
    assert "No row of this file can be loaded" in refused.content.decode()


def test_the_cit40_format_asks_for_a_course(small_agency: SmallAgency) -> None:
    client = _setup(small_agency)
    response = client.post(
        reverse("imports:training_upload"),
        {
            "file_format": "cit40",
            "course": "",
            "file": SimpleUploadedFile("c.csv", fixture_bytes("cit40_excerpt.csv")),
        },
    )
    assert response.status_code == 400
    assert "Choose the course the certifications are completions of" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_file_with_problems_can_load_only_its_valid_rows(small_agency: SmallAgency) -> None:
    client = _setup(small_agency)
    batch = _upload(client, "training_standard_errors.csv")
    url = reverse("imports:training_batch_load", args=[batch.pk])
    refused = client.post(url, {"load_mode": "all"})
    assert refused.status_code == 400
    assert "cannot be loaded in full" in refused.content.decode()
    assert client.post(url, {"load_mode": "valid_only"}).status_code == 302
    assert Enrolment.objects.count() == 1


def test_the_template_download(small_agency: SmallAgency) -> None:
    client = _setup(small_agency)
    response = client.get(reverse("imports:training_template"))
    assert response.content.decode() == "badge,course_code,completed_on,hours,score\r\n"


def test_only_importers_reach_the_pages_and_only_their_agencys_batches(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    client = _setup(small_agency)
    batch = _upload(client, "training_standard.csv")
    supervisor = _client(make_user(small_agency.agency, [Role.SUPERVISOR]))
    assert supervisor.get(reverse("imports:training_upload")).status_code == 403
    assert (
        supervisor.post(
            reverse("imports:training_batch_load", args=[batch.pk]), {"load_mode": "all"}
        ).status_code
        == 403
    )
    foreign = _client(make_admin(other_agency.agency))
    for name in ("training_batch_detail", "training_batch_errors_csv"):
        assert foreign.get(reverse(f"imports:{name}", args=[batch.pk])).status_code == 404
    assert (
        foreign.post(
            reverse("imports:training_batch_load", args=[batch.pk]), {"load_mode": "all"}
        ).status_code
        == 404
    )
    # A roster page does not open a training batch, nor the other way round.
    admin = _client(make_admin(small_agency.agency))
    assert admin.get(reverse("imports:batch_detail", args=[batch.pk])).status_code == 404
    assert not Enrolment.objects.exists()
    # Administrators may import training records (training.import), so they see it here.
    assert admin.get(reverse("imports:training_batch_detail", args=[batch.pk])).status_code == 200
