"""Turn a closed after-action review into a draft simulator scenario (TOML text).

A trainer starts a new scenario from a real encounter, but the scenario will be played by every
trainee, so the draft is written only from de-identified facts: the call type (kept only when it
passes the case library's de-identification check), the subjects' indicators and weapons, and the
sequence of event kinds and codes with the review's decision points and alternatives. Names,
badges, case numbers, places and dates are never read into the text.

The numbers (persona, acts, facts, resources, line bank) are copied verbatim from the closest
bundled scenario, so the draft loads in the simulator as it is; the recorded sequence and the
review's alternatives go in as comments, a to-do list for the author who tunes it.
"""

import json
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from steadyhand import vocabulary as v
from steadyhand.aar.deidentify import KnownIdentifiers, find_problems
from steadyhand.aar.models import AfterActionReview, EventNote
from steadyhand.incidents.models import Subject, TimelineEvent
from steadyhand.simulator.scenario import SCENARIO_DIR

DEFAULT_TEMPLATE = "knife_crisis"


@dataclass(frozen=True)
class StepFact:
    """One timeline event as the draft may show it: vocabulary codes only, no free text."""

    kind: str
    code: str
    decision_point: bool = False
    cdm_step: str = ""
    alternative_tactic: str = ""
    alternative_text: str = ""  # the review's own words, only if they passed the check


@dataclass(frozen=True)
class DraftFacts:
    call_type: str  # "" when missing or refused by the de-identification check
    contact_type: str
    indicators: tuple[str, ...]
    armed_with: tuple[str, ...]  # ARMED_WITH codes other than "none", in vocabulary order
    subjects: int
    steps: tuple[StepFact, ...]


def choose_template(indicators: Iterable[str], armed_with: Iterable[str]) -> str:
    """The bundled scenario closest to the encounter (its numbers are the draft's)."""
    found = set(indicators)
    armed = set(armed_with) - {"none", "unknown"}
    if "mental_health_crisis" in found:
        return "knife_crisis" if armed else "suicidal_bridge"
    if "language_barrier" in found:
        return "deaf_cyclist"
    if "disability" in found:
        return "intellectual_disability"
    if "substance_use" in found:
        return "intoxicated_bar"
    if armed:
        return "two_officer_driveway"
    return DEFAULT_TEMPLATE


def gather_facts(aar: AfterActionReview, known: KnownIdentifiers) -> DraftFacts:
    """The de-identified facts of ``aar``'s incident; free text only where it passes the check."""
    incident = aar.incident
    subjects = list(Subject.objects.filter(incident_id=incident.pk))
    indicators = tuple(code for code in v.INDICATORS if any(code in s.indicators for s in subjects))
    armed = tuple(
        code
        for code in v.ARMED_WITH
        if code != "none" and any(s.armed_with == code for s in subjects)
    )
    notes = {n.event_id: n for n in EventNote.objects.filter(aar_id=aar.pk)}
    steps = []
    for event in TimelineEvent.objects.filter(incident_id=incident.pk).order_by("sequence"):
        note = notes.get(event.pk)
        alternative_text = ""
        if note and note.alternative.strip() and not find_problems(note.alternative, known):
            alternative_text = " ".join(note.alternative.split())
        steps.append(
            StepFact(
                kind=event.kind,
                code=event.code,
                decision_point=bool(note and note.decision_point),
                cdm_step=note.cdm_step if note else "",
                alternative_tactic=note.alternative_tactic if note else "",
                alternative_text=alternative_text,
            )
        )
    call_type = " ".join(incident.call_type.split())
    if call_type and find_problems(call_type, known):
        call_type = ""
    return DraftFacts(
        call_type=call_type,
        contact_type=incident.contact_type,
        indicators=indicators,
        armed_with=armed,
        subjects=len(subjects),
        steps=tuple(steps),
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _describe_subject(facts: DraftFacts) -> str:
    who = "a person" if facts.subjects <= 1 else f"{facts.subjects} people"
    parts = [_lower_first(v.INDICATORS[code]) for code in facts.indicators]
    if facts.armed_with:
        parts.append(
            "armed: " + ", ".join(_lower_first(v.ARMED_WITH[code]) for code in facts.armed_with)
        )
    return who + (" (" + "; ".join(parts) + ")" if parts else "")


def header_texts(facts: DraftFacts) -> dict[str, str]:
    """Title, summary and briefing of the draft: the parts the de-identification check reads."""
    call = facts.call_type or v.CONTACT_TYPES.get(facts.contact_type, "Call for service")
    subject = _describe_subject(facts)
    title = f"Draft: {call}"[:120]
    summary = f"{call}, involving {subject}. Drafted from a closed after-action review."
    briefing = "\n".join(
        [
            f"{call}. On scene you find {subject}.",
            "DRAFT: the author writes the dispatch information the trainee hears before",
            "the first move here.",
        ]
    )
    return {"title": title, "summary": summary, "briefing": briefing}


def _step_comment(index: int, step: StepFact) -> list[str]:
    kind = v.EVENT_KIND_LABELS.get(v.EventKind(step.kind), step.kind)
    term = v.ALL_TERMS.get(step.code)
    line = f"#   move {index}: {kind}: {term.label if term else step.code}"
    if not step.decision_point:
        return [line]
    lines = [line + "  <- decision point"]
    if step.cdm_step:
        lines.append(f"#       CDM step: {v.CDM_LABELS[v.CdmStep(step.cdm_step)]}")
    alternative = v.TACTICS.get(step.alternative_tactic)
    if alternative:
        lines.append(f"#       alternative the review named: {alternative.label}")
    if step.alternative_text:
        lines.append(f"#       the review's words: {step.alternative_text}")
    return lines


def hint_comments(facts: DraftFacts, template: str) -> list[str]:
    """Comments for the author: where the numbers come from, what happened, what to tune."""
    lines = [
        "# DRAFT scenario from a closed after-action review. De-identified: no names, badges,",
        "# case numbers, places or dates. Review every line before adding it to the library.",
        f"# Numbers, facts, resources and the line bank are copied from '{template}'.",
        "# Rewrite them so the person behaves as in the recorded encounter, then run",
        "# `steadyhand lint_scenarios` (the id must match the file name).",
    ]
    if facts.armed_with:
        weapons = ", ".join(v.ARMED_WITH[code] for code in facts.armed_with)
        lines.append(f"# Recorded weapon: {weapons} (check armed_with, weapon and the lines).")
    if facts.steps:
        lines.append("# Recorded sequence (vocabulary codes only):")
        for i, step in enumerate(facts.steps, start=1):
            lines.extend(_step_comment(i, step))
    else:
        lines.append("# The incident recorded no timeline events.")
    return lines


def _toml_value(value: object) -> str:
    """A TOML literal for the scalar and list values of a scenario's top-level keys."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _multiline(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"""\n{escaped}\n"""'


def _template_parts(template: str) -> tuple[dict[str, object], str]:
    """A bundled scenario's top-level keys (parsed) and its tables (verbatim text)."""
    text = (SCENARIO_DIR / f"{template}.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("["))
    head = tomllib.loads("\n".join(lines[:start]))
    return head, "\n".join(lines[start:]) + "\n"


def render_toml(
    *, scenario_id: str, facts: DraftFacts, texts: dict[str, str], template: str
) -> str:
    head, tables = _template_parts(template)
    out: list[str] = [*hint_comments(facts, template), ""]
    out.append(f"id = {_toml_value(scenario_id)}")
    out.append(f"title = {_toml_value(texts['title'])}")
    out.append(f"summary = {_toml_value(texts['summary'])}")
    out.append(f"briefing = {_multiline(texts['briefing'])}")
    for key, value in head.items():
        if key in ("id", "title", "summary", "briefing"):
            continue
        if key == "indicators" and facts.indicators:
            value = list(facts.indicators)
        out.append(f"{key} = {_toml_value(value)}")
    out.append("")
    return "\n".join(out) + "\n" + tables


def draft_id(aar: AfterActionReview) -> str:
    """The draft's scenario id, which is also its download's file name (without ``.toml``)."""
    return f"draft-{aar.pk}"


def draft_scenario_toml(aar: AfterActionReview, known: KnownIdentifiers | None = None) -> str:
    """The draft scenario of a closed review (no permission check: see ``scenario_services``).

    ``known`` are the identifiers the check refuses; without it only the shape checks apply
    (addresses, badge-like numbers, dates) — the service always passes the agency's.
    """
    known = known or KnownIdentifiers()
    facts = gather_facts(aar, known)
    template = choose_template(facts.indicators, facts.armed_with)
    texts = header_texts(facts)
    return render_toml(scenario_id=draft_id(aar), facts=facts, texts=texts, template=template)


def checked_texts(aar: AfterActionReview, known: KnownIdentifiers) -> Sequence[str]:
    """The generated parts of the draft, for the final de-identification check."""
    facts = gather_facts(aar, known)
    return [
        *header_texts(facts).values(),
        "\n".join(hint_comments(facts, choose_template(facts.indicators, facts.armed_with))),
    ]
