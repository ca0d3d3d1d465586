"""The timeline step: the events so far, in order, and adding, editing, moving and removing one.

Adding is two steps that work without a script: choose the kind of event, then a form made for
that kind (what happened, from that kind's codes only; who; on whom for force; when).
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from steadyhand import vocabulary as v
from steadyhand.access.decorators import requires
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import request_actor
from steadyhand.incidents import services
from steadyhand.incidents.forms import EventForm, KindForm, VersionForm
from steadyhand.incidents.models import Incident, TimelineEvent
from steadyhand.incidents.report_checks import timeline_problems
from steadyhand.incidents.views._common import (
    draft_or_redirect,
    error_summary,
    refusal_text,
    show_refusal,
    steps_context,
    timeline_rows,
)


def _event_form(
    request: HttpRequest, incident: Incident, kind: v.EventKind, event: TimelineEvent | None
) -> EventForm:
    initial = (
        EventForm.initial_for(event, incident.version)
        if event is not None
        else {"version": incident.version}
    )
    return EventForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        kind=kind,
        involvements=list(incident.involvements.select_related("member")),
        subjects=list(incident.subjects.all()),
        events=list(incident.events.order_by("sequence")),
        editing=event is not None,
    )


@requires("incident.report")
def report_timeline(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = request_actor(request)
    incident, away = draft_or_redirect(request, actor, incident_id, log_read=True)
    if away:
        return away
    events = list(incident.events.select_related("target_subject").order_by("sequence"))
    return render(
        request,
        "incidents/report_timeline.html",
        {
            "incident": incident,
            "rows": timeline_rows(incident),
            "kind_form": KindForm(initial={"kind": _next_kind(events)}),
            "stamp": VersionForm(initial={"version": incident.version}),
            "problems": timeline_problems(events),
            "has_subjects": incident.subjects.exists(),
            **steps_context(incident, "timeline"),
        },
    )


def _needs_subject(kind: v.EventKind) -> bool:
    return kind in v.SUBJECT_KINDS or kind == v.EventKind.FORCE


def _next_kind(events: list[TimelineEvent]) -> str:
    """A sensible first choice: arrival for an empty timeline, else communication."""
    return v.EventKind.ARRIVAL.value if not events else v.EventKind.COMMUNICATION.value


@requires("incident.report")
def event_add(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = request_actor(request)
    incident, away = draft_or_redirect(
        request, actor, incident_id, log_read=request.method == "GET"
    )
    if away:
        return away
    kind_form = KindForm(request.GET or None)
    if not kind_form.is_valid():
        messages.error(request, "Choose the kind of event to add.")
        return redirect("incidents:report_timeline", incident.pk)
    kind = v.EventKind(kind_form.cleaned_data["kind"])
    form = _event_form(request, incident, kind, None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                event = services.event_add(
                    actor=actor,
                    incident=incident,
                    expected_version=form.cleaned_data["version"],
                    data=services.EventInput(**form.event_fields()),  # type: ignore[arg-type]
                    position=form.cleaned_data.get("position"),
                )
            except (InvalidInput, ConflictError) as exc:
                status = show_refusal(form, exc)
            else:
                messages.success(request, f"Event {event.sequence} added: {event.label}.")
                if request.POST.get("go") == "another":
                    return redirect(f"{request.path}?kind={kind.value}")
                return redirect("incidents:report_timeline", incident.pk)
    return render(
        request,
        "incidents/event_form.html",
        {
            "incident": incident,
            "form": form,
            "errors": error_summary(form),
            "kind_label": v.EVENT_KIND_LABELS[kind],
            "event": None,
            "needs_subject": _needs_subject(kind) and not incident.subjects.exists(),
            **steps_context(incident, "timeline"),
        },
        status=status,
    )


@requires("incident.report")
def event_edit(request: HttpRequest, incident_id: int, event_id: int) -> HttpResponse:
    actor = request_actor(request)
    incident, away = draft_or_redirect(
        request, actor, incident_id, log_read=request.method == "GET"
    )
    if away:
        return away
    event = get_object_or_404(TimelineEvent, pk=event_id, incident=incident)
    kind = v.EventKind(event.kind)
    form = _event_form(request, incident, kind, event)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                event = services.event_update(
                    actor=actor,
                    event=event,
                    expected_version=form.cleaned_data["version"],
                    data=services.EventInput(**form.event_fields()),  # type: ignore[arg-type]
                )
            except (InvalidInput, ConflictError) as exc:
                status = show_refusal(form, exc)
            else:
                messages.success(request, f"Event {event.sequence} saved: {event.label}.")
                return redirect("incidents:report_timeline", incident.pk)
    return render(
        request,
        "incidents/event_form.html",
        {
            "incident": incident,
            "form": form,
            "errors": error_summary(form),
            "kind_label": v.EVENT_KIND_LABELS[kind],
            "event": event,
            "needs_subject": False,
            **steps_context(incident, "timeline"),
        },
        status=status,
    )


def _post_action(request: HttpRequest, incident_id: int, event_id: int, act: str) -> HttpResponse:
    actor = request_actor(request)
    incident, away = draft_or_redirect(request, actor, incident_id, log_read=False)
    if away:
        return away
    event = get_object_or_404(TimelineEvent, pk=event_id, incident=incident)
    stamp = VersionForm(request.POST)
    version = stamp.cleaned_data["version"] if stamp.is_valid() else None
    try:
        if act == "remove":
            services.event_remove(actor=actor, event=event, expected_version=version)
            messages.success(request, f"Event {event.sequence} ({event.label}) removed.")
        else:
            moved = services.event_move(
                actor=actor, event=event, expected_version=version, direction=act
            )
            messages.success(request, f"{event.label} is now event {moved.sequence}.")
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, refusal_text(exc))
    return redirect(reverse("incidents:report_timeline", args=[incident.pk]) + f"#event-{event_id}")


@requires("incident.report")
@require_POST
def event_remove(request: HttpRequest, incident_id: int, event_id: int) -> HttpResponse:
    return _post_action(request, incident_id, event_id, "remove")


@requires("incident.report")
@require_POST
def event_move(request: HttpRequest, incident_id: int, event_id: int) -> HttpResponse:
    direction = request.POST.get("direction", "")
    return _post_action(
        request, incident_id, event_id, direction if direction in ("up", "down") else "invalid"
    )
