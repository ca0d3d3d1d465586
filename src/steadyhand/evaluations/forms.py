from typing import Any

from django import forms
from django.db.models import QuerySet

from steadyhand.evaluations.models import Method, Outcome, UnitOfAnalysis
from steadyhand.evaluations.services import DEFAULT_FISHER, DEFAULT_PRE_MONTHS
from steadyhand.training.models import RolloutPlan


class EvaluationRequestForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=RolloutPlan.objects.none(), label="Roll-out", empty_label=None
    )
    outcome = forms.ChoiceField(choices=Outcome.choices, initial=Outcome.FORCE)
    unit_of_analysis = forms.ChoiceField(
        choices=UnitOfAnalysis.choices, initial=UnitOfAnalysis.SQUAD, label="Unit of analysis"
    )
    method = forms.ChoiceField(choices=Method.choices, initial=Method.EFFICIENT, label="Estimator")
    pre_months = forms.IntegerField(
        min_value=1,
        max_value=120,
        initial=DEFAULT_PRE_MONTHS,
        label="Months of data before the first wave",
    )
    fisher = forms.IntegerField(
        min_value=0,
        max_value=9999,
        initial=DEFAULT_FISHER,
        label="Randomization-test permutations (efficient estimator only)",
    )

    def __init__(self, *args: Any, plans: QuerySet[RolloutPlan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]


class SynthStudyForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField(
        label="Peer agencies' outcomes (CSV, one row per agency and period)",
        help_text="Columns for the agency, the period (e.g. year or month number) and the outcome.",
    )
    unit_column = forms.CharField(max_length=80, initial="agency", label="Agency column")
    time_column = forms.CharField(max_length=80, initial="year", label="Period column")
    outcome_column = forms.CharField(max_length=80, initial="force_rate", label="Outcome column")
    treated = forms.CharField(max_length=200, label="This agency's name in the file")
    treatment_start = forms.FloatField(label="First period after the program began")
    fit_from = forms.FloatField(label="Fit window: first period")
    fit_to = forms.FloatField(label="Fit window: last period (before the program)")
