"""Roll-out plan pages: list, detail (waves, balance table, reproducibility), create and edit,
randomize, assign by hand, lock. Views parse input, call one selector or service, render."""

import calendar
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from steadyhand.access.decorators import requires
from steadyhand.access.policy import can
from steadyhand.agencies.models import Unit
from steadyhand.core.errors import ConflictError, InvalidInput
from steadyhand.core.views import apply_errors, request_actor
from steadyhand.training.models import AssignmentLevel, Course, RolloutPlan
from steadyhand.training.randomization import ALGORITHM, MAX_SEED
from steadyhand.training.selectors.rollouts import (
    candidate_preview,
    plan_waves,
    resolve_targets,
    rollout_assignment_rows,
    rollout_balance,
    rollout_candidates,
    rollout_get_visible,
    rollout_list_visible,
    rollout_verify,
)
from steadyhand.training.services import rollouts as services

ROWS_PER_PAGE = 100
STRATA_CHOICES = [
    ("precinct,shift", "Precinct and shift (squad)"),
    ("precinct", "Precinct only"),
    ("", "No strata"),
]


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _parse_wave_lines(text: str) -> list[tuple[date, date]]:
    waves = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        try:
            if len(parts) != 2:
                raise ValueError
            waves.append((date.fromisoformat(parts[0]), date.fromisoformat(parts[1])))
        except ValueError:
            raise forms.ValidationError(
                f"Line {number} ({line.strip()!r}) is not two dates like 2026-01-05 2026-03-31."
            ) from None
    return waves


class PlanForm(forms.Form):
    name = forms.CharField(max_length=200)
    strata = forms.ChoiceField(choices=STRATA_CHOICES, required=False)
    wave_count = forms.IntegerField(
        label="Number of waves", min_value=1, max_value=services.MAX_WAVES, required=False
    )
    first_start = forms.DateField(
        label="First wave starts on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    months_per_wave = forms.IntegerField(
        label="Months per wave", min_value=1, max_value=60, required=False
    )
    wave_dates = forms.CharField(
        label="Or list each wave's dates",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One wave per line, start and end: 2026-01-05 2026-03-31. "
        "Overrides the three fields above.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("wave_dates", "").strip():
            data["waves"] = _parse_wave_lines(data["wave_dates"])
        elif data.get("wave_count") and data.get("first_start") and data.get("months_per_wave"):
            start, months = data["first_start"], data["months_per_wave"]
            data["waves"] = [
                (add_months(start, i * months), add_months(start, (i + 1) * months) - timedelta(1))
                for i in range(data["wave_count"])
            ]
        else:
            raise forms.ValidationError(
                "Give the number of waves, the first start date and months per wave, "
                "or list each wave's dates."
            )
        return data


class PlanCreateForm(PlanForm):
    course = forms.ModelChoiceField(queryset=Course.objects.none())
    level = forms.ChoiceField(choices=AssignmentLevel.choices)
    field_order = ["name", "course", "level", "strata"]

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(  # type: ignore[attr-defined]
            agency_id=agency_id, active=True
        ).order_by("code")


def _strata(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


@requires("rollout.view")
def rollout_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "training/rollout_list.html",
        {
            "plans": rollout_list_visible(actor=actor),
            "can_manage": can(actor, "rollout.manage"),
            "can_see_surveys": can(actor, "survey.results"),
        },
    )


@requires("rollout.view")
def rollout_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = request_actor(request)
    plan = rollout_get_visible(actor=actor, plan_id=plan_id)
    rows = rollout_assignment_rows(actor=actor, plan=plan)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")) if rows else None
    can_manage = can(actor, "rollout.manage", plan)
    waves = plan_waves(plan=plan)
    return render(
        request,
        "training/rollout_detail.html",
        {
            "plan": plan,
            "waves": waves,
            "balance": rollout_balance(plan=plan),
            "verification": rollout_verify(plan=plan),
            "showing_assignments": rows is not None,
            "page": page,
            "can_manage": can_manage,
            "can_change": can_manage and not plan.locked,
            "can_randomize": can_manage and not plan.locked and not plan.assignments.exists(),
            "assign_form": AssignForm(waves=[w.number for w in waves]) if can_manage else None,
        },
    )


@requires("rollout.manage")
def rollout_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = PlanCreateForm(request.POST or None, agency_id=actor.agency_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.rollout_create(
                actor=actor,
                name=data["name"],
                course=data["course"],
                level=data["level"],
                strata=_strata(data["strata"]),
                waves=data["waves"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Roll-out plan “{plan.name}” created.")
            return redirect("training:rollout_detail", plan_id=plan.pk)
    return render(
        request,
        "training/rollout_form.html",
        {"form": form, "plan": None},
        status=400 if request.method == "POST" else 200,
    )


def _wave_text(plan: RolloutPlan) -> str:
    return "\n".join(f"{w.starts_on} {w.ends_on}" for w in plan_waves(plan=plan))


@requires("rollout.manage")
def rollout_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = request_actor(request)
    plan = rollout_get_visible(actor=actor, plan_id=plan_id, action="rollout.manage")
    initial = {"name": plan.name, "strata": ",".join(plan.strata), "wave_dates": _wave_text(plan)}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rollout_update(
                actor=actor,
                plan=plan,
                name=data["name"],
                strata=_strata(data["strata"]),
                waves=data["waves"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Plan saved.")
            return redirect("training:rollout_detail", plan_id=plan.pk)
    return render(
        request,
        "training/rollout_form.html",
        {"form": form, "plan": plan},
        status=400 if request.method == "POST" else 200,
    )


class RandomizeForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label="Candidates from",
        help_text="Active members (or staffed squads) in this unit and everything below it.",
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=MAX_SEED - 1,
        required=False,
        help_text="Leave empty to draw a fresh seed. Use a given seed to repeat a draw "
        "announced in advance.",
    )

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(agency_id=agency_id).order_by("path")
        field = self.fields["unit"]
        field.queryset = units  # type: ignore[attr-defined]
        field.label_from_instance = lambda u: f"{'— ' * u.depth}{u.name} ({u.code})"  # type: ignore[attr-defined]


@requires("rollout.manage")
def rollout_randomize(request: HttpRequest, plan_id: int) -> HttpResponse:
    """GET with ``?unit=`` previews the candidates per stratum; POST randomizes and locks."""
    actor = request_actor(request)
    plan = rollout_get_visible(actor=actor, plan_id=plan_id, action="rollout.manage")
    form = RandomizeForm(
        request.POST if request.method == "POST" else (request.GET or None),
        agency_id=actor.agency_id,
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            services.rollout_randomize(
                actor=actor,
                plan=plan,
                unit=form.cleaned_data["unit"],
                seed=form.cleaned_data["seed"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            plan.refresh_from_db()
            messages.success(request, f"Randomized with seed {plan.seed}; the plan is now locked.")
            return redirect("training:rollout_detail", plan_id=plan.pk)
    elif request.method == "GET" and form.is_bound and form.is_valid():
        rows = rollout_candidates(plan=plan, unit=form.cleaned_data["unit"])
        preview = {"total": len(rows), "strata": candidate_preview(plan=plan, rows=rows)}
    return render(
        request,
        "training/rollout_randomize.html",
        {
            "plan": plan,
            "form": form,
            "preview": preview,
            "waves": plan_waves(plan=plan),
            "algorithm": ALGORITHM,
        },
        status=400 if request.method == "POST" else 200,
    )


class AssignForm(forms.Form):
    wave = forms.TypedChoiceField(coerce=int, choices=())
    remove = forms.BooleanField(required=False, label="Remove them from the plan instead")
    targets = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Badge numbers (member-level plans) or unit codes (unit-level plans), "
        "separated by spaces, commas or new lines.",
    )

    def __init__(self, *args: Any, waves: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wave"].choices = [(n, f"Wave {n}") for n in waves]  # type: ignore[attr-defined]


@requires("rollout.manage")
@require_POST
def rollout_assign(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = request_actor(request)
    plan = rollout_get_visible(actor=actor, plan_id=plan_id, action="rollout.manage")
    form = AssignForm(request.POST, waves=[w.number for w in plan_waves(plan=plan)])
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("training:rollout_detail", plan_id=plan.pk)
    members, units, unknown = resolve_targets(
        actor=actor, plan=plan, text=form.cleaned_data["targets"]
    )
    if unknown:
        messages.error(request, f"Not found in your agency: {', '.join(unknown)}. Nothing changed.")
        return redirect("training:rollout_detail", plan_id=plan.pk)
    try:
        if form.cleaned_data["remove"]:
            count = services.rollout_unassign(actor=actor, plan=plan, members=members, units=units)
            messages.success(request, f"{count} removed from the plan.")
        else:
            wave = form.cleaned_data["wave"]
            count = services.rollout_assign(
                actor=actor, plan=plan, wave_number=wave, members=members, units=units
            )
            messages.success(request, f"{count} assigned to wave {wave}.")
    except InvalidInput as exc:
        messages.error(request, str(exc))
    except ConflictError as exc:
        messages.error(request, str(exc))
    return redirect("training:rollout_detail", plan_id=plan.pk)


@requires("rollout.manage")
@require_POST
def rollout_lock(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = request_actor(request)
    plan = rollout_get_visible(actor=actor, plan_id=plan_id, action="rollout.manage")
    try:
        services.rollout_lock(actor=actor, plan=plan)
    except (InvalidInput, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The plan is locked; its assignment can no longer change.")
    return redirect("training:rollout_detail", plan_id=plan.pk)
