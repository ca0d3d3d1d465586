"""Writing incident records in chunks: one query per model per chunk, never a save per row.

Called inside the load's single transaction (``mapped_services``). Re-importing updates by
the natural key ``(agency, source, source_key)``: a new key creates an incident; an existing
incident keeps its id and case number and, if the source changed it (its fingerprint differs),
its fields are updated (``version`` rises) and its people and timeline are replaced by the
source's, unless other records refer to them (then it is kept as it was, see ``_changed``).

Work is split in two so that it can overlap with the database (``overlap``): ``prepare`` turns
a record into the column values of its rows without touching the database (it runs in the
reading thread), and ``add`` writes prepared records a chunk at a time, filling in only the ids
the database hands out.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from operator import itemgetter
from typing import Any, cast

from django.db import connection
from django.db.models import F, Model
from django.utils import timezone

from steadyhand.core.errors import ConflictError
from steadyhand.imports.mapping.chunked import ChunkedWriter
from steadyhand.imports.mapping.incidents import IncidentRecord
from steadyhand.imports.mapping.keyed import first_taken
from steadyhand.incidents.models import (
    Incident,
    IncidentStatus,
    Involvement,
    Subject,
    TimelineEvent,
)

INCIDENT_FIELDS = (
    "case_number", "unit_id", "occurred_at", "district", "beat", "location", "call_type",
    "contact_type", "force_used", "highest_force_level", "highest_resistance",
    "subject_injured", "officer_injured", "arrest_made", "subject_hospitalised", "resolution",
    "de_escalation_attempted", "source_force_level",
)  # fmt: skip
UPDATE_FIELDS = (
    *(f for f in INCIDENT_FIELDS if f != "case_number"),
    "source_fingerprint", "version", "updated_at",
)  # fmt: skip
# Raise when what an import writes for a record changes, so that re-imports write it again.
FINGERPRINT_VERSION = 1
NOT_FINGERPRINTED = frozenset({"case_number", "created_by_id", "source_fingerprint"})
CHILDREN = (TimelineEvent, Involvement, Subject)  # in the order they can be deleted


@dataclass
class WriteContext:
    """What the writer needs from the database, read once before the load."""

    agency_id: int
    source: str
    root_unit_id: int
    unit_ids: dict[str, int]  # unit code -> id
    member_ids: dict[str, int] | None  # badge -> member id, when the mapping links by badge
    created_by_id: int | None


class PreparedIncident:
    """An incident record as the values of its rows, ready to write.

    Child rows are lists in their table's column order (``CopyShape``) with the ids the
    database has yet to give (the incident's; the event's officer and subjects) left as None;
    ``event_refs`` says, per event, which of the record's involvements and subjects it names.
    """

    __slots__ = ("event_refs", "events", "incident", "incident_row", "involvements",
                 "occurred_at", "source_key", "subjects")  # fmt: skip

    def __init__(self, record: IncidentRecord, incident: dict[str, Any]) -> None:
        self.source_key = record.source_key
        self.occurred_at = record.occurred_at
        self.incident = incident  # attname -> value: what a re-import updates
        self.incident_row: list[Any] = []  # the same as a row, to insert
        self.involvements: list[list[Any]] = []
        self.subjects: list[list[Any]] = []
        self.events: list[list[Any]] = []
        self.event_refs: list[tuple[int | None, int | None, int | None]] = []


@dataclass(frozen=True)
class CopyPlan:
    """How rows of one table go to PostgreSQL: asked of the database once per load."""

    sequence: str  # the id sequence, named once: ``nextval(pg_get_serial_sequence(…))`` looked
    # it up in the catalogue again for every row
    types: list[int]  # each column's type: a binary COPY must send exactly that type
    copy_sql: str


class CopyShape:
    """A model's columns (all but the id) in table order, with each column's default."""

    def __init__(self, model: type[Model], unhashed: frozenset[str] = frozenset()) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if f.primary_key is False]
        self.attnames = [f.attname for f in self.fields]
        self.position = {name: i for i, name in enumerate(self.attnames)}
        now = timezone.now()
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            else:  # the field's default; "" for text fields without one, else None
                self.defaults[f.attname] = f.get_default()
        self._values_of = itemgetter(*self.attnames)
        # The columns a row's content is compared on: not when it was written, nor ``unhashed``.
        left_out = {
            i for i, f in enumerate(self.fields)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            or f.attname in unhashed
        }  # fmt: skip
        self._content_of = itemgetter(*(i for i in range(len(self.fields)) if i not in left_out))
        self._copy_plan: CopyPlan | None = None

    def row(self, values: dict[str, Any]) -> list[Any]:
        """``values`` (attname → value) as a row, defaults filled in: C-level dict merging and
        ``itemgetter`` rather than a Python loop over every field of every row."""
        return list(self._values_of({**self.defaults, **values}))

    def content(self, row: list[Any]) -> tuple[Any, ...]:
        content: tuple[Any, ...] = self._content_of(row)
        return content

    def copy_plan(self) -> CopyPlan:
        """PostgreSQL only. Asked once per shape (a writer, so a load), not per chunk."""
        if self._copy_plan is None:
            quote = connection.ops.quote_name
            table, pk_column = self.model._meta.db_table, self.model._meta.pk.column
            columns = ", ".join([quote(pk_column), *(quote(f.column) for f in self.fields)])
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk_column])
                sequence = cursor.fetchone()[0]
                cursor.execute(f"SELECT {columns} FROM {quote(table)} LIMIT 0")
                types = [column.type_code for column in cursor.description]
            self._copy_plan = CopyPlan(
                sequence, types, f"COPY {quote(table)} ({columns}) FROM STDIN (FORMAT BINARY)"
            )
        return self._copy_plan


class IncidentWriter(ChunkedWriter[WriteContext, PreparedIncident]):
    model = Incident
    stored_columns = ("source_fingerprint", "case_number", "occurred_at")

    def __init__(
        self, ctx: WriteContext, chunk_size: int = 2000,
        on_chunk: Callable[[int], None] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(ctx, chunk_size, on_chunk)
        self.incidents = CopyShape(Incident, unhashed=NOT_FINGERPRINTED)
        self._fingerprint_at = self.incidents.position["source_fingerprint"]
        self.involvements = CopyShape(Involvement)
        self.subjects = CopyShape(Subject)
        self.events = CopyShape(TimelineEvent)
        self._involvement_incident = self.involvements.position["incident_id"]
        self._subject_incident = self.subjects.position["incident_id"]
        position = self.events.position
        self._event_columns = (
            position["incident_id"], position["actor_involvement_id"],
            position["actor_subject_id"], position["target_subject_id"],
        )  # fmt: skip

    def prepare(self, record: IncidentRecord) -> PreparedIncident:
        """The record's rows as column values. Pure: safe outside the loading thread."""
        prepared = self._prepare_rows(record)
        fingerprint = self._fingerprint(prepared)
        prepared.incident["source_fingerprint"] = fingerprint
        prepared.incident_row[self._fingerprint_at] = fingerprint
        return prepared

    def _fingerprint(self, prepared: PreparedIncident) -> str:
        """A hash of everything the import writes for this record, except what is not the
        source's (who loaded it, when; the case number, kept from the first import)."""
        content = (
            FINGERPRINT_VERSION,
            self.incidents.content(prepared.incident_row),
            [self.involvements.content(row) for row in prepared.involvements],
            [self.subjects.content(row) for row in prepared.subjects],
            [self.events.content(row) for row in prepared.events],
            prepared.event_refs,
        )
        return hashlib.blake2b(repr(content).encode(), digest_size=16).hexdigest()

    def _prepare_rows(self, record: IncidentRecord) -> PreparedIncident:
        prepared = PreparedIncident(record, self._incident_values(record))
        prepared.incident_row = self.incidents.row(prepared.incident)
        members = self.ctx.member_ids
        officers: dict[str, int] = {}
        for o in record.officers:
            officers[o.external_id] = len(prepared.involvements)
            prepared.involvements.append(
                self.involvements.row(
                    {
                        "member_id": members.get(o.external_id) if members else None,
                        "external_id": o.external_id,
                        "role_on_scene": o.role_on_scene,
                        "used_force": o.used_force,
                        "injured": o.injured,
                        "race": o.race,
                        "sex": o.sex,
                        "age_band": o.age_band,
                        "years_of_service": o.years_of_service,
                    }
                )
            )
        subjects: dict[str, int] = {}
        for x in record.subjects:
            subjects[x.external_id] = len(prepared.subjects)
            prepared.subjects.append(
                self.subjects.row(
                    {
                        "ordinal": x.ordinal,
                        "external_id": x.external_id,
                        "race": x.race,
                        "ethnicity": x.ethnicity,
                        "sex": x.sex,
                        "age_band": x.age_band,
                        "mental_health_crisis": "mental_health_crisis" in x.indicators,
                        "substance_use": "substance_use" in x.indicators,
                        "disability": "disability" in x.indicators,
                        "language_barrier": "language_barrier" in x.indicators,
                        "armed_with": x.armed_with,
                        "highest_resistance": x.highest_resistance,
                        "injured": x.injured,
                        "injury_severity": x.injury_severity,
                        "arrested": x.arrested,
                        "hospitalised": x.hospitalised,
                    }
                )
            )
        for e in record.events:
            prepared.events.append(
                self.events.row(
                    {
                        "sequence": e.sequence,
                        "kind": e.kind,
                        "code": e.code,
                        "resistance": e.resistance,
                        "force_level": e.force_level,
                        "source_code": e.source_code,
                    }
                )
            )
            # An event naming someone the record does not list names nobody (as before).
            prepared.event_refs.append(
                (
                    officers.get(e.officer) if e.officer else None,
                    subjects.get(e.subject) if e.subject else None,
                    subjects.get(e.target) if e.target else None,
                )
            )
        return prepared

    def _write(
        self,
        records: list[PreparedIncident],
        new: list[PreparedIncident],
        old: list[PreparedIncident],
        existing: dict[str, int],
    ) -> int:
        self._refuse_case_number_clash(new)
        created = insert_rows(self.incidents, [r.incident_row for r in new])
        ids = {r.source_key: pk for r, pk in zip(new, created, strict=True)}
        changed = self._changed(old, existing)
        self.touched.update(r.occurred_at for r in [*new, *changed])
        if changed:
            changed_ids = [existing[r.source_key] for r in changed]
            self._update(changed, existing)
            # The source is the truth for what it records: replace people and timeline.
            _delete_children(changed_ids)
            ids.update({r.source_key: existing[r.source_key] for r in changed})
        self._children([*new, *changed], ids)
        return len(changed)

    def _changed(
        self, old: list[PreparedIncident], existing: dict[str, int]
    ) -> list[PreparedIncident]:
        """The records of ``old`` whose source changed since they were last imported, less
        those other records now refer to (counted as kept, by case number).

        Re-importing an unchanged file is the common case and writes nothing. A changed record
        has its people and timeline replaced, which would take with them what refers to them
        (a statement on an involvement, a review's note on an event): such a record is left
        as it was, for someone to correct by hand.
        """
        stored = self.stored
        differ = [r for r in old if stored[r.source_key][0] != r.incident["source_fingerprint"]]
        referred = _referred_to([existing[r.source_key] for r in differ])
        if referred:
            self.keep(sorted(stored[r.source_key][1] for r in differ
                             if existing[r.source_key] in referred))  # fmt: skip
        changed = [r for r in differ if existing[r.source_key] not in referred]
        # Both months change when the source moved a record from one to another.
        self.touched.update(stored[r.source_key][2] for r in changed)
        return changed

    def _update(self, changed: list[PreparedIncident], existing: dict[str, int]) -> None:
        """Write the new fields of ``changed`` incidents (``version`` rises). ``bulk_update``
        builds one CASE per field: modest batches."""
        now = timezone.now()
        objs = []
        for r in changed:
            obj = Incident(**r.incident)
            obj.pk = existing[r.source_key]
            obj.version = F("version") + 1
            obj.updated_at = now
            objs.append(obj)
        Incident.objects.bulk_update(objs, UPDATE_FIELDS, batch_size=200)

    def _refuse_case_number_clash(self, new: list[PreparedIncident]) -> None:
        numbers = [r.incident["case_number"] for r in new]
        if len(set(numbers)) != len(numbers):
            seen: set[str] = set()
            dup = next(n for n in numbers if n in seen or seen.add(n))  # type: ignore[func-returns-value]
            raise ConflictError(
                f"Two incidents of this file set would get the case number {dup!r}; make the "
                "mapping's case_number template include the whole key."
            )
        clash = first_taken(
            Incident, agency_id=self.ctx.agency_id, column="case_number", values=numbers
        )
        if clash is not None:
            raise ConflictError(
                f"The case number {clash!r} is already used by another incident of the agency "
                "(filed here or imported from another source); give the mapping's case_number "
                "template a prefix of its own."
            )

    def _incident_values(self, r: IncidentRecord) -> dict[str, Any]:
        ctx = self.ctx
        return dict(
            agency_id=ctx.agency_id,
            case_number=r.case_number,
            unit_id=ctx.unit_ids[r.unit_code] if r.unit_code else ctx.root_unit_id,
            status=IncidentStatus.SUBMITTED,
            # In UTC: a wall-clock time in a DST gap compares unequal to itself across zones.
            occurred_at=r.occurred_at.astimezone(UTC),
            submitted_at=r.occurred_at.astimezone(UTC),
            district=r.district,
            beat=r.beat,
            location=r.location,
            call_type=r.call_type,
            contact_type=r.contact_type,
            force_used=r.force_used,
            highest_force_level=r.highest_force_level,
            highest_resistance=r.highest_resistance,
            subject_injured=r.subject_injured,
            officer_injured=r.officer_injured,
            arrest_made=r.arrest_made,
            subject_hospitalised=r.subject_hospitalised,
            resolution=r.resolution,
            de_escalation_attempted=r.de_escalation_attempted,
            source=ctx.source,
            source_key=r.source_key,
            source_force_level=r.source_force_level[:40],
            created_by_id=ctx.created_by_id,
        )

    def _children(self, records: list[PreparedIncident], ids: dict[str, int]) -> None:
        """Write the chunk's people, then its events, filling in the ids just handed out."""
        at_incident = self._involvement_incident
        involvements: list[list[Any]] = []
        for r in records:
            incident_id = ids[r.source_key]
            for row in r.involvements:
                row[at_incident] = incident_id
                involvements.append(row)
        at_incident = self._subject_incident
        subjects: list[list[Any]] = []
        for r in records:
            incident_id = ids[r.source_key]
            for row in r.subjects:
                row[at_incident] = incident_id
                subjects.append(row)
        involvement_ids = insert_rows(self.involvements, involvements)
        subject_ids = insert_rows(self.subjects, subjects)
        at_incident, at_officer, at_actor, at_target = self._event_columns
        events: list[list[Any]] = []
        first_involvement = first_subject = 0
        for r in records:
            incident_id = ids[r.source_key]
            for row, (officer, actor, target) in zip(r.events, r.event_refs, strict=True):
                row[at_incident] = incident_id
                if officer is not None:
                    row[at_officer] = involvement_ids[first_involvement + officer]
                if actor is not None:
                    row[at_actor] = subject_ids[first_subject + actor]
                if target is not None:
                    row[at_target] = subject_ids[first_subject + target]
                events.append(row)
            first_involvement += len(r.involvements)
            first_subject += len(r.subjects)
        insert_rows(self.events, events, want_ids=False)


def _referred_to(incident_ids: list[int]) -> set[int]:
    """Those of ``incident_ids`` whose people or events a record of another kind refers to.

    Asked of the models themselves, so a model added later that points at an event or an
    involvement is covered without changing this.
    """
    found: set[int] = set()
    if not incident_ids:
        return found
    own = {Incident, *CHILDREN}
    for child in CHILDREN:
        for relation in child._meta.related_objects:
            referrer = cast(type[Model], relation.related_model)
            if referrer in own:
                continue
            incident = f"{relation.field.name}__incident_id"
            found.update(
                referrer._base_manager.filter(**{f"{incident}__in": incident_ids}).values_list(
                    incident, flat=True
                )
            )
    return found


def _delete_children(incident_ids: list[int]) -> None:
    """Delete these incidents' people and timeline. In SQL: the ORM's delete would load every
    row to look for records that cascade, and ``_referred_to`` has just found there are none."""
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(incident_ids))
    with connection.cursor() as cursor:
        for model in CHILDREN:
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} WHERE incident_id IN ({placeholders})",
                incident_ids,
            )


def insert_rows(shape: CopyShape, rows: list[list[Any]], *, want_ids: bool = True) -> list[int]:
    """Insert ``rows`` (values in ``shape``'s column order) and return their ids, in order.

    On PostgreSQL: ids are drawn from the table's sequence in one query and the rows are sent
    with a binary ``COPY``: several times faster than a multi-row INSERT, with no model
    instances, and binary because formatting every value as text cost more than building the
    rows. Elsewhere: ``bulk_create``, which returns the ids.
    """
    if not rows:
        return []
    model = shape.model
    if connection.vendor != "postgresql":
        names = shape.attnames
        objs = model._default_manager.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=2000
        )
        return [o.pk for o in objs]
    plan = shape.copy_plan()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [plan.sequence, len(rows)]
        )
        ids = [int(r[0]) for r in cursor.fetchall()]
        with cursor.copy(plan.copy_sql) as copy:
            copy.set_types(plan.types)
            write = copy.write_row
            for pk, row in zip(ids, rows, strict=True):
                write((pk, *row))
    return ids if want_ids else []
