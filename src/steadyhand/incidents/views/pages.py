"""The lists of incidents, one incident's page, and a member's own statement."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.access.registry import get_action
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import request_actor
from steadyhand.incidents import services
from steadyhand.incidents.forms import IncidentFilterForm, StatementForm, yes_no
from steadyhand.incidents.models import Involvement, Statement, StatementStatus
from steadyhand.incidents.returns import return_info
from steadyhand.incidents.selectors import (
    incident_get_visible,
    incidents_visible,
    involvement_of,
)
from steadyhand.incidents.views._common import (
    agency_tz,
    can_edit,
    error_summary,
    people_context,
    show_refusal,
    timeline_rows,
)

PER_PAGE = 50


@requires("incident.view")
def incident_list(request: HttpRequest) -> HttpResponse:
    """Your own reports, and (for the chain of command) the incidents below you."""
    actor = request_actor(request)
    visible = incidents_visible(actor=actor).select_related("reported_by")
    filters = IncidentFilterForm(request.GET or None)
    mine = []
    if actor.member_id is not None:
        on_scene = Involvement.objects.filter(member_id=actor.member_id).values("incident_id")
        mine = list(
            visible.filter(Q(reported_by_id=actor.member_id) | Q(pk__in=on_scene))[:PER_PAGE]
        )
    chain_page = None
    has_chain = bool(actor.grants_for(get_action("incident.view").roles))
    if has_chain:
        chain = filters.apply(visible)
        chain_page = Paginator(chain, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/incident_list.html",
        {
            "mine": mine,
            "has_member": actor.member_id is not None,
            "can_report": actor.member_id is not None and can(actor, "incident.report"),
            "has_chain": has_chain,
            "chain_page": chain_page,
            "filters": filters,
            "query": request.GET.copy().urlencode() if request.GET else "",
            "tz": agency_tz(actor.agency_id),
        },
    )


@requires("incident.view")
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = request_actor(request)
    incident = incident_get_visible(actor=actor, incident_id=incident_id)
    involvements = list(incident.involvements.select_related("member", "statement"))
    statements = [(inv, getattr(inv, "statement", None)) for inv in involvements if inv.member_id]
    own = involvement_of(actor=actor, incident=incident)
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            **people_context(incident),
            "rows": timeline_rows(incident),
            "statements": statements,
            "can_edit": can_edit(actor, incident),
            # The reason of a return is the reporter's to read (the review is not yet theirs).
            "returned": return_info(incident) if can_edit(actor, incident) else None,
            "own_involvement": own,
            "tz": agency_tz(actor.agency_id),
            # A plain link for facilitators, whether or not a review exists: the page never
            # learns (or shows) that one does, and the wall keeps it from internal affairs.
            "can_facilitate_aar": not incident.is_draft and can(actor, "aar.facilitate", incident),
        },
    )


@requires("incident.statement")
def statement(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The actor's own statement about an incident they were at: write, save, submit."""
    actor = request_actor(request)
    incident = incident_get_visible(actor=actor, incident_id=incident_id, log_read=False)
    own: Statement = services.statement_open(actor=actor, incident=incident)
    if own.status == StatementStatus.SUBMITTED:
        return render(
            request,
            "incidents/statement.html",
            {"incident": incident, "statement": own, "form": None, "submitted": True},
        )
    form = StatementForm(
        request.POST or None,
        initial={
            "text": own.text,
            "witnessed_force": own.witnessed_force,
            "intervened": yes_no(own.intervened),
            "intervention_note": own.intervention_note,
            "version": own.version,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            submit = request.POST.get("go") == "submit"
            service = services.statement_submit if submit else services.statement_save
            try:
                service(
                    actor=actor,
                    statement=own,
                    expected_version=form.cleaned_data["version"],
                    **form.statement_fields(),  # type: ignore[arg-type]
                )
            except (InvalidInput, ConflictError) as exc:
                status = show_refusal(form, exc)
            else:
                messages.success(
                    request, "Statement submitted." if submit else "Statement draft saved."
                )
                if submit:
                    return redirect("incidents:incident_detail", incident.pk)
                return redirect("incidents:statement", incident.pk)
    return render(
        request,
        "incidents/statement.html",
        {
            "incident": incident,
            "statement": own,
            "form": form,
            "errors": error_summary(form),
            "force_in_timeline": incident.events.filter(kind="force").exists(),
        },
        status=status,
    )
