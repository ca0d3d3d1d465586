"""Writes for roster imports: upload → check → (the user chooses) → load, all audited.

The check and the load both run as background tasks (``imports.tasks``) with a ``Job`` that
pages follow; the CLI calls the same functions directly. Members are written only through
``member_create`` and ``member_update``, so imported rows get the same permission checks,
validation and audit events as rows typed into a form.
"""

import hashlib

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.agencies.models import Member, MemberStatus, Unit
from steadyhand.agencies.services import member_create, member_update
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
from steadyhand.imports.roster import (
    ProgressCallback,
    RosterReport,
    RosterRow,
    RowAction,
    file_size_problem,
    load_order,
    validate_roster,
)
from steadyhand.imports.selectors import roster_context
from steadyhand.jobs.models import Job


class RosterLoadFailed(SteadyhandError):
    """The load stopped; its transaction was rolled back, so nothing of it was written."""


@transaction.atomic
def roster_upload(
    *, actor: Actor, file_name: str, content: bytes, check_in_background: bool = True
) -> ImportBatch:
    """Store an uploaded roster file and (by default) start checking it in the background."""
    ensure(actor, "member.import", Scope(agency_id=actor.agency_id))
    problem = file_size_problem(len(content))
    if problem:
        raise InvalidInput({"file": [problem]})
    name = clean_file_name(file_name)
    batch = ImportBatch.objects.create(
        agency_id=actor.agency_id,
        kind=ImportKind.ROSTER,
        file_name=name,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_by_id=actor.user_id,
    )
    audit_record(
        actor=actor,
        action="import.upload",
        obj=batch,
        changes={
            "file_name": [None, name],
            "size": [None, batch.size],
            "sha256": [None, batch.sha256],
        },
    )
    if check_in_background:
        _start_check(actor=actor, batch=batch)
    return batch


def _start_check(*, actor: Actor, batch: ImportBatch) -> Job:
    # Imported here: the task module imports this one.
    from steadyhand.imports.tasks import roster_validate_task

    return batch_start_job(
        actor=actor,
        batch=batch,
        kind="import.roster.validate",
        title=f"Check roster file {batch.file_name}",
        detail_url=reverse("imports:batch_detail", args=[batch.pk]),
        task=roster_validate_task,
    )


@transaction.atomic
def roster_recheck(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Check a stored file again, e.g. after fixing units or members it referred to."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk, agency_id=actor.agency_id)
    return batch_recheck(actor=actor, batch=batch, action="member.import", start_check=_start_check)


def roster_validate(
    *, actor: Actor, batch: ImportBatch, progress: ProgressCallback | None = None
) -> ImportBatch:
    """Check every row and store the report. Writes no member.

    Deliberately not one transaction: reading the file and checking rows take no locks and
    report progress as they go (a page polling the job sees it); the report and its audit
    event are then written together in ``_roster_store_check``.
    """

    def check() -> ImportBatch:
        report = validate_roster(
            file_name=batch.file_name,
            content=bytes(batch.content),
            context=roster_context(actor=actor),
            progress=progress,
        )
        return _roster_store_check(actor=actor, batch_id=batch.pk, report=report)

    return batch_check_or_mark_failed(actor=actor, batch=batch, action="member.import", check=check)


@transaction.atomic
def _roster_store_check(*, actor: Actor, batch_id: int, report: RosterReport) -> ImportBatch:
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
    batch.create_count = counts["create"]
    batch.update_count = counts["update"]
    batch.unchanged_count = counts["unchanged"]
    batch.fatal = report.fatal
    batch.errors = [e.as_dict() for e in report.errors]
    batch.plan = [r.plan_entry() for r in report.rows]
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
        },
    )
    return batch


@transaction.atomic
def roster_load_start(*, actor: Actor, batch: ImportBatch, mode: str) -> ImportBatch:
    """Record the user's choice (all rows, or only the valid ones) and start loading."""
    from steadyhand.imports.tasks import roster_load_task

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk, agency_id=actor.agency_id)
    ensure(actor, "member.import", batch)
    rows = batch.row_count if mode == LoadMode.ALL else batch.valid_count
    return batch_request_load(
        actor=actor,
        batch=batch,
        mode=mode,
        kind="import.roster.load",
        title=f"Load {rows} rows of {batch.file_name}",
        detail_url=reverse("imports:batch_detail", args=[batch.pk]),
        task=roster_load_task,
    )


def roster_load(
    *, actor: Actor, batch: ImportBatch, mode: str, progress: ProgressCallback | None = None
) -> ImportBatch:
    """Write the chosen rows in ONE transaction: all of them, or (on any error) none.

    Refusals (no permission, wrong state, errors in load-all mode) change nothing. A load that
    starts and then fails is rolled back entirely and the batch is marked failed with the
    reason, so the user can fix the cause and check the file again.
    """
    return batch_load_or_mark_failed(
        actor=actor,
        batch=batch,
        mode=mode,
        action="member.import",
        load=lambda: _roster_load_atomic(
            actor=actor, batch_id=batch.pk, mode=mode, progress=progress
        ),
    )


@transaction.atomic
def _roster_load_atomic(
    *, actor: Actor, batch_id: int, mode: str, progress: ProgressCallback | None
) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch_id, agency_id=actor.agency_id)
    ensure(actor, "member.import", batch)
    check_loadable(batch, mode)
    rows = _rows_still_as_checked(actor=actor, batch=batch, mode=mode)
    units = {u.code: u for u in Unit.objects.filter(agency_id=actor.agency_id)}
    badges = {r.badge for r in rows} | {r.supervisor_badge for r in rows if r.supervisor_badge}
    member_ids = dict(
        Member.objects.filter(agency_id=actor.agency_id, badge__in=badges).values_list(
            "badge", "id"
        )
    )
    created = updated = 0
    ordered = load_order(rows)
    for done, row in enumerate(ordered, start=1):
        try:
            member = _load_row(
                actor=actor, batch=batch, row=row, unit=units[row.unit_code], member_ids=member_ids
            )
        except Exception as exc:
            raise RosterLoadFailed(
                f"Row {row.row} (badge {row.badge}) could not be written: {exc}. "
                "Nothing from this file was loaded."
            ) from exc
        member_ids[row.badge] = member.pk
        created += row.action == RowAction.CREATE
        updated += row.action == RowAction.UPDATE
        if progress is not None:
            progress(done, len(ordered), f"Wrote row {row.row} (badge {row.badge})")
    old = batch.status
    batch.status = BatchStatus.LOADED
    batch.load_mode = mode
    batch.loaded_count = created + updated
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
            "created": [None, created],
            "updated": [None, updated],
            "unchanged": [None, len(rows) - created - updated],
        },
    )
    return batch


def _rows_still_as_checked(*, actor: Actor, batch: ImportBatch, mode: str) -> list[RosterRow]:
    """Check the file again against the database as it is now, inside the load's transaction.

    Someone may have edited a member, added a badge or renamed a unit since the check; loading
    the stale plan would overwrite their change silently. Any difference stops the load.
    """
    report = validate_roster(
        file_name=batch.file_name,
        content=bytes(batch.content),
        context=roster_context(actor=actor),
    )
    fresh = {r.row: r for r in report.rows}
    if mode == LoadMode.ALL and report.errors:
        shown = "; ".join(str(e) for e in report.errors[:3])
        raise ConflictError(
            f"Since the file was checked, the agency's data changed and the file now has "
            f"problems ({shown}). Check the file again to see them."
        )
    stale = [
        entry["row"]
        for entry in batch.plan
        if entry["row"] not in fresh
        or str(fresh[entry["row"]].action) != entry["action"]
        or fresh[entry["row"]].version != entry["version"]
    ]
    if stale:
        listed = ", ".join(str(r) for r in stale[:10]) + (" …" if len(stale) > 10 else "")
        raise ConflictError(
            f"Since the file was checked, members or units it refers to were changed (rows "
            f"{listed}). Check the file again to see the current data, then load it."
        )
    return [fresh[entry["row"]] for entry in batch.plan]


def _load_row(
    *, actor: Actor, batch: ImportBatch, row: RosterRow, unit: Unit, member_ids: dict[str, int]
) -> Member:
    # Fetched fresh for every row: a cached instance could carry a supervisor chain from before
    # an earlier row of this load changed it, and the services walk that chain.
    supervisor = (
        Member.objects.get(pk=member_ids[row.supervisor_badge]) if row.supervisor_badge else None
    )
    reason = f"Roster import #{batch.pk} ({batch.file_name}), row {row.row}"
    if row.action == RowAction.CREATE:
        return member_create(
            actor=actor,
            badge=row.badge,
            first_name=row.first_name,
            last_name=row.last_name,
            rank=row.rank,
            unit=unit,
            hire_date=row.hire_date,
            supervisor=supervisor,
            status=row.status or MemberStatus.ACTIVE,
            reason=reason,
        )
    member = Member.objects.get(pk=member_ids[row.badge])
    if row.action == RowAction.UNCHANGED:
        return member
    return member_update(
        actor=actor,
        member=member,
        expected_version=row.version,
        badge=row.badge,
        first_name=row.first_name,
        last_name=row.last_name,
        rank=row.rank,
        unit=unit,
        hire_date=row.hire_date,
        supervisor=supervisor,
        status=row.status or member.status,
        reason=reason,
    )
