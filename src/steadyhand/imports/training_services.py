"""Writes for training-record imports: upload → check → (the user chooses) → load, all audited.

The same steps, states and guarantees as the roster import (``imports.services``), whose
helpers this module reuses: the check and the load run as background tasks with a ``Job``; the
load is one transaction (every chosen row or none); the user chooses between loading all rows
(only possible without problems) and only the valid ones. Completions are written only through
``training.services.catalogue.enrolment_record_external``, so imported records get the same
permission check, validation and audit event as any other.

A row whose completion is already recorded (same member, course and date) is skipped and
counted, not an error: importing the same file twice records nothing the second time.
"""

import hashlib
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.agencies.models import Member
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import ConflictError, InvalidInput, SteadyhandError
from steadyhand.imports.batches import (
    batch_check_or_mark_failed,
    batch_load_or_mark_failed,
    batch_recheck,
    batch_request_load,
    batch_start_job,
    check_loadable,
    clean_file_name,
)
from steadyhand.imports.models import BatchStatus, ImportBatch, ImportKind, LoadMode
from steadyhand.imports.roster import ProgressCallback
from steadyhand.imports.training_records import (
    FORMAT_NAMES,
    FileFormat,
    RowAction,
    TrainingReport,
    TrainingRow,
    file_size_problem,
    validate_training,
)
from steadyhand.imports.training_selectors import course_by_code, training_context
from steadyhand.jobs.models import Job
from steadyhand.training.models import Course
from steadyhand.training.services.catalogue import enrolment_record_external


class TrainingLoadFailed(SteadyhandError):
    """The load stopped; its transaction was rolled back, so nothing of it was written."""


def _options(batch: ImportBatch) -> tuple[FileFormat, str]:
    return FileFormat(batch.options.get("format", "standard")), batch.options.get("course_code", "")


@transaction.atomic
def training_upload(
    *,
    actor: Actor,
    file_name: str,
    content: bytes,
    file_format: str = FileFormat.STANDARD,
    course_code: str = "",
    check_in_background: bool = True,
) -> ImportBatch:
    """Store an uploaded training-records file with the importer's choices (format, course) and
    (by default) start checking it in the background."""
    ensure(actor, "training.import", Scope(agency_id=actor.agency_id))
    problems: dict[str, list[str]] = {}
    if file_format not in FORMAT_NAMES:
        problems["file_format"] = [
            f"Unknown format {file_format!r}; choose one of {', '.join(FORMAT_NAMES)}."
        ]
    course_code = course_code.strip()
    if course_code:
        course = course_by_code(actor=actor, code=course_code)
        if course is None:
            problems["course_code"] = [
                f"No course of the catalogue has the code “{course_code}”; add it first."
            ]
        else:
            course_code = course.code
    elif file_format == FileFormat.CIT40:
        problems["course_code"] = [
            "Choose the course the certifications are completions of (e.g. a 40-hour "
            "crisis-intervention course)."
        ]
    size_problem = file_size_problem(len(content))
    if size_problem:
        problems["file"] = [size_problem]
    if problems:
        raise InvalidInput(problems)
    name = clean_file_name(file_name)
    batch = ImportBatch.objects.create(
        agency_id=actor.agency_id,
        kind=ImportKind.TRAINING,
        file_name=name,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        options={"format": str(file_format), "course_code": course_code},
        created_by_id=actor.user_id,
    )
    audit_record(
        actor=actor,
        action="import.upload",
        obj=batch,
        changes={
            "kind": [None, ImportKind.TRAINING],
            "file_name": [None, name],
            "size": [None, batch.size],
            "sha256": [None, batch.sha256],
            "format": [None, str(file_format)],
            "course_code": [None, course_code],
        },
    )
    if check_in_background:
        _start_check(actor=actor, batch=batch)
    return batch


def _start_check(*, actor: Actor, batch: ImportBatch) -> Job:
    # Imported here: the task module imports this one.
    from steadyhand.imports.training_tasks import training_validate_task

    return batch_start_job(
        actor=actor,
        batch=batch,
        kind="import.training.validate",
        title=f"Check training records {batch.file_name}",
        detail_url=reverse("imports:training_batch_detail", args=[batch.pk]),
        task=training_validate_task,
    )


def _lock(actor: Actor, batch: ImportBatch) -> ImportBatch:
    return ImportBatch.objects.select_for_update().get(
        pk=batch.pk, agency_id=actor.agency_id, kind=ImportKind.TRAINING
    )


@transaction.atomic
def training_recheck(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Check a stored file again, e.g. after adding the members or course it refers to."""
    return batch_recheck(
        actor=actor, batch=_lock(actor, batch), action="training.import", start_check=_start_check
    )


def _report(
    *, actor: Actor, batch: ImportBatch, progress: ProgressCallback | None
) -> TrainingReport:
    file_format, course_code = _options(batch)
    return validate_training(
        file_name=batch.file_name,
        content=bytes(batch.content),
        file_format=file_format,
        context=training_context(
            actor=actor, course_code=course_code, single_course=file_format == FileFormat.CIT40
        ),
        progress=progress,
    )


def training_validate(
    *, actor: Actor, batch: ImportBatch, progress: ProgressCallback | None = None
) -> ImportBatch:
    """Check every row and store the report. Writes no training record.

    Not one transaction, like the roster check: reading and checking take no locks and report
    progress as they go; the report and its audit event are then written together.
    """

    def check() -> ImportBatch:
        report = _report(actor=actor, batch=batch, progress=progress)
        return _store_check(actor=actor, batch_id=batch.pk, report=report)

    return batch_check_or_mark_failed(
        actor=actor, batch=batch, action="training.import", check=check
    )


@transaction.atomic
def _store_check(*, actor: Actor, batch_id: int, report: TrainingReport) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch_id, agency_id=actor.agency_id)
    if batch.status in (BatchStatus.LOADING, BatchStatus.LOADED):
        raise ConflictError("The import was loaded while it was being checked.")
    counts = report.counts
    old = batch.status
    batch.status = BatchStatus.VALIDATED
    batch.encoding = report.encoding
    batch.row_count = counts["rows"]
    batch.valid_count = counts["valid_rows"]
    batch.error_row_count = counts["error_rows"]
    batch.error_count = counts["errors"]
    # Rows to record are "created"; completions already recorded are "unchanged" (skipped).
    batch.create_count = counts["valid_rows"]
    batch.update_count = 0
    batch.unchanged_count = counts["duplicates"]
    batch.fatal = report.fatal
    batch.errors = [e.as_dict() for e in report.errors]
    batch.plan = [
        r.plan_entry() for r in sorted((*report.rows, *report.duplicates), key=lambda r: r.row)
    ]
    batch.validated_at = timezone.now()
    batch.failure = ""
    batch.save()
    audit_record(
        actor=actor,
        action="import.validate",
        obj=batch,
        changes={
            "status": [old, batch.status],
            "rows": [None, batch.row_count],
            "valid_rows": [None, batch.valid_count],
            "errors": [None, batch.error_count],
            "matched": [None, counts["matched"]],
            "unmatched": [None, counts["unmatched"]],
            "duplicates": [None, counts["duplicates"]],
        },
    )
    return batch


@transaction.atomic
def training_load_start(*, actor: Actor, batch: ImportBatch, mode: str) -> ImportBatch:
    """Record the user's choice (all rows, or only the valid ones) and start loading."""
    from steadyhand.imports.training_tasks import training_load_task

    batch = _lock(actor, batch)
    ensure(actor, "training.import", batch)
    return batch_request_load(
        actor=actor,
        batch=batch,
        mode=mode,
        kind="import.training.load",
        title=f"Record {batch.valid_count} completions from {batch.file_name}",
        detail_url=reverse("imports:training_batch_detail", args=[batch.pk]),
        task=training_load_task,
    )


def training_load(
    *, actor: Actor, batch: ImportBatch, mode: str, progress: ProgressCallback | None = None
) -> ImportBatch:
    """Record the chosen rows in ONE transaction: all of them, or (on any error) none.

    Refusals change nothing; a load that starts and then fails is rolled back entirely and the
    batch is marked failed with the reason.
    """
    return batch_load_or_mark_failed(
        actor=actor,
        batch=batch,
        mode=mode,
        action="training.import",
        load=lambda: _load_atomic(actor=actor, batch_id=batch.pk, mode=mode, progress=progress),
    )


@transaction.atomic
def _load_atomic(
    *, actor: Actor, batch_id: int, mode: str, progress: ProgressCallback | None
) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(
        pk=batch_id, agency_id=actor.agency_id, kind=ImportKind.TRAINING
    )
    ensure(actor, "training.import", batch)
    check_loadable(batch, mode)
    rows, newly_recorded = _rows_still_as_checked(actor=actor, batch=batch, mode=mode)
    members = Member.objects.in_bulk({r.member_id for r in rows})
    courses = Course.objects.in_bulk({r.course_id for r in rows})
    for done, row in enumerate(rows, start=1):
        try:
            enrolment_record_external(
                actor=actor,
                member=members[row.member_id],
                course=courses[row.course_id],
                completed_on=row.completed_on,
                hours=row.hours,
                score=row.score,
                source=f"import:{batch.pk}",
                reason=f"Training import #{batch.pk} ({batch.file_name}), row {row.row}",
            )
        except Exception as exc:
            raise TrainingLoadFailed(
                f"Row {row.row} (badge {row.badge}) could not be recorded: {exc}. Nothing from "
                "this file was loaded."
            ) from exc
        if progress is not None:
            progress(done, len(rows), f"Recorded row {row.row} (badge {row.badge})")
    old = batch.status
    batch.status = BatchStatus.LOADED
    batch.load_mode = mode
    batch.loaded_count = len(rows)
    batch.unchanged_count += newly_recorded
    batch.loaded_at = timezone.now()
    batch.failure = ""
    batch.save()
    audit_record(
        actor=actor,
        action="import.load",
        obj=batch,
        changes={
            "status": [old, batch.status],
            "load_mode": [None, mode],
            "recorded": [None, len(rows)],
            "skipped_as_already_recorded": [None, batch.unchanged_count],
        },
    )
    return batch


def _rows_still_as_checked(
    *, actor: Actor, batch: ImportBatch, mode: str
) -> tuple[list[TrainingRow], int]:
    """Check the file again against the database as it is now, inside the load's transaction.

    A member's badge may have changed or a course been renamed since the check: loading the
    stale plan would credit the wrong member, so any difference stops the load. A completion
    recorded meanwhile (the same file loaded by someone else) is skipped; the second return
    value counts those.
    """
    report = _report(actor=actor, batch=batch, progress=None)
    if mode == LoadMode.ALL and report.errors:
        shown = "; ".join(str(e) for e in report.errors[:3])
        raise ConflictError(
            f"Since the file was checked, the agency's data changed and the file now has "
            f"problems ({shown}). Check the file again to see them."
        )
    fresh = {r.row: r for r in (*report.rows, *report.duplicates)}
    rows: list[TrainingRow] = []
    stale: list[int] = []
    newly_recorded = 0
    for entry in batch.plan:
        if entry["action"] != RowAction.RECORD:
            continue
        now = fresh.get(entry["row"])
        if (
            now is None
            or now.member_id != entry["member_id"]
            or now.course_id != entry["course_id"]
            or now.completed_on != date.fromisoformat(entry["completed_on"])
            or now.hours != (Decimal(entry["hours"]) if entry["hours"] is not None else None)
        ):
            stale.append(entry["row"])
        elif now.action == RowAction.DUPLICATE:
            newly_recorded += 1
        else:
            rows.append(now)
    if stale:
        listed = ", ".join(str(r) for r in stale[:10]) + (" …" if len(stale) > 10 else "")
        raise ConflictError(
            f"Since the file was checked, members or courses it refers to were changed (rows "
            f"{listed}). Check the file again to see the current data, then load it."
        )
    return rows, newly_recorded
