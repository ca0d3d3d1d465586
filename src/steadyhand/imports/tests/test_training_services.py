"""Training-records import services: upload → check → load through the training services,
all audited; duplicates skipped; the load all-or-nothing; refusals and stale checks."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.services import member_update
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.imports import training_services
from steadyhand.imports.models import BatchStatus, ImportBatch, ImportKind, LoadMode
from steadyhand.imports.selectors import import_batch_get_visible, import_batch_list_visible
from steadyhand.imports.tests.factories import admin_actor, fixture_bytes
from steadyhand.imports.training_services import (
    TrainingLoadFailed,
    training_load,
    training_load_start,
    training_recheck,
    training_upload,
    training_validate,
)
from steadyhand.jobs.models import JobStatus
from steadyhand.training.models import Course, Enrolment
from steadyhand.training.services.catalogue import enrolment_record_external
from steadyhand.training.tests.factories import make_course, trainer_actor

pytestmark = pytest.mark.django_db


def _catalogue(a: SmallAgency) -> tuple[Actor, dict[str, Course]]:
    t = trainer_actor(a.agency)
    return t, {
        "DE-16": make_course(t, "DE-16", modes={"lecture": 10, "role_play": 6}),
        "UOF-8": make_course(t, "UOF-8", topic_code="use_of_force", modes={"practical": 8}),
        "CIT-40": make_course(t, "CIT-40", topic_code="crisis_intervention", modes={"lecture": 40}),
    }


def _checked(actor: Actor, name: str, **options: Any) -> ImportBatch:
    batch = training_upload(
        actor=actor,
        file_name=name,
        content=fixture_bytes(name),
        check_in_background=False,
        **options,
    )
    return training_validate(actor=actor, batch=batch)


def test_a_valid_file_is_checked_and_loaded_through_the_training_services(
    small_agency: SmallAgency,
) -> None:
    a = small_agency
    t, _ = _catalogue(a)
    batch = _checked(t, "training_standard.csv")
    assert (batch.kind, batch.status, batch.options) == (
        ImportKind.TRAINING,
        BatchStatus.VALIDATED,
        {"format": "standard", "course_code": ""},
    )
    assert (batch.row_count, batch.valid_count, batch.error_count, batch.unchanged_count) == (
        4,
        4,
        0,
        0,
    )
    assert batch.can_load_all
    batch = training_load(actor=t, batch=batch, mode=LoadMode.ALL)
    assert (batch.status, batch.loaded_count) == (BatchStatus.LOADED, 4)
    records = {
        e.member.badge: (e.course.code, e.completed_on, e.hours, e.score, e.status, e.source)
        for e in Enrolment.objects.select_related("member", "course")
    }
    source = f"import:{batch.pk}"
    assert records == {
        "O101": ("DE-16", date(2024, 3, 1), Decimal("16"), Decimal("92"), "completed", source),
        "O201": ("DE-16", date(2024, 3, 1), Decimal("12"), None, "completed", source),
        "O301": ("UOF-8", date(2023, 11, 30), Decimal("8"), Decimal("75.5"), "completed", source),
        "S100": ("DE-16", date(2024, 3, 1), Decimal("16"), None, "completed", source),
    }
    reasons = sorted(
        AuditEvent.objects.filter(action="enrolment.record_external").values_list(
            "reason", flat=True
        )
    )
    assert reasons[0] == f"Training import #{batch.pk} (training_standard.csv), row 2"
    assert len(reasons) == 4
    steps = list(
        AuditEvent.objects.filter(object_type="imports.importbatch", object_id=str(batch.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert steps == ["import.upload", "import.validate", "import.load"]


def test_importing_the_same_file_again_records_nothing_twice(small_agency: SmallAgency) -> None:
    a = small_agency
    t, _ = _catalogue(a)
    training_load(actor=t, batch=_checked(t, "training_standard.csv"), mode=LoadMode.ALL)
    again = _checked(t, "training_standard.csv")
    assert (again.valid_count, again.unchanged_count, again.error_count) == (0, 4, 0)
    assert not again.can_load_all
    assert [p["note"] for p in again.plan] == ["already recorded"] * 4
    with pytest.raises(InvalidInput, match="No row of this file can be loaded"):
        training_load(actor=t, batch=again, mode=LoadMode.ALL)
    assert Enrolment.objects.count() == 4


def test_a_file_with_problems_loads_all_or_only_the_valid_rows(small_agency: SmallAgency) -> None:
    a = small_agency
    t, _ = _catalogue(a)
    batch = _checked(t, "training_standard_errors.csv")
    assert (batch.row_count, batch.valid_count, batch.error_row_count, batch.unchanged_count) == (
        10,
        1,
        8,
        1,
    )
    with pytest.raises(InvalidInput, match="cannot be loaded in full"):
        training_load(actor=t, batch=batch, mode=LoadMode.ALL)
    assert not Enrolment.objects.exists()
    batch = training_load(actor=t, batch=batch, mode=LoadMode.VALID_ONLY)
    assert (batch.status, batch.loaded_count, batch.unchanged_count) == (BatchStatus.LOADED, 1, 1)
    assert list(Enrolment.objects.values_list("member__badge", flat=True)) == ["O101"]


def test_a_load_that_fails_half_way_writes_nothing(
    small_agency: SmallAgency, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = small_agency
    t, _ = _catalogue(a)
    batch = _checked(t, "training_standard.csv")
    calls = {"n": 0}

    def flaky(**kwargs: Any) -> Enrolment:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return enrolment_record_external(**kwargs)

    monkeypatch.setattr(training_services, "enrolment_record_external", flaky)
    with pytest.raises(TrainingLoadFailed, match=r"Row 4 .* could not be recorded: disk full"):
        training_load(actor=t, batch=batch, mode=LoadMode.ALL)
    assert not Enrolment.objects.exists()
    assert not AuditEvent.objects.filter(action="enrolment.record_external").exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "Nothing from this file was loaded" in batch.failure
    assert AuditEvent.objects.filter(action="import.fail", object_id=str(batch.pk)).exists()
    # The cause fixed, the file can be checked and loaded again.
    monkeypatch.undo()
    batch = training_recheck(actor=t, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert training_load(actor=t, batch=batch, mode=LoadMode.ALL).loaded_count == 4


def test_a_badge_changed_after_the_check_stops_the_load(small_agency: SmallAgency) -> None:
    a = small_agency
    t, _ = _catalogue(a)
    batch = _checked(t, "training_standard.csv")
    member_update(
        actor=a.system,
        member=a.officer_a2,
        expected_version=a.officer_a2.version,
        badge="O299",
        first_name="Test",
        last_name="O201",
        rank=a.officer_a2.rank,
        unit=a.squad_a2,
        hire_date=a.officer_a2.hire_date,
        supervisor=None,
        status=a.officer_a2.status,
    )
    with pytest.raises(ConflictError, match="the file now has problems"):
        training_load(actor=t, batch=batch, mode=LoadMode.ALL)
    assert not Enrolment.objects.exists()


def test_a_completion_recorded_after_the_check_is_skipped(small_agency: SmallAgency) -> None:
    a = small_agency
    t, courses = _catalogue(a)
    batch = _checked(t, "training_standard.csv")
    enrolment_record_external(
        actor=t,
        member=a.officer_a1,
        course=courses["DE-16"],
        completed_on=date(2024, 3, 1),
        source="manual",
    )
    batch = training_load(actor=t, batch=batch, mode=LoadMode.ALL)
    assert (batch.loaded_count, batch.unchanged_count) == (3, 1)
    assert Enrolment.objects.filter(member=a.officer_a1).count() == 1


def test_the_cit40_format_needs_an_existing_course(small_agency: SmallAgency) -> None:
    t, _ = _catalogue(small_agency)
    content = fixture_bytes("cit40_excerpt.csv")
    with pytest.raises(InvalidInput) as caught:
        training_upload(actor=t, file_name="c.csv", content=content, file_format="cit40")
    assert "course_code" in caught.value.errors
    with pytest.raises(InvalidInput, match="No course of the catalogue has the code"):
        training_upload(
            actor=t, file_name="c.csv", content=content, file_format="cit40", course_code="X"
        )
    with pytest.raises(InvalidInput, match="Unknown format"):
        training_upload(actor=t, file_name="c.csv", content=content, file_format="xlsx")
    batch = training_upload(
        actor=t,
        file_name="c.csv",
        content=content,
        file_format="cit40",
        course_code="cit-40",
        check_in_background=False,
    )
    assert batch.options == {"format": "cit40", "course_code": "CIT-40"}
    assert not ImportBatch.objects.exclude(pk=batch.pk).exists()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.COMMANDER, Role.ANALYST])
def test_only_trainers_and_admins_import_training_records(
    small_agency: SmallAgency, role: Role
) -> None:
    a = small_agency
    t, _ = _catalogue(a)
    actor = actor_of(make_user(a.agency, [role], member=a.officer_b1))
    with pytest.raises(PermissionDenied):
        training_upload(
            actor=actor,
            file_name="t.csv",
            content=fixture_bytes("training_standard.csv"),
            check_in_background=False,
        )
    batch = _checked(t, "training_standard.csv")
    with pytest.raises(PermissionDenied):
        training_load(actor=actor, batch=batch, mode=LoadMode.ALL)
    with pytest.raises(PermissionDenied):
        training_load_start(actor=actor, batch=batch, mode=LoadMode.ALL)
    assert not Enrolment.objects.exists()


def test_an_agency_admin_may_import_without_managing_courses(small_agency: SmallAgency) -> None:
    _catalogue(small_agency)
    admin = admin_actor(small_agency.agency)
    batch = _checked(admin, "training_standard.csv")
    assert training_load(actor=admin, batch=batch, mode=LoadMode.ALL).loaded_count == 4


def test_check_and_load_run_as_jobs(small_agency: SmallAgency) -> None:
    t, _ = _catalogue(small_agency)
    batch = training_upload(
        actor=t, file_name="t.csv", content=fixture_bytes("training_standard.csv")
    )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert batch.job is not None
    assert (batch.job.kind, batch.job.status) == ("import.training.validate", JobStatus.SUCCEEDED)
    assert batch.job.result["to_record"] == 4
    assert batch.job.params["link"]["url"] == f"/imports/training/{batch.pk}/"
    batch = training_load_start(actor=t, batch=batch, mode=LoadMode.ALL)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.LOADED
    assert batch.job is not None
    assert (batch.job.kind, batch.job.status) == ("import.training.load", JobStatus.SUCCEEDED)
    assert batch.job.result["recorded"] == 4
    with pytest.raises(ConflictError, match="can be loaded only once"):
        training_load_start(actor=t, batch=batch, mode=LoadMode.ALL)


def test_roster_pages_do_not_see_training_batches(small_agency: SmallAgency) -> None:
    t, _ = _catalogue(small_agency)
    batch = _checked(t, "training_standard.csv")
    admin = admin_actor(small_agency.agency)
    assert list(import_batch_list_visible(actor=admin)) == []
    with pytest.raises(NotFound):
        import_batch_get_visible(actor=admin, batch_id=batch.pk)
