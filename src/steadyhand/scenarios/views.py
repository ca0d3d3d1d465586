"""Scenario pages: pick and play a scenario turn by turn, read the debrief; trainers run group
sessions (live view, event injection); supervisors and trainers review their chain's runs.

Views parse input, call one service or selector, and render. Every turn is a POST that the
service checks against the stored run; the page never holds state the server trusts.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors, error_page, request_actor
from steadyhand.scenarios import presenters, selectors, services
from steadyhand.scenarios.forms import GroupSessionForm, InjectForm, JoinForm, PlayForm
from steadyhand.scenarios.models import ScenarioRun
from steadyhand.scenarios.picture import scene_svg

# The trainer's live page asks for fresh rows this often (and refreshes itself without JS).
LIVE_POLL_SECONDS = 3


def _refusal(exc: InvalidInput | ConflictError) -> str:
    if isinstance(exc, InvalidInput):
        return " ".join(message for errors in exc.errors.values() for message in errors)
    return str(exc)


def _to_run(run: ScenarioRun) -> HttpResponse:
    if run.is_completed:
        return redirect("scenarios:debrief", run_id=run.pk)
    return redirect("scenarios:play", run_id=run.pk)


def _unreplayable(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return error_page(request, status=409, heading="This run cannot be shown", message=str(exc))


# Trainee -----------------------------------------------------------------------------------


@requires("scenario.play")
def index(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    titles = selectors.scenario_titles()
    runs = [(r, titles.get(r.scenario_id, r.scenario_id))
            for r in selectors.runs_of_actor(actor=actor)[:50]]  # fmt: skip
    return render(
        request,
        "scenarios/index.html",
        {
            "scenarios": selectors.scenario_list(),
            "in_progress": [(r, t) for r, t in runs if not r.is_completed],
            "completed": [(r, t) for r, t in runs if r.is_completed],
            "join_form": JoinForm(),
            "can_run_sessions": can(actor, "scenario.run_session"),
            "can_review": can(actor, "scenario.view_runs"),
        },
    )


@requires("scenario.play")
@require_POST
def run_start(request: HttpRequest, scenario_id: str) -> HttpResponse:
    actor = request_actor(request)
    try:
        run = services.run_start(actor=actor, scenario_id=scenario_id)
    except InvalidInput as exc:
        messages.error(request, _refusal(exc))
        return redirect("scenarios:index")
    return redirect("scenarios:play", run_id=run.pk)


@requires("scenario.play")
@require_POST
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            run = services.group_session_join(
                actor=request_actor(request), code=form.cleaned_data["code"]
            )
        except InvalidInput as exc:
            messages.error(request, _refusal(exc))
        else:
            return _to_run(run)
    else:
        messages.error(request, "Type the session code your trainer gave you.")
    return redirect("scenarios:index")


@requires("scenario.play")
def play(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = request_actor(request)
    run = selectors.run_get_own(actor=actor, run_id=run_id)
    if run.is_completed:
        return redirect("scenarios:debrief", run_id=run.pk)
    try:
        engine = selectors.run_engine(run)
    except ConflictError as exc:
        return _unreplayable(request, exc)
    options = engine.available_actions()
    choices = [(o.code, o.label) for o in options]
    form = PlayForm(request.POST or None, actions=choices, initial={"turn": run.turn})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = services.run_take_action(
                    actor=actor,
                    run_id=run.pk,
                    action=form.cleaned_data["action"],
                    expected_turn=form.cleaned_data["turn"],
                )
            except ConflictError as exc:
                messages.error(request, str(exc))
                return redirect("scenarios:play", run_id=run.pk)
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                if outcome.interrupted:
                    messages.warning(
                        request,
                        "Something happened before you could act, and what you chose is no "
                        "longer possible. Read the scene again and choose.",
                    )
                return _to_run(outcome.run)
        elif "turn" in form.errors or form.data.get("turn") != str(run.turn):
            messages.error(
                request,
                "That choice was made on an older copy of this page; nothing was played. "
                "The page now shows the run as it is.",
            )
            return redirect("scenarios:play", run_id=run.pk)
        status = 400
    scenario = selectors.scenario_get(scenario_id=run.scenario_id)
    view = engine.view().to_dict()
    return render(
        request,
        "scenarios/play.html",
        {
            "run": run,
            "scenario": scenario,
            "form": form,
            "groups": presenters.group_actions(options),
            "chosen": form.data.get("action") if form.is_bound else None,
            "view": view,
            "clock": presenters.minutes(view.get("elapsed_s")),
            "picture": scene_svg(view),
            "results": engine.results,
            "latest": presenters.latest_results(engine.results),
            "turn_number": run.turn + 1,
        },
        status=status,
    )


@requires("scenario.play")
def debrief(request: HttpRequest, run_id: int) -> HttpResponse:
    """The debrief of a finished run: for its player, their chain and session trainers."""
    actor = request_actor(request)
    run = selectors.run_get_visible(actor=actor, run_id=run_id)
    own = run.user_id == actor.user_id
    if not run.is_completed and own:
        return redirect("scenarios:play", run_id=run.pk)
    try:
        engine = selectors.run_engine(run)
    except ConflictError as exc:
        return _unreplayable(request, exc)
    score = run.score or {}
    return render(
        request,
        "scenarios/debrief.html",
        {
            "run": run,
            "own": own,
            "trainee": selectors.trainee_label(run),
            "scenario": selectors.scenario_get(scenario_id=run.scenario_id),
            "outcome": run.outcome_data,
            "score": score,
            "scores": presenters.score_rows(score),
            "sections": presenters.debrief_sections(score),
            "decision_points": presenters.decision_point_rows(score),
            "results": engine.results,
            "clock": presenters.minutes(run.outcome_data.get("elapsed_s")),
            "enrolment": run.enrolment,
            "state": run.trainer_state if not own else None,
            "points_pending": run.is_completed and not run.decision_points_done,
            # The player follows the job that computes them (job.view: own jobs only).
            "job": run.debrief_job if own else None,
        },
    )


# Review ------------------------------------------------------------------------------------


@requires("scenario.view_runs")
def review(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    titles = selectors.scenario_titles()
    rows = [
        (r, selectors.trainee_label(r), titles.get(r.scenario_id, r.scenario_id))
        for r in selectors.runs_for_review(actor=actor)
    ]
    return render(request, "scenarios/review.html", {"rows": rows})


# Trainer -----------------------------------------------------------------------------------


@requires("scenario.run_session")
def session_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    titles = selectors.scenario_titles()
    form = GroupSessionForm(request.POST or None, scenarios=list(titles.items()))
    if request.method == "POST" and form.is_valid():
        try:
            session = services.group_session_create(
                actor=actor,
                scenario_id=form.cleaned_data["scenario"],
                title=form.cleaned_data["title"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Session open. Trainees join with the code {session.code}.")
            return redirect("scenarios:session_live", session_id=session.pk)
    return render(
        request,
        "scenarios/session_list.html",
        {
            "form": form,
            "sessions": [
                (s, titles.get(s.scenario_id, s.scenario_id))
                for s in selectors.group_sessions(actor=actor)
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


def _inject_form(
    session_runs: list[ScenarioRun], events: list[tuple[str, str]], data: object = None
) -> InjectForm:
    runs = [(r.pk, selectors.trainee_label(r)) for r in session_runs if not r.is_completed]
    return InjectForm(data, events=events, runs=runs)


@requires("scenario.run_session")
def session_live(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = request_actor(request)
    session = selectors.group_session_get(actor=actor, session_id=session_id)
    scenario = selectors.scenario_get(scenario_id=session.scenario_id)
    events = list(scenario.events)
    return render(
        request,
        "scenarios/session_live.html",
        {
            "session": session,
            "scenario": scenario,
            "rows": selectors.live_rows(session=session),
            "inject_form": _inject_form(selectors.group_session_runs(session=session), events),
            "has_events": bool(events),
            "poll_seconds": LIVE_POLL_SECONDS,
            "live_url": reverse("scenarios:session_live_json", args=[session.pk]),
        },
    )


@requires("scenario.run_session")
def session_live_json(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = request_actor(request)
    session = selectors.group_session_get(actor=actor, session_id=session_id)
    rows = selectors.live_rows(session=session)
    response = JsonResponse(
        {
            "session": session.pk,
            "open": session.is_open,
            "runs": [
                {**row.to_dict(), "url": reverse("scenarios:debrief", args=[row.run_id])}
                for row in rows
            ],
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@requires("scenario.run_session")
@require_POST
def session_inject(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = request_actor(request)
    session = selectors.group_session_get(actor=actor, session_id=session_id)
    scenario = selectors.scenario_get(scenario_id=session.scenario_id)
    form = _inject_form(
        selectors.group_session_runs(session=session), list(scenario.events), request.POST
    )
    if not form.is_valid():
        messages.error(request, "Choose an event and the runs to add it to.")
    else:
        try:
            runs = services.group_session_inject(
                actor=actor,
                session_id=session.pk,
                event_id=form.cleaned_data["event"],
                run_ids=form.run_ids(),
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as exc:
            messages.error(request, _refusal(exc))
        else:
            label = dict(scenario.events)[form.cleaned_data["event"]]
            messages.success(
                request,
                f"“{label}” added to {len(runs)} run(s); it happens before each trainee's next "
                "action.",
            )
    return redirect("scenarios:session_live", session_id=session.pk)


@requires("scenario.run_session")
@require_POST
def session_close(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = request_actor(request)
    session = selectors.group_session_get(actor=actor, session_id=session_id)
    services.group_session_close(actor=actor, session_id=session.pk)
    messages.success(request, "Session closed: nobody can join it now.")
    return redirect("scenarios:session_live", session_id=session.pk)
