"""Forms for the review pages. They parse; the services decide and validate the rest."""

from django import forms

from steadyhand.agencies.models import Member
from steadyhand.reviews.models import CorrectiveKind, ForceReview, Level, YesNoNa
from steadyhand.reviews.routing import LADDER, MAX_DUE_DAYS, RouteStep
from steadyhand.reviews.services import FindingsInput
from steadyhand.training.models import Course

BLANK = [("", "Not decided yet")]
WITHIN_POLICY = [*BLANK, ("yes", "Yes, within policy"), ("no", "No, outside policy")]
SAVE = "save"


class StepForm(forms.Form):
    """The reviewer's step: findings, then one of the decision buttons (``decision``)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    within_policy = forms.ChoiceField(
        label="Was the force within policy?", choices=WITHIN_POLICY, required=False,
        widget=forms.RadioSelect,
    )  # fmt: skip
    de_escalation = forms.ChoiceField(
        label="Was de-escalation attempted as policy requires?",
        choices=[*BLANK, *YesNoNa.choices], required=False, widget=forms.RadioSelect,
    )  # fmt: skip
    duty_to_intervene = forms.ChoiceField(
        label="Was the duty to intervene met?",
        choices=[*BLANK, *YesNoNa.choices], required=False, widget=forms.RadioSelect,
    )  # fmt: skip
    tactics_issues = forms.CharField(
        label="Tactics issues", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    training_issues = forms.CharField(
        label="Training issues", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    equipment_issues = forms.CharField(
        label="Equipment issues", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    remedial_training_needed = forms.BooleanField(
        label="The findings call for remedial training (the review cannot close until it is "
        "assigned)",
        required=False,
    )
    reason = forms.CharField(
        label="Reason (required to return or escalate; optional note when approving)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def for_review(cls, review: ForceReview) -> "StepForm":
        within = "" if review.within_policy is None else ("yes" if review.within_policy else "no")
        return cls(
            initial={
                "version": review.version,
                "within_policy": within,
                "de_escalation": review.de_escalation,
                "duty_to_intervene": review.duty_to_intervene,
                "tactics_issues": review.tactics_issues,
                "training_issues": review.training_issues,
                "equipment_issues": review.equipment_issues,
                "remedial_training_needed": review.remedial_training_needed,
            }
        )

    def findings(self) -> FindingsInput:
        data = self.cleaned_data
        within = {"yes": True, "no": False}.get(data["within_policy"])
        return FindingsInput(
            within_policy=within,
            de_escalation=data["de_escalation"],
            duty_to_intervene=data["duty_to_intervene"],
            tactics_issues=data["tactics_issues"],
            training_issues=data["training_issues"],
            equipment_issues=data["equipment_issues"],
            remedial_training_needed=data["remedial_training_needed"],
        )


class ResubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    correction = forms.CharField(
        label="What you corrected or added",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class CorrectiveForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=CorrectiveKind.choices, widget=forms.RadioSelect)
    member = forms.ModelChoiceField(label="Member", queryset=Member.objects.none())
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label="What it is for and what is expected", widget=forms.Textarea(attrs={"rows": 3})
    )
    course = forms.ModelChoiceField(
        label="Course (remedial training only)",
        queryset=Course.objects.none(),
        required=False,
        help_text="The member is enrolled in this course; a trainer places them in a session.",
    )

    def __init__(self, *args: object, review: ForceReview, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        involved = review.incident.involvements.filter(member__isnull=False).values("member_id")
        member_field = self.fields["member"]
        assert isinstance(member_field, forms.ModelChoiceField)
        member_field.queryset = Member.objects.filter(pk__in=involved)
        course_field = self.fields["course"]
        assert isinstance(course_field, forms.ModelChoiceField)
        course_field.queryset = Course.objects.filter(agency_id=review.agency_id, active=True)


class CompleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="What was done (date, who, what was agreed)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RouteForm(forms.Form):
    """One force level's route: which levels review it, and the days each has."""

    force_level = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for level in LADDER:
            label = Level(level).label
            self.fields[f"use_{level}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"days_{level}"] = forms.IntegerField(
                label=f"{label}: days to review", min_value=1, max_value=MAX_DUE_DAYS,
                required=False,
            )  # fmt: skip

    @classmethod
    def for_route(
        cls, force_level: int, steps: tuple[RouteStep, ...], version: int | None
    ) -> "RouteForm":
        initial: dict[str, object] = {"force_level": force_level, "version": version}
        used = {s.level: s.due_days for s in steps}
        for level in LADDER:
            initial[f"use_{level}"] = level in used
            initial[f"days_{level}"] = used.get(level, 7)
        return cls(initial=initial, prefix=f"level{force_level}")

    def steps(self) -> tuple[RouteStep, ...]:
        data = self.cleaned_data
        return tuple(
            RouteStep(level, data[f"days_{level}"] or 7) for level in LADDER if data[f"use_{level}"]
        )
