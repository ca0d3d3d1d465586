"""Downloads and the CLI: who may export, that each export is logged, and the files written."""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.api.tests.factories import make_incident
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.incidents.intake_services import EventRecord


def _client(sa: SmallAgency, role: Role) -> Client:
    client = Client()
    client.force_login(make_user(sa.agency, [role]))
    return client


def _shots(sa: SmallAgency) -> None:
    make_incident(
        sa.system,
        case_number="SHOTS",
        events=(
            EventRecord(code="arrives", offset_seconds=0, actor_badge="O101"),
            EventRecord(code="firearm_discharge", offset_seconds=9, actor_badge="O101"),
        ),
    )


def test_an_analyst_downloads_open_data_and_the_download_is_logged(
    small_agency: SmallAgency,
) -> None:
    make_incident(small_agency.system)
    response = _client(small_agency, Role.ANALYST).get(reverse("exports:open_data_csv"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert len(list(csv.DictReader(io.StringIO(text)))) == 1
    event = AuditEvent.objects.get(action="incident.export")
    assert event.kind == "read"


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.INTERNAL_AFFAIRS])
def test_roles_without_export_are_refused(small_agency: SmallAgency, role: Role) -> None:
    client = _client(small_agency, role)
    assert client.get(reverse("exports:open_data_csv")).status_code == 403
    assert client.get(reverse("exports:nuofdc_zip")).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="incident.export").exists()


def test_the_fbi_export_is_a_zip_of_three_segments(small_agency: SmallAgency) -> None:
    _shots(small_agency)
    assert (
        _client(small_agency, Role.COMMANDER).get(reverse("exports:nuofdc_zip")).status_code == 403
    )
    response = _client(small_agency, Role.ANALYST).get(reverse("exports:nuofdc_zip"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert sorted(archive.namelist()) == [
        "nuofdc-incident.csv",
        "nuofdc-officer.csv",
        "nuofdc-subject.csv",
    ]
    assert "SHOTS" in archive.read("nuofdc-incident.csv").decode()
    assert AuditEvent.objects.filter(action="incident.export_nuofdc").count() == 1


def test_the_admin_sets_the_precision_the_downloads_then_use(small_agency: SmallAgency) -> None:
    make_incident(small_agency.system)
    admin = _client(small_agency, Role.AGENCY_ADMIN)
    page = admin.get(reverse("exports:index"))
    assert page.status_code == 200
    bad = admin.post(reverse("exports:settings_update"), {"date_precision": "week", "ori": "X"})
    assert bad.status_code == 400
    saved = admin.post(reverse("exports:settings_update"), {"date_precision": "week", "ori": ""})
    assert saved.status_code == 302
    text = b"".join(admin.get(reverse("exports:open_data_csv")).streaming_content).decode()  # type: ignore[attr-defined]
    assert "2026-W11" in text
    dictionary = admin.get(reverse("exports:data_dictionary"))
    assert "YYYY-Www" in dictionary.content.decode()
    assert (
        _client(small_agency, Role.ANALYST)
        .post(reverse("exports:settings_update"), {"date_precision": "day"})
        .status_code
        == 403
    )


def test_the_cli_writes_open_data_and_its_dictionary(
    small_agency: SmallAgency, tmp_path: Path
) -> None:
    make_incident(small_agency.system)
    make_incident(small_agency.system, badges=("O301",))
    out = io.StringIO()
    call_command(
        "export",
        "open-data",
        "--agency",
        small_agency.agency.slug,
        "--out",
        str(tmp_path),
        "--precision",
        "day",
        "--quiet",
        stdout=out,
    )
    assert "2 incidents, dates by day" in out.getvalue()
    rows = list(csv.DictReader((tmp_path / "open-data.csv").open(encoding="utf-8")))
    assert {r["period"] for r in rows} == {"2026-03-14"}
    assert (tmp_path / "data-dictionary.csv").exists()
    assert (tmp_path / "data-dictionary.md").read_text().startswith("# Open data")
    assert AuditEvent.objects.filter(action="incident.export", actor_label="system:cli:export")


def test_the_cli_writes_the_fbi_segments(small_agency: SmallAgency, tmp_path: Path) -> None:
    _shots(small_agency)
    out = io.StringIO()
    call_command(
        "export",
        "nuofdc",
        "--agency",
        small_agency.agency.slug,
        "--out",
        str(tmp_path),
        "--quiet",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "1 qualifying incidents, 1 subjects, 1 officers" in out.getvalue()
    assert (tmp_path / "nuofdc-officer.csv").exists()


def test_the_cli_names_the_known_agencies(small_agency: SmallAgency, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=small_agency.agency.slug):
        call_command("export", "open-data", "--agency", "nope", "--out", str(tmp_path))


def test_the_page_offers_what_the_role_may_do(small_agency: SmallAgency) -> None:
    auditor = _client(small_agency, Role.AUDITOR).get(reverse("exports:index"))
    assert auditor.status_code == 200
    text = auditor.content.decode()
    assert reverse("exports:open_data_csv") in text
    assert reverse("exports:nuofdc_zip") not in text
    assert "Export settings" not in text
    dictionary = _client(small_agency, Role.AUDITOR).get(
        reverse("exports:data_dictionary") + "?format=csv"
    )
    assert dictionary.content.decode().startswith("column,description,values")
