"""Internal affairs' pages: allegations, findings, complainants, the incident, closing."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.complaints import selectors, services
from steadyhand.complaints.forms import (
    AllegationForm,
    CloseForm,
    ComplainantForm,
    ComplaintEditForm,
    FindingForm,
    LinkIncidentForm,
    ReopenForm,
)
from steadyhand.complaints.models import Complaint
from steadyhand.complaints.views.common import agency_tz, apply_errors
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import request_actor


def _managed(request: HttpRequest, complaint_id: int) -> Complaint:
    """The complaint to manage; the read is logged when the page shows its content (GET)."""
    return selectors.complaint_get_visible(
        actor=request_actor(request),
        complaint_id=complaint_id,
        action="complaint.manage",
        log_read=request.method == "GET",
    )


def _to_detail(complaint: Complaint) -> HttpResponse:
    return redirect("complaints:detail", complaint_id=complaint.pk)


def _refusal(exc: InvalidInput | ConflictError) -> str:
    if isinstance(exc, InvalidInput):
        return " ".join(message for errors in exc.errors.values() for message in errors)
    return str(exc)


def _form_page(
    request: HttpRequest,
    template: str,
    complaint: Complaint,
    form: Any,
    *,
    status: int,
    **extra: Any,
) -> HttpResponse:
    return render(request, template, {"complaint": complaint, "form": form, **extra}, status=status)


@requires("complaint.manage")
def complaint_edit(request: HttpRequest, complaint_id: int) -> HttpResponse:
    actor = request_actor(request)
    complaint = _managed(request, complaint_id)
    tz = agency_tz(request)
    local = complaint.occurred_at.astimezone(tz) if complaint.occurred_at else None
    form = ComplaintEditForm(
        request.POST or None,
        initial={
            "version": complaint.version,
            "narrative": complaint.narrative,
            "occurred_on": local.date() if local else None,
            "occurred_time": local.time() if local else None,
            "location": complaint.location,
            "officer_description": complaint.officer_description,
            "complainant_name": complaint.complainant_name,
            "complainant_contact": complaint.complainant_contact,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.complaint_update(
                    actor=actor,
                    complaint=complaint,
                    expected_version=data["version"],
                    narrative=data["narrative"],
                    occurred_at=form.occurred_at(tz),
                    location=data["location"],
                    complainant_name=data["complainant_name"],
                    complainant_contact=data["complainant_contact"],
                    officer_description=data["officer_description"],
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Complaint {complaint.reference} saved.")
                return _to_detail(complaint)
    return _form_page(request, "complaints/edit.html", complaint, form, status=status)


def _allegation_member(request: HttpRequest, form: AllegationForm) -> Any:
    """The member a badge names, or an error on the badge field (None: no badge given)."""
    badge = form.cleaned_data["member_badge"]
    member = selectors.member_by_badge(actor=request_actor(request), badge=badge)
    if badge and member is None:
        raise InvalidInput({"member_badge": [f"No member of this agency has badge “{badge}”."]})
    return member


@requires("complaint.manage")
def allegation_add(request: HttpRequest, complaint_id: int) -> HttpResponse:
    actor = request_actor(request)
    complaint = _managed(request, complaint_id)
    form = AllegationForm(request.POST or None, initial={"version": complaint.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.allegation_add(
                    actor=actor,
                    complaint=complaint,
                    expected_version=data["version"],
                    category=data["category"],
                    description=data["description"],
                    member=_allegation_member(request, form),
                    external_officer_id=data["external_officer_id"],
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Allegation added.")
                return _to_detail(complaint)
    return _form_page(
        request, "complaints/allegation_form.html", complaint, form, status=status, allegation=None
    )


@requires("complaint.manage")
def allegation_edit(request: HttpRequest, complaint_id: int, allegation_id: int) -> HttpResponse:
    actor = request_actor(request)
    complaint = _managed(request, complaint_id)
    allegation = selectors.allegation_get(complaint=complaint, allegation_id=allegation_id)
    form = AllegationForm(
        request.POST or None,
        initial={
            "version": complaint.version,
            "category": allegation.category,
            "description": allegation.description,
            "member_badge": allegation.member.badge if allegation.member else "",
            "external_officer_id": allegation.external_officer_id,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.allegation_update(
                    actor=actor,
                    allegation=allegation,
                    expected_version=data["version"],
                    category=data["category"],
                    description=data["description"],
                    member=_allegation_member(request, form),
                    external_officer_id=data["external_officer_id"],
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Allegation saved.")
                return _to_detail(complaint)
    return _form_page(
        request,
        "complaints/allegation_form.html",
        complaint,
        form,
        status=status,
        allegation=allegation,
    )


@requires("complaint.manage")
def allegation_finding(request: HttpRequest, complaint_id: int, allegation_id: int) -> HttpResponse:
    actor = request_actor(request)
    complaint = _managed(request, complaint_id)
    allegation = selectors.allegation_get(complaint=complaint, allegation_id=allegation_id)
    initial: dict[str, Any] = {"version": complaint.version}
    if allegation.finding != "pending":
        initial.update(finding=allegation.finding, finding_at=allegation.finding_at)
    form = FindingForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.allegation_record_finding(
                    actor=actor,
                    allegation=allegation,
                    expected_version=data["version"],
                    finding=data["finding"],
                    finding_at=data["finding_at"],
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Finding recorded.")
                return _to_detail(complaint)
    return _form_page(
        request,
        "complaints/finding_form.html",
        complaint,
        form,
        status=status,
        allegation=allegation,
    )


@requires("complaint.manage")
def complainant_add(request: HttpRequest, complaint_id: int) -> HttpResponse:
    actor = request_actor(request)
    complaint = _managed(request, complaint_id)
    form = ComplainantForm(request.POST or None, initial={"version": complaint.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.complainant_add(
                    actor=actor,
                    complaint=complaint,
                    expected_version=form.cleaned_data["version"],
                    demographics=form.demographics(),
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Complainant added.")
                return _to_detail(complaint)
    return _form_page(request, "complaints/complainant_form.html", complaint, form, status=status)


@requires("complaint.manage")
@require_POST
def link_incident(request: HttpRequest, complaint_id: int) -> HttpResponse:
    actor = request_actor(request)
    complaint = _managed(request, complaint_id)
    form = LinkIncidentForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput({"case_number": ["Give an incident case number."]})
        case_number = form.cleaned_data["case_number"]
        incident = None
        if case_number:
            incident = selectors.incident_by_case_number(actor=actor, case_number=case_number)
            if incident is None:
                raise InvalidInput(
                    {"case_number": [f"No incident you may see has case number “{case_number}”."]}
                )
        services.complaint_link_incident(
            actor=actor,
            complaint=complaint,
            expected_version=form.cleaned_data["version"],
            incident=incident,
        )
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(
            request, f"Linked to incident {incident.case_number}." if incident else "Link removed."
        )
    return _to_detail(complaint)


@requires("complaint.manage")
@require_POST
def complaint_close(request: HttpRequest, complaint_id: int) -> HttpResponse:
    actor = request_actor(request)
    complaint = _managed(request, complaint_id)
    form = CloseForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput({"version": ["Reload the page and try again."]})
        services.complaint_close(
            actor=actor,
            complaint=complaint,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, f"Not closed: {_refusal(exc)}")
    else:
        messages.success(request, f"Complaint {complaint.reference} closed.")
    return _to_detail(complaint)


@requires("complaint.manage")
@require_POST
def complaint_reopen(request: HttpRequest, complaint_id: int) -> HttpResponse:
    actor = request_actor(request)
    complaint = _managed(request, complaint_id)
    form = ReopenForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput({"reason": ["Say why the complaint is reopened."]})
        services.complaint_reopen(
            actor=actor,
            complaint=complaint,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, f"Not reopened: {_refusal(exc)}")
    else:
        messages.success(request, f"Complaint {complaint.reference} reopened.")
    return _to_detail(complaint)
