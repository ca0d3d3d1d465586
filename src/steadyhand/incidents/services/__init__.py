"""Writes for incident reports (see ``docs/incidents.md``).

- ``drafts``: the draft, the members on scene and the subjects;
- ``timeline``: the events from first contact;
- ``submission``: the policy prompts and the derived outcome summary; resubmission;
- ``correction``: a report returned for correction, and who may change it then;
- ``statements``: each involved member's own statement.
"""

from steadyhand.incidents.services.correction import incident_return_for_correction
from steadyhand.incidents.services.drafts import (
    incident_create_draft,
    incident_update,
    involvement_add,
    involvement_remove,
    subject_add,
    subject_remove,
    subject_update,
)
from steadyhand.incidents.services.statements import (
    statement_open,
    statement_save,
    statement_submit,
)
from steadyhand.incidents.services.submission import incident_resubmit, incident_submit
from steadyhand.incidents.services.timeline import (
    EventInput,
    event_add,
    event_move,
    event_remove,
    event_update,
)

__all__ = [
    "EventInput",
    "event_add",
    "event_move",
    "event_remove",
    "event_update",
    "incident_create_draft",
    "incident_resubmit",
    "incident_return_for_correction",
    "incident_submit",
    "incident_update",
    "involvement_add",
    "involvement_remove",
    "statement_open",
    "statement_save",
    "statement_submit",
    "subject_add",
    "subject_remove",
    "subject_update",
]
