"""What policy asks of a report before it is submitted, checked against the timeline.

Shown on the review step as a list of things still to do, and enforced by ``incident_submit``
(which refuses with the same messages). Each problem names the step where it is fixed and, for
the timeline, the event by its number, so that an officer can go straight to it.
"""

from dataclasses import dataclass

from steadyhand import vocabulary as v
from steadyhand.incidents.models import Incident, TimelineEvent
from steadyhand.incidents.summary import EventFacts, Summary, event_resistance, summarise

PEOPLE, TIMELINE, OUTCOMES = "people", "timeline", "outcomes"


@dataclass(frozen=True)
class Problem:
    field: str  # the field (or prompt) that must change
    step: str  # the report step where it is fixed
    message: str


def format_offset(seconds: int | None) -> str:
    """``m:ss`` (or ``h:mm:ss``) after first contact; empty when unknown."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def facts_of(event: TimelineEvent) -> EventFacts:
    return EventFacts(
        kind=event.kind,
        code=event.code,
        resistance=event.resistance,
        force_level=event.force_level,
        by_member=event.actor_involvement_id is not None,
    )


def summary_of(events: list[TimelineEvent]) -> Summary:
    return summarise(facts_of(e) for e in events)


def _name(position: int, event: TimelineEvent) -> str:
    when = format_offset(event.offset_seconds)
    return f"event {position} ({event.label}{', at ' + when if when else ''})"


def timeline_problems(events: list[TimelineEvent]) -> list[Problem]:
    """Arrival recorded; a resistance level before each force application; an ending."""
    problems: list[Problem] = []
    kinds = {e.kind for e in events}
    if v.EventKind.ARRIVAL not in kinds:
        problems.append(
            Problem(
                "timeline",
                TIMELINE,
                "The timeline has no arrival: add “Arrives on scene” as the first contact.",
            )
        )
    # The subjects whose resistance level has been recorded so far, in timeline order.
    resistance_recorded: set[int | None] = set()
    for position, event in enumerate(events, start=1):
        facts = facts_of(event)
        if event.kind == v.EventKind.SUBJECT_BEHAVIOUR and event_resistance(facts) is not None:
            resistance_recorded.add(event.actor_subject_id)
        elif event.kind == v.EventKind.FORCE and event.target_subject_id not in (
            resistance_recorded
        ):
            who = f"subject {event.target_subject.ordinal}" if event.target_subject else "them"
            problems.append(
                Problem(
                    "timeline",
                    TIMELINE,
                    f"Policy asks for the subject's resistance before each use of force: "
                    f"{_name(position, event)} has no behaviour of {who} before "
                    "it. Add what the subject was doing (a “Subject behaviour” event) "
                    "earlier in the timeline.",
                )
            )
    if v.EventKind.RESOLUTION not in kinds:
        problems.append(
            Problem(
                "timeline",
                TIMELINE,
                "The timeline does not say how the encounter ended: add a “Resolution” event.",
            )
        )
    return problems


def report_problems(incident: Incident) -> list[Problem]:
    """Everything that stops ``incident`` from being submitted, in the order of the steps."""
    problems: list[Problem] = []
    if not incident.subjects.exists():
        problems.append(
            Problem("subjects", PEOPLE, "Add the person (subject) the encounter was with.")
        )
    events = list(
        incident.events.select_related("target_subject").order_by("sequence")  # for _name
    )
    problems.extend(timeline_problems(events))
    summary = summary_of(events)
    tactics = [_name(position, e) for position, e in enumerate(events, 1) if e.is_de_escalation]
    if incident.de_escalation_attempted is None:
        problems.append(
            Problem(
                "de_escalation_attempted",
                OUTCOMES,
                "Answer whether de-escalation was attempted.",
            )
        )
    elif incident.de_escalation_attempted and not tactics:
        problems.append(
            Problem(
                "de_escalation_attempted",
                OUTCOMES,
                "You answered that de-escalation was attempted, but the timeline has no "
                "de-escalation tactic; add what was tried (e.g. “Create distance”, "
                "“Introduce self”) to the timeline, or change the answer.",
            )
        )
    elif not incident.de_escalation_attempted and tactics:
        problems.append(
            Problem(
                "de_escalation_attempted",
                OUTCOMES,
                f"You answered that de-escalation was not attempted, but {tactics[0]} is a "
                "de-escalation tactic; change the answer, or the event.",
            )
        )
    if summary.force_used and incident.supervisor_notified is None:
        problems.append(
            Problem(
                "supervisor_notified",
                OUTCOMES,
                "Force was used: answer whether a supervisor was notified.",
            )
        )
    return problems
