"""What differs between the targets a mapping can load: incidents or complaints.

The batch flow (stage → check → choose → load, ``mapped_services``) is the same for both; a
target names the permission, the batch kind, the writer that turns records into rows and the
pages and command that go with it. Roster and training imports have their own fixed formats
and do not go through a mapping.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db.models import Model

from steadyhand.complaints.models import Complaint
from steadyhand.imports.mapping.complaint_writer import ComplaintWriteContext, ComplaintWriter
from steadyhand.imports.mapping.format import Mapping
from steadyhand.imports.mapping.incident_writer import IncidentWriter, WriteContext
from steadyhand.imports.mapping.incidents import IncidentConfig
from steadyhand.imports.mapping.keyed import existing_ids
from steadyhand.imports.mapping_context import ImportContext, member_ids_by_badge
from steadyhand.imports.models import ImportKind
from steadyhand.incidents.models import Incident

CHUNK = 2000


class RecordWriter(Protocol):
    kept_names: list[str]
    touched: set[datetime]

    def prepare(self, record: Any) -> Any: ...

    def add_prepared(self, prepared: Any) -> None: ...

    def finish(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class MappedTarget:
    name: str  # a mapping file's ``target``
    kind: ImportKind
    action: str
    model: type[Model]
    url_namespace: str
    command: str  # for file sets too large to upload in the browser

    def writer(
        self, *, mapping: Mapping, ctx: ImportContext, created_by_id: int | None
    ) -> RecordWriter:
        if self.name == "incidents":
            config: IncidentConfig = mapping.config
            return IncidentWriter(
                WriteContext(
                    agency_id=ctx.agency_id,
                    source=mapping.source,
                    root_unit_id=ctx.root_unit_id,
                    unit_ids=ctx.unit_ids,
                    member_ids=member_ids_by_badge(agency_id=ctx.agency_id)
                    if config.link_by_badge
                    else None,
                    created_by_id=created_by_id,
                ),
                chunk_size=CHUNK,
            )
        return ComplaintWriter(
            ComplaintWriteContext(ctx.agency_id, mapping.source, created_by_id), chunk_size=CHUNK
        )

    def count_existing(self, *, agency_id: int, source: str, keys: list[str]) -> int:
        """How many of ``keys`` a load would update rather than create."""
        return len(existing_ids(self.model, agency_id=agency_id, source=source, keys=keys))


INCIDENTS = MappedTarget(
    name="incidents",
    kind=ImportKind.INCIDENTS,
    action="incident.import",
    model=Incident,
    url_namespace="incident_imports",
    command="import-incidents",
)
COMPLAINTS = MappedTarget(
    name="complaints",
    kind=ImportKind.COMPLAINTS,
    action="complaint.import",
    model=Complaint,
    url_namespace="complaint_imports",
    command="import-complaints",
)
TARGETS: dict[str, MappedTarget] = {t.kind: t for t in (INCIDENTS, COMPLAINTS)}


def target_of(kind: str) -> MappedTarget:
    return TARGETS[kind]
