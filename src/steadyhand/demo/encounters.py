"""The demo's encounters on paper: who met whom, when, and what happened, second by second.

Pure (no database): ``simulate_encounters`` takes the patrol squads (their members, busyness and
the day their roll-out wave started) and a seed, and returns every encounter with its subjects
and timeline. ``incident_history.py`` writes them through bulk inserts.

The model, in the order it is drawn:

- **How many.** Each patrol officer's encounters in a month are Poisson with mean
  ``ENCOUNTERS_PER_OFFICER_MONTH`` × the squad's busyness (its shift and a per-squad draw) ×
  the season. Detectives, supervisors and academy staff are never the primary officer.
- **What.** A call type (``CALL_TYPES``), a beat of the precinct (a few hot beats get more
  calls and a little more force), one or two subjects with demographics and indicators.
- **Force.** The probability of force is the call type's base rate × the subject's indicators ×
  the beat × the officer's own propensity, × ``TRAINED_FORCE_RATIO`` (0.72) when the officer's
  squad has been trained. Training does not change how many encounters there are, so force per
  officer-month falls by the same 28%: the planted effect the evaluation should recover.
- **Injuries** happen only in force incidents; given force, their probability is multiplied for
  trained officers so that injuries per officer-month fall by 26% (subjects) and 36% (officers),
  the Louisville ICAT figures. The force level's distribution does not depend on training.
- **Timeline.** Trained officers designate one voice, create distance and use open questions and
  empathy more often; every force application is preceded by a subject-behaviour event with a
  resistance level, and its level comes from the vocabulary.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo

import numpy as np

from steadyhand import vocabulary as v

ENCOUNTERS_PER_OFFICER_MONTH = 3.6
TRAINED_FORCE_RATIO = 0.72  # Louisville ICAT: 28% fewer uses of force
TRAINED_SUBJECT_INJURY_RATIO = 0.74  # 26% fewer citizen injuries
TRAINED_OFFICER_INJURY_RATIO = 0.64  # 36% fewer officer injuries
FORCE_SCALE = 1.2  # calibrates the untrained force rate to about 7% of encounters
HOT_BEAT_CALLS = 3.0
HOT_BEAT_FORCE = 1.25
BEATS_PER_PRECINCT = 8
HOT_BEATS_PER_PRECINCT = 2
# Busyness by shift (squads take the day, evening and night shifts in turn).
# (name, busyness, hour the shift ends)
SHIFTS: tuple[tuple[str, float, int], ...] = (
    ("day", 0.8, 15), ("evening", 1.25, 23), ("night", 1.0, 31),
)  # fmt: skip


@dataclass(frozen=True)
class CallType:
    label: str
    share: float
    force: float  # base probability of force, before indicators and training
    self_initiated: float  # share of these contacts that officers start themselves
    mental_health: float  # probability the (first) subject is in a mental-health crisis
    two_subjects: float


CALL_TYPES: dict[str, CallType] = {
    "traffic": CallType("Traffic stop", 0.20, 0.012, 0.9, 0.02, 0.10),
    "disturbance": CallType("Disturbance", 0.15, 0.05, 0.2, 0.08, 0.30),
    "domestic": CallType("Domestic disturbance", 0.12, 0.06, 0.0, 0.08, 0.35),
    "theft": CallType("Theft or shoplifting", 0.11, 0.035, 0.1, 0.04, 0.10),
    "suspicious": CallType("Suspicious person", 0.11, 0.04, 0.6, 0.10, 0.10),
    "welfare": CallType("Welfare check", 0.09, 0.02, 0.1, 0.35, 0.05),
    "mental_health": CallType("Mental-health crisis", 0.09, 0.07, 0.0, 0.90, 0.05),
    "assault": CallType("Assault in progress", 0.06, 0.09, 0.05, 0.06, 0.30),
    "trespass": CallType("Trespass", 0.07, 0.03, 0.3, 0.12, 0.10),
}

RACE_SHARES = {"white": 0.46, "black": 0.33, "asian": 0.05, "american_indian": 0.01,
               "pacific_islander": 0.01, "other": 0.04, "unknown": 0.10}  # fmt: skip
AGE_SHARES = {"under_18": 0.06, "18_24": 0.20, "25_34": 0.30, "35_44": 0.20, "45_54": 0.13,
              "55_64": 0.07, "65_plus": 0.03, "unknown": 0.01}  # fmt: skip
ARMED_SHARES = {"none": 0.88, "edged": 0.04, "firearm": 0.02, "blunt": 0.02, "vehicle": 0.01,
                "other": 0.01, "unknown": 0.02}  # fmt: skip
ARMED_FORCE = {"none": 1.0, "edged": 2.2, "firearm": 2.5, "blunt": 1.8, "vehicle": 1.5,
               "other": 1.5, "unknown": 1.2}  # fmt: skip

# Force types by the level of resistance that preceded them: (code, weight). Levels come from
# the vocabulary; a few applications exceed the resistance (force factor > 0) for reviews to find.
FORCE_BY_RESISTANCE: dict[int, tuple[tuple[str, float], ...]] = {
    v.Resistance.PASSIVE: (("escort", 3), ("control_hold", 3), ("handcuff_resisting", 4),
                           ("takedown", 0.6)),
    v.Resistance.DEFENSIVE: (("control_hold", 3), ("handcuff_resisting", 4), ("takedown", 3),
                             ("cew", 0.8), ("oc_spray", 0.4)),
    v.Resistance.ACTIVE_AGGRESSION: (("handcuff_resisting", 2), ("takedown", 3), ("strike", 1.5),
                                     ("cew", 2), ("oc_spray", 1), ("baton", 0.3)),
    v.Resistance.DEADLY: (("takedown", 1), ("cew", 3), ("impact_munition", 0.6),
                          ("canine", 0.3), ("firearm_discharge", 0.25)),
}  # fmt: skip
EK = v.EventKind
SUBJECT_INJURY_BY_LEVEL = {2: 0.12, 3: 0.35, 4: 0.45, 5: 0.85}
OFFICER_INJURY = {"assaulted": 0.30, "other": 0.08}


@dataclass(frozen=True)
class SquadInfo:
    """A patrol squad as the simulation needs it."""

    unit_id: int
    code: str
    district: str  # the precinct's name
    precinct_code: str
    officer_ids: tuple[int, ...]  # who can be the primary officer
    sergeant_ids: tuple[int, ...]
    hired: dict[int, date]  # member id → hire date (no encounters before it)
    trained_from: date | None  # the first day of the squad's roll-out wave
    shift_index: int


@dataclass(frozen=True)
class Event:
    kind: str
    code: str
    offset: int
    member: int | None = None  # index into the encounter's ``members``
    subject: int | None = None  # index into its ``subjects`` (the actor)
    target: int | None = None  # for force: on whom
    resistance: int | None = None
    force_level: int | None = None


@dataclass(frozen=True)
class SubjectDraw:
    race: str
    ethnicity: str
    sex: str
    age_band: str
    mental_health_crisis: bool
    substance_use: bool
    disability: bool
    language_barrier: bool
    armed_with: str
    injury_severity: str = "none"
    arrested: bool = False


@dataclass
class Encounter:
    squad: SquadInfo
    occurred_at: datetime
    call_type: str
    self_initiated: bool
    beat: str
    trained: bool
    members: list[tuple[int, str]]  # (member id, role on scene); the first is the primary
    subjects: list[SubjectDraw]
    events: list[Event]
    force_users: set[int]  # indexes into ``members``
    injured_members: set[int]


def _weighted(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    month0 = day.month - 1 + months
    return date(day.year + month0 // 12, month0 % 12 + 1, 1)


def month_starts(first: date, months: int) -> list[date]:
    return [add_months(first, i) for i in range(months)]


def _days_in_month(day: date) -> int:
    nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return (nxt - day).days


class _Simulator:
    def __init__(self, squads: Sequence[SquadInfo], seed: int, tz: tzinfo) -> None:
        self.squads = squads
        self.tz = tz
        self.rng = random.Random(seed * 7_368_787 + 41)
        self.np = np.random.default_rng(seed * 1_000_033 + 97)
        self.squad_busy = {s.unit_id: float(self.np.gamma(10.0, 0.1)) for s in squads}
        self.propensity: dict[int, float] = {}
        for squad in squads:
            for member_id in squad.officer_ids:
                self.propensity[member_id] = float(self.np.gamma(4.0, 0.25))
        self.beats: dict[str, tuple[list[str], list[float]]] = {}
        for code in sorted({s.precinct_code for s in squads}):
            names = [f"{code}-B{i + 1}" for i in range(BEATS_PER_PRECINCT)]
            hot = set(self.rng.sample(names, HOT_BEATS_PER_PRECINCT))
            self.beats[code] = (names, [HOT_BEAT_CALLS if n in hot else 1.0 for n in names])
        self.hot = {n for names, w in self.beats.values() for n, x in zip(names, w, strict=True)
                    if x > 1}  # fmt: skip

    def month(self, start: date) -> list[Encounter]:
        season = 1.0 + 0.15 * math.sin(2 * math.pi * (start.month - 4) / 12)
        days = _days_in_month(start)
        end = start + timedelta(days=days)
        out = []
        for squad in self.squads:
            _, shift_busy, _ = SHIFTS[squad.shift_index % len(SHIFTS)]
            mean = ENCOUNTERS_PER_OFFICER_MONTH * self.squad_busy[squad.unit_id] * shift_busy
            for officer in squad.officer_ids:
                hired = squad.hired[officer]
                if hired >= end:
                    continue
                share = 1.0 if hired <= start else (end - hired).days / days
                for _ in range(int(self.np.poisson(mean * season * share))):
                    day = max(start, hired) + timedelta(
                        days=self.rng.randrange((end - max(start, hired)).days)
                    )
                    out.append(self.encounter(squad, officer, day))
        out.sort(key=lambda e: (e.occurred_at, e.squad.unit_id, e.members[0][0]))
        return out

    # One encounter ------------------------------------------------------------------------------

    def subject(self, call: CallType, first: bool) -> SubjectDraw:
        rng = self.rng
        race = _weighted(rng, RACE_SHARES)
        return SubjectDraw(
            race=race,
            ethnicity="unknown" if race == "unknown" else
            ("hispanic" if rng.random() < 0.18 else "not_hispanic"),
            sex="male" if rng.random() < 0.72 else ("female" if rng.random() < 0.97 else "unknown"),
            age_band=_weighted(rng, AGE_SHARES),
            mental_health_crisis=rng.random() < (call.mental_health if first else 0.05),
            substance_use=rng.random() < 0.22,
            disability=rng.random() < 0.03,
            language_barrier=rng.random() < 0.04,
            armed_with=_weighted(rng, ARMED_SHARES),
        )  # fmt: skip

    def encounter(self, squad: SquadInfo, officer: int, day: date) -> Encounter:
        rng = self.rng
        code = rng.choices(list(CALL_TYPES), weights=[c.share for c in CALL_TYPES.values()])[0]
        call = CALL_TYPES[code]
        _, _, shift_hour = SHIFTS[squad.shift_index % len(SHIFTS)]
        # Squads work eight-hour shifts ending at ``shift_hour`` (night shifts end next morning).
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        occurred = midnight + timedelta(hours=shift_hour - 8, minutes=rng.randrange(8 * 60))
        names, weights = self.beats[squad.precinct_code]
        beat = rng.choices(names, weights=weights)[0]
        trained = squad.trained_from is not None and day >= squad.trained_from
        subjects = [self.subject(call, True)]
        if rng.random() < call.two_subjects:
            subjects.append(self.subject(call, False))
        first = subjects[0]
        p_force = call.force * FORCE_SCALE * ARMED_FORCE[first.armed_with]
        p_force *= 1.3 if first.mental_health_crisis else 1.0
        p_force *= 1.5 if first.substance_use else 1.0
        p_force *= HOT_BEAT_FORCE if beat in self.hot else 1.0
        p_force *= self.propensity[officer] * (TRAINED_FORCE_RATIO if trained else 1.0)
        force = rng.random() < min(p_force, 0.95)
        members = self.crew(squad, officer, day, force)
        enc = Encounter(
            squad=squad, occurred_at=occurred, call_type=code,
            self_initiated=rng.random() < call.self_initiated, beat=beat, trained=trained,
            members=members, subjects=subjects, events=[], force_users=set(),
            injured_members=set(),
        )  # fmt: skip
        _Timeline(self.rng, enc, force).build()
        return enc

    def crew(self, squad: SquadInfo, officer: int, day: date, force: bool) -> list[tuple[int, str]]:
        rng = self.rng
        others = [m for m in squad.officer_ids if m != officer and squad.hired[m] <= day]
        size = rng.choices((1, 2, 3), weights=(0.3, 0.55, 0.15))[0]
        if force and size == 1:
            size = 2
        crew = [(officer, "primary")]
        for member in rng.sample(others, min(size - 1, len(others))):
            crew.append((member, "cover"))
        sergeants = [s for s in squad.sergeant_ids if squad.hired[s] <= day]
        if sergeants and len(crew) < 3 and rng.random() < (0.5 if force else 0.05):
            crew.append((sergeants[0], "supervisor"))
        return crew


class _Timeline:
    """One encounter's events from first contact, in order."""

    def __init__(self, rng: random.Random, enc: Encounter, force: bool) -> None:
        self.rng = rng
        self.enc = enc
        self.force = force
        self.t = 0
        self.events: list[Event] = []

    def add(
        self, kind: str, code: str, *, gap: tuple[int, int] = (5, 40), **kw: int | None
    ) -> None:
        self.t += self.rng.randint(*gap)
        self.events.append(Event(kind=kind, code=code, offset=self.t, **kw))

    def chance(self, trained: float, untrained: float) -> bool:
        return self.rng.random() < (trained if self.enc.trained else untrained)

    def build(self) -> None:
        enc, rng = self.enc, self.rng
        first = enc.subjects[0]
        crisis = first.mental_health_crisis
        armed = first.armed_with not in ("none", "unknown")
        if not enc.self_initiated and self.chance(0.8, 0.55):
            self.events.append(Event(EK.INFORMATION, "ask_dispatch", 0, member=0))
        self.events.append(Event(EK.ARRIVAL, "arrives", 0, member=0))
        for index in range(1, len(enc.members)):
            self.add(EK.ARRIVAL, "arrives", gap=(20, 240), member=index)
        if self.chance(0.7, 0.45):
            self.add(EK.INFORMATION, "observe", member=0)
        if len(enc.members) > 1 and self.chance(0.6, 0.12):
            self.add(EK.POSITIONING, "designate_one_voice", member=0)
        distance = (0.65, 0.2) if armed or crisis else (0.3, 0.08)
        if self.chance(*distance):
            self.add(EK.POSITIONING, "create_distance", member=0)
        if first.armed_with == "firearm":
            self.add(EK.POSITIONING, "take_cover", member=0)
        elif self.chance(0.15, 0.45):
            self.add(EK.POSITIONING, "approach", member=0)
        for code, p_trained, p_untrained in (
            ("introduce_self", 0.75, 0.55), ("explain_reason", 0.6, 0.45),
            ("open_question", 0.65, 0.3), ("active_listening", 0.35, 0.1),
            ("empathy", 0.6 if crisis else 0.4, 0.15), ("reassure", 0.3, 0.15),
        ):  # fmt: skip
            if self.chance(p_trained, p_untrained):
                self.add(EK.COMMUNICATION, code, member=0)
        if crisis and self.chance(0.6, 0.3):
            self.add(EK.RESOURCE_REQUEST, "request_crisis_team", member=0)
        if first.language_barrier and self.chance(0.6, 0.3):
            self.add(EK.RESOURCE_REQUEST, "request_interpreter", member=0)
        openings = ("talks", "verbal_refusal", "silent", "threatens")
        opening = rng.choices(openings, weights=(5, 3, 1, 1))[0]
        if armed and rng.random() < 0.4:
            opening = "displays_weapon"
        self.subject_act(opening)
        if armed and opening == "displays_weapon":
            if rng.random() < 0.5:
                self.add(EK.FORCE, "point_weapon", member=0, target=0,
                         force_level=int(v.ForceLevel.VERBAL))  # fmt: skip
            self.add(EK.COMMAND, "one_clear_directive", member=0)
        elif rng.random() < 0.5:
            self.add(EK.COMMAND, "one_clear_directive", member=0)
        if self.chance(0.1, 0.35):
            self.add(EK.COMMAND, "repeated_directive", member=0)
        if self.chance(0.3, 0.1):
            self.add(EK.COMMUNICATION, "offer_options", member=0)
        if self.force:
            self.use_force()
        else:
            self.end_peacefully()
        enc.events = self.events

    def subject_act(self, code: str, subject: int = 0) -> None:
        self.add(v.EventKind.SUBJECT_BEHAVIOUR, code, subject=subject,
                 resistance=int(v.SUBJECT_ACT_RESISTANCE[code]))  # fmt: skip

    def use_force(self) -> None:
        enc, rng = self.enc, self.rng
        armed = enc.subjects[0].armed_with not in ("none", "unknown")
        act = rng.choices(
            ("passive_resistance", "pulls_away", "flees", "advances", "assaults",
             "attacks_with_weapon"),
            weights=(1.5, 3, 1.5, 1.5, 1.5, 1.5 if armed else 0),
        )[0]  # fmt: skip
        if rng.random() < 0.5:
            self.add(EK.COMMAND, "force_warning", member=0)
        self.subject_act(act)
        resistance = int(v.SUBJECT_ACT_RESISTANCE[act])
        users = [0] + ([1] if len(enc.members) > 1 and rng.random() < 0.35 else [])
        highest = 0
        for user in users:
            options = FORCE_BY_RESISTANCE[resistance]
            code = rng.choices([c for c, _ in options], weights=[w for _, w in options])[0]
            level = int(v.FORCE_TYPES[code].level or v.ForceLevel.CONTROL)
            highest = max(highest, level)
            self.add(EK.FORCE, code, gap=(2, 20), member=user, target=0, force_level=level)
            enc.force_users.add(user)
        self.add(EK.RESOURCE_REQUEST, "request_supervisor", member=0)
        subject_ratio = TRAINED_SUBJECT_INJURY_RATIO / TRAINED_FORCE_RATIO
        officer_ratio = TRAINED_OFFICER_INJURY_RATIO / TRAINED_FORCE_RATIO
        p_subject = SUBJECT_INJURY_BY_LEVEL[highest] * (subject_ratio if enc.trained else 1.0)
        assaulted = act in ("advances", "assaults", "attacks_with_weapon")
        p_officer = OFFICER_INJURY["assaulted" if assaulted else "other"]
        p_officer *= officer_ratio if enc.trained else 1.0
        hospital = False
        if rng.random() < p_subject:
            severity = rng.choices(("complaint", "minor", "treated", "hospitalised"),
                                   weights=(3, 4, 2, 1 if highest < 5 else 6))[0]  # fmt: skip
            hospital = severity in ("treated", "hospitalised")
            enc.subjects[0] = _with(enc.subjects[0], injury_severity=severity)
            self.add(EK.INJURY, "subject_injured", subject=0)
            if hospital:
                self.add(EK.RESOURCE_REQUEST, "request_ems", member=0)
        if rng.random() < p_officer:
            victim = rng.choice(users)
            enc.injured_members.add(victim)
            self.add(EK.INJURY, "officer_injured", member=victim)
        if hospital or (enc.subjects[0].mental_health_crisis and rng.random() < 0.4):
            resolution = "transported_for_care"
        else:
            resolution = "subject_fled" if act == "flees" and rng.random() < 0.08 else (
                "custody_with_force")  # fmt: skip
        if resolution != "subject_fled":
            enc.subjects[0] = _with(enc.subjects[0], arrested=resolution == "custody_with_force")
        self.add(EK.RESOLUTION, resolution, member=0)

    def end_peacefully(self) -> None:
        enc, rng = self.enc, self.rng
        crisis = enc.subjects[0].mental_health_crisis
        if rng.random() < 0.12:
            self.subject_act("pulls_away" if rng.random() < 0.5 else "verbal_refusal")
            if self.chance(0.7, 0.3):
                self.add(EK.POSITIONING, "tactical_pause", member=0)
        if enc.subjects[0].armed_with not in ("none", "unknown"):
            self.subject_act("drops_weapon")
        if len(enc.subjects) > 1:
            self.subject_act("talks", subject=1)
        self.subject_act("complies")
        if crisis:
            care = ("transported_for_care", "handed_to_specialists", "referred",
                    "voluntary_compliance")  # fmt: skip
            resolution = rng.choices(care, weights=(4, 3 if enc.trained else 1.5, 2, 2))[0]
        else:
            resolution = rng.choices(
                ("voluntary_compliance", "custody_without_force", "referred", "subject_left",
                 "other_resolution"), weights=(40, 25, 15, 15, 2))[0]  # fmt: skip
        if resolution == "custody_without_force":
            enc.subjects[0] = _with(enc.subjects[0], arrested=True)
        self.add(EK.RESOLUTION, resolution, member=0)


def _with(subject: SubjectDraw, **changes: object) -> SubjectDraw:
    return replace(subject, **changes)  # type: ignore[arg-type]


def simulate_encounters(
    *, squads: Sequence[SquadInfo], seed: int, first_month: date, months: int, tz: tzinfo = UTC
) -> list[list[Encounter]]:
    """Every encounter of ``months`` months from ``first_month``, one list per month, with
    local times in ``tz`` (the agency's time zone)."""
    sim = _Simulator(squads, seed, tz)
    return [sim.month(start) for start in month_starts(first_month, months)]
