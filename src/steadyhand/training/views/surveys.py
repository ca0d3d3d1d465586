"""Culture-check survey pages: list, define, invite, close, results; and for every member,
their open invitations and the answer form."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.actor import Actor
from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.agencies.models import Unit
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.training.models import Course, Session, Survey, SurveyPhase, Wave
from steadyhand.training.selectors.surveys import (
    invitation_counts,
    invitation_get_for_respondent,
    member_survey_invitations,
    members_of_session,
    members_of_unit,
    members_of_wave,
    sessions_for_invitation,
    survey_get_visible,
    survey_list_visible,
    survey_results,
    waves_for_invitation,
)
from steadyhand.training.services import surveys as services

REVERSE_MARK = "(R)"
AGREEMENT_5 = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
]


def items_to_text(items: list[dict[str, Any]]) -> str:
    return "\n".join(f"{REVERSE_MARK} {i['text']}" if i["reverse"] else i["text"] for i in items)


def text_to_items(text: str) -> list[dict[str, Any]]:
    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        reverse = line.upper().startswith(REVERSE_MARK)
        items.append(
            {"text": line[len(REVERSE_MARK) :].strip() if reverse else line, "reverse": reverse}
        )
    return items


def answer_labels(points: int) -> list[str]:
    if points == len(AGREEMENT_5):
        return [f"{n} {label}" for n, label in enumerate(AGREEMENT_5, start=1)]
    return [
        f"{n}{' Strongly disagree' if n == 1 else ' Strongly agree' if n == points else ''}"
        for n in range(1, points + 1)
    ]


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=200, initial=services.EXAMPLE_TITLE)
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(), required=False, help_text="Optional."
    )
    items = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        initial=items_to_text(services.EXAMPLE_ITEMS),
        help_text=f"One statement per line. Start a line with {REVERSE_MARK} to reverse-score it "
        "(agreement is the attitude the training works against). The statements filled in here "
        "are an example: replace them with your agency's own.",
    )
    scale_points = forms.TypedChoiceField(
        coerce=int,
        initial=5,
        choices=[(n, f"{n} points") for n in services.SCALE_POINTS],
        label="Answer scale",
    )
    min_group_size = forms.IntegerField(
        initial=10,
        min_value=services.MIN_GROUP_SIZE_FLOOR,
        help_text="Results of any group with fewer answers than this are not shown.",
    )

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(  # type: ignore[attr-defined]
            agency_id=agency_id
        ).order_by("code")


@requires("survey.results")
def survey_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "training/survey_list.html",
        {"surveys": survey_list_visible(actor=actor), "can_manage": can(actor, "survey.manage")},
    )


@requires("survey.manage")
def survey_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = SurveyForm(request.POST or None, agency_id=actor.agency_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.survey_create(
                actor=actor,
                title=data["title"],
                items=text_to_items(data["items"]),
                course=data["course"],
                scale_points=data["scale_points"],
                min_group_size=data["min_group_size"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Survey “{survey.title}” created. Now invite members.")
            return redirect("training:survey_detail", survey_id=survey.pk)
    return render(
        request,
        "training/survey_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@requires("survey.results")
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    actor = request_actor(request)
    survey = survey_get_visible(actor=actor, survey_id=survey_id)
    results = survey_results(survey=survey)
    return render(
        request,
        "training/survey_detail.html",
        {
            "survey": survey,
            "counts": invitation_counts(survey=survey),
            "results": results,
            "change": results.change(),
            "can_manage": can(actor, "survey.manage", survey),
        },
    )


class InviteForm(forms.Form):
    phase = forms.ChoiceField(choices=SurveyPhase.choices, widget=forms.RadioSelect)
    source = forms.ChoiceField(
        choices=[
            ("session", "Everyone enrolled in a session"),
            ("wave", "Everyone in a roll-out wave"),
            ("unit", "Every active member of a unit and its sub-units"),
        ],
        widget=forms.RadioSelect,
        label="Whom to invite",
    )
    session = forms.ModelChoiceField(queryset=Session.objects.none(), required=False)
    wave = forms.ModelChoiceField(queryset=Wave.objects.none(), required=False)
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Actor, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["session"].queryset = sessions_for_invitation(actor=actor, survey=survey)
        fields["wave"].queryset = waves_for_invitation(actor=actor)
        fields["wave"].label_from_instance = lambda w: (
            f"{w.plan.name}: wave {w.number} ({w.starts_on:%Y-%m-%d})"
        )
        fields["unit"].queryset = Unit.objects.filter(agency_id=actor.agency_id).order_by("path")
        fields["unit"].label_from_instance = lambda u: f"{'— ' * u.depth}{u.name} ({u.code})"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("source")
        if source and not data.get(source):
            self.add_error(source, f"Choose the {source} whose members to invite.")
        return data


@requires("survey.manage")
def survey_invite(request: HttpRequest, survey_id: int) -> HttpResponse:
    actor = request_actor(request)
    survey = survey_get_visible(actor=actor, survey_id=survey_id, action="survey.manage")
    form = InviteForm(request.POST or None, actor=actor, survey=survey)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = data[data["source"]]
        if data["source"] == "session":
            members = members_of_session(session=chosen)
        elif data["source"] == "wave":
            members = members_of_wave(wave=chosen)
        else:
            members = members_of_unit(unit=chosen)
        try:
            invited, skipped = services.survey_invite(
                actor=actor,
                survey=survey,
                phase=data["phase"],
                members=members,
                source=f"{data['source']}:{chosen.pk}",
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            note = f" ({skipped} already invited)" if skipped else ""
            messages.success(request, f"{invited} members invited{note}.")
            return redirect("training:survey_detail", survey_id=survey.pk)
    return render(
        request,
        "training/survey_invite.html",
        {"survey": survey, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@requires("survey.manage")
@require_POST
def survey_close(request: HttpRequest, survey_id: int) -> HttpResponse:
    actor = request_actor(request)
    survey = survey_get_visible(actor=actor, survey_id=survey_id, action="survey.manage")
    try:
        services.survey_close(actor=actor, survey=survey)
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Survey closed; its results are now shown.")
    return redirect("training:survey_detail", survey_id=survey.pk)


@requires("survey.respond")
def survey_mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "training/survey_mine.html",
        {"invitations": member_survey_invitations(actor=request_actor(request))},
    )


class AnswerForm(forms.Form):
    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = answer_labels(survey.scale_points)
        for number, item in enumerate(survey.items, start=1):
            self.fields[item["key"]] = forms.TypedChoiceField(
                label=f"{number}. {item['text']}",
                coerce=int,
                choices=[(n, labels[n - 1]) for n in range(1, survey.scale_points + 1)],
                widget=forms.RadioSelect,
            )


@requires("survey.respond")
def survey_respond(request: HttpRequest, invitation_id: int) -> HttpResponse:
    actor = request_actor(request)
    invitation = invitation_get_for_respondent(actor=actor, invitation_id=invitation_id)
    survey = invitation.survey
    form = AnswerForm(request.POST or None, survey=survey)
    closed = not survey.open or invitation.responded
    if request.method == "POST" and not closed and form.is_valid():
        try:
            services.survey_respond(actor=actor, invitation=invitation, answers=form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Thank you. Your answers were recorded anonymously.")
            return redirect("training:survey_mine")
    status = 200
    if request.method == "POST":
        status = 409 if closed else 400
    return render(
        request,
        "training/survey_respond.html",
        {"invitation": invitation, "survey": survey, "form": form, "closed": closed},
        status=status,
    )
