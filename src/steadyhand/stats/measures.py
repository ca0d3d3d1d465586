"""The measures the statistics layer keeps per agency, month, unit and district.

A measure is a string key. Keys with a colon are families over a vocabulary code:
``force_level:<n>`` (``vocabulary.ForceLevel``), ``force_type:<code>`` (``vocabulary.FORCE_TYPES``)
and ``complaint_finding:<code>`` (``vocabulary.FINDINGS``), ``subjects:<race>`` and
``force_subjects:<race>`` (``vocabulary.RACES``). ``MEASURES`` describes every key, so
the dashboard, the public page and the open-data dictionary say the same thing about a number.

Months are calendar months in the agency's own time zone. Each incident counts in the unit it is
filed under and in its district; complaints in their unit (the agency's root unit until one is
known) and in the district of the incident they concern, if any.
"""

from dataclasses import dataclass

from steadyhand import vocabulary as v


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    description: str
    # "count": a whole number of records; "hours": a decimal number of hours.
    kind: str = "count"


def _measures(*items: Measure) -> dict[str, Measure]:
    return {m.key: m for m in items}


_BASE = _measures(
    Measure("incidents", "Incidents", "Submitted incident reports, by the month they occurred."),
    Measure(
        "force_incidents", "Incidents with force", "Submitted incidents in which force was used."
    ),
    Measure(
        "subject_injuries",
        "Incidents with a subject injured",
        "Submitted incidents in which at least one subject was injured.",
    ),
    Measure(
        "officer_injuries",
        "Incidents with an officer injured",
        "Submitted incidents in which at least one officer was injured.",
    ),
    Measure(
        "deescalation_successes",
        "De-escalation without force",
        "Incidents where the subject resisted defensively or worse, or was armed, and no force "
        "was used (the no-force rule of recognition/evidence.py).",
    ),
    Measure("arrests", "Incidents with an arrest", "Submitted incidents that ended in an arrest."),
    Measure(
        "complaints",
        "Complaints received",
        "Complaints by the month they were received.",
    ),
    Measure(
        "commendations",
        "Commendations approved",
        "Commendation nominations approved, by the month of approval.",
    ),
    Measure(
        "training_hours",
        "Training hours completed",
        "Hours of completed training by the month of completion, in the member's current unit "
        "(the enrolment's credited hours, else the course's total).",
        kind="hours",
    ),
    Measure(
        "calls",
        "Calls for service",
        "Calls for service from the agency's exposure data (steadyhand import-exposure).",
    ),
    Measure(
        "exposure_arrests",
        "Arrests (all)",
        "All arrests from the agency's exposure data, not only those in incident reports.",
    ),
)

FORCE_LEVEL_MEASURES = _measures(
    *(
        Measure(
            f"force_level:{int(level)}",
            f"Highest force: {label}",
            f"Incidents whose highest force level was “{label}”.",
        )
        for level, label in v.FORCE_LEVEL_LABELS.items()
        if level != v.ForceLevel.NONE
    )
)
FORCE_TYPE_MEASURES = _measures(
    *(
        Measure(
            f"force_type:{code}",
            f"Force: {t.label}",
            f"Incidents with at least one “{t.label}” in their timeline.",
        )
        for code, t in v.FORCE_TYPES.items()
    )
)
FINDING_MEASURES = _measures(
    *(
        Measure(
            f"complaint_finding:{code}",
            f"Allegations: {label}",
            f"Allegations with the finding “{label}”, by the month their complaint was received.",
        )
        for code, label in v.FINDINGS.items()
    )
)

SUBJECT_RACE_MEASURES = _measures(
    *(
        Measure(
            f"subjects:{code}",
            f"Subjects: {label}",
            f"Subjects recorded as “{label}” in submitted incidents (the disparity benchmark).",
        )
        for code, label in v.RACES.items()
    ),
    *(
        Measure(
            f"force_subjects:{code}",
            f"Subjects of force incidents: {label}",
            f"Subjects recorded as “{label}” in submitted incidents in which force was used.",
        )
        for code, label in v.RACES.items()
    ),
)

MEASURES: dict[str, Measure] = {
    **_BASE,
    **FORCE_LEVEL_MEASURES,
    **FORCE_TYPE_MEASURES,
    **FINDING_MEASURES,
    **SUBJECT_RACE_MEASURES,
}


def measure(key: str) -> Measure:
    """The description of ``key``; ``KeyError`` names an unknown key."""
    try:
        return MEASURES[key]
    except KeyError:
        raise KeyError(
            f"Unknown statistics measure {key!r}; see stats.measures.MEASURES."
        ) from None
