"""Writes for imports through a mapping (incidents or complaints, ``mapped_targets``): create a
batch → check → (choose) → load.

The batch is the staging area. Files uploaded in the browser are stored in the batch (one zip
of the file set); files named on the command line stay on disk and the batch records their
path, size and SHA-256, and both the check and the load refuse a file that changed since. The
check streams every row through the mapping and stores counts and every problem (file, row,
column, reason); the load streams the same bytes again inside ONE transaction, writes records
in chunks (bulk inserts and updates) and records one audit event with the counts. A load whose
result would differ from the check, or that fails half-way, is rolled back entirely.
"""

import gzip
import hashlib
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO, cast

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import Scope, ensure
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.imports.batches import (
    batch_check_or_mark_failed,
    batch_load_or_mark_failed,
    batch_recheck,
    batch_request_load,
    batch_start_job,
    check_loadable,
    clean_file_name,
)
from steadyhand.imports.mapped_targets import CHUNK, MappedTarget, target_of
from steadyhand.imports.mapping.engine import Report, run
from steadyhand.imports.mapping.format import Mapping, MappingError, load_mapping
from steadyhand.imports.mapping.overlap import Emit, overlapped
from steadyhand.imports.mapping.reader import FileSource
from steadyhand.imports.mapping_context import ImportContext, import_context
from steadyhand.imports.models import BatchStatus, ImportBatch, LoadMode
from steadyhand.jobs.models import Job
from steadyhand.jobs.services import ProgressCallback
from steadyhand.stats.hooks import months_touched

# A load names at most this many of the records it kept as they were (see ``ChunkedWriter``).
KEPT_NAMED = 200
# Uploaded in the browser; larger file sets are imported with the target's command.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def _mapping(name: str, target: MappedTarget) -> Mapping:
    try:
        mapping = load_mapping(name)
    except MappingError as exc:
        raise InvalidInput({"mapping": [str(exc)]}) from exc
    if mapping.target != target.name:
        raise InvalidInput({"mapping": [f"{name} loads {mapping.target}, not {target.name}."]})
    return mapping


def _sha256_of_path(path: str | Path) -> str:
    """The SHA-256 of a file's bytes as stored (a .gz file is not decompressed), streamed."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def mapped_import_create(
    *,
    actor: Actor,
    target: MappedTarget,
    mapping: str,
    files: Sequence[tuple[str, bytes]] = (),
    paths: Sequence[str | Path] = (),
    check_in_background: bool = True,
) -> ImportBatch:
    """Stage a file set (uploaded ``files`` or local ``paths``) for ``mapping``; audited."""
    ensure(actor, target.action, Scope(agency_id=actor.agency_id))
    chosen = _mapping(mapping, target)
    if bool(files) == bool(paths):
        raise InvalidInput({"files": ["Choose the file(s) to import."]})
    listed: list[dict[str, Any]] = []
    content = b""
    if files:
        total = sum(len(data) for _name, data in files)
        if total == 0 or total > MAX_UPLOAD_BYTES:
            raise InvalidInput(
                {
                    "files": [
                        f"The files total {total / 1e6:.1f} MB; the limit is "
                        f"{MAX_UPLOAD_BYTES // 1_000_000} MB (larger sets: use the "
                        f"{target.command} command)."
                    ]
                }
            )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in files:
                clean = clean_file_name(name)
                archive.writestr(clean, data)
                listed.append(
                    {"name": clean, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                )
        content = buffer.getvalue()
    else:
        for path in paths:
            p = Path(path).resolve()
            if not p.is_file():
                raise InvalidInput({"files": [f"{p} is not a readable file."]})
            listed.append(
                {
                    "name": p.name,
                    "path": str(p),
                    "size": p.stat().st_size,
                    "sha256": _sha256_of_path(p),
                }
            )
    names = ", ".join(f["name"] for f in listed)
    batch = ImportBatch.objects.create(
        agency_id=actor.agency_id,
        kind=target.kind,
        file_name=names[:255],
        content=content,
        size=sum(f["size"] for f in listed),
        sha256=hashlib.sha256("".join(f["sha256"] for f in listed).encode()).hexdigest(),
        created_by_id=actor.user_id,
        options={
            "mapping": chosen.name,
            # A shipped mapping's name, or (command line only) the mapping file's path.
            "mapping_ref": chosen.name
            if chosen.path == f"{chosen.name}.toml" and not Path(mapping).suffix
            else str(Path(mapping).resolve()),
            "files": listed,
            "stored": "zip" if files else "paths",
        },
    )
    audit_record(
        actor=actor,
        action="import.upload",
        obj=batch,
        changes={
            "mapping": [None, chosen.name],
            "files": [None, names],
            "size": [None, batch.size],
        },
    )
    if check_in_background:
        _start_check(actor=actor, batch=batch)
    return batch


def _batch_sources(batch: ImportBatch) -> list[FileSource]:
    """The batch's files as sources. Files on disk must still have the SHA-256 recorded when
    they were staged; uploaded files are read from the batch's zip."""
    listed = batch.options.get("files", [])
    if batch.options.get("stored") == "zip":
        content = bytes(batch.content)
        return [_zip_member(content, f["name"], f["size"]) for f in listed]
    sources = []
    for f in listed:
        if _sha256_of_path(f["path"]) != f["sha256"]:
            raise ConflictError(
                f"{f['name']} changed since it was staged; start a new import with the new file."
            )
        sources.append(FileSource.from_path(f["path"]))
    return sources


def _zip_member(content: bytes, name: str, size: int) -> FileSource:
    def open_member() -> BinaryIO:
        # Returned open: the reader closes it.
        stream = cast(BinaryIO, zipfile.ZipFile(io.BytesIO(content)).open(name))  # noqa: SIM115
        if name.casefold().endswith(".gz"):
            return cast(BinaryIO, gzip.GzipFile(fileobj=stream))
        return stream

    return FileSource(name, open_member, size)


def _start_check(*, actor: Actor, batch: ImportBatch) -> Job:
    from steadyhand.imports.mapped_tasks import mapped_check_task

    target = target_of(batch.kind)
    return batch_start_job(
        actor=actor,
        batch=batch,
        kind=f"import.{target.name}.validate",
        title=f"Check {target.name} files {batch.file_name}",
        detail_url=reverse(f"{target.url_namespace}:detail", args=[batch.pk]),
        task=mapped_check_task,
    )


def _engine_run(
    *, batch: ImportBatch, ctx: ImportContext, on_record: Any = None,
    progress: ProgressCallback | None = None,
) -> tuple[Mapping, Report]:  # fmt: skip
    mapping = _mapping_of(batch)
    report = run(
        mapping, _batch_sources(batch), context=ctx, today=ctx.today, on_record=on_record,
        progress=progress,
    )  # fmt: skip
    return mapping, report


def _mapping_of(batch: ImportBatch) -> Mapping:
    return _mapping(
        batch.options.get("mapping_ref", batch.options["mapping"]), target_of(batch.kind)
    )


def mapped_import_check(
    *, actor: Actor, batch: ImportBatch, progress: ProgressCallback | None = None
) -> ImportBatch:
    """Read every row through the mapping and store the counts and problems. Writes no record.

    Not one transaction: reading takes no locks and reports progress; the result and its audit
    event are written together at the end.
    """
    target = target_of(batch.kind)

    def check() -> ImportBatch:
        ctx = import_context(actor=actor)
        keys: list[str] = []
        existing = 0

        def count_existing() -> None:
            nonlocal existing
            existing += target.count_existing(
                agency_id=actor.agency_id, source=mapping.source, keys=keys
            )
            keys.clear()

        def note(record: Any) -> None:
            keys.append(record.source_key)
            if len(keys) >= CHUNK:
                count_existing()

        mapping = _mapping_of(batch)
        _mapping_used, report = _engine_run(batch=batch, ctx=ctx, on_record=note, progress=progress)
        count_existing()
        return _store_check(
            actor=actor, batch_id=batch.pk, report=report, existing=existing, target=target
        )

    return batch_check_or_mark_failed(actor=actor, batch=batch, action=target.action, check=check)


@transaction.atomic
def _store_check(
    *, actor: Actor, batch_id: int, report: Report, existing: int, target: MappedTarget
) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch_id, agency_id=actor.agency_id)
    if batch.status in (BatchStatus.LOADING, BatchStatus.LOADED):
        raise ConflictError("The import was loaded while it was being checked.")
    summary = report.summary()
    old = batch.status
    batch.status = BatchStatus.VALIDATED
    batch.encoding = ",".join(sorted({f["encoding"] for f in report.files}))[:20]
    batch.row_count = summary["rows"]
    batch.valid_count = summary.get("valid_rows", 0)
    batch.error_row_count = summary["rejected_rows"]
    batch.error_count = report.error_count
    records = summary.get(target.name, 0)
    batch.create_count = records - existing
    batch.update_count = existing
    batch.unchanged_count = 0
    batch.fatal = report.fatal
    batch.errors = [e.as_dict() for e in report.errors]
    batch.options = {**batch.options, "counts": summary, "files_read": report.files}
    batch.validated_at = timezone.now()
    batch.failure = ""
    batch.save()
    audit_record(
        actor=actor,
        action="import.validate",
        obj=batch,
        changes={"status": [old, batch.status], "counts": [None, summary]},
    )
    return batch


@transaction.atomic
def mapped_import_load_start(*, actor: Actor, batch: ImportBatch, mode: str) -> ImportBatch:
    """Record the user's choice (all rows, or only the valid records) and start loading."""
    from steadyhand.imports.mapped_tasks import mapped_load_task

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk, agency_id=actor.agency_id)
    target = target_of(batch.kind)
    ensure(actor, target.action, batch)
    records = batch.options.get("counts", {}).get(target.name, 0)
    return batch_request_load(
        actor=actor,
        batch=batch,
        mode=mode,
        kind=f"import.{target.name}.load",
        title=f"Load {records} {target.name} from {batch.file_name}",
        detail_url=reverse(f"{target.url_namespace}:detail", args=[batch.pk]),
        task=mapped_load_task,
    )


def mapped_import_load(
    *, actor: Actor, batch: ImportBatch, mode: str, progress: ProgressCallback | None = None
) -> ImportBatch:
    """Write the checked records in ONE transaction: all of them or none.

    ``mode`` "all" needs a check without problems; "valid_only" leaves out every record one
    of whose rows has a problem (an incident or complaint loads whole or not at all).
    """
    return batch_load_or_mark_failed(
        actor=actor,
        batch=batch,
        mode=mode,
        action=target_of(batch.kind).action,
        load=lambda: _load_atomic(actor=actor, batch_id=batch.pk, mode=mode, progress=progress),
    )


@transaction.atomic
def _load_atomic(
    *, actor: Actor, batch_id: int, mode: str, progress: ProgressCallback | None
) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch_id, agency_id=actor.agency_id)
    target = target_of(batch.kind)
    ensure(actor, target.action, batch)
    check_loadable(batch, mode)
    ctx = import_context(actor=actor)
    mapping = _mapping_of(batch)
    writer = target.writer(mapping=mapping, ctx=ctx, created_by_id=actor.user_id)

    def write(prepared: list[Any]) -> None:
        for record in prepared:
            writer.add_prepared(record)

    # Everything the reader needs from the database is read here, before it starts.
    sources = _batch_sources(batch)

    def read(emit: Emit, read_progress: ProgressCallback) -> Report:
        def hand_over(record: Any) -> None:
            emit(writer.prepare(record))

        return run(
            mapping, sources, context=ctx, today=ctx.today, on_record=hand_over,
            progress=read_progress,
        )  # fmt: skip

    report = overlapped(read, write, progress=progress)
    checked = batch.options.get("counts", {})
    summary = report.summary()
    if report.fatal or (mode == LoadMode.ALL and report.error_count):
        shown = "; ".join(str(e) for e in report.errors[:3])
        raise ConflictError(f"The files now have problems ({shown}); check them again.")
    if {k: summary.get(k) for k in checked} != checked:
        raise ConflictError(
            "Reading the files again gave different counts than the check (the mapping, the "
            "agency's units or the date changed); check the import again."
        )
    written = writer.finish()
    # The monthly statistics of the months the load changed refresh after the commit.
    months_touched(actor.agency_id, writer.touched)
    old = batch.status
    batch.status = BatchStatus.LOADED
    batch.load_mode = mode
    batch.loaded_count = sum(written[k] for k in ("created", "updated", "unchanged", "kept"))
    batch.create_count = written["created"]
    batch.update_count = written["updated"]
    batch.unchanged_count = written["unchanged"]
    batch.loaded_at = timezone.now()
    batch.failure = ""
    batch.options = {**batch.options, "loaded": {**summary, **written}}
    if writer.kept_names:  # named on the batch's page, for someone to correct by hand
        batch.options["kept"] = writer.kept_names[:KEPT_NAMED]
    batch.save()
    audit_record(
        actor=actor,
        action="import.load",
        obj=batch,
        changes={
            "status": [old, batch.status],
            "load_mode": [None, mode],
            "mapping": [None, mapping.name],
            "created": [None, written["created"]],
            "updated": [None, written["updated"]],
            "unchanged": [None, written["unchanged"]],
            "kept": [None, written["kept"]],
            "counts": [None, summary],
        },
    )
    return batch


@transaction.atomic
def mapped_import_recheck(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Check a staged file set again (e.g. after adding the units a district column maps to)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk, agency_id=actor.agency_id)
    return batch_recheck(
        actor=actor, batch=batch, action=target_of(batch.kind).action, start_check=_start_check
    )
