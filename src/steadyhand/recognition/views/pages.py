"""Recognition pages: the recognition page, nominating, deciding, consent, publication,
suggestions and award types (the public form is in ``public``).

Views parse input, call one service or selector, and render. ``@requires`` refuses roles that
never hold the action; selectors and services decide about the record itself.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.agencies.models import Member
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.incidents.models import Incident
from steadyhand.recognition import selectors, services
from steadyhand.recognition.forms import (
    ApproveForm,
    AwardTypeEditForm,
    AwardTypeForm,
    ConsentForm,
    DeclineForm,
    IdentifyForm,
    NominateForm,
    PublishForm,
    VersionForm,
)
from steadyhand.recognition.models import Nomination
from steadyhand.recognition.rules import may_publish, step_refusal

LIST_LIMIT = 200


def _to_detail(nomination: Nomination) -> HttpResponse:
    return redirect("recognition:detail", nomination_id=nomination.pk)


def _refusal(exc: InvalidInput | ConflictError) -> str:
    if isinstance(exc, InvalidInput):
        return " ".join(m for errors in exc.errors.values() for m in errors)
    return str(exc)


@requires("commendation.view")
def index(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "recognition/index.html",
        {
            "commendations": selectors.recognition_list(actor=actor)[:LIST_LIMIT],
            "mine": selectors.my_commendations(actor=actor),
            "by_me": selectors.nominations_by_me(actor=actor)[:LIST_LIMIT],
            "awaiting": selectors.nominations_awaiting(actor=actor),
            "to_identify": selectors.nominations_to_identify(actor=actor),
            "can_nominate": can(actor, "commendation.nominate"),
            "can_approve": can(actor, "commendation.approve"),
            "can_configure": can(actor, "commendation.configure"),
        },
    )


@requires("commendation.nominate")
def nominate(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = NominateForm(
        request.POST or None,
        members=selectors.nominable_members(actor=actor),
        awards=selectors.award_types(actor=actor),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        incident = None
        if data["incident_id"]:
            incident = Incident.objects.filter(
                pk=data["incident_id"], agency_id=actor.agency_id
            ).first()
        try:
            if data["incident_id"] and incident is None:
                raise InvalidInput({"incident_id": ["There is no such incident that you may see."]})
            nomination = services.nomination_create(
                actor=actor,
                member=data["member"],
                narrative=data["narrative"],
                incident=incident,
                award_type=data["award_type"],
            )
        except InvalidInput as exc:
            if "incident" in exc.errors:
                exc.errors["incident_id"] = exc.errors.pop("incident")
            apply_errors(form, exc)
        else:
            messages.success(request, "Nomination sent to the member's chain of command.")
            return _to_detail(nomination)
    status = 400 if request.method == "POST" else 200
    return render(request, "recognition/nominate.html", {"form": form}, status=status)


@requires("commendation.view")
def detail(request: HttpRequest, nomination_id: int) -> HttpResponse:
    actor = request_actor(request)
    nomination = selectors.nomination_get_visible(actor=actor, nomination_id=nomination_id)
    awards = selectors.award_types(actor=actor)
    version = {"version": nomination.version}
    may_decide = step_refusal(actor, nomination) is None
    is_member = actor.member_id is not None and actor.member_id == nomination.member_id
    incident_visible = nomination.incident is not None and can(
        actor, "incident.view", nomination.incident
    )
    return render(
        request,
        "recognition/detail.html",
        {
            "n": nomination,
            "may_decide": may_decide,
            "approve_form": ApproveForm(
                initial={**version, "award_type": nomination.award_type_id}, awards=awards
            ),
            "decline_form": DeclineForm(initial=version),
            "identify_form": (
                IdentifyForm(initial=version, members=selectors.nominable_members(actor=actor))
                if nomination.member_id is None
                and nomination.is_open
                and can(actor, "commendation.approve", nomination)
                else None
            ),
            "consent_form": (
                ConsentForm(
                    initial={
                        **version,
                        "consent": "yes" if nomination.consent_to_publish else "no",
                        "name_display": nomination.name_display,
                    }
                )
                if is_member and nomination.status == "approved"
                else None
            ),
            "publish_form": (
                PublishForm(initial={**version, "citation": nomination.public_citation})
                if may_publish(actor, nomination)
                and nomination.status == "approved"
                and nomination.consent_to_publish
                else None
            ),
            "version_form": VersionForm(initial=version),
            "incident_visible": incident_visible,
            "public_name": selectors.public_name(nomination),
        },
    )


def _decide(request: HttpRequest, nomination_id: int, what: str) -> HttpResponse:
    actor = request_actor(request)
    nomination = selectors.nomination_get_visible(actor=actor, nomination_id=nomination_id)
    try:
        if what == "approve":
            form: VersionForm = ApproveForm(request.POST, awards=selectors.award_types(actor=actor))
            if not form.is_valid():
                raise InvalidInput({"version": ["Reload the page and try again."]})
            nomination = services.nomination_approve(
                actor=actor,
                nomination=nomination,
                expected_version=form.cleaned_data["version"],
                award_type=form.cleaned_data["award_type"],
            )
            messages.success(request, f"Nomination {nomination.get_status_display().lower()}.")
        elif what == "decline":
            form = DeclineForm(request.POST)
            if not form.is_valid():
                raise InvalidInput({"reason": ["Give the reason for declining."]})
            nomination = services.nomination_decline(
                actor=actor,
                nomination=nomination,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "Nomination declined; the nominator can read your reason.")
        elif what == "identify":
            form = IdentifyForm(request.POST, members=selectors.nominable_members(actor=actor))
            if not form.is_valid():
                raise InvalidInput({"member": ["Choose the member it is about."]})
            nomination = services.nomination_identify(
                actor=actor,
                nomination=nomination,
                expected_version=form.cleaned_data["version"],
                member=form.cleaned_data["member"],
            )
            messages.success(request, "Member identified; the nomination is in their chain now.")
        elif what == "consent":
            form = ConsentForm(request.POST)
            if not form.is_valid():
                raise InvalidInput({"consent": ["Say whether it may be published."]})
            nomination = services.nomination_consent(
                actor=actor,
                nomination=nomination,
                expected_version=form.cleaned_data["version"],
                consent=form.cleaned_data["consent"],
                name_display=form.cleaned_data["name_display"],
            )
            messages.success(request, "Your choice about publication is recorded.")
        elif what == "publish":
            form = PublishForm(request.POST)
            if not form.is_valid():
                raise InvalidInput({"citation": ["Write the citation the public will read."]})
            nomination = services.nomination_publish(
                actor=actor,
                nomination=nomination,
                expected_version=form.cleaned_data["version"],
                citation=form.cleaned_data["citation"],
            )
            messages.success(request, "Published on the agency's public page.")
        else:  # unpublish
            form = VersionForm(request.POST)
            if not form.is_valid():
                raise InvalidInput({"version": ["Reload the page and try again."]})
            nomination = services.nomination_unpublish(
                actor=actor, nomination=nomination, expected_version=form.cleaned_data["version"]
            )
            messages.success(request, "Removed from the public page.")
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, _refusal(exc))
    return _to_detail(nomination)


@require_POST
@requires("commendation.approve")
def approve(request: HttpRequest, nomination_id: int) -> HttpResponse:
    return _decide(request, nomination_id, "approve")


@require_POST
@requires("commendation.approve")
def decline(request: HttpRequest, nomination_id: int) -> HttpResponse:
    return _decide(request, nomination_id, "decline")


@require_POST
@requires("commendation.approve")
def identify(request: HttpRequest, nomination_id: int) -> HttpResponse:
    return _decide(request, nomination_id, "identify")


@require_POST
@requires("commendation.view")
def consent(request: HttpRequest, nomination_id: int) -> HttpResponse:
    return _decide(request, nomination_id, "consent")


@require_POST
@requires("commendation.approve")
def publish(request: HttpRequest, nomination_id: int) -> HttpResponse:
    return _decide(request, nomination_id, "publish")


@require_POST
@requires("commendation.approve")
def unpublish(request: HttpRequest, nomination_id: int) -> HttpResponse:
    return _decide(request, nomination_id, "unpublish")


@requires("commendation.approve")
def suggestions(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "recognition/suggestions.html",
        {"suggestions": selectors.suggestions(actor=actor)},
    )


@require_POST
@requires("commendation.approve")
def nominate_suggested(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = request_actor(request)
    incident = selectors.suggestion_incident(actor=actor, incident_id=incident_id)
    member = Member.objects.filter(
        agency_id=actor.agency_id, pk=request.POST.get("member", "0") or 0
    ).first()
    if member is None:
        raise NotFound("No such member.")
    try:
        nomination = services.nomination_from_suggestion(
            actor=actor, incident=incident, member=member
        )
    except InvalidInput as exc:
        messages.error(request, _refusal(exc))
        return redirect("recognition:suggestions")
    messages.success(request, "Nominated from the evidence; it is with the chain of command now.")
    return _to_detail(nomination)


@requires("commendation.configure")
def awards(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = AwardTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            award = services.award_type_create(
                actor=actor,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Award “{award.name}” added.")
            return redirect("recognition:awards")
    return render(
        request,
        "recognition/awards.html",
        {"form": form, "awards": selectors.award_types(actor=actor, active_only=False)},
        status=400 if request.method == "POST" else 200,
    )


@requires("commendation.configure")
def award_edit(request: HttpRequest, award_type_id: int) -> HttpResponse:
    actor = request_actor(request)
    award = selectors.award_type_get(actor=actor, award_type_id=award_type_id)
    form = AwardTypeEditForm(
        request.POST or None,
        initial={
            "name": award.name,
            "description": award.description,
            "active": award.active,
            "version": award.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.award_type_update(
                actor=actor,
                award_type=award,
                expected_version=data["version"],
                name=data["name"],
                description=data["description"],
                active=data["active"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Award type saved.")
            return redirect("recognition:awards")
    return render(
        request,
        "recognition/award_edit.html",
        {"form": form, "award": award},
        status=400 if request.method == "POST" else 200,
    )
