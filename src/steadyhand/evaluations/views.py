"""Program evaluation pages: request an evaluation, follow it, read and print its result."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.core.errors import InvalidInput
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.evaluations import services, synth_services
from steadyhand.evaluations.forms import EvaluationRequestForm, SynthStudyForm
from steadyhand.evaluations.models import EvaluationStatus
from steadyhand.evaluations.selectors import (
    evaluation_get_visible,
    evaluation_same_request,
    evaluations_visible,
    plans_evaluable,
    synth_studies_visible,
    synth_study_get_visible,
)
from steadyhand.evaluations.summary import (
    caveats,
    event_study_chart,
    headline,
    its_chart,
    synth_gap_chart,
    synth_rows,
    synth_weights,
    trend_chart,
)


def _list_page(
    request: HttpRequest, form: EvaluationRequestForm | None = None, status: int = 200
) -> HttpResponse:
    actor = request_actor(request)
    plans = plans_evaluable(actor=actor)
    may_run = can(actor, "evaluation.run")
    if may_run and form is None:
        form = EvaluationRequestForm(plans=plans)
    return render(
        request,
        "evaluations/evaluation_list.html",
        {
            "evaluations": evaluations_visible(actor=actor)[:100],
            "form": form if may_run else None,
            "has_plans": plans.exists(),
        },
        status=status,
    )


@requires("evaluation.view")
def evaluation_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@requires("evaluation.run")
def evaluation_request(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = EvaluationRequestForm(request.POST, plans=plans_evaluable(actor=actor))
    if not form.is_valid():
        return _list_page(request, form, status=400)
    try:
        evaluation = services.evaluation_request(actor=actor, **form.cleaned_data)
    except InvalidInput as exc:
        apply_errors(form, exc)
        return _list_page(request, form, status=400)
    return redirect("evaluations:detail", evaluation_id=evaluation.pk)


@requires("evaluation.view")
def evaluation_detail(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    actor = request_actor(request)
    evaluation = evaluation_get_visible(actor=actor, evaluation_id=evaluation_id)
    done = evaluation.status == EvaluationStatus.DONE
    others = evaluation_same_request(actor=actor, evaluation=evaluation) if done else []
    return render(
        request,
        "evaluations/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "job": evaluation.job,
            "working": evaluation.status == EvaluationStatus.QUEUED,
            "done": done,
            "headline": headline(evaluation) if done else "",
            "caveats": caveats(evaluation),
            "event_study_chart": event_study_chart(evaluation) if done else None,
            "trend_chart": trend_chart(evaluation) if done else None,
            "its_chart": its_chart(evaluation) if done else None,
            "reruns": [
                {
                    "evaluation": other,
                    "same_data": other.input_hash == evaluation.input_hash,
                    "same_result": other.result == evaluation.result,
                }
                for other in others
            ],
            "may_run": can(actor, "evaluation.run"),
        },
    )


@require_POST
@requires("evaluation.run")
def evaluation_rerun(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    actor = request_actor(request)
    evaluation = evaluation_get_visible(actor=actor, evaluation_id=evaluation_id)
    again = services.evaluation_rerun(actor=actor, evaluation=evaluation)
    return redirect("evaluations:detail", evaluation_id=again.pk)


def _synth_list_page(
    request: HttpRequest, form: SynthStudyForm | None = None, status: int = 200
) -> HttpResponse:
    actor = request_actor(request)
    may_run = can(actor, "evaluation.run")
    return render(
        request,
        "evaluations/synth_list.html",
        {
            "studies": synth_studies_visible(actor=actor)[:100],
            "form": (form or SynthStudyForm()) if may_run else None,
        },
        status=status,
    )


@requires("evaluation.view")
def synth_list(request: HttpRequest) -> HttpResponse:
    return _synth_list_page(request)


@require_POST
@requires("evaluation.run")
def synth_request(request: HttpRequest) -> HttpResponse:
    form = SynthStudyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _synth_list_page(request, form, status=400)
    data = dict(form.cleaned_data)
    upload = data.pop("file")
    try:
        study = synth_services.synth_study_request(
            actor=request_actor(request), file_name=upload.name, content=upload.read(), **data
        )
    except InvalidInput as exc:
        apply_errors(form, exc)
        return _synth_list_page(request, form, status=400)
    return redirect("evaluations:synth_detail", study_id=study.pk)


@requires("evaluation.view")
def synth_detail(request: HttpRequest, study_id: int) -> HttpResponse:
    study = synth_study_get_visible(actor=request_actor(request), study_id=study_id)
    done = study.status == EvaluationStatus.DONE
    return render(
        request,
        "evaluations/synth_detail.html",
        {
            "study": study,
            "job": study.job,
            "working": study.status == EvaluationStatus.QUEUED,
            "done": done,
            "chart": synth_gap_chart(study) if done else None,
            "rows": synth_rows(study) if done else [],
            "weights": synth_weights(study) if done else [],
        },
    )
