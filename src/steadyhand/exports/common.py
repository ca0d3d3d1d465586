"""What both exports share: which incidents count, streaming them, and CSV cell spelling."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet

from steadyhand.incidents.models import (
    Incident,
    IncidentStatus,
    Involvement,
    Subject,
    TimelineEvent,
)

# Rows fetched per round trip; prefetches run once per chunk, so memory stays flat however
# many incidents the agency has.
CHUNK_SIZE = 500


def exportable(*, agency_id: int) -> QuerySet[Incident]:
    """Submitted (and imported) incidents; drafts are unfinished and never leave the agency."""
    return Incident.objects.filter(agency_id=agency_id).exclude(status=IncidentStatus.DRAFT)


# Bookkeeping and free text no export reads: not loading them halves the time spent building
# model instances, which is most of an export's time.
UNREAD = ("created_at", "updated_at")


def with_people(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    return queryset.defer("narrative", "version", *UNREAD).prefetch_related(
        Prefetch("involvements", queryset=Involvement.objects.defer(*UNREAD).order_by("pk")),
        Prefetch("subjects", queryset=Subject.objects.defer(*UNREAD)),
        Prefetch(
            "events",
            queryset=TimelineEvent.objects.only(
                "incident_id",
                "sequence",
                "kind",
                "code",
                "actor_involvement_id",
                "actor_subject_id",
                "target_subject_id",
            ).order_by("sequence"),
        ),
    )


def stream(queryset: QuerySet[Incident]) -> Iterator[Incident]:
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def local(when: datetime, tz: ZoneInfo) -> datetime:
    return when.astimezone(tz)


def cell(value: object) -> str:
    """One CSV cell: booleans as true/false, unknown (None) as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def joined(values: Iterable[str]) -> str:
    return ";".join(values)
