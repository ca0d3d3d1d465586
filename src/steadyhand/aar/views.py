"""After-action review pages, the themes page and the case library.

Views parse input, call one service or selector, and render. ``@requires`` refuses roles that
never hold the action (internal_affairs holds no ``aar.*`` action at all); the selectors and
services decide about the record itself. The case library is ``library.view``: de-identified,
for every member.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.aar import selectors, services
from steadyhand.aar.forms import (
    AgreeForm,
    EventNoteForm,
    LessonForm,
    NotesForm,
    PublishForm,
    ThemesForm,
    VersionForm,
)
from steadyhand.aar.models import AfterActionReview
from steadyhand.access.actor import Actor
from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors, request_actor

LIST_LIMIT = 100


def _to_review(aar: AfterActionReview, anchor: str = "") -> HttpResponse:
    response = redirect("aar:detail", aar_id=aar.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _is_facilitator(actor: Actor, aar: AfterActionReview) -> bool:
    """Only shows or hides controls; the services decide."""
    return aar.is_open and actor.member_id == aar.facilitator_id and can(actor, "aar.facilitate")


def _refusal(exc: InvalidInput | ConflictError) -> str:
    if isinstance(exc, InvalidInput):
        return " ".join(m for errors in exc.errors.values() for m in errors)
    return str(exc)


@requires("aar.view")
def index(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    can_facilitate = can(actor, "aar.facilitate")
    return render(
        request,
        "aar/index.html",
        {
            "reviews": selectors.aars_visible(actor=actor)[:LIST_LIMIT],
            "awaiting": (
                selectors.incidents_awaiting_review(actor=actor)[:LIST_LIMIT]
                if can_facilitate
                else []
            ),
            "can_facilitate": can_facilitate,
            "to_agree": selectors.lessons_awaiting_agreement(actor=actor),
            "can_themes": can(actor, "aar.themes"),
        },
    )


@requires("aar.facilitate")
def open_review(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = request_actor(request)
    incident = selectors.incident_for_review(actor=actor, incident_id=incident_id)
    error = ""
    if request.method == "POST":
        try:
            aar = services.aar_open(actor=actor, incident=incident)
        except InvalidInput as exc:
            error = _refusal(exc)
        else:
            messages.success(request, "After-action review opened. Walk the timeline together.")
            return _to_review(aar)
    return render(
        request,
        "aar/open.html",
        {"incident": incident, "error": error},
        status=400 if error else 200,
    )


@requires("aar.facilitate")
def for_incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The link an incident page may show facilitators, whether or not a review exists (the
    incident page must not know): to the review if there is one, else to opening one."""
    actor = request_actor(request)
    aar = selectors.aars_visible(actor=actor).filter(incident_id=incident_id).first()
    if aar is not None:
        return _to_review(aar)
    selectors.incident_for_review(actor=actor, incident_id=incident_id)  # NotFound if not
    return redirect("aar:open", incident_id=incident_id)


@requires("aar.view")
def detail(request: HttpRequest, aar_id: int) -> HttpResponse:
    actor = request_actor(request)
    aar = selectors.aar_get_visible(actor=actor, aar_id=aar_id)
    rows = selectors.lesson_rows(actor=actor, aar=aar)
    return render(
        request,
        "aar/detail.html",
        {
            "aar": aar,
            "walk": selectors.walkthrough(actor=actor, aar=aar),
            "participants": selectors.participants(actor=actor, aar=aar),
            "lessons": rows,
            "me": selectors.participant_of(actor=actor, aar=aar),
            "is_facilitator": _is_facilitator(actor, aar),
            "can_publish": can(actor, "aar.publish")
            and any(r.agreed_by_all and not r.lesson.published_in_id for r in rows),
            "can_draft_scenario": not aar.is_open and can(actor, "aar.publish"),
        },
    )


@requires("aar.facilitate")
def notes_edit(request: HttpRequest, aar_id: int) -> HttpResponse:
    actor = request_actor(request)
    aar = selectors.aar_get_visible(actor=actor, aar_id=aar_id, log_read=False)
    form = NotesForm(request.POST or None, initial={"notes": aar.notes, "version": aar.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.aar_notes_update(
                actor=actor,
                aar=aar,
                notes=form.cleaned_data["notes"],
                expected_version=form.cleaned_data["version"],
            )
        except (InvalidInput, ConflictError) as exc:
            form.add_error(None, _refusal(exc))
        else:
            messages.success(request, "Notes saved.")
            return _to_review(aar)
    return render(
        request,
        "aar/notes.html",
        {"aar": aar, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@requires("aar.facilitate")
def event_note(request: HttpRequest, aar_id: int, event_id: int) -> HttpResponse:
    actor = request_actor(request)
    aar = selectors.aar_get_visible(actor=actor, aar_id=aar_id, log_read=False)
    row = selectors.event_for_note(actor=actor, aar=aar, event_id=event_id)
    note = row.note
    initial = (
        {
            "decision_point": note.decision_point,
            "cdm_step": note.cdm_step,
            "went_well": note.went_well,
            "alternative": note.alternative,
            "alternative_tactic": note.alternative_tactic,
            "version": note.version,
        }
        if note
        else {"cdm_step": EventNoteForm.suggested_step(row.event.kind), "version": 0}
    )
    form = EventNoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.event_note_save(
                actor=actor,
                aar=aar,
                event=row.event,
                decision_point=data["decision_point"],
                cdm_step=data["cdm_step"],
                went_well=data["went_well"],
                alternative=data["alternative"],
                alternative_tactic=data["alternative_tactic"],
                expected_version=data["version"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Event {row.event.sequence} noted.")
            return _to_review(aar, f"event-{row.event.pk}")
    return render(
        request,
        "aar/event_note.html",
        {"aar": aar, "row": row, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@requires("aar.facilitate")
def lesson_add(request: HttpRequest, aar_id: int) -> HttpResponse:
    actor = request_actor(request)
    aar = selectors.aar_get_visible(actor=actor, aar_id=aar_id, log_read=False)
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_add(
                actor=actor,
                aar=aar,
                text=form.cleaned_data["text"],
                training_recommendation=form.cleaned_data["training_recommendation"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Lesson recorded. Each participant now agrees to it.")
            return _to_review(aar, "lessons")
    return render(
        request,
        "aar/lesson_form.html",
        {"aar": aar, "form": form, "lesson": None},
        status=400 if request.method == "POST" else 200,
    )


@requires("aar.facilitate")
def lesson_edit(request: HttpRequest, aar_id: int, lesson_id: int) -> HttpResponse:
    actor = request_actor(request)
    aar = selectors.aar_get_visible(actor=actor, aar_id=aar_id, log_read=False)
    lesson = selectors.lesson_get(actor=actor, aar=aar, lesson_id=lesson_id)
    form = LessonForm(
        request.POST or None,
        initial={
            "text": lesson.text,
            "training_recommendation": lesson.training_recommendation,
            "version": lesson.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_update(
                actor=actor,
                lesson=lesson,
                text=form.cleaned_data["text"],
                training_recommendation=form.cleaned_data["training_recommendation"],
                expected_version=form.cleaned_data["version"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Lesson changed; agreements to the old wording withdrawn.")
            return _to_review(aar, "lessons")
    return render(
        request,
        "aar/lesson_form.html",
        {"aar": aar, "form": form, "lesson": lesson},
        status=400 if request.method == "POST" else 200,
    )


@requires("aar.view")
@require_POST
def lesson_agree(request: HttpRequest, aar_id: int, lesson_id: int) -> HttpResponse:
    actor = request_actor(request)
    aar = selectors.aar_get_visible(actor=actor, aar_id=aar_id, log_read=False)
    lesson = selectors.lesson_get(actor=actor, aar=aar, lesson_id=lesson_id)
    form = AgreeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to agree or to withdraw.")
    else:
        try:
            services.lesson_agree(actor=actor, lesson=lesson, agree=form.cleaned_data["agree"])
        except InvalidInput as exc:
            messages.error(request, _refusal(exc))
        else:
            agreed = form.cleaned_data["agree"]
            messages.success(request, "You agreed." if agreed else "Agreement withdrawn.")
    return _to_review(aar, "lessons")


@requires("aar.view")
@require_POST
def confirm(request: HttpRequest, aar_id: int) -> HttpResponse:
    actor = request_actor(request)
    aar = selectors.aar_get_visible(actor=actor, aar_id=aar_id, log_read=False)
    form = AgreeForm(request.POST)
    if form.is_valid():
        services.participant_confirm(actor=actor, aar=aar, agreed=form.cleaned_data["agree"])
        messages.success(request, "Saved.")
    return _to_review(aar, "participants")


@requires("aar.facilitate")
@require_POST
def close(request: HttpRequest, aar_id: int) -> HttpResponse:
    actor = request_actor(request)
    aar = selectors.aar_get_visible(actor=actor, aar_id=aar_id, log_read=False)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the review and try again.")
        return _to_review(aar)
    try:
        services.aar_close(actor=actor, aar=aar, expected_version=form.cleaned_data["version"])
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, "Review closed.")
    return _to_review(aar)


@requires("aar.publish")
def publish(request: HttpRequest, aar_id: int) -> HttpResponse:
    actor = request_actor(request)
    aar = selectors.aar_get_visible(actor=actor, aar_id=aar_id, log_read=False)
    rows = [
        r
        for r in selectors.lesson_rows(actor=actor, aar=aar)
        if r.agreed_by_all and not r.lesson.published_in_id
    ]
    by_id = {r.lesson.pk: r.lesson for r in rows}
    initial = {
        "lessons": list(by_id),
        "lessons_text": "\n\n".join(r.lesson.text for r in rows),
        "training_recommendations": "\n\n".join(
            r.lesson.training_recommendation for r in rows if r.lesson.training_recommendation
        ),
    }
    form = PublishForm(
        request.POST or None,
        initial=initial,
        lesson_choices=[(pk, f"Lesson {pk}: {lesson.text[:80]}") for pk, lesson in by_id.items()],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.case_library_publish(
                actor=actor,
                aar=aar,
                lessons=[by_id[pk] for pk in data["lessons"]],
                title=data["title"],
                summary=data["summary"],
                lessons_text=data["lessons_text"],
                training_recommendations=data["training_recommendations"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Published to the case library.")
            return redirect("aar:library_entry", entry_id=entry.pk)
    return render(
        request,
        "aar/publish.html",
        {"aar": aar, "form": form, "has_lessons": bool(rows)},
        status=400 if request.method == "POST" else 200,
    )


@requires("aar.themes")
def themes(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = ThemesForm(request.GET or None)
    level = form.cleaned_data["level"] if form.is_valid() and form.cleaned_data["level"] else 3
    return render(
        request,
        "aar/themes.html",
        {"form": form, "themes": selectors.review_themes(actor=actor, level=level)},
    )


@requires("library.view")
def library(request: HttpRequest) -> HttpResponse:
    entries = selectors.library_entries(actor=request_actor(request))[:LIST_LIMIT]
    return render(request, "aar/library.html", {"entries": entries})


@requires("library.view")
def library_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.library_entry_get(actor=request_actor(request), entry_id=entry_id)
    return render(request, "aar/library_entry.html", {"entry": entry})
