"""Complaint pages: the public form (no login) and the staff pages of internal affairs.

Views parse input, call one service or selector, and render. ``@requires`` refuses roles that
never hold the action (and, for the public form, names the agency); the selectors and services
decide about the record itself.
"""

from steadyhand.complaints.views.investigating import (
    allegation_add,
    allegation_edit,
    allegation_finding,
    complainant_add,
    complaint_close,
    complaint_edit,
    complaint_reopen,
    link_incident,
)
from steadyhand.complaints.views.public import public_complaint, public_complaint_sent
from steadyhand.complaints.views.staff import complaint_detail, complaint_list, intake

__all__ = [
    "allegation_add",
    "allegation_edit",
    "allegation_finding",
    "complainant_add",
    "complaint_close",
    "complaint_detail",
    "complaint_edit",
    "complaint_list",
    "complaint_reopen",
    "intake",
    "link_incident",
    "public_complaint",
    "public_complaint_sent",
]
