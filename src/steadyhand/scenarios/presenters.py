"""Shape engine output for the templates: actions grouped by kind, the debrief by CDM step.

Pure functions of the engine's objects and stored dicts; no database, no permissions.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steadyhand.simulator import ActionOption, TurnResult
from steadyhand.vocabulary import CDM_LABELS, EVENT_KIND_LABELS, CdmStep, EventKind


@dataclass(frozen=True)
class ActionGroup:
    kind: str
    label: str
    options: list[ActionOption] = field(default_factory=list)


def group_actions(options: Sequence[ActionOption]) -> list[ActionGroup]:
    """Actions by vocabulary kind, groups in order of first appearance (the engine's order)."""
    groups: dict[str, ActionGroup] = {}
    for option in options:
        if option.group not in groups:
            try:
                label = EVENT_KIND_LABELS[EventKind(option.group)]
            except ValueError:
                label = option.group.replace("_", " ").capitalize()
            groups[option.group] = ActionGroup(option.group, label)
        groups[option.group].options.append(option)
    return list(groups.values())


def latest_results(results: Sequence[TurnResult]) -> list[TurnResult]:
    """What the last POST produced: the trainee's last action with the trainer events applied
    just before it (or, when an event interrupted the turn, the trailing events alone)."""
    end = len(results)
    start = end - 1 if end and results[-1].kind == "action" else end
    while start > 0 and results[start - 1].kind == "event":
        start -= 1
    return list(results[start:end])


def minutes(seconds: float | int | None) -> str:
    """``m:ss`` of the scene clock."""
    total = round(float(seconds or 0))
    return f"{total // 60}:{total % 60:02d}"


def percent(p: Any) -> str:
    return "—" if p is None else f"{float(p) * 100:.0f}%"


def points(delta: Any) -> str:
    """A change in probability in percentage points, signed."""
    if delta is None:
        return "—"
    value = float(delta) * 100
    return f"{value:+.0f} points"


@dataclass(frozen=True)
class StepSection:
    step: str
    label: str
    items: list[dict[str, Any]]
    decision_points: list[dict[str, Any]]


def _met_text(met: Any) -> str:
    if met is True:
        return "Done"
    if met is False:
        return "Not done"
    return "Not applicable"


def decision_point_rows(score: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for dp in score.get("decision_points") or ():
        rows.append(
            {
                **dp,
                "step_number": int(dp.get("turn", 0)) + 1,
                "p_force_chosen_text": percent(dp.get("p_force_chosen")),
                "p_force_alternative_text": percent(dp.get("p_force_alternative")),
                "delta_force_text": points(dp.get("delta_force")),
                "p_resolution_chosen_text": percent(dp.get("p_resolution_chosen")),
                "p_resolution_alternative_text": percent(dp.get("p_resolution_alternative")),
                "delta_resolution_text": points(dp.get("delta_resolution")),
            }
        )
    return rows


def debrief_sections(score: Mapping[str, Any]) -> list[StepSection]:
    """The rubric and decision points under the five CDM steps, in the model's order."""
    by_step: Mapping[str, Any] = score.get("by_step") or {}
    points_by_step: dict[str, list[dict[str, Any]]] = {}
    for row in decision_point_rows(score):
        points_by_step.setdefault(str(row.get("cdm_step", "")), []).append(row)
    sections = []
    for step in CdmStep:
        entry = by_step.get(step.value) or {}
        # {"label", "items", "decision_points"} per step; a bare list of items is accepted too.
        raw = entry.get("items", ()) if isinstance(entry, Mapping) else entry
        items = [
            {**item, "met_text": _met_text(item.get("met")),
             "step_numbers": [int(t) + 1 for t in item.get("turns") or ()]}
            for item in raw
        ]  # fmt: skip
        dps = points_by_step.get(step.value, [])
        sections.append(StepSection(step.value, CDM_LABELS[step], items, dps))
    return sections


def score_rows(score: Mapping[str, Any]) -> list[tuple[str, Any]]:
    labels = {"outcome": "Outcome", "tactics": "Tactics", "cdm_process": "Decision-making process"}
    scores: Mapping[str, Any] = score.get("scores") or {}
    return [(labels.get(key, key.replace("_", " ").capitalize()), value)
            for key, value in scores.items()]  # fmt: skip
