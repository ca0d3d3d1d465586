"""Early-intervention pages: the flags of one's chain, a flag with its reasons and the
supervisor's response, the calibration report, and the scoring run.

Internal affairs never reaches these pages (the ``intervention`` category is walled in the
registry), and nothing here reads or links an after-action review.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.actor import Actor
from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.intervention import selectors, services
from steadyhand.intervention.charts import dispute_chart, weight_chart
from steadyhand.intervention.forms import CompleteForm, RespondForm, ScoreForm
from steadyhand.intervention.labels import factor_label, factor_rows, peer_group
from steadyhand.intervention.models import Flag, FlagStatus, InterventionKind

PER_PAGE = 50


@requires("intervention.view")
def flag_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    status = request.GET.get("status", "")
    flags = selectors.flags_visible(actor=actor)
    if status in FlagStatus.values:
        flags = flags.filter(status=status)
    page = Paginator(flags, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(flag, [factor_label(f) for f in flag.shown_factors]) for flag in page]
    return render(
        request,
        "intervention/flag_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": FlagStatus.choices,
            "can_calibrate": can(actor, "intervention.calibration"),
        },
    )


def _may_respond(actor: Actor, flag: Flag) -> bool:
    return can(actor, "intervention.respond", flag) and actor.member_id != flag.member_id


def _detail(
    request: HttpRequest,
    flag: Flag,
    *,
    form: RespondForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = request_actor(request)
    response = selectors.flag_response(flag=flag)
    may_respond = _may_respond(actor, flag)
    if may_respond and flag.status == FlagStatus.OPEN and form is None:
        form = RespondForm(flag=flag, courses=selectors.remedial_courses(actor=actor))
    return render(
        request,
        "intervention/flag_detail.html",
        {
            "flag": flag,
            "factors": factor_rows(flag),
            "peers": peer_group(flag),
            "baseline": selectors.flag_baseline(actor=actor, flag=flag),
            "incidents": selectors.flag_incidents(actor=actor, flag=flag),
            "response": response,
            "disputed_labels": [factor_label(f) for f in response.disputed_factors]
            if response
            else [],
            "form": form if may_respond and flag.status == FlagStatus.OPEN else None,
            "complete_form": CompleteForm(initial={"version": flag.version})
            if may_respond and flag.status == FlagStatus.AGREED
            else None,
            "problem": problem,
        },
        status=status,
    )


@requires("intervention.view")
def flag_detail(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = selectors.flag_get_visible(actor=request_actor(request), flag_id=flag_id, log_read=True)
    return _detail(request, flag)


@require_POST
@requires("intervention.respond")
def flag_respond(request: HttpRequest, flag_id: int) -> HttpResponse:
    actor = request_actor(request)
    flag = selectors.flag_get_visible(actor=actor, flag_id=flag_id)
    form = RespondForm(request.POST, flag=flag, courses=selectors.remedial_courses(actor=actor))
    if not form.is_valid():
        return _detail(request, flag, form=form, status=400)
    data = form.cleaned_data
    try:
        response = services.flag_respond(
            actor=actor,
            flag=flag,
            agreed=form.agreed,
            reason=data["reason"],
            disputed_factors=data["disputed_factors"],
            intervention=data["intervention"] if form.agreed else "",
            due=data["due"] if form.agreed else None,
            course=data["course"] if form.agreed else None,
            version=data["version"],
        )
    except ConflictError as exc:
        flag = selectors.flag_get_visible(actor=actor, flag_id=flag_id)
        return _detail(request, flag, problem=str(exc), status=409)
    except InvalidInput as exc:
        apply_errors(form, exc)
        return _detail(request, flag, form=form, status=400)
    if response.agreed:
        done = f"{response.get_intervention_display()} assigned, due {response.due:%Y-%m-%d}."
        if response.enrolment_id:
            done += " The member is enrolled in the course; a trainer places them in a session."
        messages.success(request, done)
    else:
        messages.success(
            request, "Your disagreement is recorded and counts toward recalibrating the score."
        )
    return redirect("intervention:detail", flag_id=flag.pk)


@require_POST
@requires("intervention.respond")
def flag_complete(request: HttpRequest, flag_id: int) -> HttpResponse:
    actor = request_actor(request)
    flag = selectors.flag_get_visible(actor=actor, flag_id=flag_id)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        return _detail(request, flag, problem="Reload the page and try again.", status=400)
    try:
        services.intervention_complete(actor=actor, flag=flag, version=form.cleaned_data["version"])
    except ConflictError as exc:
        flag = selectors.flag_get_visible(actor=actor, flag_id=flag_id)
        return _detail(request, flag, problem=str(exc), status=409)
    except InvalidInput as exc:
        problem = " ".join(m for ms in exc.errors.values() for m in ms)
        return _detail(request, flag, problem=problem, status=400)
    messages.success(request, "Intervention marked complete; the flag is closed.")
    return redirect("intervention:detail", flag_id=flag.pk)


@requires("intervention.calibration")
def calibration(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    report = selectors.calibration_report(actor=actor)
    summary = selectors.response_summary(actor=actor)
    return render(
        request,
        "intervention/calibration.html",
        {
            "report": report,
            "rows": [(factor_label(r.factor), r) for r in report.factors],
            "summary": summary,
            "interventions": [
                (InterventionKind(k).label, n) for k, n in sorted(summary.interventions.items())
            ],
            "comparison": selectors.latest_run_comparison(actor=actor),
            "dispute_chart": dispute_chart(report),
            "weight_chart": weight_chart(report),
        },
    )


@requires("intervention.score")
def score(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = ScoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.flags_score_start(
                actor=actor,
                as_of=data["as_of"],
                window_days=data["window_days"],
                flag_ratio=data["flag_ratio"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Scoring started; this page follows its progress.")
            return redirect("jobs:detail", job_id=job.pk)
    return render(
        request,
        "intervention/score.html",
        {"form": form, "jobs": selectors.score_jobs(actor=actor)},
        status=400 if request.method == "POST" else 200,
    )
