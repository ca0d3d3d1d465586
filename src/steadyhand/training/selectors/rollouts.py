"""Reads for roll-out plans: candidates and their strata, the balance table, the schedule the
evaluation uses, and the check that a randomized assignment reproduces from its seed.

Strata (documented in ``docs/rollouts.md``):

- ``precinct``: the nearest unit at or above the member's (or squad's) unit whose kind is
  "Precinct / district"; in an agency without that kind, the unit two levels below the root.
- ``shift``: the nearest unit at or above the member's unit whose kind is "Squad / shift". A
  member outside any squad has shift ``none``, so their stratum is in effect the precinct alone.
  Unit-level plans assign squads, so they stratify by precinct only.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import NamedTuple

from django.db.models import Count, QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.policy import can
from steadyhand.access.querying import visible_q
from steadyhand.agencies.models import Member, MemberStatus, Unit, UnitKind
from steadyhand.core.errors import NotFound
from steadyhand.training.models import AssignmentLevel, RolloutPlan, Wave, WaveAssignment
from steadyhand.training.randomization import (
    ALGORITHM,
    Candidate,
    assign_waves,
    parse_stratum_label,
    result_hash,
    stratum_label,
)

NONE = "none"
PRECINCT_DEPTH_FALLBACK = 2
STRATA_KEYS = ("precinct", "shift")
ALLOWED_STRATA: dict[str, tuple[tuple[str, ...], ...]] = {
    AssignmentLevel.MEMBER: ((), ("precinct",), ("precinct", "shift")),
    AssignmentLevel.UNIT: ((), ("precinct",)),
}


# Units: precinct and shift --------------------------------------------------------------------


def _path_ids(unit: Unit) -> list[int]:
    return [int(part) for part in unit.path.strip("/").split("/") if part]


class UnitIndex:
    """All of an agency's units in memory, to find precincts and squads without a query each."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.by_id: dict[int, Unit] = {unit.pk: unit for unit in units}

    @classmethod
    def for_agency(cls, agency_id: int) -> "UnitIndex":
        return cls(Unit.objects.filter(agency_id=agency_id))

    def _nearest(self, unit: Unit, kind: str) -> Unit | None:
        for unit_id in reversed(_path_ids(unit)):
            candidate = self.by_id.get(unit_id)
            if candidate is not None and candidate.kind == kind:
                return candidate
        return None

    def precinct_of(self, unit: Unit) -> Unit | None:
        found = self._nearest(unit, UnitKind.PRECINCT)
        if found is not None:
            return found
        ids = _path_ids(unit)
        if len(ids) > PRECINCT_DEPTH_FALLBACK:
            return self.by_id.get(ids[PRECINCT_DEPTH_FALLBACK])
        return None

    def squad_of(self, unit: Unit) -> Unit | None:
        return self._nearest(unit, UnitKind.SQUAD)

    def attributes(self, unit: Unit) -> dict[str, str]:
        precinct = self.precinct_of(unit)
        squad = self.squad_of(unit)
        return {
            "precinct": _key(precinct.pk) if precinct else NONE,
            "shift": _key(squad.pk) if squad else NONE,
        }

    def describe(self, label: str) -> str:
        """A stratum label ("precinct=12|shift=40") in words ("Precinct A · Squad A1")."""
        if not label:
            return "Everyone (no strata)"
        words = []
        for key, value in parse_stratum_label(label).items():
            unit = self.by_id.get(int(value)) if value.isdigit() else None
            words.append(unit.name if unit else f"no {'squad' if key == 'shift' else key}")
        return " · ".join(words)


# Plans ---------------------------------------------------------------------------------------


def rollout_list_visible(*, actor: Actor) -> QuerySet[RolloutPlan]:
    if not can(actor, "rollout.view"):
        return RolloutPlan.objects.none()
    return (
        RolloutPlan.objects.filter(agency_id=actor.agency_id)
        .select_related("course")
        .annotate(wave_count=Count("waves", distinct=True))
        .annotate(assigned=Count("assignments", distinct=True))
        .order_by("-created_at", "-pk")
    )


def rollout_get_visible(*, actor: Actor, plan_id: int, action: str = "rollout.view") -> RolloutPlan:
    """Fetch and authorise in one step: missing and not-allowed look the same."""
    plan = (
        RolloutPlan.objects.filter(pk=plan_id, agency_id=actor.agency_id)
        .select_related("course", "created_by")
        .first()
    )
    if plan is None or not can(actor, action, plan):
        raise NotFound(f"No roll-out plan {plan_id}.")
    return plan


def plan_waves(*, plan: RolloutPlan) -> list[Wave]:
    return list(plan.waves.order_by("number"))


# Candidates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateRow:
    """A candidate for a plan: the member or squad, and the pure algorithm's view of it."""

    candidate: Candidate
    member: Member | None = None
    unit: Unit | None = None


def _key(pk: int) -> str:
    # Zero-padded so that the algorithm's code-point order is the order of creation: two
    # agencies built the same way (the demo from one seed) then get the same assignment.
    return f"{pk:012d}"


def member_candidate_id(member_id: int) -> str:
    return f"member:{_key(member_id)}"


def unit_candidate_id(unit_id: int) -> str:
    return f"unit:{_key(unit_id)}"


def _active_members_under(unit: Unit) -> QuerySet[Member]:
    return Member.objects.filter(
        agency_id=unit.agency_id, unit__path__startswith=unit.path, status=MemberStatus.ACTIVE
    ).select_related("unit")


def rollout_candidates(*, plan: RolloutPlan, unit: Unit) -> list[CandidateRow]:
    """Who could be assigned in ``unit``'s subtree: its active members (member-level plans) or
    its squads that have at least one active member (unit-level plans)."""
    index = UnitIndex.for_agency(plan.agency_id)
    if plan.level == AssignmentLevel.MEMBER:
        return [
            CandidateRow(
                candidate=Candidate(member_candidate_id(m.pk), index.attributes(m.unit)),
                member=m,
            )
            for m in _active_members_under(unit).order_by("pk")
        ]
    staffed = set(_active_members_under(unit).values_list("unit__path", flat=True))
    squads = Unit.objects.filter(
        agency_id=plan.agency_id, path__startswith=unit.path, kind=UnitKind.SQUAD
    ).order_by("pk")
    return [
        CandidateRow(candidate=Candidate(unit_candidate_id(s.pk), index.attributes(s)), unit=s)
        for s in squads
        if any(path.startswith(s.path) for path in staffed)
    ]


def unit_active_member_ids(*, unit: Unit) -> list[int]:
    return sorted(_active_members_under(unit).values_list("pk", flat=True))


def candidate_preview(*, plan: RolloutPlan, rows: list[CandidateRow]) -> list[tuple[str, int]]:
    """Candidates per stratum (described in words), for the page before randomizing."""
    index = UnitIndex.for_agency(plan.agency_id)
    keys = tuple(plan.strata)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[stratum_label(keys, row.candidate.stratum(keys))] += 1
    return sorted((index.describe(label), n) for label, n in counts.items())


def resolve_targets(
    *, actor: Actor, plan: RolloutPlan, text: str
) -> tuple[list[Member], list[Unit], list[str]]:
    """Badge numbers (member-level plans) or unit codes (unit-level plans) typed by a trainer,
    as members or units of the actor's agency, plus the words that matched nothing."""
    words = list(dict.fromkeys(text.replace(",", " ").split()))
    if plan.level == AssignmentLevel.MEMBER:
        members = Member.objects.filter(agency_id=actor.agency_id, badge__in=words)
        found_members = {m.badge: m for m in members.select_related("unit")}
        unknown = [w for w in words if w not in found_members]
        return [found_members[w] for w in words if w in found_members], [], unknown
    units = {u.code: u for u in Unit.objects.filter(agency_id=actor.agency_id, code__in=words)}
    return [], [units[w] for w in words if w in units], [w for w in words if w not in units]


# Balance and assignment lists -----------------------------------------------------------------


@dataclass
class BalanceRow:
    label: str
    counts: list[int]
    total: int


@dataclass
class BalanceTable:
    """Assigned candidates per stratum (rows) by wave (columns), with totals."""

    waves: list[Wave]
    rows: list[BalanceRow] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    grand_total: int = 0


def rollout_balance(*, plan: RolloutPlan) -> BalanceTable:
    waves = plan_waves(plan=plan)
    column = {wave.pk: i for i, wave in enumerate(waves)}
    index = UnitIndex.for_agency(plan.agency_id)
    by_stratum: dict[str, list[int]] = defaultdict(lambda: [0] * len(waves))
    counts = (
        WaveAssignment.objects.filter(plan=plan)
        .values_list("stratum", "wave_id")
        .annotate(n=Count("pk"))
    )
    for stratum, wave_id, n in counts:
        by_stratum[stratum][column[wave_id]] += n
    rows = sorted(
        (
            BalanceRow(index.describe(label), cells, sum(cells))
            for label, cells in by_stratum.items()
        ),
        key=lambda row: row.label,
    )
    totals = [sum(row.counts[i] for row in rows) for i in range(len(waves))]
    return BalanceTable(waves=waves, rows=rows, totals=totals, grand_total=sum(totals))


@dataclass(frozen=True)
class AssignmentRow:
    wave_number: int
    stratum: str
    member: Member | None
    unit: Unit | None
    unit_member_count: int


def rollout_assignment_rows(*, actor: Actor, plan: RolloutPlan) -> list[AssignmentRow] | None:
    """The assigned members or squads, for actors who may see member records at all (None for
    the others); members are limited to those in the actor's chain of command."""
    if not can(actor, "member.view"):
        return None
    assignments = WaveAssignment.objects.filter(plan=plan).select_related(
        "wave", "member", "member__unit", "unit"
    )
    if plan.level == AssignmentLevel.MEMBER:
        assignments = assignments.filter(
            visible_q(
                actor,
                "member.view",
                agency_field="member__agency_id",
                unit_path_field="member__unit__path",
                owner_user_field="member__user_account__id",
            )
        )
    index = UnitIndex.for_agency(plan.agency_id)
    rows = [
        AssignmentRow(
            wave_number=a.wave.number,
            stratum=index.describe(a.stratum),
            member=a.member,
            unit=a.unit,
            unit_member_count=len(a.unit_member_ids),
        )
        for a in assignments
    ]
    return sorted(
        rows,
        key=lambda r: (
            r.wave_number,
            r.member.last_name if r.member else "",
            r.member.first_name if r.member else "",
            r.unit.name if r.unit else "",
        ),
    )


# The evaluation's input ----------------------------------------------------------------------


class ScheduleEntry(NamedTuple):
    member_id: int
    wave_number: int
    wave_start: date


def wave_schedule(*, plan: RolloutPlan) -> list[ScheduleEntry]:
    """Which member was to be trained when: one entry per member, sorted by member id.

    Unit-level plans expand each squad to the active members it had when the plan was locked
    (``WaveAssignment.unit_member_ids``), not to its members today: a member who later moves
    squads keeps the wave they were assigned to. A member listed in two squads' snapshots
    cannot happen (a member is in one unit); if it did, the earlier wave would count.
    """
    earliest: dict[int, ScheduleEntry] = {}
    assignments = WaveAssignment.objects.filter(plan=plan).select_related("wave")
    for a in assignments:
        member_ids = [a.member_id] if a.member_id is not None else list(a.unit_member_ids)
        for member_id in member_ids:
            entry = ScheduleEntry(int(member_id), a.wave.number, a.wave.starts_on)
            current = earliest.get(entry.member_id)
            if current is None or entry.wave_number < current.wave_number:
                earliest[entry.member_id] = entry
    return [earliest[member_id] for member_id in sorted(earliest)]


# Verification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """Does the stored assignment reproduce from the stored seed and inputs?"""

    applicable: bool
    reproduces: bool
    seed: int | None
    algorithm: str
    stored_input_hash: str
    input_hash: str
    stored_result_hash: str
    result_hash: str
    candidates: int
    mismatches: tuple[str, ...] = ()
    problem: str = ""


def _stored_rows(plan: RolloutPlan) -> list[tuple[str, str, int]]:
    """(candidate id, stratum label, wave number) of every stored assignment."""
    rows = []
    for member_id, unit_id, stratum, number in WaveAssignment.objects.filter(plan=plan).values_list(
        "member_id", "unit_id", "stratum", "wave__number"
    ):
        cid = (
            member_candidate_id(member_id) if member_id is not None else unit_candidate_id(unit_id)
        )
        rows.append((cid, stratum, number))
    return rows


def rollout_verify(*, plan: RolloutPlan) -> Verification:
    """Re-run the algorithm on the stored inputs (the assigned candidates with the strata stored
    next to them, the seed, the number of waves) and compare hashes and every assignment.

    A hand-assigned plan has nothing to re-run; its stored result hash is still checked.
    """
    rows = _stored_rows(plan)
    stored = {cid: number for cid, _, number in rows}
    if not plan.randomized:
        recomputed = result_hash(stored, algorithm="manual") if plan.locked else ""
        return Verification(
            applicable=False,
            reproduces=False,
            seed=None,
            algorithm=plan.algorithm,
            stored_input_hash="",
            input_hash="",
            stored_result_hash=plan.result_hash,
            result_hash=recomputed,
            candidates=len(rows),
            problem="The plan was assigned by hand; there is no seed to reproduce it from.",
        )
    base = Verification(
        applicable=True,
        reproduces=False,
        seed=plan.seed,
        algorithm=plan.algorithm,
        stored_input_hash=plan.input_hash,
        input_hash="",
        stored_result_hash=plan.result_hash,
        result_hash="",
        candidates=len(rows),
    )
    if plan.algorithm != ALGORITHM or plan.seed is None:
        return replace(base, problem=f"Unknown algorithm {plan.algorithm!r} or missing seed.")
    try:
        candidates = [Candidate(cid, parse_stratum_label(stratum)) for cid, stratum, _ in rows]
        rerun = assign_waves(candidates, plan.waves.count(), plan.seed, tuple(plan.strata))
    except (ValueError, KeyError) as exc:
        return replace(base, problem=f"The stored inputs cannot be re-run: {exc}")
    mismatches = tuple(
        sorted(cid for cid, number in stored.items() if rerun.waves.get(cid) != number)
    )
    reproduces = (
        not mismatches
        and rerun.input_hash == plan.input_hash
        and rerun.result_hash == plan.result_hash
    )
    return replace(
        base,
        reproduces=reproduces,
        input_hash=rerun.input_hash,
        result_hash=rerun.result_hash,
        mismatches=mismatches,
        problem="" if reproduces else _problem(rerun.input_hash, plan, mismatches),
    )


def _problem(input_hash: str, plan: RolloutPlan, mismatches: tuple[str, ...]) -> str:
    if input_hash != plan.input_hash:
        return "The stored candidates or strata differ from those that were randomized."
    if mismatches:
        return f"{len(mismatches)} stored assignments differ from the re-run."
    return "The stored result hash differs from the re-run."
