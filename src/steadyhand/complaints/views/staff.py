"""Staff pages: recording a complaint, the list, and the complaint itself."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.complaints import selectors, services
from steadyhand.complaints.forms import (
    CloseForm,
    ComplaintFilterForm,
    IntakeForm,
    LinkIncidentForm,
    ReopenForm,
)
from steadyhand.complaints.models import ComplaintStatus
from steadyhand.complaints.views.common import agency_tz, apply_errors
from steadyhand.core.errors import InvalidInput
from steadyhand.core.views import request_actor

COMPLAINTS_PER_PAGE = 50
# Staff: receiving ------------------------------------------------------------------------------


@requires("complaint.intake")
def intake(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    tz = agency_tz(request)
    now = timezone.now()
    form = IntakeForm(request.POST or None, initial={"received_on": now.astimezone(tz).date()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_intake(
                actor=actor,
                channel=data["channel"],
                received_at=form.received_at(tz, now),
                narrative=data["narrative"],
                occurred_at=form.occurred_at(tz),
                location=data["location"],
                complainant_name=data["complainant_name"],
                complainant_contact=data["complainant_contact"],
                officer_description=data["officer_description"],
                demographics=form.demographics(),
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Complaint {complaint.reference} recorded.")
            if can(actor, "complaint.view", complaint):
                return redirect("complaints:detail", complaint_id=complaint.pk)
            messages.info(request, "Internal affairs will take it from here.")
            return redirect("complaints:intake")
    return render(
        request,
        "complaints/intake.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


# Staff: reading --------------------------------------------------------------------------------


@requires("complaint.view")
def complaint_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = ComplaintFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    complaints = selectors.complaint_list(actor=actor, **filters)
    page = Paginator(complaints, COMPLAINTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_intake": can(actor, "complaint.intake"),
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )


@requires("complaint.view")
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    actor = request_actor(request)
    complaint = selectors.complaint_get_visible(actor=actor, complaint_id=complaint_id)
    can_manage = can(actor, "complaint.manage", complaint)
    is_open = complaint.status != ComplaintStatus.CLOSED
    stamp = {"version": complaint.version}
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "allegations": list(selectors.complaint_allegations(complaint=complaint)),
            "people": list(complaint.people.all()),
            "can_manage": can_manage,
            "is_open": is_open,
            "can_see_incident": complaint.incident is not None
            and can(actor, "incident.view", complaint.incident),
            "close_form": CloseForm(initial=stamp, auto_id="close_%s")
            if can_manage and is_open
            else None,
            "reopen_form": ReopenForm(initial=stamp, auto_id="reopen_%s")
            if can_manage and not is_open
            else None,
            "link_form": LinkIncidentForm(
                auto_id="link_%s",
                initial={
                    **stamp,
                    "case_number": complaint.incident.case_number if complaint.incident else "",
                },
            )
            if can_manage and is_open
            else None,
        },
    )
