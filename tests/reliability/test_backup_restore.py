"""``steadyhand backup`` / ``restore``: a whole agency round-trips, its audit chain still
verifies, and a damaged or mismatched file is refused before anything is written."""

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models

from steadyhand.aar.models import AfterActionReview, Lesson
from steadyhand.aar.tests.factories import make_scene, reviewed
from steadyhand.accounts.models import RoleAssignment, User
from steadyhand.agencies.models import Agency
from steadyhand.audit.models import AuditEvent
from steadyhand.audit.verify import verify_chain
from steadyhand.backup import archive
from steadyhand.backup.archive import agency_backup, agency_restore
from steadyhand.backup.discovery import BackupError, agency_models, agency_path
from steadyhand.complaints.models import SubmissionAttempt
from steadyhand.core.testing import SmallAgency
from steadyhand.incidents.models import Incident, TimelineEvent
from steadyhand.reviews import services as review_services
from steadyhand.reviews.models import ForceReview
from steadyhand.reviews.tests.factories import force_incident

pytestmark = pytest.mark.django_db


def _populate(a: SmallAgency) -> None:
    """People and roles, reported incidents with timelines, reviews, an AAR with a lesson."""
    scene = make_scene(a)
    reviewed(scene)
    for level in (1, 2, 3):
        review_services.review_open_for_incident(
            actor=scene.officer, incident=force_incident(a, level=level)
        )


def _counts(agency_id: int) -> dict[str, int]:
    return {
        p.label: p.model._base_manager.filter(**{p.lookup: agency_id}).count()
        for p in agency_models()
    }


def _wipe(agency_id: int) -> None:
    """Remove every row of the agency, as if restoring into a database without it. Raw
    deletes: the audit log refuses ordinary ones, rightly."""
    doomed = [
        (p.model, list(p.model._base_manager.filter(**{p.lookup: agency_id}).values_list("pk")))
        for p in agency_models()
    ]
    for model, pks in reversed(doomed):
        qs: models.QuerySet[Any] = model._base_manager.filter(pk__in=[pk for (pk,) in pks])
        qs._raw_delete(qs.db)


def _rows(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return [line for line in stream][1:-1]


@pytest.fixture
def populated(small_agency: SmallAgency, other_agency: SmallAgency) -> SmallAgency:
    _populate(small_agency)
    _populate(other_agency)
    return small_agency


def test_a_whole_agency_round_trips_and_its_audit_chain_verifies(
    populated: SmallAgency, other_agency: SmallAgency, tmp_path: Path
) -> None:
    agency = populated.agency
    before = _counts(agency.pk)
    others_before = _counts(other_agency.agency.pk)
    assert before["incidents.incident"] >= 4
    assert before["reviews.forcereview"] >= 3
    assert before["aar.lesson"] == 1
    assert before["audit.auditevent"] > 20

    summary = agency_backup(agency_slug=agency.slug, path=tmp_path / "a.shbak")
    assert summary.counts == before
    _wipe(agency.pk)
    assert not Agency.objects.filter(pk=agency.pk).exists()
    assert not AuditEvent.objects.filter(agency_id=agency.pk).exists()

    restored = agency_restore(path=tmp_path / "a.shbak")

    assert _counts(agency.pk) == before
    assert restored.counts == before
    assert _counts(other_agency.agency.pk) == others_before
    report = verify_chain(agency.pk)
    assert report.ok
    assert report.events_checked == before["audit.auditevent"]
    assert restored.audit_events_verified == before["audit.auditevent"]
    # Every value of every row came back exactly: a second backup has the same rows.
    agency_backup(agency_slug=agency.slug, path=tmp_path / "b.shbak")
    assert _rows(tmp_path / "a.shbak") == _rows(tmp_path / "b.shbak")
    # And the restored records work through the normal code: relations, people, roles.
    review = ForceReview.objects.filter(agency_id=agency.pk).first()
    assert review is not None
    assert review.incident.agency_id == agency.pk
    assert User.objects.filter(agency_id=agency.pk).count() == before["accounts.user"]
    assert RoleAssignment.objects.filter(user__agency_id=agency.pk).exists()
    assert Lesson.objects.filter(aar__agency_id=agency.pk).count() == 1
    assert TimelineEvent.objects.filter(incident__agency_id=agency.pk).exists()


def test_new_rows_after_a_restore_get_fresh_ids(populated: SmallAgency, tmp_path: Path) -> None:
    agency = populated.agency
    agency_backup(agency_slug=agency.slug, path=tmp_path / "a.shbak")
    _wipe(agency.pk)
    agency_restore(path=tmp_path / "a.shbak")
    highest = Incident.objects.order_by("-pk").values_list("pk", flat=True).first()
    new = force_incident(populated, level=1)
    assert highest is not None
    assert new.pk > highest
    assert verify_chain(agency.pk).ok


def _rewrite(path: Path, change: Any) -> None:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        lines = stream.readlines()
    lines = change(lines)
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.writelines(lines)


def _nothing_restored(agency_id: int) -> None:
    assert not Agency.objects.filter(pk=agency_id).exists()
    assert all(n == 0 for n in _counts(agency_id).values())


def test_a_tampered_file_is_refused_and_nothing_is_written(
    populated: SmallAgency, tmp_path: Path
) -> None:
    agency = populated.agency
    path = tmp_path / "a.shbak"
    agency_backup(agency_slug=agency.slug, path=path)
    case = Incident.objects.filter(agency=agency).values_list("case_number", flat=True).first()
    assert case
    _rewrite(path, lambda lines: [line.replace(case, case + "X") for line in lines])
    _wipe(agency.pk)
    with pytest.raises(BackupError, match="does not match its checksum"):
        agency_restore(path=path)
    _nothing_restored(agency.pk)
    # The command says the same, as a command error (exit status 1), not a traceback.
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(path))
    _nothing_restored(agency.pk)


def test_a_file_cut_short_is_refused(populated: SmallAgency, tmp_path: Path) -> None:
    path = tmp_path / "a.shbak"
    agency_backup(agency_slug=populated.agency.slug, path=path)
    _rewrite(path, lambda lines: lines[: len(lines) // 2])
    _wipe(populated.agency.pk)
    with pytest.raises(BackupError, match="incomplete"):
        agency_restore(path=path)
    _nothing_restored(populated.agency.pk)


def test_a_backup_from_another_schema_is_refused(
    populated: SmallAgency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = archive.applied_migrations
    monkeypatch.setattr(
        archive,
        "applied_migrations",
        lambda using="default": [*real(using), ["incidents", "9999_future"]],
    )
    path = tmp_path / "a.shbak"
    agency_backup(agency_slug=populated.agency.slug, path=path)
    monkeypatch.setattr(archive, "applied_migrations", real)
    _wipe(populated.agency.pk)
    with pytest.raises(BackupError, match=r"different database schema.*9999_future"):
        agency_restore(path=path)
    _nothing_restored(populated.agency.pk)


def test_restoring_over_the_live_agency_is_refused(populated: SmallAgency, tmp_path: Path) -> None:
    path = tmp_path / "a.shbak"
    agency_backup(agency_slug=populated.agency.slug, path=path)
    before = _counts(populated.agency.pk)
    with pytest.raises(BackupError, match="already has agency"):
        agency_restore(path=path)
    assert _counts(populated.agency.pk) == before


def test_the_commands_report_what_they_did(populated: SmallAgency, tmp_path: Path) -> None:
    path = tmp_path / "a.shbak"
    call_command("backup", "--agency", populated.agency.slug, str(path))
    _wipe(populated.agency.pk)
    call_command("restore", str(path))
    assert AfterActionReview.objects.filter(agency=populated.agency).count() == 1
    with pytest.raises(CommandError, match="No agency"):
        call_command("backup", "--agency", "nope", str(tmp_path / "x"))


def test_every_model_has_a_known_agency_path_or_is_declared_global() -> None:
    labels = {p.label for p in agency_models()}
    assert {"audit.auditevent", "accounts.roleassignment", "jobs.job", "reviews.reviewstep",
            "aar.lessonagreement", "imports.importbatch"} <= labels  # fmt: skip
    # A model without a required path to Agency fails loudly, naming it.
    with pytest.raises(BackupError, match=r"complaints\.SubmissionAttempt"):
        agency_path(SubmissionAttempt)


def test_the_file_is_json_lines_with_a_manifest(populated: SmallAgency, tmp_path: Path) -> None:
    path = tmp_path / "a.shbak"
    summary = agency_backup(agency_slug=populated.agency.slug, path=path)
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        lines = stream.readlines()
    header, trailer = json.loads(lines[0]), json.loads(lines[-1])["trailer"]
    assert header["agency"]["slug"] == populated.agency.slug
    assert ["audit", "0001_initial"] in header["migrations"]
    assert header["database"] == connection.vendor
    assert trailer["sha256"] == summary.sha256
    assert sum(trailer["counts"].values()) == len(lines) - 2
