"""``steadyhand import-complaints``: Chicago's four complaint files, audited, idempotent."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.complaints.models import Allegation, Complaint
from steadyhand.core.testing import SmallAgency, make_user

pytestmark = pytest.mark.django_db

EXCERPT = Path(__file__).parent / "data" / "chicago"
FILES = sorted(str(p) for p in EXCERPT.glob("complaints-*.csv"))


def _import(sa: SmallAgency, username: str, *files: str) -> str:
    out = StringIO()
    call_command("import-complaints", *files, "--agency", sa.agency.slug, "--mapping",
                 "chicago_complaints", "--as", username, "--valid-only", stdout=out)  # fmt: skip
    return out.getvalue()


def test_the_excerpt_loads_once_and_a_second_import_changes_nothing(
    small_agency: SmallAgency,
) -> None:
    admin = make_user(small_agency.agency, [Role.AGENCY_ADMIN])
    first = _import(small_agency, admin.username, *FILES)
    complaints = Complaint.objects.filter(agency=small_agency.agency)
    created = complaints.count()
    assert created > 0
    assert f"Loaded: {created} new complaint(s), 0 updated, 0 unchanged." in first
    assert Allegation.objects.filter(complaint__agency=small_agency.agency).exists()
    again = _import(small_agency, admin.username, *FILES)
    assert f"Loaded: 0 new complaint(s), 0 updated, {created} unchanged." in again
    assert complaints.count() == created
    events = AuditEvent.objects.filter(agency_id=small_agency.agency.pk,
                                       action="import.complaints_load")  # fmt: skip
    assert events.count() == 2
    assert events.first().actor_user_id == admin.pk  # type: ignore[union-attr]


def test_a_role_without_complaint_import_is_refused_and_nothing_is_written(
    small_agency: SmallAgency,
) -> None:
    analyst = make_user(small_agency.agency, [Role.ANALYST])
    with pytest.raises(CommandError):
        _import(small_agency, analyst.username, *FILES)
    assert not Complaint.objects.exists()


def test_a_missing_file_is_named(small_agency: SmallAgency, tmp_path: Path) -> None:
    admin = make_user(small_agency.agency, [Role.AGENCY_ADMIN])
    with pytest.raises(CommandError, match=r"nowhere\.csv"):
        _import(small_agency, admin.username, str(tmp_path / "nowhere.csv"))
    assert not Complaint.objects.exists()
