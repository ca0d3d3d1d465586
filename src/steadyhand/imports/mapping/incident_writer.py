"""Writing incident records in chunks: one query per model per chunk, never a save per row.

Called inside the load's single transaction (``incident_services``). Re-importing updates by
the natural key ``(agency, source, source_key)``: an existing incident keeps its id and case
number, its fields are updated (``version`` rises) and its people and timeline are replaced by
the source's; a new key creates an incident.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from operator import itemgetter
from typing import Any

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
UPDATE_FIELDS = (*tuple(f for f in INCIDENT_FIELDS if f != "case_number"), "version", "updated_at")


@dataclass
class WriteContext:
    """What the writer needs from the database, read once before the load."""

    agency_id: int
    source: str
    root_unit_id: int
    unit_ids: dict[str, int]  # unit code -> id
    member_ids: dict[str, int] | None  # badge -> member id, when the mapping links by badge
    created_by_id: int | None


class IncidentWriter(ChunkedWriter[WriteContext, IncidentRecord]):
    model = Incident

    def _write(
        self,
        records: list[IncidentRecord],
        new: list[IncidentRecord],
        old: list[IncidentRecord],
        existing: dict[str, int],
    ) -> int:
        self._refuse_case_number_clash(new)
        created = insert_rows(Incident, [self._incident_values(r) for r in new], self.chunk_size)
        ids = {r.source_key: pk for r, pk in zip(new, created, strict=True)}
        changed = 0
        if old:
            old_ids = [existing[r.source_key] for r in old]
            changed = self._update(old, existing)
            # The source is the truth for what it records: replace people and timeline.
            TimelineEvent.objects.filter(incident_id__in=old_ids).delete()
            Involvement.objects.filter(incident_id__in=old_ids).delete()
            Subject.objects.filter(incident_id__in=old_ids).delete()
            ids.update({r.source_key: existing[r.source_key] for r in old})
        self._children(records, ids)
        return changed

    def _update(self, old: list[IncidentRecord], existing: dict[str, int]) -> int:
        """Update the incidents whose fields the source changed; returns how many.

        Re-importing an unchanged file is the common case and writes no incident row (their
        people and timeline are still replaced). ``bulk_update`` builds one CASE per field, so
        it runs only on the changed rows, in modest batches.
        """
        fields = [f for f in UPDATE_FIELDS if f not in ("version", "updated_at")]
        current = {
            row["id"]: row
            for row in Incident.objects.filter(pk__in=existing.values()).values("id", *fields)
        }
        now = timezone.now()
        objs = []
        for r in old:
            obj = self._incident(r)
            obj.pk = existing[r.source_key]
            if all(current[obj.pk][f] == getattr(obj, f) for f in fields):
                continue
            obj.version = F("version") + 1
            obj.updated_at = now
            objs.append(obj)
        if objs:
            Incident.objects.bulk_update(objs, UPDATE_FIELDS, batch_size=200)
        return len(objs)

    def _refuse_case_number_clash(self, new: list[IncidentRecord]) -> None:
        numbers = [r.case_number for r in new]
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

    def _incident(self, r: IncidentRecord) -> Incident:
        return Incident(**self._incident_values(r))

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

    def _children(self, records: Iterable[IncidentRecord], ids: dict[str, int]) -> None:
        members = self.ctx.member_ids
        involvements: list[dict[str, Any]] = []
        subjects: list[dict[str, Any]] = []
        for r in records:
            incident_id = ids[r.source_key]
            for o in r.officers:
                involvements.append(
                    {
                        "incident_id": incident_id,
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
            for s in r.subjects:
                subjects.append(
                    {
                        "incident_id": incident_id,
                        "ordinal": s.ordinal,
                        "external_id": s.external_id,
                        "race": s.race,
                        "ethnicity": s.ethnicity,
                        "sex": s.sex,
                        "age_band": s.age_band,
                        "mental_health_crisis": "mental_health_crisis" in s.indicators,
                        "substance_use": "substance_use" in s.indicators,
                        "disability": "disability" in s.indicators,
                        "language_barrier": "language_barrier" in s.indicators,
                        "armed_with": s.armed_with,
                        "highest_resistance": s.highest_resistance,
                        "injured": s.injured,
                        "injury_severity": s.injury_severity,
                        "arrested": s.arrested,
                        "hospitalised": s.hospitalised,
                    }
                )
        inv_pks = insert_rows(Involvement, involvements, self.chunk_size)
        sub_pks = insert_rows(Subject, subjects, self.chunk_size)
        inv_ids = {
            (i["incident_id"], i["external_id"]): pk
            for i, pk in zip(involvements, inv_pks, strict=True)
        }
        sub_ids = {
            (x["incident_id"], x["external_id"]): pk
            for x, pk in zip(subjects, sub_pks, strict=True)
        }
        events: list[dict[str, Any]] = []
        for r in records:
            incident_id = ids[r.source_key]
            for e in r.events:
                events.append(
                    {
                        "incident_id": incident_id,
                        "sequence": e.sequence,
                        "kind": e.kind,
                        "code": e.code,
                        "actor_involvement_id": inv_ids.get((incident_id, e.officer))
                        if e.officer
                        else None,
                        "actor_subject_id": sub_ids.get((incident_id, e.subject))
                        if e.subject
                        else None,
                        "target_subject_id": sub_ids.get((incident_id, e.target))
                        if e.target
                        else None,
                        "resistance": e.resistance,
                        "force_level": e.force_level,
                        "source_code": e.source_code,
                    }
                )
        insert_rows(TimelineEvent, events, self.chunk_size, want_ids=False)


def insert_rows(
    model: type[Model], rows: list[dict[str, Any]], chunk_size: int, *, want_ids: bool = True
) -> list[int]:
    """Insert ``rows`` (attname → value) and return their ids, in order.

    On PostgreSQL: ids are drawn from the table's sequence in one query and the rows are sent
    with ``COPY`` (several times faster than a multi-row INSERT, and no model instances). Columns
    a row does not give take the field's default (``auto_now`` fields: now). Elsewhere:
    ``bulk_create``, which returns the ids.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create(
            [model(**row) for row in rows], batch_size=chunk_size
        )
        return [o.pk for o in objs]
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    fields = [f for f in model._meta.concrete_fields if f.primary_key is False]
    now = timezone.now()
    defaults: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:  # the field's default; "" for text fields without one, else None
            defaults[f.attname] = f.get_default()
    quote = connection.ops.quote_name
    columns = ", ".join([quote(pk_column), *(quote(f.column) for f in fields)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk_column, len(rows)],
        )
        ids = [int(r[0]) for r in cursor.fetchall()]
        # Each row's values in column order, defaults filled in, with C-level dict merging and
        # ``itemgetter`` rather than a Python loop over every field of every row.
        values_of = itemgetter(*(f.attname for f in fields))
        with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for pk, row in zip(ids, rows, strict=True):
                write((pk, *values_of({**defaults, **row})))
    return ids if want_ids else []
