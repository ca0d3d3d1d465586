"""Force review pages: the list, a review and its step, the reporter's answer to a return,
corrective actions, the agency's routes, the supervisor's workbench and notifications.

These pages show the incident's facts, the reviewers' steps, the findings and corrective
actions — never anything of an after-action review (a separate, protected app they do not link).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.reviews import selectors, services
from steadyhand.reviews.forms import (
    SAVE,
    CompleteForm,
    CorrectiveForm,
    ResubmitForm,
    RouteForm,
    StepForm,
)
from steadyhand.reviews.models import Decision, ForceReview, ReviewStatus
from steadyhand.reviews.routing import FORCE_LEVELS
from steadyhand.reviews.rules import step_refusal
from steadyhand.reviews.workbench import workbench_sections

PER_PAGE = 50


def _to_review(review: ForceReview) -> HttpResponse:
    return redirect("reviews:detail", review_id=review.pk)


@requires("review.view")
def review_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    status = request.GET.get("status", "")
    reviews = selectors.reviews_visible(actor=actor)
    if status in ReviewStatus.values:
        reviews = reviews.filter(status=status)
    page = Paginator(reviews.order_by("-opened_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reviews/review_list.html",
        {"page": page, "status": status, "statuses": ReviewStatus.choices},
    )


def _detail(
    request: HttpRequest,
    review: ForceReview,
    step_form: StepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request_actor(request)
    step = review.current_step
    may_act = step_refusal(actor, review, step) is None
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "incident": review.incident,
            "involved": selectors.review_involved(review=review),
            "steps": selectors.review_steps(review=review),
            "actions": selectors.review_corrective_actions(review=review),
            "step": step,
            "may_act": may_act,
            "form": (step_form or StepForm.for_review(review)) if may_act else None,
            "can_manage": can(actor, "corrective.manage", review),
            "can_see_incident": can(actor, "incident.view", review.incident),
        },
        status=status,
    )


@requires("review.view")
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    review = selectors.review_get_visible(actor=request_actor(request), review_id=review_id)
    return _detail(request, review)


@require_POST
@requires("review.act")
def review_act(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = request_actor(request)
    review = selectors.review_get_visible(actor=actor, review_id=review_id, log_read=False)
    form = StepForm(request.POST)
    decision = request.POST.get("decision", SAVE)
    if not form.is_valid():
        return _detail(request, review, form, status=400)
    try:
        if decision == SAVE:
            services.review_findings_save(
                actor=actor,
                review=review,
                expected_version=form.cleaned_data["version"],
                findings=form.findings(),
            )
            messages.success(request, "Findings saved. You can come back to them.")
        else:
            review = services.review_decide(
                actor=actor,
                review=review,
                expected_version=form.cleaned_data["version"],
                decision=decision,
                reason=form.cleaned_data["reason"],
                findings=form.findings(),
            )
            messages.success(request, _decided(review, decision))
    except ConflictError as exc:
        messages.error(request, str(exc))
    except InvalidInput as exc:
        apply_errors(form, exc)
        review = selectors.review_get_visible(actor=actor, review_id=review_id, log_read=False)
        return _detail(request, review, form, status=400)
    return _to_review(review)


def _decided(review: ForceReview, decision: str) -> str:
    if decision == Decision.RETURN:
        return "Returned to the reporting officer for correction; they have been told why."
    if review.status == ReviewStatus.CLOSED:
        return "Approved. The review is closed; the members involved can now read it."
    step = review.current_step
    level = step.get_level_display().lower() if step else "next level"
    verb = "Escalated" if decision == Decision.ESCALATE else "Approved"
    return f"{verb}. The review now waits for the {level}."


@requires("incident.report")
def review_resubmit(request: HttpRequest, review_id: int) -> HttpResponse:
    """The reporting officer's page for a returned report: the reason, and their answer."""
    actor = request_actor(request)
    review = selectors.review_returned_to_reporter(actor=actor, review_id=review_id)
    form = ResubmitForm(request.POST or None, initial={"version": review.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.review_resubmit(
                actor=actor,
                review=review,
                expected_version=form.cleaned_data["version"],
                correction=form.cleaned_data["correction"],
            )
        except ConflictError as exc:
            messages.error(request, str(exc))
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Sent back to the reviewer with your correction.")
            return redirect("accounts:home")
    return render(
        request,
        "reviews/resubmit.html",
        {"review": review, "returned": review.current_step, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# Corrective actions ------------------------------------------------------------------------------


@requires("corrective.manage")
def corrective_create(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = request_actor(request)
    review = selectors.review_get_visible(actor=actor, review_id=review_id, log_read=False)
    form = CorrectiveForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.corrective_action_create(
                actor=actor,
                review=review,
                kind=data["kind"],
                member=data["member"],
                due_on=data["due_on"],
                note=data["note"],
                course=data["course"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{action.get_kind_display()} assigned.")
            return _to_review(review)
    return render(
        request,
        "reviews/corrective_form.html",
        {"review": review, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@requires("corrective.manage")
def corrective_complete(request: HttpRequest, action_id: int) -> HttpResponse:
    actor = request_actor(request)
    action = selectors.corrective_to_follow_up(actor=actor).filter(pk=action_id).first()
    if action is None:
        raise NotFound(f"No open corrective action {action_id} in your chain.")
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Document what was done before marking it complete.")
        return redirect("reviews:detail", review_id=action.review_id)
    try:
        services.corrective_action_complete(
            actor=actor,
            action=action,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except (ConflictError, InvalidInput) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, "Marked complete.")
    return redirect("reviews:detail", review_id=action.review_id)


def _message(exc: ConflictError | InvalidInput) -> str:
    if isinstance(exc, InvalidInput):
        return " ".join(m for ms in exc.errors.values() for m in ms)
    return str(exc)


@requires("review.view")
def corrective_list(request: HttpRequest) -> HttpResponse:
    """Corrective actions of the reviews one may read; internal affairs filter to referrals."""
    actor = request_actor(request)
    kind = request.GET.get("kind", "")
    actions = selectors.corrective_actions_visible(actor=actor)
    if kind:
        actions = actions.filter(kind=kind)
    page = Paginator(actions.order_by("due_on", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reviews/corrective_list.html", {"page": page, "kind": kind})


# Routes ------------------------------------------------------------------------------------------


@requires("review.configure")
def routes(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    table = selectors.routes_table(actor=actor)
    versions = selectors.route_versions(actor=actor)
    forms = [
        (level, RouteForm.for_route(level, table[level], versions.get(level)))
        for level in FORCE_LEVELS
    ]
    return render(request, "reviews/routes.html", {"forms": forms})


@require_POST
@requires("review.configure")
def route_save(request: HttpRequest, force_level: int) -> HttpResponse:
    actor = request_actor(request)
    form = RouteForm(request.POST, prefix=f"level{force_level}")
    if form.is_valid():
        try:
            services.review_route_set(
                actor=actor,
                force_level=force_level,
                steps=form.steps(),
                expected_version=form.cleaned_data["version"],
            )
        except (ConflictError, InvalidInput) as exc:
            messages.error(request, f"Force level {force_level}: {_message(exc)}")
        else:
            messages.success(request, f"Route for force level {force_level} saved.")
    else:
        messages.error(request, f"Force level {force_level}: days must be 1 to 90.")
    return redirect("reviews:routes")


# Workbench and notifications ---------------------------------------------------------------------


@requires("review.act")
def workbench(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    return render(request, "reviews/workbench.html", {"sections": workbench_sections(actor)})


@requires("home.view")
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    page = Paginator(selectors.notifications_for(actor=actor), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "reviews/notifications.html", {"page": page})


@require_POST
@requires("home.view")
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    note = services.notification_mark_read(
        actor=request_actor(request), notification_id=notification_id
    )
    safe = note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts=None)
    return redirect(note.link if safe else "reviews:notifications")


@require_POST
@requires("home.view")
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(actor=request_actor(request))
    return redirect("reviews:notifications")
