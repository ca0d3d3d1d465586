"""The outcome summary of an encounter, derived from its timeline (pure; no database).

A report's outcome fields are never typed twice: when an officer submits, the summary is computed
from the events they entered, so the force level, the resistance faced and whether de-escalation
was attempted cannot disagree with the timeline.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from steadyhand import vocabulary as v


@dataclass(frozen=True)
class EventFacts:
    """What the summary needs of one event."""

    kind: str
    code: str
    resistance: int | None = None
    force_level: int | None = None
    by_member: bool = False


@dataclass(frozen=True)
class Summary:
    force_used: bool
    highest_force_level: int | None
    highest_resistance: int | None
    de_escalation_attempted: bool
    de_escalation_before_force: bool | None
    supervisor_requested: bool
    subject_injured: bool
    officer_injured: bool
    resolution: str
    # Force applications with no resistance recorded before them: policy asks for one.
    force_without_prior_resistance: int


def event_force_level(event: EventFacts) -> int:
    if event.force_level is not None:
        return event.force_level
    known = v.FORCE_TYPES.get(event.code)
    return int(known.level) if known and known.level is not None else int(v.ForceLevel.CONTROL)


def event_resistance(event: EventFacts) -> int | None:
    if event.resistance is not None:
        return event.resistance
    implied = v.SUBJECT_ACT_RESISTANCE.get(event.code)
    return int(implied) if implied is not None else None


def summarise(events: Iterable[EventFacts]) -> Summary:
    highest_force: int | None = None
    highest_resistance: int | None = None
    resistance_seen = False
    de_escalation = False
    de_escalation_before_force: bool | None = None
    supervisor = False
    subject_injured = officer_injured = False
    resolution = ""
    unexplained_force = 0
    for event in events:
        kind = event.kind
        if kind == v.EventKind.SUBJECT_BEHAVIOUR:
            level = event_resistance(event)
            if level is not None:
                resistance_seen = resistance_seen or level > v.Resistance.COMPLIANT
                highest_resistance = (
                    level if highest_resistance is None else max(highest_resistance, level)
                )
        elif kind == v.EventKind.FORCE:
            level = event_force_level(event)
            if level > v.ForceLevel.VERBAL:
                if de_escalation_before_force is None:
                    de_escalation_before_force = de_escalation
                if not resistance_seen:
                    unexplained_force += 1
            highest_force = level if highest_force is None else max(highest_force, level)
        elif event.code in v.DE_ESCALATION_TACTICS:
            de_escalation = True
        elif event.code == "request_supervisor":
            supervisor = True
        if kind == v.EventKind.INJURY:
            if event.code == "subject_injured":
                subject_injured = True
            elif event.code == "officer_injured":
                officer_injured = True
        elif kind == v.EventKind.RESOLUTION:
            resolution = event.code
    return Summary(
        force_used=highest_force is not None and highest_force > v.ForceLevel.VERBAL,
        highest_force_level=highest_force,
        highest_resistance=highest_resistance,
        de_escalation_attempted=de_escalation,
        de_escalation_before_force=de_escalation_before_force,
        supervisor_requested=supervisor,
        subject_injured=subject_injured,
        officer_injured=officer_injured,
        resolution=resolution,
        force_without_prior_resistance=unexplained_force,
    )
