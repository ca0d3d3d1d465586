"""Case numbers for incidents filed in Steadyhand: ``<year>-<sequence>``, e.g. ``2026-000042``.

Imported incidents keep their source's case number. The sequence is per agency and year; the
caller holds the agency's write lock (any service inside ``transaction.atomic`` that has called
``audit_record`` does: it locks the agency's audit chain head), and the unique constraint on
``(agency, case_number)`` refuses a collision rather than letting one through.
"""

from datetime import datetime

from steadyhand.incidents.models import Incident

PREFIX_FORMAT = "{year}-"
WIDTH = 6


def next_case_number(*, agency_id: int, occurred_at: datetime) -> str:
    prefix = PREFIX_FORMAT.format(year=occurred_at.year)
    # Zero-padded to a fixed width, so the lexically highest number is the highest one.
    highest = (
        Incident.objects.filter(
            agency_id=agency_id, source="report", case_number__regex=rf"^{prefix}[0-9]{{{WIDTH}}}$"
        )
        .order_by("-case_number")
        .values_list("case_number", flat=True)
        .first()
    )
    sequence = int(highest[len(prefix) :]) + 1 if highest else 1
    return f"{prefix}{sequence:0{WIDTH}d}"
