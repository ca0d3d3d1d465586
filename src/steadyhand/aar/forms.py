"""Forms for the after-action review pages. The services validate again; these parse."""

from django import forms

from steadyhand import vocabulary as v
from steadyhand.aar.models import ALTERNATIVE_CHOICES, CDM_STEP_CHOICES
from steadyhand.aar.selectors import UNIT_LEVELS


class VersionForm(forms.Form):
    """A button that acts on a record as the page showed it (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class NotesForm(VersionForm):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        label="Facilitator's notes",
        help_text="The discussion as a whole. Protected: never shown outside this review.",
    )


class EventNoteForm(forms.Form):
    decision_point = forms.BooleanField(required=False, label="This was a decision point")
    cdm_step = forms.ChoiceField(
        choices=[("", "— not marked —"), *CDM_STEP_CHOICES],
        required=False,
        label="Critical Decision-Making Model step",
        help_text=(
            "The step of the model this moment belongs to (suggested from the kind of event)."
        ),
    )
    went_well = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="What went well"
    )
    alternative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="An alternative that might have avoided force",
    )
    alternative_tactic = forms.ChoiceField(
        choices=[("", "— none —"), *ALTERNATIVE_CHOICES],
        required=False,
        label="The alternative, as a de-escalation tactic",
        help_text="Counted (never quoted) on the themes page that steers training.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def suggested_step(kind: str) -> str:
        step = v.CDM_STEP_OF_KIND.get(v.EventKind(kind)) if kind in set(v.EventKind) else None
        return step.value if step else ""


class LessonForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Lesson")
    training_recommendation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AgreeForm(forms.Form):
    agree = forms.TypedChoiceField(
        choices=[("yes", "Agree"), ("no", "Withdraw")], coerce=lambda value: value == "yes"
    )


class PublishForm(forms.Form):
    lessons = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Agreed lessons to publish",
    )
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "What happened, with no names, badge numbers, case numbers, addresses or exact "
            "dates (month and year at most, or the season)."
        ),
    )
    lessons_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Lessons")
    training_recommendations = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: object, lesson_choices: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["lessons"].choices = lesson_choices  # type: ignore[attr-defined]


class ThemesForm(forms.Form):
    level = forms.TypedChoiceField(
        choices=list(UNIT_LEVELS.items()),
        coerce=int,
        initial=3,
        required=False,
        label="Group units at the level of",
    )
