"""Forms for the policy pages. The services validate again; these only parse and explain."""

from typing import Any

from django import forms

from steadyhand.agencies.forms import UnitChoiceField
from steadyhand.agencies.models import Rank, Unit
from steadyhand.policy.models import PolicyKind, PolicyVersion
from steadyhand.policy.selectors import SHOW_OUTSTANDING, SHOW_OVERDUE


class DocumentForm(forms.Form):
    code = forms.CharField(max_length=20, help_text="Short reference, e.g. “GO-300”.")
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=PolicyKind.choices)
    applies_to_ranks = forms.MultipleChoiceField(
        choices=Rank.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Applies to ranks",
        help_text="Members of these ranks must acknowledge each version. None ticked: everyone.",
    )


class VersionCreateForm(forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What changes in this version and why, in words members will read.",
    )
    ack_due_days = forms.IntegerField(
        min_value=1,
        max_value=365,
        initial=30,
        label="Days to acknowledge",
        help_text="Members must acknowledge within this many days of publication.",
    )


class VersionEditForm(VersionCreateForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SectionForm(forms.Form):
    number = forms.CharField(max_length=20, help_text="e.g. “4” or “4.2”.")
    heading = forms.CharField(max_length=200)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionStampForm(forms.Form):
    """A button that acts on a version as the page showed it (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class SectionMoveForm(VersionStampForm):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class PublishForm(VersionStampForm):
    effective_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to take effect on the day of publication. Format: YYYY-MM-DD.",
    )


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.document.code} {obj.document.title} — v{obj.number}"


class ComplianceFilterForm(forms.Form):
    version = VersionChoiceField(
        queryset=PolicyVersion.objects.none(), required=False, empty_label="Choose a version"
    )
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        empty_label="Your whole chain",
        help_text="Includes the unit's sub-units.",
    )
    show = forms.ChoiceField(
        choices=[
            (SHOW_OVERDUE, "Overdue only"),
            (SHOW_OUTSTANDING, "Everyone who has not acknowledged"),
        ],
        required=False,
        initial=SHOW_OVERDUE,
    )

    def __init__(self, *args: Any, versions: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version: Any = self.fields["version"]
        version.queryset = versions
        unit: Any = self.fields["unit"]
        unit.queryset = units
