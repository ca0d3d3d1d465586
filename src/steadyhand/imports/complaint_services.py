"""Importing complaints from another system's files through a mapping (Chicago's, shipped).

In the browser: the batch flow of ``mapped_services`` with the complaints target (stage, check
in the background, choose, load). On the command line: ``complaint_import_files``, one call and
one transaction: the files stream through the mapping into the complaints writer; with problems
nothing is written unless ``valid_only``; one audit event carries the counts.
"""

from collections.abc import Sequence
from pathlib import Path

from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.audit.services import audit_record
from steadyhand.imports.mapped_services import mapped_import_create
from steadyhand.imports.mapped_targets import COMPLAINTS
from steadyhand.imports.mapping.complaint_writer import complaint_files_load
from steadyhand.imports.mapping.engine import Report
from steadyhand.imports.mapping.format import load_mapping
from steadyhand.imports.mapping.reader import FileSource
from steadyhand.imports.mapping_context import import_context
from steadyhand.imports.models import ImportBatch


def complaint_import_create(
    *,
    actor: Actor,
    mapping: str,
    files: Sequence[tuple[str, bytes]] = (),
    check_in_background: bool = True,
) -> ImportBatch:
    """Stage uploaded files for a complaints ``mapping`` and check them in the background."""
    return mapped_import_create(
        actor=actor, target=COMPLAINTS, mapping=mapping, files=files,
        check_in_background=check_in_background,
    )  # fmt: skip


@transaction.atomic
def complaint_import_files(
    *, actor: Actor, mapping: str, paths: Sequence[str | Path], valid_only: bool = False
) -> tuple[Report, dict[str, int]]:
    """Load ``paths`` through ``mapping`` (a shipped name or a file) into the actor's agency.

    Raises ``ComplaintLoadRefused`` (with the report) when there are problems and not
    ``valid_only``, and ``MappingError`` for a mapping that does not load or fit the target.
    """
    ensure(actor, "complaint.import")
    loaded = load_mapping(mapping)
    ctx = import_context(actor=actor)
    sources = [FileSource.from_path(Path(p)) for p in paths]
    report, written = complaint_files_load(
        loaded,
        sources,
        context=ctx,
        agency_id=actor.agency_id,
        today=ctx.today,
        valid_only=valid_only,
        created_by_id=actor.user_id,
    )
    audit_record(
        actor=actor,
        action="import.complaints_load",
        changes={
            "mapping": loaded.name,
            "files": [s.name for s in sources],
            "counts": report.summary(),
            **written,
        },
    )
    return report, written
