"""Writes for roll-out plans: create, edit, randomize (assign + lock in one transaction), assign
by hand, lock. A locked plan refuses every change here, and the models refuse it again."""

import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.agencies.models import Member, MemberStatus, Unit
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.training.models import (
    AssignmentLevel,
    Course,
    RolloutPlan,
    Wave,
    WaveAssignment,
)
from steadyhand.training.randomization import MAX_SEED, assign_waves, result_hash, stratum_label
from steadyhand.training.selectors.rollouts import (
    ALLOWED_STRATA,
    UnitIndex,
    member_candidate_id,
    rollout_candidates,
    unit_active_member_ids,
    unit_candidate_id,
)

MAX_WAVES = 60
# Seeds drawn for the user stay short enough to read out and type back in.
DRAWN_SEED_LIMIT = 10**9


def _refuse_locked(plan: RolloutPlan) -> None:
    if plan.locked:
        raise ConflictError(
            f"Roll-out plan “{plan.name}” is locked (since {plan.locked_at:%Y-%m-%d}); its waves "
            "and assignment cannot change. Create a new plan instead."
        )


def _locked_for_update(plan: RolloutPlan) -> RolloutPlan:
    """Re-read the plan ``FOR UPDATE`` so that two writers never both see it unlocked."""
    fresh = RolloutPlan.objects.select_for_update().get(pk=plan.pk)
    _refuse_locked(fresh)
    return fresh


def _validate_waves(waves: Sequence[tuple[date, date]]) -> list[str]:
    errors = []
    if not 1 <= len(waves) <= MAX_WAVES:
        errors.append(f"A plan needs 1 to {MAX_WAVES} waves; got {len(waves)}.")
    previous_end: date | None = None
    for number, (starts_on, ends_on) in enumerate(waves, start=1):
        if ends_on < starts_on:
            errors.append(f"Wave {number} ends ({ends_on}) before it starts ({starts_on}).")
        if previous_end is not None and starts_on <= previous_end:
            errors.append(
                f"Wave {number} starts ({starts_on}) before wave {number - 1} ends "
                f"({previous_end}); waves must follow each other."
            )
        previous_end = ends_on
    return errors


def _validate_plan(
    *, actor: Actor, name: str, course: Course, level: str, strata: Sequence[str]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the plan a name."]
    if course.agency_id != actor.agency_id:
        errors["course"] = ["Choose a course of your agency."]
    if level not in AssignmentLevel.values:
        errors["level"] = [f"Level must be one of {', '.join(AssignmentLevel.values)}."]
    elif tuple(strata) not in ALLOWED_STRATA[level]:
        allowed = " or ".join("+".join(s) or "none" for s in ALLOWED_STRATA[level])
        errors["strata"] = [f"Strata for a {level}-level plan must be {allowed}."]
    return errors


def _wave_dates(plan: RolloutPlan) -> list[list[str]]:
    return [[str(w.starts_on), str(w.ends_on)] for w in plan.waves.order_by("number")]


@transaction.atomic
def rollout_create(
    *,
    actor: Actor,
    name: str,
    course: Course,
    level: str,
    strata: Sequence[str],
    waves: Sequence[tuple[date, date]],
) -> RolloutPlan:
    """A new, unlocked plan with its waves (numbered 1.. in date order)."""
    ensure(actor, "rollout.manage", course)
    errors = _validate_plan(actor=actor, name=name, course=course, level=level, strata=strata)
    wave_errors = _validate_waves(waves)
    if wave_errors:
        errors["waves"] = wave_errors
    if errors:
        raise InvalidInput(errors)
    plan = RolloutPlan.objects.create(
        agency_id=actor.agency_id,
        name=name.strip(),
        course=course,
        level=level,
        strata=list(strata),
        created_by_id=actor.user_id,
    )
    Wave.objects.bulk_create(
        Wave(plan=plan, number=n, starts_on=s, ends_on=e) for n, (s, e) in enumerate(waves, start=1)
    )
    audit_record(
        actor=actor,
        action="rollout.create",
        obj=plan,
        changes={
            "name": plan.name,
            "course": course.pk,
            "level": level,
            "strata": list(strata),
            "waves": _wave_dates(plan),
        },
    )
    return plan


@transaction.atomic
def rollout_update(
    *,
    actor: Actor,
    plan: RolloutPlan,
    name: str,
    strata: Sequence[str],
    waves: Sequence[tuple[date, date]],
) -> RolloutPlan:
    """Rename an unlocked plan, change its strata or its wave dates. The number of waves may
    change only while nobody is assigned."""
    ensure(actor, "rollout.manage", plan)
    plan = _locked_for_update(plan)
    errors = _validate_plan(
        actor=actor, name=name, course=plan.course, level=plan.level, strata=strata
    )
    wave_errors = _validate_waves(waves)
    has_assignments = plan.assignments.exists()
    if has_assignments and len(waves) != plan.waves.count():
        wave_errors.append("Members are already assigned; the number of waves cannot change.")
    if has_assignments and tuple(strata) != tuple(plan.strata):
        errors["strata"] = ["Members are already assigned; the strata cannot change."]
    if wave_errors:
        errors["waves"] = wave_errors
    if errors:
        raise InvalidInput(errors)
    before = {"name": plan.name, "strata": list(plan.strata), "waves": _wave_dates(plan)}
    plan.name = name.strip()
    plan.strata = list(strata)
    plan.save(update_fields=["name", "strata", "updated_at"])
    existing = {w.number: w for w in plan.waves.all()}
    for number, (starts_on, ends_on) in enumerate(waves, start=1):
        wave = existing.pop(number, None) or Wave(plan=plan, number=number)
        wave.starts_on, wave.ends_on = starts_on, ends_on
        wave.save()
    for wave in existing.values():  # fewer waves than before (nobody is assigned)
        wave.delete()
    after = {"name": plan.name, "strata": list(plan.strata), "waves": _wave_dates(plan)}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit_record(actor=actor, action="rollout.update", obj=plan, changes=changes)
    return plan


def _snapshot_hash(snapshot: dict[str, list[int]]) -> str:
    document = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(document.encode("ascii")).hexdigest()


@transaction.atomic
def rollout_randomize(
    *, actor: Actor, plan: RolloutPlan, unit: Unit, seed: int | None = None
) -> RolloutPlan:
    """Assign every candidate in ``unit``'s subtree to a wave with ``stratified-blocked-v1``,
    store the seed and hashes, and lock the plan: one transaction, one audit event.

    ``seed`` None draws a fresh one (shown on the plan's page and in the audit event).
    """
    ensure(actor, "rollout.manage", plan)
    plan = _locked_for_update(plan)
    if plan.assignments.exists():
        raise ConflictError(
            f"Roll-out plan “{plan.name}” already has members assigned by hand; lock it as it is "
            "or create a new plan to randomize."
        )
    if unit.agency_id != actor.agency_id:
        raise InvalidInput({"unit": ["Choose a unit of your agency."]})
    if seed is None:
        seed = secrets.randbelow(DRAWN_SEED_LIMIT)
    if not 0 <= seed < MAX_SEED:
        raise InvalidInput({"seed": [f"The seed must be a whole number from 0 to {MAX_SEED - 1}."]})
    rows = rollout_candidates(plan=plan, unit=unit)
    if not rows:
        what = "active members" if plan.level == AssignmentLevel.MEMBER else "staffed squads"
        raise InvalidInput({"unit": [f"“{unit.name}” has no {what} to assign."]})
    waves = {w.number: w for w in plan.waves.all()}
    assignment = assign_waves([r.candidate for r in rows], len(waves), seed, tuple(plan.strata))

    snapshot: dict[str, list[int]] = {}
    records = []
    for row in rows:
        cid = row.candidate.id
        members = unit_active_member_ids(unit=row.unit) if row.unit is not None else []
        if row.unit is not None:
            snapshot[cid] = members
        records.append(
            WaveAssignment(
                plan=plan,
                wave=waves[assignment.waves[cid]],
                member=row.member,
                unit=row.unit,
                stratum=assignment.strata[cid],
                unit_member_ids=members,
            )
        )
    WaveAssignment.objects.bulk_create(records)

    plan.randomized = True
    plan.seed = seed
    plan.algorithm = assignment.algorithm
    plan.input_hash = assignment.input_hash
    plan.result_hash = assignment.result_hash
    plan.locked = True
    plan.locked_at = timezone.now()
    plan.save()

    sizes = assignment.wave_sizes()
    changes: dict[str, object] = {
        "seed": seed,
        "algorithm": assignment.algorithm,
        "input_hash": assignment.input_hash,
        "result_hash": assignment.result_hash,
        "strata": list(plan.strata),
        "candidates_from_unit": unit.pk,
        "candidates": len(rows),
        "strata_count": len(set(assignment.strata.values())),
        "per_wave": [sizes[n] for n in sorted(sizes)],
        "locked": True,
    }
    if snapshot:
        changes["members_in_units"] = sum(len(m) for m in snapshot.values())
        changes["unit_members_hash"] = _snapshot_hash(snapshot)
    audit_record(actor=actor, action="rollout.randomize", obj=plan, changes=changes)
    return plan


def _manual_targets(
    *, actor: Actor, plan: RolloutPlan, members: Iterable[Member], units: Iterable[Unit]
) -> list[tuple[Member | None, Unit | None]]:
    members, units = list(members), list(units)
    errors: list[str] = []
    if plan.level == AssignmentLevel.MEMBER and units:
        errors.append("This plan assigns individual members, not units.")
    if plan.level == AssignmentLevel.UNIT and members:
        errors.append("This plan assigns squads or units, not individual members.")
    for m in members:
        if m.agency_id != actor.agency_id:
            errors.append(f"Member #{m.badge} is not in your agency.")
        elif m.status != MemberStatus.ACTIVE:
            errors.append(f"Member #{m.badge} is not active ({m.get_status_display()}).")
    errors.extend(
        f"Unit {u.code} is not in your agency." for u in units if u.agency_id != actor.agency_id
    )
    if not members and not units:
        errors.append("Name at least one member or unit.")
    if errors:
        raise InvalidInput({"targets": errors})
    return [(m, None) for m in members] + [(None, u) for u in units]


@transaction.atomic
def rollout_assign(
    *,
    actor: Actor,
    plan: RolloutPlan,
    wave_number: int,
    members: Iterable[Member] = (),
    units: Iterable[Unit] = (),
) -> int:
    """Put members (or units) of a plan that is not randomized into wave ``wave_number``;
    someone already assigned moves. Returns how many were placed."""
    ensure(actor, "rollout.manage", plan)
    plan = _locked_for_update(plan)
    if plan.randomized:
        raise ConflictError("A randomized plan cannot be assigned by hand.")
    wave = plan.waves.filter(number=wave_number).first()
    if wave is None:
        raise InvalidInput({"wave": [f"Plan “{plan.name}” has no wave {wave_number}."]})
    targets = _manual_targets(actor=actor, plan=plan, members=members, units=units)
    index = UnitIndex.for_agency(plan.agency_id)
    keys = tuple(plan.strata)
    moved: list[str] = []
    for member, unit in targets:
        where = unit if unit is not None else member.unit  # type: ignore[union-attr]
        attrs = index.attributes(where)
        stratum = stratum_label(keys, tuple(attrs[k] for k in keys))
        lookup: dict[str, Any] = {"member": member} if member is not None else {"unit": unit}
        row, _ = WaveAssignment.objects.update_or_create(
            plan=plan, **lookup, defaults={"wave": wave, "stratum": stratum}
        )
        moved.append(
            member_candidate_id(row.member_id)
            if row.member_id is not None
            else unit_candidate_id(row.unit_id)  # type: ignore[arg-type]
        )
    audit_record(
        actor=actor,
        action="rollout.assign",
        obj=plan,
        changes={"wave": wave_number, "assigned": sorted(moved)},
    )
    return len(moved)


@transaction.atomic
def rollout_unassign(
    *, actor: Actor, plan: RolloutPlan, members: Iterable[Member] = (), units: Iterable[Unit] = ()
) -> int:
    """Take members (or units) out of a plan that is not randomized and not locked."""
    ensure(actor, "rollout.manage", plan)
    plan = _locked_for_update(plan)
    if plan.randomized:
        raise ConflictError("A randomized plan cannot be changed by hand.")
    targets = _manual_targets(actor=actor, plan=plan, members=members, units=units)
    member_ids = [m.pk for m, _ in targets if m is not None]
    unit_ids = [u.pk for _, u in targets if u is not None]
    removed = WaveAssignment.objects.filter(plan=plan, member_id__in=member_ids)
    removed_units = WaveAssignment.objects.filter(plan=plan, unit_id__in=unit_ids)
    count = removed.delete()[0] + removed_units.delete()[0]
    audit_record(
        actor=actor,
        action="rollout.unassign",
        obj=plan,
        changes={
            "removed": sorted(
                [member_candidate_id(i) for i in member_ids]
                + [unit_candidate_id(i) for i in unit_ids]
            ),
            "count": count,
        },
    )
    return count


@transaction.atomic
def rollout_lock(*, actor: Actor, plan: RolloutPlan) -> RolloutPlan:
    """Freeze a hand-assigned plan. Squads' members are recorded as they are now."""
    ensure(actor, "rollout.manage", plan)
    plan = _locked_for_update(plan)
    assignments = list(plan.assignments.select_related("wave", "unit"))
    if not assignments:
        raise InvalidInput({"plan": ["Assign at least one member or unit before locking."]})
    snapshot: dict[str, list[int]] = {}
    for a in assignments:
        if a.unit is not None:
            a.unit_member_ids = unit_active_member_ids(unit=a.unit)
            a.save(update_fields=["unit_member_ids"])
            snapshot[unit_candidate_id(a.unit.pk)] = a.unit_member_ids
    waves = {
        member_candidate_id(a.member_id) if a.member_id else unit_candidate_id(a.unit_id or 0): (
            a.wave.number
        )
        for a in assignments
    }
    plan.algorithm = "manual"
    plan.result_hash = result_hash(waves, algorithm="manual")
    plan.locked = True
    plan.locked_at = timezone.now()
    plan.save()
    per_wave = Counter(waves.values())
    changes: dict[str, object] = {
        "algorithm": "manual",
        "result_hash": plan.result_hash,
        "assigned": len(waves),
        "per_wave": [per_wave.get(n, 0) for n in range(1, plan.waves.count() + 1)],
        "locked": True,
    }
    if snapshot:
        changes["members_in_units"] = sum(len(m) for m in snapshot.values())
        changes["unit_members_hash"] = _snapshot_hash(snapshot)
    audit_record(actor=actor, action="rollout.lock", obj=plan, changes=changes)
    return plan
