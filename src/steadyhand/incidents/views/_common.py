"""What the incident pages share: the steps of the report, errors, the agency's time zone."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from steadyhand import vocabulary as v
from steadyhand.access.actor import Actor
from steadyhand.agencies.models import Agency
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors
from steadyhand.incidents.models import Incident, TimelineEvent
from steadyhand.incidents.report_checks import format_offset
from steadyhand.incidents.returns import return_info
from steadyhand.incidents.selectors import incident_get_visible
from steadyhand.incidents.summary import Summary


@dataclass(frozen=True)
class Step:
    slug: str
    label: str
    url_name: str


STEPS = (
    Step("basics", "When and where", "incidents:report_basics"),
    Step("people", "People", "incidents:report_people"),
    Step("timeline", "Timeline", "incidents:report_timeline"),
    Step("outcomes", "Outcomes and policy questions", "incidents:report_outcomes"),
    Step("review", "Review and submit", "incidents:report_review"),
)


def steps_context(incident: Incident, current: str) -> dict[str, object]:
    slugs = [s.slug for s in STEPS]
    index = slugs.index(current)
    return {
        "steps": [
            {
                "number": n,
                "label": s.label,
                "url": reverse(s.url_name, args=[incident.pk]),
                "current": s.slug == current,
            }
            for n, s in enumerate(STEPS, start=1)
        ],
        # Why a returned report is back with its reporter, shown on every step.
        "returned": return_info(incident),
        "step_number": index + 1,
        "step_label": STEPS[index].label,
        "step_count": len(STEPS),
    }


def after_save(request: HttpRequest, incident: Incident, current: str) -> HttpResponse:
    """ "Save and continue" goes to the next step; "Save draft" stays on this one."""
    slugs = [s.slug for s in STEPS]
    index = slugs.index(current)
    if request.POST.get("go") == "next" and index + 1 < len(STEPS):
        return redirect(STEPS[index + 1].url_name, incident.pk)
    messages.success(request, f"Draft {incident.case_number} saved.")
    return redirect(STEPS[index].url_name, incident.pk)


def agency_tz(agency_id: int) -> ZoneInfo:
    name = Agency.objects.filter(pk=agency_id).values_list("timezone", flat=True).first()
    return ZoneInfo(name or "UTC")


def can_edit(actor: Actor, incident: Incident) -> bool:
    """Whether to show the report's edit pages (the services decide; this only hides): a draft,
    or a report returned for correction, to its reporter."""
    return (
        incident.is_editable
        and actor.member_id is not None
        and incident.reported_by_id == actor.member_id
    )


def draft_or_redirect(
    request: HttpRequest, actor: Actor, incident_id: int, *, log_read: bool
) -> tuple[Incident, HttpResponse | None]:
    """The incident, and a redirect to its page if it is not the actor's draft to edit."""
    incident = incident_get_visible(actor=actor, incident_id=incident_id, log_read=log_read)
    if can_edit(actor, incident):
        return incident, None
    if incident.is_editable:
        messages.error(request, "Only the reporting officer may change this report.")
    else:
        messages.error(
            request,
            f"Incident {incident.case_number} was submitted; it no longer changes unless a "
            "reviewer returns it for correction.",
        )
    return incident, redirect("incidents:incident_detail", incident.pk)


def show_refusal(form: forms.BaseForm, exc: InvalidInput | ConflictError) -> int:
    """Put a service's refusal on the form; the status code to answer with."""
    if isinstance(exc, ConflictError):
        form.add_error(None, str(exc))
        return 409
    apply_errors(form, exc)  # type: ignore[arg-type]  # any form with add_error will do
    return 400


def refusal_text(exc: InvalidInput | ConflictError) -> str:
    if isinstance(exc, InvalidInput):
        return " ".join(message for errors in exc.errors.values() for message in errors)
    return str(exc)


def error_summary(form: forms.BaseForm) -> list[dict[str, str]]:
    """Each error with a link to its field, for the summary at the top of the page."""
    rows = [{"message": str(m), "anchor": ""} for m in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name not in form.fields:
            continue
        bound = form[name]
        anchor = bound.id_for_label or f"{bound.auto_id}_0"
        for message in errors:
            rows.append({"message": f"{bound.label}: {message}", "anchor": anchor})
    return rows


@dataclass(frozen=True)
class EventRow:
    number: int
    event: TimelineEvent
    when: str
    kind_label: str
    actor_label: str
    target_label: str
    detail: str


def timeline_rows(incident: Incident) -> list[EventRow]:
    rows = []
    events = incident.events.select_related(
        "actor_involvement__member", "actor_subject", "target_subject"
    ).order_by("sequence")
    for number, e in enumerate(events, start=1):
        details = []
        if e.resistance is not None:
            details.append(f"resistance: {e.get_resistance_display()}")
        if e.force_level is not None:
            details.append(f"force level: {e.get_force_level_display()}")
        rows.append(
            EventRow(
                number=number,
                event=e,
                when=format_offset(e.offset_seconds),
                kind_label=e.get_kind_display(),
                actor_label=str(e.actor_involvement or e.actor_subject or ""),
                target_label=str(e.target_subject or ""),
                detail="; ".join(details),
            )
        )
    return rows


def summary_lines(summary: Summary) -> list[tuple[str, str]]:
    """The outcome summary the timeline gives, in words (for the outcomes and review steps)."""

    def yes(flag: bool) -> str:
        return "Yes" if flag else "No"

    force = (
        v.FORCE_LEVEL_LABELS[v.ForceLevel(summary.highest_force_level)]
        if summary.highest_force_level is not None
        else "None recorded"
    )
    resistance = (
        v.RESISTANCE_LABELS[v.Resistance(summary.highest_resistance)]
        if summary.highest_resistance is not None
        else "None recorded"
    )
    resolution = v.RESOLUTIONS[summary.resolution].label if summary.resolution else "Not recorded"
    return [
        ("Force used", yes(summary.force_used)),
        ("Highest force level", force),
        ("Highest resistance", resistance),
        ("De-escalation tactics in the timeline", yes(summary.de_escalation_attempted)),
        ("Supervisor requested in the timeline", yes(summary.supervisor_requested)),
        ("Subject injured", yes(summary.subject_injured)),
        ("Officer injured", yes(summary.officer_injured)),
        ("How it ended", resolution),
    ]


def people_context(incident: Incident) -> dict[str, object]:
    subjects = list(incident.subjects.all())
    return {
        "involvements": list(incident.involvements.select_related("member")),
        "subjects": subjects,
        "subject_rows": [(s, [v.INDICATORS[code] for code in s.indicators]) for s in subjects],
    }
