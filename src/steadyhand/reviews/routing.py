"""Which levels review an incident, and who at each level.

The route depends on the force level (agency-configurable, ``ReviewRoute``). The defaults:

- level 0-2 (up to control and restraint): sergeant;
- level 3 (hard empty-hand tactics): sergeant, then lieutenant;
- level 4-5 (intermediate weapons, deadly force): sergeant, lieutenant, captain, then the board.

A force incident whose level is unknown (many imports) is routed as level 3: the reviewer cannot
rule out more than control and restraint, and a lieutenant's look is cheap.

Who reviews (the assignee of a step):

- sergeant: the supervisor (``Member.supervisor``) of the involved members — the primary
  officer's first; if none is recorded, the nearest sergeant found going up the unit tree from
  the incident's unit;
- lieutenant, captain: the nearest active member of that rank going up the unit tree from the
  incident's unit (its own unit first, then its parent, …);
- board: no one person; any commander whose grant covers the incident's unit acts for it.

Members involved in the incident are never assigned their own review. When no one is found the
step is unassigned and any member of that rank or above whose ``review.act`` covers the
incident may take it.
"""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When

from steadyhand.agencies.models import Member, MemberStatus, Rank, Unit
from steadyhand.incidents.models import Incident
from steadyhand.reviews.models import Level, ReviewRoute

LADDER: tuple[str, ...] = (Level.SERGEANT, Level.LIEUTENANT, Level.CAPTAIN, Level.BOARD)
DEFAULT_DUE_DAYS: dict[str, int] = {
    Level.SERGEANT: 7,
    Level.LIEUTENANT: 7,
    Level.CAPTAIN: 10,
    Level.BOARD: 30,
}
MAX_DUE_DAYS = 90
UNKNOWN_LEVEL_ROUTED_AS = 3
FORCE_LEVELS = range(0, 6)

# Ranks from the lowest; a member may take an unassigned step of a level at or below theirs.
RANK_ORDER: tuple[str, ...] = (
    Rank.RECRUIT,
    Rank.OFFICER,
    Rank.DETECTIVE,
    Rank.SERGEANT,
    Rank.LIEUTENANT,
    Rank.CAPTAIN,
    Rank.COMMANDER,
    Rank.DEPUTY_CHIEF,
    Rank.CHIEF,
)
LEVEL_RANK: dict[str, str] = {
    Level.SERGEANT: Rank.SERGEANT,
    Level.LIEUTENANT: Rank.LIEUTENANT,
    Level.CAPTAIN: Rank.CAPTAIN,
}


@dataclass(frozen=True)
class RouteStep:
    level: str
    due_days: int

    def as_json(self) -> dict[str, object]:
        return {"level": self.level, "due_days": self.due_days}


def _steps(*levels: str) -> tuple[RouteStep, ...]:
    return tuple(RouteStep(level, DEFAULT_DUE_DAYS[level]) for level in levels)


DEFAULT_ROUTES: dict[int, tuple[RouteStep, ...]] = {
    0: _steps(Level.SERGEANT),
    1: _steps(Level.SERGEANT),
    2: _steps(Level.SERGEANT),
    3: _steps(Level.SERGEANT, Level.LIEUTENANT),
    4: _steps(Level.SERGEANT, Level.LIEUTENANT, Level.CAPTAIN, Level.BOARD),
    5: _steps(Level.SERGEANT, Level.LIEUTENANT, Level.CAPTAIN, Level.BOARD),
}


def parse_steps(raw: list[dict[str, object]]) -> tuple[RouteStep, ...]:
    return tuple(RouteStep(str(s["level"]), int(str(s["due_days"]))) for s in raw)


def route_problems(steps: tuple[RouteStep, ...]) -> list[str]:
    """Why ``steps`` is not a usable route (empty list: it is)."""
    if not steps:
        return ["A route needs at least one step."]
    problems = []
    positions = []
    for step in steps:
        if step.level not in LADDER:
            problems.append(f"“{step.level}” is not a review level.")
            continue
        positions.append(LADDER.index(step.level))
        if not 1 <= step.due_days <= MAX_DUE_DAYS:
            problems.append(
                f"{Level(step.level).label}: give between 1 and {MAX_DUE_DAYS} days to review."
            )
    if positions != sorted(set(positions)):
        problems.append("Each level may appear once, in the order of the chain of command.")
    return problems


def routes_for_agency(*, agency_id: int) -> dict[int, tuple[RouteStep, ...]]:
    """Every force level's route: the agency's own where set, else the default."""
    routes = dict(DEFAULT_ROUTES)
    for row in ReviewRoute.objects.filter(agency_id=agency_id):
        routes[row.force_level] = parse_steps(row.steps)
    return routes


def route_for(*, agency_id: int, force_level: int | None) -> tuple[RouteStep, ...]:
    level = UNKNOWN_LEVEL_ROUTED_AS if force_level is None else force_level
    return routes_for_agency(agency_id=agency_id)[level]


def next_level(*, route: tuple[RouteStep, ...], after: str, forced: bool) -> RouteStep | None:
    """The step after level ``after``: the route's next level above it, or — when ``forced``
    (an escalation) — the next rung of the whole ladder even if the route skips it."""
    above = LADDER.index(after)
    if forced:
        if above + 1 >= len(LADDER):
            return None
        level = LADDER[above + 1]
        planned = next((s for s in route if s.level == level), None)
        return planned or RouteStep(level, DEFAULT_DUE_DAYS[level])
    return next((s for s in route if LADDER.index(s.level) > above), None)


def rank_at_least(rank: str, level: str) -> bool:
    needed = LEVEL_RANK.get(level)
    if needed is None or rank not in RANK_ORDER:
        return False
    return RANK_ORDER.index(rank) >= RANK_ORDER.index(needed)


def _ancestors(unit: Unit) -> list[int]:
    """The unit's id and its ancestors' ids, nearest first (from the materialised path)."""
    return [int(part) for part in unit.path.strip("/").split("/") if part][::-1]


def _nearest_of_rank(incident: Incident, rank: str, excluded: set[int]) -> Member | None:
    chain = _ancestors(incident.unit)
    if not chain:
        return None
    nearness = Case(
        *[When(unit_id=unit_id, then=Value(i)) for i, unit_id in enumerate(chain)],
        output_field=IntegerField(),
    )
    return (
        Member.objects.filter(
            agency_id=incident.agency_id,
            rank=rank,
            status=MemberStatus.ACTIVE,
            unit_id__in=chain,
        )
        .exclude(pk__in=excluded)
        .annotate(nearness=nearness)
        .order_by("nearness", "badge")
        .first()
    )


def resolve_assignee(*, incident: Incident, level: str) -> Member | None:
    """The member who reviews ``incident`` at ``level`` (module docstring: "Who reviews")."""
    if level == Level.BOARD:
        return None
    involvements = list(
        incident.involvements.filter(member__isnull=False)
        .select_related("member__supervisor")
        .order_by(Case(When(role_on_scene="primary", then=Value(0)), default=Value(1)), "pk")
    )
    involved = {i.member_id for i in involvements if i.member_id is not None}
    if level == Level.SERGEANT:
        for involvement in involvements:
            boss = involvement.member.supervisor if involvement.member else None
            if (
                boss is not None
                and boss.pk not in involved
                and boss.status == MemberStatus.ACTIVE
                and rank_at_least(boss.rank, Level.SERGEANT)
            ):
                return boss
    return _nearest_of_rank(incident, LEVEL_RANK[level], involved)
