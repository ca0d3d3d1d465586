"""Writes for complaints. Each: check permission, lock, check state and version, save, audit.

A complaint is received (public form or staff intake), investigated (allegations against members
or unidentified officers, each with its finding) and closed once every allegation has a finding.
It is filed under the unit of the first member an allegation names, so that the chain of command
above that member sees it; until then it sits at agency level, where only agency-wide grants
reach.

Every change, including to an allegation or a complainant, raises the complaint's ``version``:
forms carry the version they showed, and a stale one is refused (``ConflictError``).
"""

from steadyhand.complaints.services.common import INTAKE_CHANNELS, PENDING, Demographics
from steadyhand.complaints.services.investigating import (
    allegation_add,
    allegation_record_finding,
    allegation_update,
    complainant_add,
    complaint_close,
    complaint_link_incident,
    complaint_reopen,
    complaint_update,
)
from steadyhand.complaints.services.receiving import (
    REFERENCE_PREFIX,
    complaint_intake,
    complaint_submit_public,
)

__all__ = [
    "INTAKE_CHANNELS",
    "PENDING",
    "REFERENCE_PREFIX",
    "Demographics",
    "allegation_add",
    "allegation_record_finding",
    "allegation_update",
    "complainant_add",
    "complaint_close",
    "complaint_intake",
    "complaint_link_incident",
    "complaint_reopen",
    "complaint_submit_public",
    "complaint_update",
]
