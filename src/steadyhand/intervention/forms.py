"""Forms of the early-intervention pages: the supervisor's response, completion, a scoring run.

The forms only parse; the services decide what a valid response is (a reason on disagreement,
an intervention and a due date on agreement, a course for remedial training) and the views put
their errors next to these fields.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet

from steadyhand.intervention.labels import factor_label
from steadyhand.intervention.models import Flag, InterventionKind
from steadyhand.intervention.services import DEFAULT_FLAG_RATIO, DEFAULT_WINDOW_DAYS
from steadyhand.training.models import Course

AGREE, DISAGREE = "agree", "disagree"


class RespondForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="Your assessment",
        choices=[
            (AGREE, "I agree: this member would benefit from support"),
            (DISAGREE, "I disagree with this flag"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason (required if you disagree)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Disagreements are counted per factor and used to down-weight factors that "
        "supervisors consistently reject.",
    )
    disputed_factors = forms.MultipleChoiceField(
        label="Factors you think are wrong (none ticked: all of them)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intervention = forms.ChoiceField(
        label="Supportive intervention (if you agree)",
        choices=[("", "—"), *InterventionKind.choices],
        required=False,
    )
    due = forms.DateField(
        label="Due by (if you agree)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    course = forms.ModelChoiceField(
        label="Course (remedial training only)",
        queryset=Course.objects.none(),
        required=False,
        help_text="The member is enrolled in this course; a trainer places them in a session.",
    )

    def __init__(self, *args: Any, flag: Flag, courses: QuerySet[Course], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"version": flag.version})
        super().__init__(*args, **kwargs)
        disputed = self.fields["disputed_factors"]
        assert isinstance(disputed, forms.MultipleChoiceField)
        disputed.choices = [(f, factor_label(f)) for f in flag.shown_factors]
        course = self.fields["course"]
        assert isinstance(course, forms.ModelChoiceField)
        course.queryset = courses

    @property
    def agreed(self) -> bool:
        return bool(self.cleaned_data["decision"] == AGREE)


class CompleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ScoreForm(forms.Form):
    as_of = forms.DateField(
        label="Last day of the window",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for today.",
    )
    window_days = forms.IntegerField(
        label="Window (days)", min_value=30, max_value=3660, initial=DEFAULT_WINDOW_DAYS
    )
    flag_ratio = forms.FloatField(
        label="Flag level (times the peers' rate)",
        min_value=1.01,
        max_value=10,
        initial=DEFAULT_FLAG_RATIO,
    )
