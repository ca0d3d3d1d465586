"""Forms of the report pages: filters, the mandate editor and the parity target.

Choices are limited to the actor's agency and scope here for convenience; selectors and
services check again.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from steadyhand.agencies.forms import UnitChoiceField
from steadyhand.agencies.models import Rank, Unit
from steadyhand.training.models import Mandate, Setting, Topic
from steadyhand.training.parity import COMBINED

SETTING_FILTER_CHOICES = [
    (COMBINED, "Academy and in-service combined"),
    (Setting.ACADEMY.value, "Academy only"),
    (Setting.IN_SERVICE.value, "In-service only"),
]


class ParityFilterForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, choices=(), required=False, empty_value=None)
    setting = forms.ChoiceField(
        choices=SETTING_FILTER_CHOICES,
        required=False,
        help_text="Which hours the chart shows and the flags compare.",
    )
    unit = UnitChoiceField(
        queryset=Unit.objects.none(), required=False, empty_label="All units you may see"
    )

    def __init__(self, *args: Any, years: list[int], units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year: Any = self.fields["year"]
        year.choices = [(y, str(y)) for y in sorted(years, reverse=True)]
        unit: Any = self.fields["unit"]
        unit.queryset = units


class ComplianceFilterForm(forms.Form):
    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Compliance on this date (default: today).",
    )
    unit = UnitChoiceField(
        queryset=Unit.objects.none(), required=False, empty_label="All units you may see"
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit: Any = self.fields["unit"]
        unit.queryset = units


class MandateForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="e.g. “Annual de-escalation refresher”.")
    rule_set = forms.CharField(
        max_length=120,
        required=False,
        help_text="Groups related mandates, e.g. the name of the law or policy they come from.",
    )
    topic = forms.ModelChoiceField(queryset=Topic.objects.none())
    hours = forms.DecimalField(
        min_value=Decimal("0.25"), max_digits=6, decimal_places=2, help_text="Hours required."
    )
    period_months = forms.IntegerField(
        label="Rolling period (months)",
        min_value=1,
        max_value=240,
        help_text="The hours must fall within every window of this many months (12 = a year).",
    )
    setting = forms.ChoiceField(
        choices=[("", "Academy or in-service"), *Setting.choices],
        required=False,
        help_text="Count only courses of this setting.",
    )
    ranks = forms.MultipleChoiceField(
        choices=Rank.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every sworn rank (everyone but civilian staff).",
    )
    due_soon_days = forms.IntegerField(
        label="“Due soon” warning (days)",
        min_value=0,
        max_value=3650,
        initial=60,
        help_text="Members are listed as due soon this many days before their due date.",
    )
    active = forms.BooleanField(
        required=False, initial=True, help_text="Inactive mandates are kept but not reported."
    )
    reason = forms.CharField(
        max_length=500, required=False, help_text="Recorded in the audit log with the change."
    )
    updated_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        topics: QuerySet[Topic],
        mandate: Mandate | None = None,
        **kwargs: Any,
    ) -> None:
        if mandate is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": mandate.name,
                    "rule_set": mandate.rule_set,
                    "topic": mandate.topic_id,
                    "hours": mandate.hours,
                    "period_months": mandate.period_months,
                    "setting": mandate.setting,
                    "ranks": list(mandate.ranks),
                    "due_soon_days": mandate.due_soon_days,
                    "active": mandate.active,
                    "updated_at": mandate.updated_at.isoformat(),
                },
            )
        super().__init__(*args, **kwargs)
        topic: Any = self.fields["topic"]
        topic.queryset = topics
        if mandate is None:
            del self.fields["updated_at"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500, required=False, help_text="Recorded in the audit log with the change."
    )


class ParityTargetForm(forms.Form):
    parity_target_ratio = forms.DecimalField(
        label="Target ratio (de-escalation ÷ use-of-force hours)",
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        max_digits=4,
        decimal_places=2,
        help_text="1 means at least as many de-escalation hours as use-of-force hours. "
        "Units below it are flagged on the parity report.",
    )
    reason = forms.CharField(
        max_length=500, required=False, help_text="Recorded in the audit log with the change."
    )
