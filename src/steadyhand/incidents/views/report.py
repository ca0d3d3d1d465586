"""The guided report, step by step: when and where, people, (timeline: ``timeline.py``),
outcomes and the policy questions, review and submit. Every step saves the draft."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import request_actor
from steadyhand.incidents import services
from steadyhand.incidents.forms import (
    BasicsForm,
    InvolvementForm,
    OutcomesForm,
    ResubmitForm,
    SubjectForm,
    VersionForm,
    yes_no,
)
from steadyhand.incidents.models import Involvement, Subject
from steadyhand.incidents.report_checks import report_problems, summary_of
from steadyhand.incidents.returns import changes_since_return
from steadyhand.incidents.views._common import (
    STEPS,
    after_save,
    agency_tz,
    draft_or_redirect,
    error_summary,
    people_context,
    refusal_text,
    show_refusal,
    steps_context,
    summary_lines,
    timeline_rows,
)


def _page(request: HttpRequest, template: str, context: dict[str, object], status: int = 200,
          ) -> HttpResponse:  # fmt: skip
    form = context.get("form")
    if form is not None and "errors" not in context:
        context["errors"] = error_summary(form)  # type: ignore[arg-type]
    return render(request, template, context, status=status)


@requires("incident.report")
def report_start(request: HttpRequest) -> HttpResponse:
    """Step 1 of a new report: saving it creates the draft."""
    actor = request_actor(request)
    tz = agency_tz(actor.agency_id)
    form = BasicsForm(request.POST or None, tz=tz, initial={"contact_type": "dispatched"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("version", None)
            try:
                incident = services.incident_create_draft(actor=actor, **data)
            except InvalidInput as exc:
                status = show_refusal(form, exc)
            else:
                messages.success(request, f"Draft {incident.case_number} started.")
                return after_save(request, incident, "basics")
    return _page(
        request,
        "incidents/report_basics.html",
        {"form": form, "incident": None, "has_member": actor.member_id is not None},
        status,
    )


@requires("incident.report")
def report_basics(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = request_actor(request)
    incident, away = draft_or_redirect(
        request, actor, incident_id, log_read=request.method == "GET"
    )
    if away:
        return away
    tz = agency_tz(actor.agency_id)
    form = BasicsForm(request.POST or None, tz=tz, initial=BasicsForm.initial_for(incident, tz))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = dict(form.cleaned_data)
            version = fields.pop("version")
            try:
                incident = services.incident_update(
                    actor=actor, incident=incident, expected_version=version, fields=fields
                )
            except (InvalidInput, ConflictError) as exc:
                status = show_refusal(form, exc)
            else:
                return after_save(request, incident, "basics")
    return _page(
        request,
        "incidents/report_basics.html",
        {"form": form, "incident": incident, **steps_context(incident, "basics")},
        status,
    )


@requires("incident.report")
def report_people(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Members on scene (add by badge) and the subjects."""
    actor = request_actor(request)
    incident, away = draft_or_redirect(
        request, actor, incident_id, log_read=request.method == "GET"
    )
    if away:
        return away
    form = InvolvementForm(request.POST or None, initial={"version": incident.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                involvement = services.involvement_add(
                    actor=actor,
                    incident=incident,
                    expected_version=form.cleaned_data["version"],
                    badge=form.cleaned_data["badge"],
                    role_on_scene=form.cleaned_data["role_on_scene"],
                )
            except (InvalidInput, ConflictError) as exc:
                status = show_refusal(form, exc)
            else:
                messages.success(request, f"Added {involvement}.")
                return redirect("incidents:report_people", incident.pk)
    return _page(
        request,
        "incidents/report_people.html",
        {
            "form": form,
            "incident": incident,
            "stamp": VersionForm(initial={"version": incident.version}),
            **people_context(incident),
            **steps_context(incident, "people"),
        },
        status,
    )


@requires("incident.report")
@require_POST
def involvement_remove(request: HttpRequest, incident_id: int, involvement_id: int) -> HttpResponse:
    actor = request_actor(request)
    incident, away = draft_or_redirect(request, actor, incident_id, log_read=False)
    if away:
        return away
    involvement = get_object_or_404(Involvement, pk=involvement_id, incident=incident)
    stamp = VersionForm(request.POST)
    try:
        services.involvement_remove(
            actor=actor,
            involvement=involvement,
            expected_version=stamp.cleaned_data["version"] if stamp.is_valid() else None,
        )
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"Removed {involvement} from the report.")
    return redirect("incidents:report_people", incident.pk)


@requires("incident.report")
def subject_add(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _subject_form(request, incident_id, None)


@requires("incident.report")
def subject_edit(request: HttpRequest, incident_id: int, subject_id: int) -> HttpResponse:
    return _subject_form(request, incident_id, subject_id)


def _subject_form(request: HttpRequest, incident_id: int, subject_id: int | None) -> HttpResponse:
    actor = request_actor(request)
    incident, away = draft_or_redirect(
        request, actor, incident_id, log_read=request.method == "GET"
    )
    if away:
        return away
    subject = get_object_or_404(Subject, pk=subject_id, incident=incident) if subject_id else None
    form = SubjectForm(
        request.POST or None, instance=subject, initial={"version": incident.version}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                if subject is None:
                    subject = services.subject_add(
                        actor=actor, incident=incident, expected_version=version,
                        attributes=form.attributes(),
                    )  # fmt: skip
                else:
                    subject = services.subject_update(
                        actor=actor, subject=subject, expected_version=version,
                        attributes=form.attributes(),
                    )  # fmt: skip
            except (InvalidInput, ConflictError) as exc:
                status = show_refusal(form, exc)
            else:
                messages.success(request, f"{subject} saved.")
                return redirect("incidents:report_people", incident.pk)
    return _page(
        request,
        "incidents/subject_form.html",
        {
            "form": form,
            "incident": incident,
            "subject": subject,
            **steps_context(incident, "people"),
        },
        status,
    )


@requires("incident.report")
@require_POST
def subject_remove(request: HttpRequest, incident_id: int, subject_id: int) -> HttpResponse:
    actor = request_actor(request)
    incident, away = draft_or_redirect(request, actor, incident_id, log_read=False)
    if away:
        return away
    subject = get_object_or_404(Subject, pk=subject_id, incident=incident)
    stamp = VersionForm(request.POST)
    try:
        services.subject_remove(
            actor=actor,
            subject=subject,
            expected_version=stamp.cleaned_data["version"] if stamp.is_valid() else None,
        )
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, f"Removed {subject}; the others are renumbered.")
    return redirect("incidents:report_people", incident.pk)


@requires("incident.report")
def report_outcomes(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The policy questions the timeline cannot answer, and the narrative."""
    actor = request_actor(request)
    incident, away = draft_or_redirect(
        request, actor, incident_id, log_read=request.method == "GET"
    )
    if away:
        return away
    form = OutcomesForm(
        request.POST or None,
        initial={
            "de_escalation_attempted": yes_no(incident.de_escalation_attempted),
            "supervisor_notified": yes_no(incident.supervisor_notified),
            "narrative": incident.narrative,
            "version": incident.version,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                incident = services.incident_update(
                    actor=actor,
                    incident=incident,
                    expected_version=form.cleaned_data["version"],
                    fields=form.fields_to_save(),
                )
            except (InvalidInput, ConflictError) as exc:
                status = show_refusal(form, exc)
            else:
                return after_save(request, incident, "outcomes")
    events = list(incident.events.order_by("sequence"))
    return _page(
        request,
        "incidents/report_outcomes.html",
        {
            "form": form,
            "incident": incident,
            "summary": summary_lines(summary_of(events)),
            **steps_context(incident, "outcomes"),
        },
        status,
    )


@requires("incident.report")
def report_review(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Everything on one page, what is still missing, and the submit button (for a report
    returned for correction: what changed since, a note, and the resubmit button)."""
    actor = request_actor(request)
    incident, away = draft_or_redirect(
        request, actor, incident_id, log_read=request.method == "GET"
    )
    if away:
        return away
    returned = incident.is_returned
    form_class = ResubmitForm if returned else VersionForm
    form = form_class(request.POST or None, initial={"version": incident.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if returned:
                    incident = services.incident_resubmit(
                        actor=actor,
                        incident=incident,
                        expected_version=form.cleaned_data["version"],
                        note=form.cleaned_data["note"],
                    )
                else:
                    incident = services.incident_submit(
                        actor=actor,
                        incident=incident,
                        expected_version=form.cleaned_data["version"],
                    )
            except (InvalidInput, ConflictError) as exc:
                status = show_refusal(form, exc)
            else:
                if returned:
                    messages.success(
                        request,
                        f"Report {incident.case_number} resubmitted; the review continues "
                        "where it was returned, with the list of what you changed.",
                    )
                    return redirect("incidents:incident_detail", incident.pk)
                messages.success(
                    request,
                    f"Report {incident.case_number} submitted. Now write your statement.",
                )
                return redirect("incidents:statement", incident.pk)
    events = list(incident.events.order_by("sequence"))
    problems = report_problems(incident)
    urls = {s.slug: reverse(s.url_name, args=[incident.pk]) for s in STEPS}
    problem_rows = [{"message": p.message, "url": urls[p.step]} for p in problems]
    return _page(
        request,
        "incidents/report_review.html",
        {
            "form": form,
            "errors": [] if problems else error_summary(form),
            "incident": incident,
            "problems": problem_rows,
            "changes": changes_since_return(incident) if returned else [],
            "summary": summary_lines(summary_of(events)),
            "rows": timeline_rows(incident),
            "tz": agency_tz(actor.agency_id),
            **people_context(incident),
            **steps_context(incident, "review"),
        },
        status,
    )
