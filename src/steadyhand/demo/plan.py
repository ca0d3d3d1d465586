"""The demo agency on paper: units, members and logins, decided by the seed alone.

``plan_demo_agency`` is pure: it draws from ``random.Random(seed)`` and computes hire dates from
the fixed ``REFERENCE_DATE``, so the same seed and size always give the same plan. The generator
then creates the plan through the real services. Members are listed supervisors first, so each
one's supervisor already exists when it is created.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from steadyhand.access.roles import Role
from steadyhand.agencies.models import MemberStatus, Rank, UnitKind
from steadyhand.demo.names import FIRST_NAMES, LAST_NAMES

AGENCY_NAME = "Demo City Police Department"
DEFAULT_SLUG = "demo"
# Hire dates count back from this day, not from today, so a plan never changes with the clock.
REFERENCE_DATE = date(2026, 1, 1)
MAX_SERVICE_YEARS = 30
MIN_OFFICERS = 30
MAX_OFFICERS = 5000
ROOT_CODE = "ROOT"  # the code agency_create gives the root unit

# The demo logins, one per role, in the order they are listed to the user.
LOGIN_BASES = (
    "officer", "sergeant", "lieutenant", "captain", "chief",
    "trainer", "ia", "analyst", "auditor", "admin",
)  # fmt: skip

# Seniority of ranks, for "a supervisor outranks the people they supervise".
RANK_LEVEL: dict[str, int] = {
    Rank.RECRUIT: 0,
    Rank.OFFICER: 0,
    Rank.DETECTIVE: 0,
    Rank.CIVILIAN: 0,
    Rank.SERGEANT: 1,
    Rank.LIEUTENANT: 2,
    Rank.CAPTAIN: 3,
    Rank.COMMANDER: 4,
    Rank.DEPUTY_CHIEF: 5,
    Rank.CHIEF: 6,
}

# (minimum years of service, mean of the exponential tail): more recent hires are more common.
_SERVICE_YEARS: dict[str, tuple[float, float]] = {
    Rank.RECRUIT: (0.0, 0.2),
    Rank.OFFICER: (0.5, 7.0),
    Rank.DETECTIVE: (4.0, 6.0),
    Rank.CIVILIAN: (0.0, 6.0),
    Rank.SERGEANT: (6.0, 5.0),
    Rank.LIEUTENANT: (10.0, 5.0),
    Rank.CAPTAIN: (14.0, 4.0),
    Rank.COMMANDER: (16.0, 4.0),
    Rank.DEPUTY_CHIEF: (18.0, 4.0),
    Rank.CHIEF: (20.0, 4.0),
}

PRECINCT_NAMES = (
    "North", "South", "East", "West", "Central", "Harbor", "Riverside", "Hillcrest",
    "Lakeview", "Airport", "Northeast", "Southwest",
)  # fmt: skip
OFFICERS_PER_PRECINCT = 55
OFFICERS_PER_SQUAD = 8
SQUADS_PER_LIEUTENANT = 3
DETECTIVES_PER_SQUAD = 7
DETECTIVE_SHARE = 0.15
# Chance that a line officer, detective or civilian is on leave or has left the agency.
LEAVE_RATE = 0.03
SEPARATED_RATE = 0.02


@dataclass(frozen=True)
class PlannedUnit:
    code: str
    name: str
    kind: str
    parent_code: str


@dataclass(frozen=True)
class PlannedMember:
    badge: str
    first_name: str
    last_name: str
    rank: str
    unit_code: str
    supervisor_badge: str | None
    hire_date: date
    status: str = MemberStatus.ACTIVE


@dataclass(frozen=True)
class PlannedLogin:
    """A demo user: ``base`` is the username in the default agency (``officer``, ``ia`` …)."""

    base: str
    role: Role
    scope_unit_code: str | None
    member_badge: str | None
    description: str


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    officers: int
    units: tuple[PlannedUnit, ...]
    members: tuple[PlannedMember, ...]
    logins: tuple[PlannedLogin, ...]

    def member(self, badge: str) -> PlannedMember:
        return next(m for m in self.members if m.badge == badge)


def login_username(slug: str, base: str) -> str:
    """``officer`` in the default demo agency, ``<slug>-officer`` in any other.

    Usernames are unique across the deployment, so a second demo agency needs its own.
    """
    return base if slug == DEFAULT_SLUG else f"{slug}-{base}"


@dataclass
class _Planner:
    rng: random.Random
    units: list[PlannedUnit] = field(default_factory=list)
    members: list[PlannedMember] = field(default_factory=list)
    badges: set[str] = field(default_factory=set)
    names: set[tuple[str, str]] = field(default_factory=set)
    badge_top: int = 9999

    def unit(self, code: str, name: str, kind: str, parent: str) -> str:
        self.units.append(PlannedUnit(code=code, name=name, kind=kind, parent_code=parent))
        return code

    def _badge(self, rank: str) -> str:
        civilian = rank == Rank.CIVILIAN
        while True:
            n = self.rng.randint(100, 999) if civilian else self.rng.randint(1000, self.badge_top)
            badge = f"C{n}" if civilian else str(n)
            if badge not in self.badges:
                self.badges.add(badge)
                return badge

    def _name(self) -> tuple[str, str]:
        # A handful of redraws keeps full names distinct without ever looping for long.
        for _ in range(20):
            name = (self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES))
            if name not in self.names:
                break
        self.names.add(name)
        return name

    def _hire_date(self, rank: str) -> date:
        minimum, mean = _SERVICE_YEARS[rank]
        years = minimum + self.rng.expovariate(1 / mean)
        if years > MAX_SERVICE_YEARS:
            years = self.rng.uniform(minimum, MAX_SERVICE_YEARS)
        return REFERENCE_DATE - timedelta(days=round(years * 365.25))

    def _status(self, rank: str) -> str:
        if rank not in (Rank.OFFICER, Rank.DETECTIVE, Rank.CIVILIAN):
            return MemberStatus.ACTIVE
        draw = self.rng.random()
        if draw < LEAVE_RATE:
            return MemberStatus.LEAVE
        if draw < LEAVE_RATE + SEPARATED_RATE:
            return MemberStatus.SEPARATED
        return MemberStatus.ACTIVE

    def member(self, rank: str, unit: str, supervisor: PlannedMember | None) -> PlannedMember:
        first, last = self._name()
        planned = PlannedMember(
            badge=self._badge(rank),
            first_name=first,
            last_name=last,
            rank=rank,
            unit_code=unit,
            supervisor_badge=supervisor.badge if supervisor else None,
            hire_date=self._hire_date(rank),
            status=self._status(rank),
        )
        self.members.append(planned)
        return planned

    def staff(
        self, count: int, rank: str, unit: str, supervisor: PlannedMember
    ) -> list[PlannedMember]:
        return [self.member(rank, unit, supervisor) for _ in range(count)]


def _split(total: int, parts: int) -> list[int]:
    """``total`` spread as evenly as possible over ``parts`` (the first ones get the extras)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _precinct_name(index: int) -> str:
    if index < len(PRECINCT_NAMES):
        return PRECINCT_NAMES[index]
    return f"District {index + 1}"


def plan_demo_agency(*, seed: int, officers: int) -> DemoPlan:
    """Plan an agency with ``officers`` line officers and detectives, plus their supervisors,
    recruits, academy and professional-standards staff and a few civilians."""
    if not MIN_OFFICERS <= officers <= MAX_OFFICERS:
        raise ValueError(
            f"--officers must be between {MIN_OFFICERS} and {MAX_OFFICERS}; got {officers}."
        )
    p = _Planner(rng=random.Random(seed), badge_top=max(9999, 999 + 4 * officers))
    detectives = max(4, round(officers * DETECTIVE_SHARE))
    academy_officers = max(1, round(officers * 0.01))
    patrol_officers = officers - detectives - academy_officers

    # The tree: agency → bureaus → precincts / divisions / sections → squads.
    p.unit("PB", "Patrol Bureau", UnitKind.BUREAU, ROOT_CODE)
    p.unit("IB", "Investigations Bureau", UnitKind.BUREAU, ROOT_CODE)
    p.unit("SB", "Support Bureau", UnitKind.BUREAU, ROOT_CODE)

    chief = p.member(Rank.CHIEF, ROOT_CODE, None)
    dc_patrol = p.member(Rank.DEPUTY_CHIEF, "PB", chief)
    dc_investigations = p.member(Rank.DEPUTY_CHIEF, "IB", chief)
    dc_support = p.member(Rank.DEPUTY_CHIEF, "SB", chief)

    # Patrol: precincts of about 55 officers, squads of about 8 under one sergeant each.
    precincts = max(2, round(patrol_officers / OFFICERS_PER_PRECINCT))
    first_precinct: dict[str, PlannedMember] = {}
    for index, in_precinct in enumerate(_split(patrol_officers, precincts)):
        code = f"P{index + 1}"
        name = _precinct_name(index)
        p.unit(code, f"{name} Precinct", UnitKind.PRECINCT, "PB")
        captain = p.member(Rank.CAPTAIN, code, dc_patrol)
        squads = max(2, math.ceil(in_precinct / OFFICERS_PER_SQUAD))
        lieutenants = p.staff(
            math.ceil(squads / SQUADS_PER_LIEUTENANT), Rank.LIEUTENANT, code, captain
        )
        for squad, in_squad in enumerate(_split(in_precinct, squads)):
            squad_code = p.unit(
                f"{code}-S{squad + 1}", f"{name} Squad {squad + 1}", UnitKind.SQUAD, code
            )
            sergeant = p.member(Rank.SERGEANT, squad_code, lieutenants[squad % len(lieutenants)])
            squad_officers = p.staff(in_squad, Rank.OFFICER, squad_code, sergeant)
            if index == 0 and squad == 0:
                # The demo officer's whole chain: squad 1 of the first precinct, upwards.
                first_precinct = {
                    "captain": captain,
                    "lieutenant": lieutenants[0],
                    "sergeant": sergeant,
                    "officer": next(
                        (o for o in squad_officers if o.status == MemberStatus.ACTIVE),
                        squad_officers[0],
                    ),
                }

    # Investigations: divisions under one lieutenant each, squads of about 7 detectives.
    ib_captain = p.member(Rank.CAPTAIN, "IB", dc_investigations)
    divisions = [("MCD", "Major Crimes"), ("PCD", "Property Crimes"), ("SVD", "Special Victims")]
    divisions = divisions[: 3 if detectives >= 18 else 2]
    for (code, name), in_division in zip(
        divisions, _split(detectives, len(divisions)), strict=True
    ):
        p.unit(code, f"{name} Division", UnitKind.DIVISION, "IB")
        lieutenant = p.member(Rank.LIEUTENANT, code, ib_captain)
        squads = max(1, math.ceil(in_division / DETECTIVES_PER_SQUAD))
        for squad, in_squad in enumerate(_split(in_division, squads)):
            squad_code = p.unit(
                f"{code}-S{squad + 1}", f"{name} Squad {squad + 1}", UnitKind.SQUAD, code
            )
            sergeant = p.member(Rank.SERGEANT, squad_code, lieutenant)
            p.staff(in_squad, Rank.DETECTIVE, squad_code, sergeant)

    # Support: the academy, professional standards (internal affairs), records and analysis.
    sb_captain = p.member(Rank.CAPTAIN, "SB", dc_support)
    p.unit("TA", "Training Academy", UnitKind.SECTION, "SB")
    p.unit("PS", "Professional Standards", UnitKind.SECTION, "SB")
    p.unit("RA", "Records and Analysis", UnitKind.SECTION, "SB")
    ta_lieutenant = p.member(Rank.LIEUTENANT, "TA", sb_captain)
    instructors = p.staff(2, Rank.SERGEANT, "TA", ta_lieutenant)
    p.staff(academy_officers, Rank.OFFICER, "TA", instructors[0])
    p.staff(max(2, officers // 40), Rank.RECRUIT, "TA", instructors[1])
    p.member(Rank.CIVILIAN, "TA", ta_lieutenant)  # academy coordinator
    ps_lieutenant = p.member(Rank.LIEUTENANT, "PS", sb_captain)
    p.staff(max(2, officers // 80), Rank.SERGEANT, "PS", ps_lieutenant)
    ra_lieutenant = p.member(Rank.LIEUTENANT, "RA", sb_captain)
    systems_admin = p.member(Rank.CIVILIAN, "RA", ra_lieutenant)
    analysts = p.staff(max(1, officers // 150), Rank.CIVILIAN, "RA", ra_lieutenant)
    p.staff(max(2, officers // 100), Rank.CIVILIAN, "RA", ra_lieutenant)  # records clerks

    # Demo members with a login must be active; a drawn status can make them otherwise.
    analyst = next((a for a in analysts if a.status == MemberStatus.ACTIVE), None)
    admin_member = systems_admin if systems_admin.status == MemberStatus.ACTIVE else None
    logins = (
        PlannedLogin("officer", Role.OFFICER, None, first_precinct["officer"].badge,
                     "Patrol officer: their own training, reports and commendations"),
        PlannedLogin("sergeant", Role.SUPERVISOR, "P1-S1", first_precinct["sergeant"].badge,
                     "Squad sergeant: reviews force in North Squad 1"),
        PlannedLogin("lieutenant", Role.SUPERVISOR, "P1", first_precinct["lieutenant"].badge,
                     "Watch lieutenant in the North Precinct"),
        PlannedLogin("captain", Role.COMMANDER, "P1", first_precinct["captain"].badge,
                     "Precinct captain: approves reviews in the North Precinct"),
        PlannedLogin("chief", Role.COMMANDER, None, chief.badge,
                     "Chief of police: the whole agency"),
        PlannedLogin("trainer", Role.TRAINER, None, instructors[0].badge,
                     "Academy instructor: courses, sessions, scenarios"),
        PlannedLogin("ia", Role.INTERNAL_AFFAIRS, None, ps_lieutenant.badge,
                     "Professional standards: complaints and investigations"),
        PlannedLogin("analyst", Role.ANALYST, None, analyst.badge if analyst else None,
                     "Crime analyst: de-identified data and evaluations"),
        PlannedLogin("auditor", Role.AUDITOR, None, None,
                     "Civilian oversight: aggregates and the audit log"),
        PlannedLogin("admin", Role.AGENCY_ADMIN, None,
                     admin_member.badge if admin_member else None,
                     "Agency administrator: accounts, units, imports"),
    )  # fmt: skip
    return DemoPlan(
        seed=seed,
        officers=officers,
        units=tuple(p.units),
        members=tuple(p.members),
        logins=logins,
    )
