"""Qualifying incidents in the shape of the FBI National Use-of-Force Data Collection.

The collection takes incidents in which a law-enforcement officer's use of force resulted in the
death or serious bodily injury of a person, or in which an officer discharged a firearm at or in
the direction of a person. A submission has three segments: the incident, each subject, each
officer who applied force. ``docs/exports.md`` maps every field to its source in Steadyhand and
names the elements Steadyhand does not record (left empty, for the agency to complete).

This is identified agency data (case numbers, exact dates and places) for the agency's own
submission, not open data: it needs ``incident.export_nuofdc``. It carries no officer or
subject names or badges; the collection does not ask for them.
"""

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TextIO
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from steadyhand import vocabulary as v
from steadyhand.agencies.models import Agency
from steadyhand.exports.common import cell, exportable, joined, local, stream, with_people
from steadyhand.incidents.models import Incident, Involvement, Subject

# "Serious bodily injury": substantial risk of death, unconsciousness, protracted disfigurement
# or loss of function. Steadyhand's nearest recorded severities: admitted to hospital, fatal.
SERIOUS_INJURY = frozenset({"hospitalised"})
DEATH = "fatal"
FIREARM_DISCHARGE = "firearm_discharge"

# Steadyhand's force types grouped as the collection's type-of-force categories.
FORCE_CATEGORIES = {
    "firearm_discharge": "firearm",
    "point_weapon": "display_of_weapon",
    "cew": "electronic_control_weapon",
    "oc_spray": "chemical_agent",
    "baton": "blunt_instrument",
    "impact_munition": "less_lethal_projectile",
    "canine": "canine",
    "neck_restraint": "neck_restraint",
    "vehicle": "vehicle",
    "takedown": "takedown",
    "strike": "hands_fists_feet",
    "control_hold": "hands_fists_feet",
    "escort": "hands_fists_feet",
    "handcuff_resisting": "hands_fists_feet",
    "other_force": "other",
}
WEAPON_CATEGORIES = {
    "none": "unarmed",
    "firearm": "firearm",
    "edged": "knife_or_cutting_instrument",
    "blunt": "blunt_instrument",
    "vehicle": "motor_vehicle",
    "other": "other",
    "unknown": "unknown",
}
CONTACT_REASONS = {"dispatched": "call_for_service", "self_initiated": "officer_initiated"}
INJURY_CATEGORIES = {
    "none": "none",
    "complaint": "minor",
    "minor": "minor",
    "treated": "minor",
    "hospitalised": "serious_bodily_injury",
    "fatal": "death",
}


def qualifying_q() -> Q:
    return (
        Q(subjects__injury_severity=DEATH)
        | Q(subjects__injury_severity__in=SERIOUS_INJURY)
        | Q(events__code=FIREARM_DISCHARGE)
    )


def qualifying(*, agency_id: int) -> QuerySet[Incident]:
    """Exportable incidents that meet the collection's criteria (subquery, so no duplicates)."""
    ids = exportable(agency_id=agency_id).filter(qualifying_q()).values("pk")
    return Incident.objects.filter(pk__in=ids).select_related("unit").order_by("occurred_at", "pk")


def reasons(incident: Incident) -> list[str]:
    severities = {s.injury_severity for s in incident.subjects.all()}
    found = []
    if DEATH in severities:
        found.append("death")
    if severities & SERIOUS_INJURY:
        found.append("serious_bodily_injury")
    if any(e.code == FIREARM_DISCHARGE for e in incident.events.all()):
        found.append("firearm_discharge")
    return found


@dataclass(frozen=True)
class Segment:
    name: str
    header: list[str]


INCIDENT = Segment(
    "incident",
    [
        "ori",
        "incident_number",
        "incident_date",
        "incident_time",
        "qualifying_reasons",
        "total_officers",
        "officers_applying_force",
        "number_of_subjects",
        "location",
        "latitude",
        "longitude",
        "reason_for_initial_contact",
        "call_type",
        "supervisor_consulted",
        "de_escalation_attempted",
        "ambush",
        "location_type",
    ],
)
SUBJECT = Segment(
    "subject",
    [
        "ori",
        "incident_number",
        "subject_sequence",
        "age_band",
        "sex",
        "race",
        "ethnicity",
        "injury",
        "types_of_force",
        "highest_resistance",
        "weapon",
        "apparent_mental_health_condition",
        "apparent_substance_use",
        "disability",
        "language_barrier",
        "arrested",
        "medical_assistance_hospital",
    ],
)
OFFICER = Segment(
    "officer",
    [
        "ori",
        "incident_number",
        "officer_sequence",
        "applied_force",
        "discharged_firearm",
        "age_band",
        "sex",
        "race",
        "years_of_service",
        "injured",
        "role_on_scene",
        "on_duty",
        "full_time",
    ],
)
SEGMENTS = (INCIDENT, SUBJECT, OFFICER)


@dataclass(frozen=True)
class Rows:
    incident: list[str]
    subjects: list[list[str]]
    officers: list[list[str]]


def _force_on(subject: Subject, incident: Incident) -> list[str]:
    events = [e for e in incident.events.all() if e.kind == v.EventKind.FORCE]
    aimed = [e for e in events if e.target_subject_id == subject.pk]
    # Without targets recorded, every force event of a one-subject incident was on that subject.
    if not aimed and len(incident.subjects.all()) == 1:
        aimed = events
    return sorted({FORCE_CATEGORIES.get(e.code, "other") for e in aimed})


def _officer(inv: Involvement, incident: Incident, ori: str, n: int) -> list[str]:
    own = [e for e in incident.events.all() if e.actor_involvement_id == inv.pk]
    return [
        ori,
        incident.case_number,
        str(n),
        cell(inv.used_force),
        cell(any(e.code == FIREARM_DISCHARGE for e in own)),
        inv.age_band,
        inv.sex,
        inv.race,
        cell(inv.years_of_service),
        cell(inv.injured),
        inv.role_on_scene,
        "",
        "",
    ]


def incident_rows(incident: Incident, *, ori: str, tz: ZoneInfo) -> Rows:
    when = local(incident.occurred_at, tz)
    involvements = list(incident.involvements.all())
    subjects = list(incident.subjects.all())
    head = [
        ori,
        incident.case_number,
        when.strftime("%Y-%m-%d"),
        when.strftime("%H:%M"),
        joined(reasons(incident)),
        str(len(involvements)),
        str(sum(1 for inv in involvements if inv.used_force)),
        str(len(subjects)),
        incident.location,
        cell(incident.latitude),
        cell(incident.longitude),
        CONTACT_REASONS.get(incident.contact_type, ""),
        incident.call_type,
        cell(incident.supervisor_notified),
        cell(incident.de_escalation_attempted),
        "",
        "",
    ]
    subject_rows = [
        [
            ori,
            incident.case_number,
            str(s.ordinal),
            s.age_band,
            s.sex,
            s.race,
            s.ethnicity,
            INJURY_CATEGORIES.get(s.injury_severity, "unknown"),
            joined(_force_on(s, incident)),
            cell(s.highest_resistance),
            WEAPON_CATEGORIES.get(s.armed_with, "unknown"),
            cell(s.mental_health_crisis),
            cell(s.substance_use),
            cell(s.disability),
            cell(s.language_barrier),
            cell(s.arrested),
            cell(s.hospitalised),
        ]
        for s in subjects
    ]
    # The collection describes the officers who applied force; the rest are counted above.
    appliers = [inv for inv in involvements if inv.used_force] or involvements
    officer_rows = [_officer(inv, incident, ori, n) for n, inv in enumerate(appliers, start=1)]
    return Rows(head, subject_rows, officer_rows)


def export_rows(*, agency: Agency, ori: str) -> Iterator[Rows]:
    tz = ZoneInfo(agency.timezone)
    for incident in stream(with_people(qualifying(agency_id=agency.pk))):
        yield incident_rows(incident, ori=ori, tz=tz)


def write_segments(*, agency: Agency, ori: str, sinks: Mapping[str, TextIO]) -> dict[str, int]:
    """Write the three segments as CSV to ``sinks`` (keyed by segment name); return row counts."""
    writers = {name: csv.writer(sink, lineterminator="\r\n") for name, sink in sinks.items()}
    counts = {s.name: 0 for s in SEGMENTS}
    for segment in SEGMENTS:
        writers[segment.name].writerow(segment.header)
    for rows in export_rows(agency=agency, ori=ori):
        writers[INCIDENT.name].writerow(rows.incident)
        writers[SUBJECT.name].writerows(rows.subjects)
        writers[OFFICER.name].writerows(rows.officers)
        counts[INCIDENT.name] += 1
        counts[SUBJECT.name] += len(rows.subjects)
        counts[OFFICER.name] += len(rows.officers)
    return counts


def file_name(segment: str) -> str:
    return f"nuofdc-{segment}.csv"
