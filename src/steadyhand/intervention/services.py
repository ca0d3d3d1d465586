"""Writes of early intervention: the scoring run, a supervisor's response, completion.

Each: check permission, check state, validate, write, audit — in one transaction. Audit events
carry ids and field names only (the auditor role reads the log; a flag is not its business).

The ``intervention`` category is walled from internal affairs in the registry: flags are
supportive, never disciplinary.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.analytics.early_warning import ScoringConfig, recalibrate, score_members
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.core.versioning import check_version
from steadyhand.intervention.inputs import response_records, scoring_inputs
from steadyhand.intervention.models import Flag, FlagStatus, InterventionKind, SupervisorResponse

MAX_REASON = 2000
DEFAULT_WINDOW_DAYS = 365


@dataclass(frozen=True)
class ScoringRun:
    """What one scoring run did."""

    members_scored: int
    flags_created: int
    already_flagged: int
    weights: Mapping[str, float]


@transaction.atomic
def flags_score(
    *,
    actor: Actor,
    as_of: date | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    flag_ratio: float = 1.5,
) -> ScoringRun:
    """Score every member of the actor's agency over the window ending ``as_of``; flag those at
    or above ``flag_ratio`` times their peers. Factor weights come from supervisors' feedback
    (:func:`steadyhand.analytics.early_warning.recalibrate`) over every response so far."""
    ensure(actor, "intervention.score")
    if window_days < 30:
        raise InvalidInput({"window_days": ["Use a window of at least 30 days."]})
    end = as_of or timezone.localdate()
    start = end - timedelta(days=window_days - 1)
    weights = recalibrate(response_records(agency_id=actor.agency_id), {}).weights
    inputs = scoring_inputs(agency_id=actor.agency_id, start=start, end=end)
    if inputs is None:
        return ScoringRun(0, 0, 0, weights)
    try:
        config = ScoringConfig(flag_ratio=flag_ratio, weights=weights)
        result = score_members(inputs.periods, inputs.co_attendance, config=config)
    except ValueError as exc:
        raise InvalidInput({"scoring": [str(exc)]}) from exc
    existing = set(
        Flag.objects.filter(agency_id=actor.agency_id, period_end=end).values_list(
            "member_id", flat=True
        )
    )
    created = already = 0
    for explanation in result.flags():
        member = inputs.members[explanation.member]
        if member.pk in existing:
            already += 1
            continue
        flag = Flag.objects.create(
            agency_id=actor.agency_id,
            member=member,
            unit=member.unit,
            period_start=start,
            period_end=end,
            score=explanation.score,
            combined_ratio=explanation.combined_ratio,
            peer_group=explanation.peer_group,
            peer_size=explanation.peer_size,
            exposure=explanation.exposure,
            factors=[
                {
                    "factor": f.factor,
                    "contribution": f.contribution,
                    "weight": f.weight,
                    "observed": f.observed,
                    "expected": f.expected,
                    "shrunk_ratio": f.shrunk_ratio,
                    "prob_above_peers": f.prob_above_peers,
                    "peer_rate": f.peer_rate,
                    "incidents": f.incidents,
                }
                for f in explanation.factors
            ],
        )
        audit_record(actor=actor, action="intervention.flag", obj=flag, changes={"run": str(end)})
        created += 1
    return ScoringRun(int(result.members.size), created, already, weights)


def _lock(*, actor: Actor, flag: Flag) -> Flag:
    found = (
        Flag.objects.select_for_update(of=("self",))
        .select_related("unit", "member")
        .filter(pk=flag.pk, agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound(f"No early-intervention flag {flag.pk}.")
    return found


@transaction.atomic
def flag_respond(
    *,
    actor: Actor,
    flag: Flag,
    agreed: bool,
    reason: str = "",
    disputed_factors: Iterable[str] = (),
    intervention: str = "",
    due: date | None = None,
    version: int | None = None,
) -> SupervisorResponse:
    """The supervisor agrees (and assigns a supportive intervention) or disputes (with a reason,
    optionally naming the factors they reject)."""
    locked = _lock(actor=actor, flag=flag)
    ensure(actor, "intervention.respond", locked)
    if actor.member_id is None:
        raise InvalidInput({"responder": ["Your login is not linked to a member record."]})
    if actor.member_id == locked.member_id:
        raise InvalidInput({"responder": ["You cannot respond to a flag about yourself."]})
    if locked.status != FlagStatus.OPEN:
        raise InvalidInput({"status": ["This flag already has a response."]})
    check_version(locked, version)
    reason = reason.strip()
    disputed = sorted(set(disputed_factors))
    errors: dict[str, list[str]] = {}
    if len(reason) > MAX_REASON:
        errors["reason"] = [f"Keep the reason under {MAX_REASON} characters."]
    unknown = [f for f in disputed if f not in locked.shown_factors]
    if unknown:
        errors["disputed_factors"] = [f"Not on this flag: {', '.join(unknown)}."]
    if agreed and intervention not in InterventionKind.values:
        errors["intervention"] = ["Choose a supportive intervention for an agreed flag."]
    if not agreed and intervention:
        errors["intervention"] = ["A disputed flag gets no intervention."]
    if not agreed and not reason:
        errors["reason"] = ["Say why you disagree: it is used to recalibrate the score."]
    if errors:
        raise InvalidInput(errors)
    response = SupervisorResponse.objects.create(
        flag=locked,
        responder_id=actor.member_id,
        agreed=agreed,
        reason=reason,
        disputed_factors=disputed,
        intervention=intervention if agreed else "",
        due=due if agreed else None,
    )
    locked.status = FlagStatus.AGREED if agreed else FlagStatus.DISPUTED
    locked.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="intervention.respond",
        obj=locked,
        changes={"agreed": agreed, "disputed_factors": disputed, "intervention": intervention},
    )
    return response


@transaction.atomic
def intervention_complete(*, actor: Actor, flag: Flag) -> SupervisorResponse:
    """Record that the agreed intervention was completed; closes the flag."""
    locked = _lock(actor=actor, flag=flag)
    ensure(actor, "intervention.respond", locked)
    response = SupervisorResponse.objects.select_for_update().filter(flag=locked).first()
    if response is None or not response.agreed or locked.status != FlagStatus.AGREED:
        raise InvalidInput({"status": ["Only an agreed flag's intervention can be completed."]})
    response.completed_at = timezone.now()
    response.save(update_fields=["completed_at", "updated_at"])
    locked.status = FlagStatus.CLOSED
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    audit_record(actor=actor, action="intervention.complete", obj=locked)
    return response
