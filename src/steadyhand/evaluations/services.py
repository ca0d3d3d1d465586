"""Requesting and running program evaluations. Each run is a background job; its result is
stored with the panel's hash and the code version, and never changed afterwards."""

import hashlib
import json
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

import steadyhand
from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.evaluations.estimate import estimate, estimate_its
from steadyhand.evaluations.models import (
    Evaluation,
    EvaluationStatus,
    Method,
    Outcome,
    UnitOfAnalysis,
)
from steadyhand.evaluations.panels import (
    agency_series,
    build_panel,
    first_data_month,
    month_index,
)
from steadyhand.jobs.services import ProgressCallback, job_create
from steadyhand.training.models import RolloutPlan

DEFAULT_PRE_MONTHS = 12
DEFAULT_FISHER = 499


def _default_last_month(plan: RolloutPlan, today: date) -> int:
    # The last complete month: the current one is still filling up.
    return month_index(today) - 1


def evaluation_request(
    *,
    actor: Actor,
    plan: RolloutPlan,
    outcome: str,
    unit_of_analysis: str,
    method: str,
    pre_months: int = DEFAULT_PRE_MONTHS,
    last_month: int | None = None,
    fisher: int = DEFAULT_FISHER,
    seed: int = 20231,
    today: date | None = None,
) -> Evaluation:
    """Store the request and queue its job; the result arrives when the worker has run it."""
    ensure(actor, "evaluation.run", plan)
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [f"{outcome!r} is not an outcome Steadyhand can count."]
    if unit_of_analysis not in UnitOfAnalysis.values:
        errors["unit_of_analysis"] = [f"{unit_of_analysis!r} is not a unit of analysis."]
    if method not in Method.values:
        errors["method"] = [f"{method!r} is not an estimator Steadyhand offers."]
    if not 1 <= pre_months <= 120:
        errors["pre_months"] = ["Give between 1 and 120 months of data before the first wave."]
    if not 0 <= fisher <= 9999:
        errors["fisher"] = ["Use between 0 and 9,999 permutations."]
    if method == Method.ITS and pre_months < 12:
        errors["pre_months"] = [
            "An interrupted time series needs at least 12 months before the first wave (24 to "
            "estimate each calendar month's own level)."
        ]
    if method == Method.EFFICIENT and not plan.randomized:
        errors["method"] = [
            "The efficient estimator assumes the wave order was randomized; this plan's was "
            "not. Use Callaway & Sant'Anna."
        ]
    waves = list(plan.waves.order_by("starts_on").values_list("starts_on", flat=True))
    if not waves:
        errors["plan"] = [f"{plan} has no waves."]
    if errors:
        raise InvalidInput(errors)
    first_month = month_index(waves[0]) - pre_months
    data_start = first_data_month(agency_id=actor.agency_id, outcome=outcome)
    if data_start is not None and data_start > first_month:
        # Fewer months before the first wave than asked for: the records start later.
        first_month = data_start
        if method == Method.ITS and month_index(waves[0]) - first_month < 12:
            raise InvalidInput(
                {
                    "pre_months": [
                        "The agency's records start less than 12 months before the first wave; "
                        "an interrupted time series needs at least 12."
                    ]
                }
            )
    last = (
        last_month if last_month is not None else _default_last_month(plan, today or date.today())
    )
    params: dict[str, Any] = {
        "first_month": first_month,
        "last_month": last,
        "pre_months": pre_months,
        "fisher": fisher if method == Method.EFFICIENT else 0,
        "seed": seed,
    }
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            agency_id=actor.agency_id,
            plan=plan,
            outcome=outcome,
            unit_of_analysis=unit_of_analysis,
            method=method,
            params=params,
            created_by_id=actor.user_id,
        )
        evaluation.job = job_create(
            actor=actor,
            kind="evaluation.run",
            title=f"Evaluating {plan}: {evaluation.get_outcome_display().lower()}",
            params={"evaluation_id": evaluation.pk},
            total=3,
        )
        evaluation.save(update_fields=["job"])
        audit_record(
            actor=actor,
            action="evaluation.request",
            obj=evaluation,
            changes={"outcome": outcome, "unit": unit_of_analysis, "method": method, **params},
        )
        job_id = evaluation.job.pk
        transaction.on_commit(lambda: _enqueue(evaluation.pk, job_id))
    return evaluation


def _enqueue(evaluation_id: int, job_id: int) -> None:
    from steadyhand.evaluations.tasks import evaluation_run_task

    evaluation_run_task.enqueue(evaluation_id, job_id)


def evaluation_run(
    *, actor: Actor, evaluation: Evaluation, progress: ProgressCallback
) -> Evaluation:
    """Build the panel, estimate, and store the result with its hash (or the failure)."""
    ensure(actor, "evaluation.run", evaluation)
    if evaluation.status != EvaluationStatus.QUEUED:
        raise InvalidInput({"status": [f"Evaluation #{evaluation.pk} has already run."]})
    params = evaluation.params
    if evaluation.method == Method.ITS:
        return _run_its(actor, evaluation, progress)
    try:
        progress(0, 3, "Counting outcomes per unit and month")
        panel = build_panel(
            plan=evaluation.plan,
            outcome=evaluation.outcome,
            unit_of_analysis=evaluation.unit_of_analysis,
            first_month=params["first_month"],
            last_month=params["last_month"],
        )
        result = estimate(
            panel,
            method=evaluation.method,
            fisher=params["fisher"],
            seed=params["seed"],
            progress=progress,
        )
    except ValueError as exc:
        # The estimators explain what is wrong with the data in words meant for the analyst.
        return _finish(actor, evaluation, status=EvaluationStatus.FAILED, failure=str(exc))
    return _finish(
        actor,
        evaluation,
        status=EvaluationStatus.DONE,
        result=result,
        input_hash=panel.input_hash(),
    )


def _run_its(actor: Actor, evaluation: Evaluation, progress: ProgressCallback) -> Evaluation:
    params = evaluation.params
    first_wave = evaluation.plan.waves.order_by("starts_on").values_list("starts_on", flat=True)
    try:
        progress(0, 3, "Counting outcomes per month")
        months, counts = agency_series(
            plan=evaluation.plan,
            outcome=evaluation.outcome,
            first_month=params["first_month"],
            last_month=params["last_month"],
        )
        result = estimate_its(
            months, counts, intervention_month=month_index(first_wave[0]), progress=progress
        )
    except ValueError as exc:
        return _finish(actor, evaluation, status=EvaluationStatus.FAILED, failure=str(exc))
    digest = hashlib.sha256(
        json.dumps({"months": list(months), "counts": counts.astype(int).tolist()}).encode()
    ).hexdigest()
    return _finish(
        actor, evaluation, status=EvaluationStatus.DONE, result=result, input_hash=digest
    )


@transaction.atomic
def _finish(
    actor: Actor,
    evaluation: Evaluation,
    *,
    status: str,
    result: dict[str, Any] | None = None,
    input_hash: str = "",
    failure: str = "",
) -> Evaluation:
    locked = Evaluation.objects.select_for_update().filter(pk=evaluation.pk).first()
    if locked is None:
        raise NotFound(f"No evaluation {evaluation.pk}.")
    locked.status = status
    locked.result = result or {}
    locked.input_hash = input_hash
    locked.failure = failure
    locked.code_version = steadyhand.__version__
    locked.finished_at = timezone.now()
    locked.save()
    audit_record(
        actor=actor,
        action="evaluation.finish",
        obj=locked,
        changes={"status": status, "input_hash": input_hash, "failure": failure},
    )
    return locked


def evaluation_rerun(*, actor: Actor, evaluation: Evaluation) -> Evaluation:
    """The same request again, on the data as it is now: its page says whether it reproduced."""
    params = evaluation.params
    return evaluation_request(
        actor=actor,
        plan=evaluation.plan,
        outcome=evaluation.outcome,
        unit_of_analysis=evaluation.unit_of_analysis,
        method=evaluation.method,
        pre_months=params["pre_months"],
        last_month=params["last_month"],
        fisher=params["fisher"],
        seed=params["seed"],
    )
