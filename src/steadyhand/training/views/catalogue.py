"""The course catalogue, topics, sessions with their rosters, transcripts and unit status.

Views parse input, call one selector or service, and render. Refusals (NotFound → 404,
PermissionDenied → 403) are turned into pages by ``@requires``.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.actor import Actor
from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.training.models import Course, EnrolmentStatus, ParityGroup, Session
from steadyhand.training.selectors import catalogue as selectors
from steadyhand.training.services import catalogue as services
from steadyhand.training.views.catalogue_forms import (
    CourseEditForm,
    CourseForm,
    EnrolForm,
    RosterFormSet,
    RosterReasonForm,
    SessionEditForm,
    SessionForm,
    TopicEditForm,
    TopicForm,
    mode_formset,
    split_badges,
)

# The catalogue and its topics ------------------------------------------------------------------


@requires("training.catalogue")
def catalogue(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    show_retired = request.GET.get("retired") == "1"
    return render(
        request,
        "training/catalogue_list.html",
        {
            "courses": selectors.course_list(actor=actor, include_retired=show_retired),
            "topics": selectors.topic_list(actor=actor),
            "show_retired": show_retired,
            "can_manage": can(actor, "training.manage"),
            "can_import": can(actor, "training.import"),
            "sees_unit_status": selectors.sees_unit_status(actor=actor),
            "has_transcript": actor.member_id is not None,
        },
    )


@requires("training.manage")
def topic_manage(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(actor=actor, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Topic “{topic.name}” added.")
            return redirect("training:topic_manage")
    return render(
        request,
        "training/catalogue_topics.html",
        {
            "form": form,
            "topics": selectors.topic_list(actor=actor),
            "standard": [
                (s.name, ParityGroup(s.parity_group).label) for s in services.STANDARD_TOPICS
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@requires("training.manage")
def topic_setup(request: HttpRequest) -> HttpResponse:
    created = services.training_setup_agency(actor=request_actor(request))
    if created:
        messages.success(
            request, f"Added {len(created)} standard topics: {', '.join(t.name for t in created)}."
        )
    else:
        messages.info(request, "The agency already has every standard topic.")
    return redirect("training:topic_manage")


@requires("training.manage")
def topic_edit(request: HttpRequest, topic_id: int) -> HttpResponse:
    actor = request_actor(request)
    topic = selectors.topic_get_visible(actor=actor, topic_id=topic_id)
    form = TopicEditForm(
        request.POST or None, initial={"name": topic.name, "parity_group": topic.parity_group}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(actor=actor, topic=topic, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Topic “{form.cleaned_data['name']}” saved.")
            return redirect("training:topic_manage")
    return render(
        request,
        "training/catalogue_topic_edit.html",
        {"topic": topic, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# Courses ---------------------------------------------------------------------------------------


def _course_form_page(
    request: HttpRequest,
    *,
    form: CourseForm,
    modes: Any,
    course: Course | None,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "training/catalogue_course_form.html",
        {"form": form, "modes": modes, "course": course, "conflict": status == 409},
        status=status,
    )


def _mode_hours(modes: Any) -> dict[str, Any]:
    return {f.cleaned_data["mode"]: f.cleaned_data.get("hours") for f in modes.forms}


@requires("training.manage")
def course_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    sections = selectors.published_sections(agency_id=actor.agency_id)
    data = request.POST if request.method == "POST" else None
    form = CourseForm(data, agency_id=actor.agency_id, sections=sections)
    modes = mode_formset(data)
    if request.method != "POST":
        return _course_form_page(request, form=form, modes=modes, course=None, status=200)
    if form.is_valid() and modes.is_valid():
        cleaned = form.cleaned_data
        try:
            course = services.course_create(
                actor=actor,
                code=cleaned["code"],
                title=cleaned["title"],
                topic=cleaned["topic"],
                setting=cleaned["setting"],
                description=cleaned["description"],
                modes=_mode_hours(modes),
                citations=form.cleaned_citations(),
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Course {course.code} “{course.title}” created.")
            return redirect("training:course_detail", course_id=course.pk)
    return _course_form_page(request, form=form, modes=modes, course=None, status=400)


@requires("training.catalogue")
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = request_actor(request)
    course = selectors.course_get_visible(actor=actor, course_id=course_id)
    today = selectors.training_today(actor=actor)
    sessions = selectors.session_list(actor=actor, course=course)
    return render(
        request,
        "training/catalogue_course_detail.html",
        {
            "course": course,
            "modes": course.modes.order_by("-hours", "mode"),
            "citations": selectors.course_citations(course=course),
            "upcoming": [s for s in sessions if s.ends_on >= today],
            "past": [s for s in sessions if s.ends_on < today][::-1][:20],
            "can_manage": can(actor, "training.manage", course),
        },
    )


@requires("training.manage")
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    """Change a course; a save based on a stale copy is refused with 409."""
    actor = request_actor(request)
    course = selectors.course_get_visible(actor=actor, course_id=course_id)
    sections = selectors.published_sections(agency_id=actor.agency_id)
    current = selectors.course_citations(course=course)
    data = request.POST if request.method == "POST" else None
    form = CourseEditForm(
        data,
        agency_id=actor.agency_id,
        sections=sections,
        current=current,
        initial={
            "code": course.code,
            "title": course.title,
            "topic": course.topic_id,
            "setting": course.setting,
            "description": course.description,
            "active": course.active,
            "citations": [f"{c.document.pk}:{c.number}" for c in current],
            "version": course.version,
        },
    )
    modes = mode_formset(data, course)
    if request.method != "POST":
        return _course_form_page(request, form=form, modes=modes, course=course, status=200)
    status = 400
    if form.is_valid() and modes.is_valid():
        cleaned = form.cleaned_data
        try:
            saved = services.course_update(
                actor=actor,
                course=course,
                code=cleaned["code"],
                title=cleaned["title"],
                topic=cleaned["topic"],
                setting=cleaned["setting"],
                description=cleaned["description"],
                active=cleaned["active"],
                modes=_mode_hours(modes),
                citations=form.cleaned_citations(),
                expected_version=cleaned["version"],
                reason=cleaned["reason"],
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Course {saved.code} saved.")
            return redirect("training:course_detail", course_id=saved.pk)
    return _course_form_page(request, form=form, modes=modes, course=course, status=status)


# Sessions --------------------------------------------------------------------------------------


@requires("training.catalogue")
def session_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    today = selectors.training_today(actor=actor)
    return render(
        request,
        "training/catalogue_sessions.html",
        {
            "sessions": selectors.session_list(actor=actor, start=today),
            "can_manage": can(actor, "training.manage"),
        },
    )


def _instructors(actor: Actor, form: SessionForm) -> tuple[list[Any], list[str]]:
    return selectors.members_by_badges(
        actor=actor, badges=split_badges(form.cleaned_data.get("instructor_badges") or "")
    )


@requires("training.manage")
def session_create(request: HttpRequest, course_id: int) -> HttpResponse:
    actor = request_actor(request)
    course = selectors.course_get_visible(actor=actor, course_id=course_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        instructors, unknown = _instructors(actor, form)
        if unknown:
            form.add_error("instructor_badges", f"No member has badge {', '.join(unknown)}.")
        else:
            try:
                session = services.session_create(
                    actor=actor,
                    course=course,
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    location=form.cleaned_data["location"],
                    capacity=form.cleaned_data["capacity"],
                    instructors=instructors,
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Session of {course.code} planned.")
                return redirect("training:session_detail", session_id=session.pk)
    return render(
        request,
        "training/catalogue_session_form.html",
        {"course": course, "form": form, "session": None},
        status=400 if request.method == "POST" else 200,
    )


@requires("training.manage")
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = request_actor(request)
    session = selectors.session_get_visible(
        actor=actor, session_id=session_id, action="training.manage"
    )
    form = SessionEditForm(
        request.POST or None,
        initial={
            "starts_on": session.starts_on,
            "ends_on": session.ends_on,
            "location": session.location,
            "capacity": session.capacity,
            "instructor_badges": " ".join(m.badge for m in session.instructors.all()),
            "version": session.version,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            instructors, unknown = _instructors(actor, form)
            if unknown:
                form.add_error("instructor_badges", f"No member has badge {', '.join(unknown)}.")
            else:
                try:
                    services.session_update(
                        actor=actor,
                        session=session,
                        starts_on=form.cleaned_data["starts_on"],
                        ends_on=form.cleaned_data["ends_on"],
                        location=form.cleaned_data["location"],
                        capacity=form.cleaned_data["capacity"],
                        instructors=instructors,
                        expected_version=form.cleaned_data["version"],
                        reason=form.cleaned_data["reason"],
                    )
                except ConflictError as exc:
                    form.add_error(None, str(exc))
                    status = 409
                except InvalidInput as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, "Session saved.")
                    return redirect("training:session_detail", session_id=session.pk)
    return render(
        request,
        "training/catalogue_session_form.html",
        {"course": session.course, "form": form, "session": session, "conflict": status == 409},
        status=status,
    )


def _session_page(
    request: HttpRequest,
    session: Session,
    *,
    enrol_form: EnrolForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request_actor(request)
    managing = can(actor, "training.manage", session)
    return render(
        request,
        "training/catalogue_session_detail.html",
        {
            "session": session,
            "taken": session.taken,  # type: ignore[attr-defined]
            "free": max(session.capacity - session.taken, 0),  # type: ignore[attr-defined]
            "instructors": session.instructors.all(),
            # Names on the roster are for those who run sessions; others see the places left.
            "roster": selectors.session_roster(session=session) if managing else None,
            "enrol_form": enrol_form or EnrolForm(),
            "can_manage": managing,
        },
        status=status,
    )


@requires("training.catalogue")
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = request_actor(request)
    return _session_page(request, selectors.session_get_visible(actor=actor, session_id=session_id))


@require_POST
@requires("training.manage")
def session_enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = request_actor(request)
    session = selectors.session_get_visible(
        actor=actor, session_id=session_id, action="training.manage"
    )
    form = EnrolForm(request.POST)
    if form.is_valid():
        members, unknown = selectors.members_by_badges(
            actor=actor, badges=split_badges(form.cleaned_data["badges"])
        )
        if unknown:
            form.add_error(
                "badges",
                f"No member has badge {', '.join(unknown)}; nobody was enrolled. "
                "Correct the list and try again.",
            )
        else:
            try:
                enrolled = services.session_enrol(actor=actor, session=session, members=members)
            except InvalidInput as exc:
                for problems in exc.errors.values():
                    form.add_error("badges", problems)
            else:
                messages.success(
                    request,
                    f"Enrolled {len(enrolled)} member{'s' if len(enrolled) != 1 else ''}: "
                    + ", ".join(f"#{e.member.badge}" for e in enrolled)
                    + ".",
                )
                return redirect("training:session_detail", session_id=session.pk)
    return _session_page(request, session, enrol_form=form, status=400)


@requires("training.manage")
def session_roster(request: HttpRequest, session_id: int) -> HttpResponse:
    """The whole roster in one form: status, score, hours and completion date per member."""
    actor = request_actor(request)
    session = selectors.session_get_visible(
        actor=actor, session_id=session_id, action="training.manage"
    )
    roster = selectors.session_roster(session=session)
    initial = [
        {
            "enrolment_id": e.pk,
            "version": e.version,
            "status": e.status,
            "score": e.score,
            "hours": e.hours,
            "completed_on": e.completed_on,
        }
        for e in roster
    ]
    formset = RosterFormSet(request.POST or None, initial=initial, prefix="roster")
    reason_form = RosterReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if formset.is_valid() and reason_form.is_valid():
            marks = [
                services.RosterMark(
                    enrolment_id=f.cleaned_data["enrolment_id"],
                    status=f.cleaned_data["status"],
                    score=f.cleaned_data.get("score"),
                    hours=f.cleaned_data.get("hours"),
                    completed_on=f.cleaned_data.get("completed_on"),
                    expected_version=f.cleaned_data["version"],
                )
                for f in formset.forms
            ]
            try:
                changed = services.session_record_roster(
                    actor=actor,
                    session=session,
                    marks=marks,
                    reason=reason_form.cleaned_data["reason"],
                )
            except InvalidInput as exc:
                by_id = {_posted_enrolment_id(f): f for f in formset.forms}
                for key, problems in exc.errors.items():
                    row = by_id.get(int(key)) if key.isdigit() else None
                    (row or reason_form).add_error(None, problems)
                if any("someone else changed" in p for ps in exc.errors.values() for p in ps):
                    status = 409
            else:
                messages.success(
                    request,
                    f"Roster saved: {len(changed)} record{'s' if len(changed) != 1 else ''} "
                    "changed.",
                )
                return redirect("training:session_detail", session_id=session.pk)
    # Pair each form with its enrolment by id, not by position: members enrolled since the page
    # was read change the order, and are simply not part of this submission.
    by_enrolment = {e.pk: e for e in roster}
    rows = [
        (by_enrolment[posted], f)
        for f in formset.forms
        if (posted := _posted_enrolment_id(f)) is not None and posted in by_enrolment
    ]
    return render(
        request,
        "training/catalogue_session_roster.html",
        {
            "session": session,
            "rows": rows,
            "formset": formset,
            "reason_form": reason_form,
            "completed": EnrolmentStatus.COMPLETED,
        },
        status=status,
    )


def _posted_enrolment_id(form: forms.Form) -> int | None:
    """The enrolment a roster row is about: as submitted, or as first shown."""
    try:
        return int(form["enrolment_id"].value())
    except (TypeError, ValueError):
        return None


@requires("training.manage")
def trainer_upcoming(request: HttpRequest) -> HttpResponse:
    """The trainer's view: sessions of the next 60 days, their rosters and how full they are."""
    actor = request_actor(request)
    fills = selectors.sessions_upcoming(actor=actor)
    return render(
        request,
        "training/catalogue_trainer.html",
        {
            "fills": fills,
            "days": selectors.UPCOMING_DAYS,
            "today": selectors.training_today(actor=actor),
            "taken": sum(f.taken for f in fills),
            "capacity": sum(f.capacity for f in fills),
        },
    )


# Transcripts and unit status -------------------------------------------------------------------


@requires("training.record")
def transcript(request: HttpRequest, member_id: int) -> HttpResponse:
    actor = request_actor(request)
    member = selectors.member_get_for_transcript(actor=actor, member_id=member_id)
    record = selectors.transcript(actor=actor, member=member)
    return render(
        request,
        "training/catalogue_transcript.html",
        {
            "t": record,
            "member": member,
            "waiting": [
                (e, services.CAUSE_LABELS.get(e.cause_type, e.cause_type)) for e in record.waiting
            ],
            "own": member.pk == actor.member_id,
        },
    )


@requires("training.record")
def my_transcript(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if actor.member_id is None:
        return render(request, "training/catalogue_no_member.html", status=404)
    return redirect("training:transcript", member_id=actor.member_id)


@requires("training.record")
def unit_status(request: HttpRequest) -> HttpResponse:
    """Members of a unit's subtree with this year's hours by parity group."""
    actor = request_actor(request)
    units = selectors.status_units(actor=actor)
    today = selectors.training_today(actor=actor)
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 1950), today.year + 1)
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit():
        unit = selectors.unit_get_for_status(actor=actor, unit_id=int(unit_id))
    elif units:
        unit = units[0]
    else:
        return render(request, "training/catalogue_no_units.html", {"own": actor.member_id})
    return render(
        request,
        "training/catalogue_unit_status.html",
        {
            "status": selectors.unit_status(actor=actor, unit=unit, year=year),
            "units": [(u, f"{'— ' * u.depth}{u.name} ({u.code})") for u in units],
            "years": range(today.year, today.year - 6, -1),
            "year": year,
        },
    )
