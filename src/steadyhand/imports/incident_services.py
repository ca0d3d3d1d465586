"""Writes for incident imports through a mapping: the batch flow of ``mapped_services`` with the
incidents target (permission ``incident.import``). Checking, loading and checking again take the
batch, which knows its target."""

from collections.abc import Sequence
from pathlib import Path

from steadyhand.access.actor import Actor
from steadyhand.imports.mapped_services import (
    MAX_UPLOAD_BYTES,
    mapped_import_check,
    mapped_import_create,
    mapped_import_load,
    mapped_import_load_start,
    mapped_import_recheck,
)
from steadyhand.imports.mapped_targets import INCIDENTS
from steadyhand.imports.models import ImportBatch

__all__ = [
    "MAX_UPLOAD_BYTES",
    "incident_import_check",
    "incident_import_create",
    "incident_import_load",
    "incident_import_load_start",
    "incident_import_recheck",
]

incident_import_check = mapped_import_check
incident_import_load_start = mapped_import_load_start
incident_import_load = mapped_import_load
incident_import_recheck = mapped_import_recheck


def incident_import_create(
    *,
    actor: Actor,
    mapping: str,
    files: Sequence[tuple[str, bytes]] = (),
    paths: Sequence[str | Path] = (),
    check_in_background: bool = True,
) -> ImportBatch:
    """Stage a file set (uploaded ``files`` or local ``paths``) for an incidents ``mapping``."""
    return mapped_import_create(
        actor=actor, target=INCIDENTS, mapping=mapping, files=files, paths=paths,
        check_in_background=check_in_background,
    )  # fmt: skip
