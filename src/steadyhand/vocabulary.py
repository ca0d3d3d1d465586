"""The one controlled vocabulary of an encounter, shared by incidents, reviews and the simulator.

Pure Python (no Django), so that the simulator and the statistics can use it on their own.
``docs/vocabulary.md`` is rendered from this module (``steadyhand vocabulary_doc``) and a test
fails when the two disagree.

Resistance and force sit on one ordinal ladder (Alpert & Dunham's force factor; Terrill's
Resistance-Force Comparative Scale): ``force level - resistance level`` above zero means the
force used exceeded the resistance faced.
"""

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class EventKind(StrEnum):
    """What a timeline event is. Every event of an incident's timeline has exactly one kind."""

    ARRIVAL = "arrival"
    INFORMATION = "information"
    COMMUNICATION = "communication"
    COMMAND = "command"
    POSITIONING = "positioning"
    RESOURCE_REQUEST = "resource_request"
    SUBJECT_BEHAVIOUR = "subject_behaviour"
    FORCE = "force"
    INJURY = "injury"
    RESOLUTION = "resolution"


EVENT_KIND_LABELS: dict[EventKind, str] = {
    EventKind.ARRIVAL: "Arrival on scene",
    EventKind.INFORMATION: "Information gathered",
    EventKind.COMMUNICATION: "Communication tactic",
    EventKind.COMMAND: "Command or warning",
    EventKind.POSITIONING: "Distance, cover or team position",
    EventKind.RESOURCE_REQUEST: "Request for resources",
    EventKind.SUBJECT_BEHAVIOUR: "Subject behaviour",
    EventKind.FORCE: "Force application",
    EventKind.INJURY: "Injury",
    EventKind.RESOLUTION: "Resolution",
}

# Who may be the actor of each kind: a member, a subject, or either.
MEMBER_KINDS = frozenset(
    {
        EventKind.ARRIVAL,
        EventKind.INFORMATION,
        EventKind.COMMUNICATION,
        EventKind.COMMAND,
        EventKind.POSITIONING,
        EventKind.RESOURCE_REQUEST,
        EventKind.FORCE,
    }
)
SUBJECT_KINDS = frozenset({EventKind.SUBJECT_BEHAVIOUR})
EITHER_KINDS = frozenset({EventKind.INJURY, EventKind.RESOLUTION})


class Resistance(IntEnum):
    """The subject's resistance, lowest to highest."""

    COMPLIANT = 0
    VERBAL = 1  # verbal non-compliance, refusing commands
    PASSIVE = 2  # dead weight, not moving, holding on
    DEFENSIVE = 3  # pulling away, bracing, fleeing
    ACTIVE_AGGRESSION = 4  # striking, kicking, attacking without a deadly weapon
    DEADLY = 5  # attack, or imminent threat, with a weapon capable of deadly force


RESISTANCE_LABELS: dict[Resistance, str] = {
    Resistance.COMPLIANT: "Compliant",
    Resistance.VERBAL: "Verbal non-compliance",
    Resistance.PASSIVE: "Passive resistance",
    Resistance.DEFENSIVE: "Defensive resistance or flight",
    Resistance.ACTIVE_AGGRESSION: "Active aggression",
    Resistance.DEADLY: "Deadly-force threat",
}


class ForceLevel(IntEnum):
    """The force applied, on the same ladder as ``Resistance``."""

    NONE = 0  # presence and verbal direction only
    VERBAL = 1  # commands with a warning of force; pointing a weapon
    CONTROL = 2  # escort, control holds, handcuffing against resistance
    HARD_HANDS = 3  # takedowns, strikes, kicks
    INTERMEDIATE = 4  # OC spray, baton, conducted energy weapon, impact munitions, canine bite
    DEADLY = 5  # firearm discharge, neck restraint, vehicle ramming


FORCE_LEVEL_LABELS: dict[ForceLevel, str] = {
    ForceLevel.NONE: "No force (presence and verbal direction)",
    ForceLevel.VERBAL: "Threat or display of force",
    ForceLevel.CONTROL: "Control and restraint",
    ForceLevel.HARD_HANDS: "Hard empty-hand tactics",
    ForceLevel.INTERMEDIATE: "Intermediate weapons",
    ForceLevel.DEADLY: "Deadly force",
}


def force_factor(force: ForceLevel | int, resistance: Resistance | int) -> int:
    """Force level minus resistance level (Alpert & Dunham): above 0, force exceeded resistance."""
    return int(force) - int(resistance)


@dataclass(frozen=True)
class Term:
    """One code of the vocabulary: what it is called, what kind of event carries it."""

    code: str
    label: str
    kind: EventKind
    description: str
    # Force terms carry their default level; an agency mapping may override it per record.
    level: ForceLevel | None = None
    # True for the tactics the brief counts as de-escalation (distance, one voice, options, …).
    de_escalation: bool = False


def _terms(*terms: Term) -> dict[str, Term]:
    return {t.code: t for t in terms}


_C, _K, _P, _I, _R = (
    EventKind.COMMUNICATION,
    EventKind.COMMAND,
    EventKind.POSITIONING,
    EventKind.INFORMATION,
    EventKind.RESOURCE_REQUEST,
)

TACTICS: dict[str, Term] = _terms(
    # Communication: how the officer talks. Rho et al. (2023) and Camp et al. (2024): opening
    # with an introduction and a reason, not a command, is trainable and matters.
    Term("introduce_self", "Introduce self", _C, "Give name and agency.", de_escalation=True),
    Term(
        "explain_reason", "Explain the reason", _C, "Say why police are there.", de_escalation=True
    ),
    Term(
        "open_question",
        "Open question",
        _C,
        "Ask what is going on, in the person's words.",
        de_escalation=True,
    ),
    Term(
        "active_listening",
        "Active listening",
        _C,
        "Paraphrase, reflect feelings, let silences run.",
        de_escalation=True,
    ),
    Term(
        "empathy",
        "Empathy",
        _C,
        "Acknowledge the person's situation and feelings.",
        de_escalation=True,
    ),
    Term(
        "reassure",
        "Reassure",
        _C,
        "Express concern for safety; say no one wants anyone hurt.",
        de_escalation=True,
    ),
    Term(
        "offer_options",
        "Offer options",
        _C,
        "Give choices that all end safely.",
        de_escalation=True,
    ),
    # Commands: directives and warnings. Repeating the same directive is recorded as such,
    # because looping on one command is a known escalator (Sykes & Brent).
    Term("one_clear_directive", "One clear directive", _K, "A single, specific instruction."),
    Term("repeated_directive", "Repeated directive", _K, "The same instruction again."),
    Term("force_warning", "Warning of force", _K, "Warn that force will be used if …"),
    Term("threat", "Threat", _K, "Threaten consequences without a tactical purpose."),
    # Positioning: distance + cover = time.
    Term(
        "create_distance",
        "Create distance",
        _P,
        "Move back out of reach or trigger distance.",
        de_escalation=True,
    ),
    Term(
        "take_cover",
        "Take cover",
        _P,
        "Put an object between officer and threat.",
        de_escalation=True,
    ),
    Term(
        "tactical_pause",
        "Tactical pause",
        _P,
        "Stop, hold position and let time pass.",
        de_escalation=True,
    ),
    Term(
        "designate_one_voice",
        "Designate one voice",
        _P,
        "One officer communicates; the others stay quiet.",
        de_escalation=True,
    ),
    Term(
        "contain",
        "Contain",
        _P,
        "Set a perimeter so the person cannot leave or reach others.",
        de_escalation=True,
    ),
    Term("approach", "Approach", _P, "Close distance with the person."),
    # Information: Fridell & Binder found the information exchange may be the critical phase.
    Term("ask_dispatch", "Ask dispatch", _I, "History of the address, the caller, prior calls."),
    Term("ask_family", "Ask family or witnesses", _I, "What the people on scene know."),
    Term("observe", "Observe and assess", _I, "Look for weapons, crisis cues, bystanders."),
    # Resources.
    Term(
        "request_crisis_team",
        "Request crisis team",
        _R,
        "Mental-health co-responders or CIT.",
        de_escalation=True,
    ),
    Term("request_supervisor", "Request supervisor", _R, "Ask a supervisor to come."),
    Term("request_less_lethal", "Request less-lethal", _R, "Ask for a less-lethal option."),
    Term("request_backup", "Request backup", _R, "Ask for more officers."),
    Term("request_ems", "Request EMS", _R, "Ask for medical help."),
    Term(
        "request_interpreter",
        "Request interpreter",
        _R,
        "Sign-language or language interpreter.",
        de_escalation=True,
    ),
)

_F = EventKind.FORCE
FORCE_TYPES: dict[str, Term] = _terms(
    Term(
        "point_weapon",
        "Pointing a weapon",
        _F,
        "Firearm or CEW aimed at the person.",
        ForceLevel.VERBAL,
    ),
    Term(
        "escort",
        "Escort / guiding",
        _F,
        "Guiding by the arm against mild resistance.",
        ForceLevel.CONTROL,
    ),
    Term(
        "control_hold",
        "Control hold",
        _F,
        "Joint lock, wrist lock, pressure point.",
        ForceLevel.CONTROL,
    ),
    Term(
        "handcuff_resisting",
        "Handcuffing a resisting person",
        _F,
        "Restraint applied against resistance.",
        ForceLevel.CONTROL,
    ),
    Term("takedown", "Takedown", _F, "Taking the person to the ground.", ForceLevel.HARD_HANDS),
    Term(
        "strike", "Strike or kick", _F, "Punch, kick, knee or elbow strike.", ForceLevel.HARD_HANDS
    ),
    Term(
        "oc_spray", "OC spray", _F, "Pepper spray or other chemical agent.", ForceLevel.INTERMEDIATE
    ),
    Term(
        "baton",
        "Baton or impact weapon",
        _F,
        "Strike with a baton or similar.",
        ForceLevel.INTERMEDIATE,
    ),
    Term(
        "cew",
        "Conducted energy weapon",
        _F,
        "Taser: probe deployment or drive stun.",
        ForceLevel.INTERMEDIATE,
    ),
    Term(
        "impact_munition",
        "Impact munition",
        _F,
        "Bean bag, foam or rubber round.",
        ForceLevel.INTERMEDIATE,
    ),
    Term("canine", "Canine", _F, "Police dog apprehension or bite.", ForceLevel.INTERMEDIATE),
    Term(
        "neck_restraint",
        "Neck restraint",
        _F,
        "Any restraint applied to the neck.",
        ForceLevel.DEADLY,
    ),
    Term("vehicle", "Vehicle", _F, "Use of a vehicle against the person.", ForceLevel.DEADLY),
    Term(
        "firearm_discharge",
        "Firearm discharge",
        _F,
        "Firearm fired at the person.",
        ForceLevel.DEADLY,
    ),
    Term("other_force", "Other force", _F, "Force not listed above.", ForceLevel.CONTROL),
)

_S = EventKind.SUBJECT_BEHAVIOUR
SUBJECT_ACTS: dict[str, Term] = _terms(
    Term("complies", "Complies", _S, "Does what was asked."),
    Term("talks", "Talks, engages", _S, "Answers, explains, engages with the officer."),
    Term("silent", "Silent, withdrawn", _S, "Does not respond."),
    Term("verbal_refusal", "Refuses verbally", _S, "Says no, argues, shouts."),
    Term("threatens", "Threatens", _S, "Threatens officers, others or self."),
    Term("passive_resistance", "Resists passively", _S, "Dead weight, holds on, will not move."),
    Term("pulls_away", "Pulls away, braces", _S, "Defensive resistance."),
    Term("flees", "Flees", _S, "Runs or tries to leave."),
    Term("advances", "Advances on officer", _S, "Closes the distance aggressively."),
    Term("assaults", "Assaults", _S, "Strikes, kicks, bites or grabs an officer or person."),
    Term("displays_weapon", "Displays a weapon", _S, "Shows or brandishes a weapon."),
    Term("drops_weapon", "Drops the weapon", _S, "Puts the weapon down."),
    Term("attacks_with_weapon", "Attacks with a weapon", _S, "Uses a weapon against someone."),
    Term("self_harm", "Self-harm", _S, "Harms or tries to harm themself."),
)

# The lowest resistance each subject act implies, so that a timeline carries a resistance level
# even when the reporter only chose the act.
SUBJECT_ACT_RESISTANCE: dict[str, Resistance] = {
    "complies": Resistance.COMPLIANT,
    "talks": Resistance.COMPLIANT,
    "silent": Resistance.VERBAL,
    "verbal_refusal": Resistance.VERBAL,
    "threatens": Resistance.VERBAL,
    "passive_resistance": Resistance.PASSIVE,
    "pulls_away": Resistance.DEFENSIVE,
    "flees": Resistance.DEFENSIVE,
    "advances": Resistance.ACTIVE_AGGRESSION,
    "assaults": Resistance.ACTIVE_AGGRESSION,
    "displays_weapon": Resistance.DEADLY,
    "drops_weapon": Resistance.VERBAL,
    "attacks_with_weapon": Resistance.DEADLY,
    "self_harm": Resistance.PASSIVE,
}

_A = EventKind.ARRIVAL
_J = EventKind.INJURY
_E = EventKind.RESOLUTION
OTHER_TERMS: dict[str, Term] = _terms(
    Term("arrives", "Arrives on scene", _A, "A member arrives."),
    Term("subject_injured", "Subject injured", _J, "The subject is injured."),
    Term("officer_injured", "Officer injured", _J, "A member is injured."),
    Term("third_party_injured", "Bystander injured", _J, "Someone else is injured."),
)

RESOLUTIONS: dict[str, Term] = _terms(
    Term("voluntary_compliance", "Voluntary compliance", _E, "Ended by agreement, no custody."),
    Term("custody_without_force", "Custody without force", _E, "Arrested or detained, no force."),
    Term("custody_with_force", "Custody after force", _E, "Arrested or detained after force."),
    Term(
        "transported_for_care",
        "Transported for care",
        _E,
        "Taken to hospital or crisis care, voluntarily or on a hold.",
    ),
    Term(
        "handed_to_specialists",
        "Handed to specialists",
        _E,
        "Stabilised until a crisis team or supervisor took over.",
    ),
    Term("subject_left", "Subject left", _E, "The person left; no grounds to detain."),
    Term("subject_fled", "Subject fled", _E, "The person escaped custody or pursuit."),
    Term("referred", "Referred", _E, "Referred to services; no further action."),
    Term("other_resolution", "Other", _E, "Anything else; describe it."),
)

ALL_TERMS: dict[str, Term] = {
    **TACTICS,
    **FORCE_TYPES,
    **SUBJECT_ACTS,
    **OTHER_TERMS,
    **RESOLUTIONS,
}
DE_ESCALATION_TACTICS = frozenset(code for code, t in TACTICS.items() if t.de_escalation)


def term(code: str) -> Term:
    """The term for ``code``; ``KeyError`` names the unknown code."""
    try:
        return ALL_TERMS[code]
    except KeyError:
        raise KeyError(f"{code!r} is not in the vocabulary (docs/vocabulary.md)") from None


def codes_for(kind: EventKind) -> list[str]:
    return [code for code, t in ALL_TERMS.items() if t.kind == kind]


# --- The people ---------------------------------------------------------------------------

# The FBI National Use-of-Force Data Collection's categories, so exports need no re-coding.
RACES = {
    "american_indian": "American Indian or Alaska Native",
    "asian": "Asian",
    "black": "Black or African American",
    "pacific_islander": "Native Hawaiian or Other Pacific Islander",
    "white": "White",
    "other": "Other or more than one race",
    "unknown": "Unknown",
}
ETHNICITIES = {
    "hispanic": "Hispanic or Latino",
    "not_hispanic": "Not Hispanic",
    "unknown": "Unknown",
}
SEXES = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Unknown"}
AGE_BANDS = {
    "under_18": "Under 18",
    "18_24": "18-24",
    "25_34": "25-34",
    "35_44": "35-44",
    "45_54": "45-54",
    "55_64": "55-64",
    "65_plus": "65 and over",
    "unknown": "Unknown",
}


def age_band(age: int | None) -> str:
    """The age band of an age in years (``unknown`` for None or an impossible age)."""
    if age is None or age < 0 or age > 120:
        return "unknown"
    if age < 18:
        return "under_18"
    if age >= 65:
        return "65_plus"
    for low, high in ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64)):
        if low <= age <= high:
            return f"{low}_{high}"
    raise AssertionError(age)  # pragma: no cover - the bands cover 18..64


INDICATORS = {
    "mental_health_crisis": "Mental-health crisis",
    "substance_use": "Under the influence of alcohol or drugs",
    "disability": "Physical or intellectual disability",
    "language_barrier": "Language barrier or deaf / hard of hearing",
}
ARMED_WITH = {
    "none": "Unarmed",
    "edged": "Knife or edged weapon",
    "firearm": "Firearm",
    "blunt": "Blunt object",
    "vehicle": "Vehicle",
    "other": "Other weapon",
    "unknown": "Unknown",
}
ROLES_ON_SCENE = {
    "primary": "Primary officer",
    "cover": "Cover / backup officer",
    "supervisor": "Supervisor on scene",
    "crisis": "Crisis intervention officer",
    "witness": "Witness officer",
}
CONTACT_TYPES = {"dispatched": "Dispatched call", "self_initiated": "Self-initiated"}
INJURY_SEVERITIES = {
    "none": "None",
    "complaint": "Complaint of pain, no visible injury",
    "minor": "Minor, treated on scene",
    "treated": "Treated at a medical facility",
    "hospitalised": "Admitted to hospital",
    "fatal": "Fatal",
}

# --- The Critical Decision-Making Model (PERF ICAT), for reviews and the simulator ---------


class CdmStep(StrEnum):
    COLLECT_INFORMATION = "collect_information"
    ASSESS = "assess"
    POWERS_AND_POLICY = "powers_and_policy"
    OPTIONS = "options"
    ACT_REVIEW = "act_review"


CDM_LABELS: dict[CdmStep, str] = {
    CdmStep.COLLECT_INFORMATION: "1. Collect information",
    CdmStep.ASSESS: "2. Assess situation, threats and risks",
    CdmStep.POWERS_AND_POLICY: "3. Consider police powers and agency policy",
    CdmStep.OPTIONS: "4. Identify options and determine the best course of action",
    CdmStep.ACT_REVIEW: "5. Act, review and re-assess",
}

# The CDM step each kind of event most naturally belongs to (a reviewer may choose another).
CDM_STEP_OF_KIND: dict[EventKind, CdmStep] = {
    EventKind.ARRIVAL: CdmStep.COLLECT_INFORMATION,
    EventKind.INFORMATION: CdmStep.COLLECT_INFORMATION,
    EventKind.SUBJECT_BEHAVIOUR: CdmStep.ASSESS,
    EventKind.RESOURCE_REQUEST: CdmStep.OPTIONS,
    EventKind.POSITIONING: CdmStep.OPTIONS,
    EventKind.COMMUNICATION: CdmStep.ACT_REVIEW,
    EventKind.COMMAND: CdmStep.ACT_REVIEW,
    EventKind.FORCE: CdmStep.ACT_REVIEW,
    EventKind.INJURY: CdmStep.ACT_REVIEW,
    EventKind.RESOLUTION: CdmStep.ACT_REVIEW,
}

# --- Complaints ---------------------------------------------------------------------------

ALLEGATION_CATEGORIES = {
    "excessive_force": "Excessive force",
    "failure_to_intervene": "Failure to intervene",
    "discourtesy": "Discourtesy or language",
    "bias": "Bias or discrimination",
    "improper_search_or_arrest": "Improper stop, search or arrest",
    "failure_to_provide_service": "Failure to provide service",
    "property": "Property or evidence",
    "conduct_unbecoming": "Conduct unbecoming",
    "operations": "Operations, procedure or reporting",
    "other": "Other",
}
FINDINGS = {
    "pending": "Pending",
    "sustained": "Sustained",
    "not_sustained": "Not sustained",
    "exonerated": "Exonerated",
    "unfounded": "Unfounded",
    "withdrawn": "Withdrawn or closed without finding",
}
COMPLAINT_CHANNELS = {
    "public_form": "Public web form",
    "phone": "Telephone",
    "in_person": "In person",
    "email": "Email or letter",
    "internal": "Internal (raised by a member)",
    "imported": "Imported",
}
