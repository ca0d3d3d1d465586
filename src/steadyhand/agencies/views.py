"""The agency admin's pages: the unit tree, the member roster, and the agency's settings.

Views parse input, call one selector or service, and render. Refusals (NotFound → 404,
PermissionDenied → 403) are turned into pages by ``@requires``.
"""

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.agencies import services
from steadyhand.agencies.forms import (
    AgencySettingsForm,
    MemberEditForm,
    MemberFilterForm,
    MemberForm,
    UnitCreateForm,
    UnitEditForm,
)
from steadyhand.agencies.models import Member, Unit
from steadyhand.agencies.selectors import (
    agency_get,
    member_chain,
    member_get_visible,
    member_list_visible,
    unit_ancestors,
    unit_get_visible,
    unit_tree,
)
from steadyhand.audit.services import audit_read
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors, request_actor

MEMBERS_PER_PAGE = 50


def _page(request: HttpRequest, members: QuerySet[Member]) -> Page:
    return Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))


# Units ---------------------------------------------------------------------------------------


@requires("unit.view")
def unit_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "agencies/unit_list.html",
        {
            "roots": unit_tree(actor=actor),
            "can_manage": can(actor, "unit.manage"),
            "counting": can(actor, "member.view"),
        },
    )


@requires("unit.view")
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = request_actor(request)
    unit = unit_get_visible(actor=actor, unit_id=unit_id)
    showing_members = can(actor, "member.view")
    return render(
        request,
        "agencies/unit_detail.html",
        {
            "unit": unit,
            "ancestors": unit_ancestors(unit=unit),
            "children": unit.children.order_by("name"),
            "showing_members": showing_members,
            "page": _page(request, member_list_visible(actor=actor, unit=unit))
            if showing_members
            else None,
            "can_manage": can(actor, "unit.manage", unit),
        },
    )


@requires("unit.manage")
def unit_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Add a sub-unit under ``unit_id``."""
    actor = request_actor(request)
    parent = unit_get_visible(actor=actor, unit_id=unit_id, action="unit.manage")
    form = UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                actor=actor,
                parent=parent,
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                kind=form.cleaned_data["kind"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Unit “{unit.name}” created under “{parent.name}”.")
            return redirect("agencies:unit_detail", unit_id=unit.pk)
    return render(
        request,
        "agencies/unit_create.html",
        {"parent": parent, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@requires("unit.manage")
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Rename or move a unit; a save based on a stale copy is refused with 409."""
    actor = request_actor(request)
    unit = unit_get_visible(actor=actor, unit_id=unit_id, action="unit.manage")
    form = UnitEditForm(request.POST or None, unit=unit)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.unit_update(
                    actor=actor,
                    unit=unit,
                    name=form.cleaned_data["name"],
                    code=form.cleaned_data["code"],
                    kind=form.cleaned_data["kind"],
                    parent=form.cleaned_data.get("parent"),
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Unit “{saved.name}” saved.")
                return redirect("agencies:unit_detail", unit_id=saved.pk)
    return render(
        request,
        "agencies/unit_edit.html",
        {"unit": unit, "form": form, "conflict": status == 409},
        status=status,
    )


# Members -------------------------------------------------------------------------------------


@requires("member.view")
def member_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    filters = MemberFilterForm(request.GET or None, agency_id=actor.agency_id)
    # A bad filter value (say, a unit id of another agency) is reported on the form and ignored.
    filters.is_valid()
    cleaned = getattr(filters, "cleaned_data", {})
    unit: Unit | None = cleaned.get("unit")
    members = member_list_visible(
        actor=actor,
        search=cleaned.get("q") or "",
        unit=unit,
        status=cleaned.get("status") or "",
    )
    return render(
        request,
        "agencies/member_list.html",
        {
            "filters": filters,
            "page": _page(request, members),
            "can_manage": can(actor, "member.manage"),
        },
    )


@requires("member.view")
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    actor = request_actor(request)
    member = member_get_visible(actor=actor, member_id=member_id)
    # Opening an identified personnel record is a read the audit log keeps.
    audit_read(actor=actor, obj=member)
    chain = [(boss, can(actor, "member.view", boss)) for boss in member_chain(member=member)]
    return render(
        request,
        "agencies/member_detail.html",
        {
            "member": member,
            "chain": chain,
            "can_manage": can(actor, "member.manage", member),
        },
    )


@requires("member.manage")
def member_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = MemberForm(request.POST or None, agency_id=actor.agency_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.member_create(
                actor=actor,
                badge=data["badge"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                rank=data["rank"],
                unit=data["unit"],
                supervisor=data["supervisor"],
                hire_date=data["hire_date"],
                status=data["status"],
                shift=data["shift"],
                assignment=data["assignment"],
                reason=data["reason"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{member} added.")
            return redirect("agencies:member_detail", member_id=member.pk)
    return render(
        request,
        "agencies/member_create.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@requires("member.manage")
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    """Change a member's record; a save based on a stale copy is refused with 409."""
    actor = request_actor(request)
    member = member_get_visible(actor=actor, member_id=member_id, action="member.manage")
    form = MemberEditForm(request.POST or None, agency_id=actor.agency_id, member=member)
    if request.method != "POST":
        # The form shows the whole identified record, so opening it is a logged read.
        audit_read(actor=actor, obj=member, reason="opened for editing")
        return render(request, "agencies/member_edit.html", {"member": member, "form": form})
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.member_update(
                actor=actor,
                member=member,
                expected_version=data["version"],
                badge=data["badge"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                rank=data["rank"],
                unit=data["unit"],
                supervisor=data["supervisor"],
                hire_date=data["hire_date"],
                status=data["status"],
                shift=data["shift"],
                assignment=data["assignment"],
                reason=data["reason"],
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{saved} saved.")
            return redirect("agencies:member_detail", member_id=saved.pk)
    return render(
        request,
        "agencies/member_edit.html",
        {"member": member, "form": form, "conflict": status == 409},
        status=status,
    )


# Agency settings -----------------------------------------------------------------------------


@requires("agency.configure")
def agency_settings(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    agency = agency_get(actor=actor)
    form = AgencySettingsForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        before = (sorted(agency.require_2fa_roles or []), agency.suppression_threshold)
        try:
            saved = services.agency_configure(
                actor=actor,
                agency=agency,
                require_2fa_roles=form.cleaned_data["require_2fa_roles"],
                suppression_threshold=form.cleaned_data["suppression_threshold"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            after = (sorted(saved.require_2fa_roles or []), saved.suppression_threshold)
            if after == before:
                messages.info(request, "Nothing changed: the settings were already like that.")
            else:
                messages.success(request, "Agency settings saved.")
            return redirect("agencies:agency_settings")
    return render(
        request,
        "agencies/agency_settings.html",
        {"agency": agency, "form": form},
        status=400 if request.method == "POST" else 200,
    )
