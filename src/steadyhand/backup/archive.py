"""Back up one agency to a single file, and restore it into a database that lacks it.

The file is gzip-compressed JSON lines:

1. a header: format version, the agency, the database's applied migrations, and each model's
   column names;
2. one line per row, ``[model index, [column values]]``, streamed model by model (never the
   whole agency in memory);
3. a trailer: rows per model and the SHA-256 of every byte before it.

A restore checks the SHA-256, the counts and the migration state before it writes anything, then
inserts every row with its original primary key in ONE transaction (the audit chain hashes
the agency's id and the ids of the objects it names, so ids must not change) and checks every
foreign key before committing. Rows are inserted raw: no ``save()``, no ``auto_now`` stamping,
so timestamps and audit events come back exactly as they were.
"""

import base64
import gzip
import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

from steadyhand.agencies.models import Agency
from steadyhand.audit.verify import verify_chain
from steadyhand.backup.discovery import AgencyPath, BackupError, agency_models

FORMAT = "steadyhand-agency-backup"
VERSION = 1
BATCH = 1000


@dataclass
class BackupSummary:
    path: Path
    agency_slug: str
    counts: dict[str, int] = field(default_factory=dict)
    sha256: str = ""
    size: int = 0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass
class RestoreSummary:
    agency_id: int
    agency_slug: str
    counts: dict[str, int]
    audit_events_verified: int

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def _encode(value: Any) -> Any:
    # Full microseconds: the audit hash covers occurred_at to the microsecond, and Django's
    # JSON encoder would cut it to milliseconds.
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(f: models.Field[Any, Any], value: Any) -> Any:
    if value is None or isinstance(f, models.JSONField):
        return value
    return f.to_python(value)


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


class _HashingWriter:
    """Counts and hashes every line written, so the trailer can vouch for all of them."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def line(self, obj: Any) -> None:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
        self.digest.update(text.encode("utf-8"))
        self.stream.write(text)


def agency_backup(*, agency_slug: str, path: Path, using: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Write every row of agency ``agency_slug`` to ``path`` (a consistent snapshot)."""
    agency = Agency.objects.using(using).filter(slug=agency_slug).first()
    if agency is None:
        raise BackupError(f"No agency with the slug {agency_slug!r}.")
    paths = agency_models()
    summary = BackupSummary(path=path, agency_slug=agency.slug)
    partial = path.with_name(path.name + ".partial")
    connection = connections[using]
    # One snapshot for every query, so rows written during the backup cannot leave a child
    # without its parent. (A SQLite transaction is one snapshot already; it also holds off
    # writers until the backup ends.) Inside a caller's transaction, that one's snapshot rules.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(using=using):
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with gzip.open(partial, "wt", encoding="utf-8", compresslevel=6) as stream:
            out = _HashingWriter(stream)
            out.line(
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "agency": {"id": agency.pk, "slug": agency.slug, "name": agency.name},
                    "created_at": timezone.now().isoformat(),
                    "database": connection.vendor,
                    "migrations": applied_migrations(using),
                    "models": [
                        {"model": p.label, "columns": [f.attname for f in _columns(p.model)]}
                        for p in paths
                    ],
                }
            )
            for index, agency_path in enumerate(paths):
                summary.counts[agency_path.label] = _write_rows(
                    out, index, agency_path, agency.pk, using
                )
            summary.sha256 = out.digest.hexdigest()
            stream.write(
                json.dumps({"trailer": {"counts": summary.counts, "sha256": summary.sha256}}) + "\n"
            )
    os.replace(partial, path)
    summary.size = path.stat().st_size
    return summary


def _write_rows(
    out: _HashingWriter, index: int, agency_path: AgencyPath, agency_id: int, using: str
) -> int:
    names = [f.attname for f in _columns(agency_path.model)]
    rows = (
        agency_path.model._base_manager.using(using)
        .filter(**{agency_path.lookup: agency_id})
        .order_by("pk")
        .values_list(*names)
        .iterator(chunk_size=2000)
    )
    count = 0
    for row in rows:
        out.line([index, [_encode(v) for v in row]])
        count += 1
    return count


@dataclass
class _Header:
    agency: dict[str, Any]
    migrations: list[list[str]]
    models: list[dict[str, Any]]


def _lines(path: Path) -> Iterator[bytes]:
    try:
        with gzip.open(path, "rb") as stream:
            yield from stream
    except (OSError, EOFError) as exc:
        raise BackupError(f"{path} is not a readable Steadyhand backup ({exc}).") from exc


def verify_file(path: Path) -> tuple[_Header, dict[str, int], str]:
    """Check the file's SHA-256 and counts without touching the database."""
    digest = hashlib.sha256()
    header: _Header | None = None
    trailer: dict[str, Any] | None = None
    counts: dict[int, int] = {}
    for raw in _lines(path):
        if trailer is not None:
            raise BackupError(f"{path} has data after its trailer: it was altered.")
        if raw.startswith(b'{"trailer"'):
            trailer = json.loads(raw)["trailer"]
            continue
        digest.update(raw)
        if header is None:
            head = _json(raw, path)
            if not isinstance(head, dict) or head.get("format") != FORMAT:
                raise BackupError(f"{path} is not a Steadyhand agency backup.")
            if head.get("version") != VERSION:
                raise BackupError(
                    f"{path} is a version {head.get('version')} backup; this Steadyhand reads "
                    f"version {VERSION}."
                )
            header = _Header(head["agency"], head["migrations"], head["models"])
            continue
        index = raw[1 : raw.index(b",")]
        counts[int(index)] = counts.get(int(index), 0) + 1
    if header is None or trailer is None:
        raise BackupError(f"{path} is incomplete (no trailer): the backup did not finish.")
    if digest.hexdigest() != trailer.get("sha256"):
        raise BackupError(
            f"{path} does not match its checksum: it was altered or damaged after the backup. "
            "Nothing was restored."
        )
    by_label = {m["model"]: counts.get(i, 0) for i, m in enumerate(header.models)}
    if by_label != trailer.get("counts"):
        raise BackupError(f"{path}: the rows do not match the counts in its trailer.")
    return header, by_label, digest.hexdigest()


def _json(raw: bytes, path: Path) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise BackupError(f"{path} is not a Steadyhand agency backup ({exc}).") from exc


def _check_target(header: _Header, paths: list[AgencyPath], using: str) -> None:
    here = applied_migrations(using)
    if header.migrations != here:
        theirs = {tuple(m) for m in header.migrations}
        ours = {tuple(m) for m in here}
        only_file = sorted(theirs - ours)[:5]
        only_db = sorted(ours - theirs)[:5]
        raise BackupError(
            "The backup was made at a different database schema than this one "
            f"(only in the backup: {only_file or 'none'}; only here: {only_db or 'none'}). "
            "Restore it with the Steadyhand version that made it, then upgrade and migrate."
        )
    expected = [
        {"model": p.label, "columns": [f.attname for f in _columns(p.model)]} for p in paths
    ]
    if header.models != expected:
        raise BackupError(
            "The backup's tables or columns differ from this Steadyhand's models although the "
            "migrations match; restore it with the Steadyhand version that made it."
        )
    agency = header.agency
    clash = Agency.objects.using(using).filter(pk=agency["id"]) | Agency.objects.using(
        using
    ).filter(slug=agency["slug"])
    if clash.exists():
        raise BackupError(
            f"This database already has agency {agency['slug']!r} (or its id {agency['id']}). "
            "Restore into an empty database, or one without this agency."
        )


def agency_restore(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> RestoreSummary:
    """Restore the agency in ``path``: all rows or none; the audit chain is verified before
    the transaction commits."""
    header, counts, sha256 = verify_file(path)
    paths = agency_models()
    _check_target(header, paths, using)
    connection = connections[using]
    agency_id = int(header.agency["id"])
    try:
        with transaction.atomic(using=using):
            # The file was verified above; this catches it changing while we read it again.
            if _insert_all(path, paths, using) != sha256:
                raise BackupError(f"{path} changed while it was being restored; nothing was.")
            connection.check_constraints(table_names=[p.model._meta.db_table for p in paths])
            sequences = connection.ops.sequence_reset_sql(no_style(), [p.model for p in paths])
            if sequences:
                with connection.cursor() as cursor:
                    for statement in sequences:
                        cursor.execute(statement)
            report = verify_chain(agency_id)
            if not report.ok:
                assert report.first_break is not None
                raise BackupError(
                    f"The restored audit chain does not verify ({report.first_break.problem}); "
                    "nothing was restored."
                )
    except IntegrityError as exc:
        raise BackupError(
            f"The backup's rows clash with rows already in this database or refer to rows it "
            f"lacks ({exc}). Nothing was restored; restore into an empty database."
        ) from exc
    return RestoreSummary(
        agency_id=agency_id,
        agency_slug=str(header.agency["slug"]),
        counts=counts,
        audit_events_verified=report.events_checked,
    )


def _insert_all(path: Path, paths: list[AgencyPath], using: str) -> str:
    digest = hashlib.sha256()
    pending: list[models.Model] = []
    pending_index = -1
    lines = _lines(path)
    for number, raw in enumerate(lines):
        if raw.startswith(b'{"trailer"'):
            break
        digest.update(raw)
        if number == 0:
            continue
        index, values = json.loads(raw)
        if index != pending_index:
            _flush(paths, pending_index, pending, using)
            pending, pending_index = [], index
        model = paths[index].model
        columns = _columns(model)
        pending.append(
            model(**{f.attname: _decode(f, v) for f, v in zip(columns, values, strict=True)})
        )
        if len(pending) >= BATCH:
            _flush(paths, pending_index, pending, using)
            pending = []
    _flush(paths, pending_index, pending, using)
    return digest.hexdigest()


def _flush(paths: list[AgencyPath], index: int, objs: list[models.Model], using: str) -> None:
    if not objs:
        return
    model = paths[index].model
    columns = _columns(model)
    size = connections[using].ops.bulk_batch_size(columns, objs) or len(objs)
    # ``_insert(raw=True)`` is what ``loaddata`` uses through ``save_base(raw=True)``: values
    # go in as they are, without ``pre_save`` (auto_now) or the model's own ``save``.
    for start in range(0, len(objs), size):
        model._base_manager.using(using)._insert(  # type: ignore[attr-defined]
            objs[start : start + size], fields=columns, using=using, raw=True
        )
