"""Reads of stored evaluations (aggregate results: no person is identified in them)."""

from django.db.models import QuerySet

from steadyhand.access.actor import Actor
from steadyhand.access.querying import visible_q
from steadyhand.core.errors import NotFound
from steadyhand.evaluations.models import Evaluation, EvaluationStatus, SynthStudy
from steadyhand.training.models import RolloutPlan


def evaluations_visible(*, actor: Actor) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(visible_q(actor, "evaluation.view")).select_related(
        "plan", "job"
    )


def evaluation_get_visible(*, actor: Actor, evaluation_id: int) -> Evaluation:
    found = evaluations_visible(actor=actor).filter(pk=evaluation_id).first()
    if found is None:
        raise NotFound(f"No evaluation {evaluation_id}.")
    return found


def plans_evaluable(*, actor: Actor) -> QuerySet[RolloutPlan]:
    """Roll-out plans of the actor's agency that have waves (only those can be evaluated)."""
    return (
        RolloutPlan.objects.filter(agency_id=actor.agency_id, waves__isnull=False)
        .distinct()
        .order_by("name")
    )


def evaluation_same_request(*, actor: Actor, evaluation: Evaluation) -> list[Evaluation]:
    """Other finished runs of the same request (for "does it reproduce?")."""
    return list(
        evaluations_visible(actor=actor)
        .filter(
            plan_id=evaluation.plan_id,
            outcome=evaluation.outcome,
            unit_of_analysis=evaluation.unit_of_analysis,
            method=evaluation.method,
            params=evaluation.params,
            status=EvaluationStatus.DONE,
        )
        .exclude(pk=evaluation.pk)
        .order_by("-created_at")[:10]
    )


def synth_studies_visible(*, actor: Actor) -> QuerySet[SynthStudy]:
    return SynthStudy.objects.filter(visible_q(actor, "evaluation.view")).select_related("job")


def synth_study_get_visible(*, actor: Actor, study_id: int) -> SynthStudy:
    found = synth_studies_visible(actor=actor).filter(pk=study_id).first()
    if found is None:
        raise NotFound(f"No synthetic-control study {study_id}.")
    return found
