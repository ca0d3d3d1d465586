"""Written policy pages: documents, versions and their sections, the changes between versions,
acknowledging a version, and who in one's chain has not.

Views parse input, call one service or selector, and render. ``@requires`` refuses roles that
never hold the action; the selectors and services decide about the record itself.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.agencies.models import Rank
from steadyhand.agencies.selectors import unit_get_visible
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.policy import selectors, services
from steadyhand.policy.forms import (
    ComplianceFilterForm,
    DocumentForm,
    PublishForm,
    SectionForm,
    SectionMoveForm,
    VersionCreateForm,
    VersionEditForm,
    VersionStampForm,
)
from steadyhand.policy.models import PolicyVersion, VersionStatus

MEMBERS_PER_PAGE = 50


def _refusal(exc: InvalidInput | ConflictError) -> str:
    if isinstance(exc, InvalidInput):
        return " ".join(message for errors in exc.errors.values() for message in errors)
    return str(exc)


def _to_version(version: PolicyVersion) -> HttpResponse:
    return redirect("policy:version_detail", version_id=version.pk)


def _to_editor(version: PolicyVersion) -> HttpResponse:
    return redirect("policy:version_edit", version_id=version.pk)


# Documents -----------------------------------------------------------------------------------


@requires("policy.view")
def document_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    member = selectors.actor_member(actor=actor)
    pending: dict[int, selectors.PendingAcknowledgement] = {}
    acknowledged: set[int] = set()
    if member is not None:
        pending = {p.version.pk: p for p in selectors.pending_acknowledgements(member=member)}
        acknowledged = selectors.acknowledged_version_ids(member=member)
    rows = [
        {
            "row": row,
            "pending": pending.get(row.current.pk) if row.current else None,
            "acknowledged": row.current is not None and row.current.pk in acknowledged,
        }
        for row in selectors.document_list_visible(actor=actor)
    ]
    return render(
        request,
        "policy/document_list.html",
        {
            "rows": rows,
            "has_member": member is not None,
            "can_edit": selectors.can_edit(actor),
            "can_compliance": can(actor, "policy.compliance"),
        },
    )


@requires("policy.edit")
def document_create(request: HttpRequest) -> HttpResponse:
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.policy_document_create(
                actor=request_actor(request),
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                applies_to_ranks=form.cleaned_data["applies_to_ranks"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Policy “{document}” created. Now write its first draft.")
            return redirect("policy:version_create", document_id=document.pk)
    return render(
        request,
        "policy/document_create.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@requires("policy.view")
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = request_actor(request)
    document = selectors.document_get_visible(actor=actor, document_id=document_id)
    versions = list(selectors.version_list(actor=actor, document=document))
    in_progress = next((v for v in versions if v.status != VersionStatus.PUBLISHED), None)
    return render(
        request,
        "policy/document_detail.html",
        {
            "document": document,
            "versions": versions,
            "current": selectors.version_current(document=document),
            "in_progress": in_progress,
            "rank_labels": [Rank(r).label for r in document.applies_to_ranks],
            "can_edit": selectors.can_edit(actor),
        },
    )


# Versions ------------------------------------------------------------------------------------


@requires("policy.edit")
def version_create(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = request_actor(request)
    document = selectors.document_get_visible(actor=actor, document_id=document_id)
    form = VersionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.policy_version_create(
                actor=actor,
                document=document,
                summary=form.cleaned_data["summary"],
                ack_due_days=form.cleaned_data["ack_due_days"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Draft v{version.number} started.")
            return _to_editor(version)
    return render(
        request,
        "policy/version_create.html",
        {
            "document": document,
            "form": form,
            "current": selectors.version_current(document=document),
        },
        status=400 if request.method == "POST" else 200,
    )


@requires("policy.view")
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    """Read a version; acknowledge it; approve or publish it."""
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    stamp = VersionStampForm(initial={"version": version.version})
    return render(
        request,
        "policy/version_detail.html",
        {
            "version": version,
            "document": version.document,
            "sections": selectors.version_sections(version=version),
            "reader": selectors.reader_status(actor=actor, version=version),
            "previous": selectors.version_previous_published(version=version),
            "is_draft": version.status == VersionStatus.DRAFT,
            "is_approved": version.status == VersionStatus.APPROVED,
            "is_published": version.status == VersionStatus.PUBLISHED,
            "can_edit": selectors.can_edit(actor),
            "can_approve": can(actor, "policy.approve", version),
            "can_publish": can(actor, "policy.publish", version),
            "stamp": stamp,
        },
    )


@requires("policy.view")
def version_changes(request: HttpRequest, version_id: int) -> HttpResponse:
    """What changed against the previous published version, section by section."""
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    return render(
        request,
        "policy/version_changes.html",
        {
            "version": version,
            "document": version.document,
            "diff": selectors.version_diff(version=version),
        },
    )


@requires("policy.edit")
def version_edit(request: HttpRequest, version_id: int) -> HttpResponse:
    """Edit a draft: its summary and deadline, and the list of sections."""
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    if version.status != VersionStatus.DRAFT:
        messages.error(request, f"v{version.number} is not a draft; its text cannot change.")
        return _to_version(version)
    form = VersionEditForm(
        request.POST or None,
        initial={
            "summary": version.summary,
            "ack_due_days": version.ack_due_days,
            "version": version.version,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.policy_version_update(
                    actor=actor,
                    version=version,
                    expected_version=form.cleaned_data["version"],
                    summary=form.cleaned_data["summary"],
                    ack_due_days=form.cleaned_data["ack_due_days"],
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Draft saved.")
                return _to_editor(version)
    return render(
        request,
        "policy/version_edit.html",
        {
            "version": version,
            "document": version.document,
            "form": form,
            "sections": list(selectors.version_sections(version=version)),
            "new_section": SectionForm(initial={"version": version.version}),
        },
        status=status,
    )


def _stamp(request: HttpRequest) -> int | None:
    form = VersionStampForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


@requires("policy.edit")
def version_discard(request: HttpRequest, version_id: int) -> HttpResponse:
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    if request.method == "POST":
        document_id = version.document_id
        try:
            services.policy_version_discard(
                actor=actor, version=version, expected_version=_stamp(request)
            )
        except (InvalidInput, ConflictError) as exc:
            messages.error(request, _refusal(exc))
            return _to_version(version)
        messages.success(request, f"v{version.number} discarded.")
        return redirect("policy:document_detail", document_id=document_id)
    return render(
        request,
        "policy/version_discard.html",
        {
            "version": version,
            "document": version.document,
            "stamp": VersionStampForm(initial={"version": version.version}),
        },
    )


@requires("policy.approve")
@require_POST
def version_approve(request: HttpRequest, version_id: int) -> HttpResponse:
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    try:
        services.policy_version_approve(
            actor=actor, version=version, expected_version=_stamp(request)
        )
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, f"v{version.number} approved. It can now be published.")
    return _to_version(version)


@requires("policy.publish")
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    form = PublishForm(request.POST or None, initial={"version": version.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.policy_version_publish(
                    actor=actor,
                    version=version,
                    effective_date=form.cleaned_data["effective_date"],
                    expected_version=form.cleaned_data["version"],
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"v{version.number} published.")
                return _to_version(version)
    return render(
        request,
        "policy/version_publish.html",
        {"version": version, "document": version.document, "form": form},
        status=status,
    )


# Sections ------------------------------------------------------------------------------------


@requires("policy.edit")
def section_add(request: HttpRequest, version_id: int) -> HttpResponse:
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    form = SectionForm(request.POST or None, initial={"version": version.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                section = services.policy_section_add(
                    actor=actor,
                    version=version,
                    expected_version=form.cleaned_data["version"],
                    number=form.cleaned_data["number"],
                    heading=form.cleaned_data["heading"],
                    text=form.cleaned_data["text"],
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Section {section.number} added.")
                return _to_editor(version)
    return render(
        request,
        "policy/section_form.html",
        {"version": version, "document": version.document, "form": form, "section": None},
        status=status,
    )


@requires("policy.edit")
def section_edit(request: HttpRequest, version_id: int, section_id: int) -> HttpResponse:
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    section = selectors.section_get_visible(actor=actor, version=version, section_id=section_id)
    form = SectionForm(
        request.POST or None,
        initial={
            "number": section.number,
            "heading": section.heading,
            "text": section.text,
            "version": version.version,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.policy_section_update(
                    actor=actor,
                    section=section,
                    expected_version=form.cleaned_data["version"],
                    number=form.cleaned_data["number"],
                    heading=form.cleaned_data["heading"],
                    text=form.cleaned_data["text"],
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Section {form.cleaned_data['number']} saved.")
                return _to_editor(version)
    return render(
        request,
        "policy/section_form.html",
        {"version": version, "document": version.document, "form": form, "section": section},
        status=status,
    )


@requires("policy.edit")
@require_POST
def section_delete(request: HttpRequest, version_id: int, section_id: int) -> HttpResponse:
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    section = selectors.section_get_visible(actor=actor, version=version, section_id=section_id)
    try:
        services.policy_section_delete(
            actor=actor, section=section, expected_version=_stamp(request)
        )
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, f"Section {section.number} deleted.")
    return _to_editor(version)


@requires("policy.edit")
@require_POST
def section_move(request: HttpRequest, version_id: int, section_id: int) -> HttpResponse:
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    section = selectors.section_get_visible(actor=actor, version=version, section_id=section_id)
    form = SectionMoveForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput({"direction": ["Move a section “up” or “down”."]})
        services.policy_section_move(
            actor=actor,
            section=section,
            expected_version=form.cleaned_data["version"],
            direction=form.cleaned_data["direction"],
        )
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, _refusal(exc))
    else:
        direction = form.cleaned_data["direction"]
        messages.success(request, f"Section {section.number} moved {direction}.")
    return _to_editor(version)


# Acknowledgements and compliance -------------------------------------------------------------


@requires("policy.acknowledge")
@require_POST
def version_acknowledge(request: HttpRequest, version_id: int) -> HttpResponse:
    actor = request_actor(request)
    version = selectors.version_get_visible(actor=actor, version_id=version_id)
    try:
        services.policy_version_acknowledge(actor=actor, version=version)
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(
            request,
            f"Thank you: your acknowledgement of {version.document.code} v{version.number} "
            "is recorded.",
        )
    return _to_version(version)


@requires("policy.compliance")
def compliance(request: HttpRequest) -> HttpResponse:
    """Who in the actor's chain has not acknowledged the current versions, and who is late."""
    actor = request_actor(request)
    form = ComplianceFilterForm(
        request.GET or None,
        versions=selectors.compliance_version_choices(actor=actor),
        units=selectors.compliance_units(actor=actor),
    )
    version = unit = None
    show = selectors.SHOW_OVERDUE
    if form.is_valid():
        version = form.cleaned_data["version"]
        unit = form.cleaned_data["unit"]
        show = form.cleaned_data["show"] or selectors.SHOW_OVERDUE
    if unit is not None:  # the choices are limited already; this makes it certain
        unit = unit_get_visible(actor=actor, unit_id=unit.pk, action="policy.compliance")
    today = selectors.agency_local_date(agency_id=actor.agency_id)
    counts = selectors.compliance_counts(actor=actor, unit=unit, today=today)
    if version is None:  # default: the version with the most overdue members
        worst = max(counts, key=lambda c: c.overdue, default=None)
        version = worst.version if worst is not None else None
    selected = None
    page = None
    rows: list[selectors.OutstandingMember] = []
    if version is not None:
        selected = next((c for c in counts if c.version.pk == version.pk), None)
        if selected is None:  # a superseded version, chosen in the filter
            selected = selectors.compliance_counts(
                actor=actor, unit=unit, versions=[version], today=today
            )[0]
        members = selectors.compliance_members(
            actor=actor, version=version, unit=unit, show=show, today=today
        )
        page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
        rows = selectors.outstanding_rows(version=version, members=list(page), today=today)
    return render(
        request,
        "policy/compliance.html",
        {
            "form": form,
            "counts": counts,
            "version": version,
            "selected": selected,
            "unit": unit,
            "show": show,
            "page": page,
            "rows": rows,
            "today": today,
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )
