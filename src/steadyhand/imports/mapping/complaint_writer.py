"""Writing complaint records in chunks: one query per model per chunk, never a save per row.

Called inside the load's single transaction (the batch flow, like ``incident_writer``).
Re-importing updates by the natural key ``(agency, source, source_key)``: an existing complaint
keeps its id and reference, its fields are updated (``version`` rises) and its allegations and
people are replaced by the source's (the source is the truth for what it records; allegations
and people have no key of their own in it). A new key creates a complaint.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from steadyhand.complaints.models import Allegation, Complainant, Complaint
from steadyhand.core.errors import ConflictError, SteadyhandError
from steadyhand.imports.mapping.chunked import ChunkedWriter
from steadyhand.imports.mapping.complaint_target import ComplaintRecord
from steadyhand.imports.mapping.engine import Report, run
from steadyhand.imports.mapping.format import Mapping
from steadyhand.imports.mapping.reader import FileSource

UPDATE_FIELDS = (
    "received_at", "channel", "status", "occurred_at", "location", "narrative", "closed_at",
    "version", "updated_at",
)  # fmt: skip


@dataclass
class ComplaintWriteContext:
    agency_id: int
    source: str
    created_by_id: int | None = None


class ComplaintWriter(ChunkedWriter[ComplaintWriteContext, ComplaintRecord]):
    model = Complaint

    def _write(
        self,
        records: list[ComplaintRecord],
        new: list[ComplaintRecord],
        old: list[ComplaintRecord],
        existing: dict[str, int],
    ) -> int:
        self._refuse_reference_clash(new)
        # Every record's month: a re-import replaces every complaint's allegations.
        self.touched.update(r.received_at for r in records)
        created = Complaint.objects.bulk_create(
            [self._complaint(r) for r in new], batch_size=self.chunk_size
        )
        ids = {r.source_key: c.pk for r, c in zip(new, created, strict=True)}
        changed = 0
        if old:
            changed = self._update(old, existing)
            old_ids = [existing[r.source_key] for r in old]
            Allegation.objects.filter(complaint_id__in=old_ids).delete()
            Complainant.objects.filter(complaint_id__in=old_ids).delete()
            ids.update({r.source_key: existing[r.source_key] for r in old})
        self._children(records, ids)
        return changed

    def _update(self, old: list[ComplaintRecord], existing: dict[str, int]) -> int:
        """Update the complaints whose fields the source changed; returns how many.

        Re-importing an unchanged file writes no complaint row and leaves versions alone (their
        allegations and people are still replaced). ``bulk_update`` builds one CASE per field,
        so it runs only on the changed rows.
        """
        fields = [f for f in UPDATE_FIELDS if f not in ("version", "updated_at")]
        current = {
            row["id"]: row
            for row in Complaint.objects.filter(pk__in=existing.values()).values("id", *fields)
        }
        now = timezone.now()
        objs = []
        for r in old:
            obj = self._complaint(r)
            obj.pk = existing[r.source_key]
            if all(current[obj.pk][f] == getattr(obj, f) for f in fields):
                continue
            obj.version = F("version") + 1
            obj.updated_at = now
            objs.append(obj)
        if objs:
            Complaint.objects.bulk_update(objs, UPDATE_FIELDS, batch_size=200)
        return len(objs)

    def _refuse_reference_clash(self, new: list[ComplaintRecord]) -> None:
        references = [r.reference for r in new]
        if len(set(references)) != len(references):
            seen: set[str] = set()
            dup = next(x for x in references if x in seen or seen.add(x))  # type: ignore[func-returns-value]
            raise ConflictError(
                f"Two complaints of this file set would get the reference {dup!r}; make the "
                "mapping's reference template include the whole key."
            )
        clash = (
            Complaint.objects.filter(agency_id=self.ctx.agency_id, reference__in=references)
            .values_list("reference", flat=True)
            .first()
        )
        if clash is not None:
            raise ConflictError(
                f"The reference {clash!r} is already used by another complaint of the agency "
                "(taken in here or imported from another source); give the mapping's reference "
                "template a prefix of its own."
            )

    def _complaint(self, r: ComplaintRecord) -> Complaint:
        return Complaint(
            agency_id=self.ctx.agency_id,
            reference=r.reference,
            received_at=r.received_at,
            channel=r.channel,
            status=r.status,
            occurred_at=r.occurred_at,
            location=r.location[:200],
            narrative=r.narrative,
            closed_at=r.closed_at,
            source=self.ctx.source,
            source_key=r.source_key,
            created_by_id=self.ctx.created_by_id,
        )

    def _children(self, records: list[ComplaintRecord], ids: dict[str, int]) -> None:
        allegations: list[Allegation] = []
        people: list[Complainant] = []
        for r in records:
            complaint_id = ids[r.source_key]
            finding_at = r.closed_at.date() if r.closed_at else None
            for a in r.allegations:
                allegations.append(
                    Allegation(
                        complaint_id=complaint_id,
                        external_officer_id=a.officer,
                        category=a.category,
                        description=a.description,
                        finding=a.finding,
                        finding_at=finding_at if a.finding != "pending" else None,
                        source_category=a.source_category,
                        source_finding=a.source_finding,
                    )
                )
            for p in r.people:
                people.append(
                    Complainant(
                        complaint_id=complaint_id,
                        is_victim=p.is_victim,
                        race=p.race,
                        ethnicity=p.ethnicity,
                        sex=p.sex,
                        age_band=p.age_band,
                    )
                )
        Allegation.objects.bulk_create(allegations, batch_size=self.chunk_size)
        Complainant.objects.bulk_create(people, batch_size=self.chunk_size)


class ComplaintLoadRefused(SteadyhandError):
    """The files have problems and the load was not asked to skip them: nothing was written."""

    def __init__(self, report: Report) -> None:
        super().__init__(
            f"{report.error_count} problem(s) in the files; nothing was loaded "
            "(load only the valid complaints, or fix the files)."
        )
        self.report = report


@transaction.atomic
def complaint_files_load(
    mapping: Mapping,
    sources: Sequence[FileSource],
    *,
    context: Any,
    agency_id: int,
    today: date,
    valid_only: bool = False,
    created_by_id: int | None = None,
) -> tuple[Report, dict[str, int]]:
    """Stream ``sources`` through ``mapping`` into the agency's complaints, in ONE transaction.

    Records with a problem never reach the writer. A fatal problem, or any problem when
    ``valid_only`` is false, rolls back everything written so far: nothing half-loads. The
    caller (a service: ``ensure`` before, ``audit_record`` after) owns the permission check.
    """
    writer = ComplaintWriter(ComplaintWriteContext(agency_id, mapping.source, created_by_id))
    report = run(mapping, sources, context=context, today=today, on_record=writer.add)
    if report.fatal or (report.error_count and not valid_only):
        raise ComplaintLoadRefused(report)
    return report, writer.finish()
