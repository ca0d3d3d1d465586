"""The audit log an auditor reads, and the page that verifies its hash chain."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from steadyhand.access.decorators import requires
from steadyhand.access.policy import Scope, can
from steadyhand.agencies.selectors import agency_get
from steadyhand.audit.forms import EventFilterForm
from steadyhand.audit.models import AuditEvent
from steadyhand.audit.selectors import audit_action_names, audit_chain_report, audit_event_list

PAGE_SIZE = 50


@dataclass(frozen=True)
class ChangeRow:
    field: str
    old: Any
    new: Any
    paired: bool  # False when the stored value is not an [old, new] pair


def change_rows(changes: Any) -> list[ChangeRow]:
    """``{field: [old, new]}`` as rows; anything else the log holds is shown as it is."""
    if not isinstance(changes, dict):
        return [ChangeRow("", None, changes, paired=False)] if changes else []
    rows = []
    for field, value in sorted(changes.items()):
        if isinstance(value, list | tuple) and len(value) == 2:
            rows.append(ChangeRow(field, value[0], value[1], paired=True))
        else:
            rows.append(ChangeRow(field, None, value, paired=False))
    return rows


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    changes: list[ChangeRow]


@requires("audit.view")
def event_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = EventFilterForm(request.GET or None, action_names=audit_action_names(actor=actor))
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "action": data["action"],
            "kind": data["kind"],
            "actor_label": data["actor"].strip(),
            "obj": data["object"].strip(),
            "seq": data["seq"],
        }
    page = Paginator(audit_event_list(actor=actor, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [EventRow(event, change_rows(event.changes)) for event in page]
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "rows": rows, "filtered": any(filters.values())},
    )


@requires("audit.verify")
def verify(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    report = audit_chain_report(actor=actor) if request.method == "POST" else None
    return render(
        request,
        "audit/verify.html",
        # Only hides a link; the log page decides for itself. The log is an agency-level record.
        {
            "report": report,
            "can_read_log": can(actor, "audit.view", Scope(agency_id=actor.agency_id)),
            "agency_slug": agency_get(actor=actor).slug,
        },
    )
