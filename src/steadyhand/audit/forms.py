from typing import Any

from django import forms

from steadyhand.audit.models import EventKind


class EventFilterForm(forms.Form):
    """Filters of the audit log page; every field is optional."""

    action = forms.ChoiceField(required=False, label="Action")
    kind = forms.ChoiceField(
        required=False, label="Kind", choices=[("", "Any"), *EventKind.choices]
    )
    actor = forms.CharField(
        required=False, max_length=150, label="Actor", help_text="Part of the username."
    )
    object = forms.CharField(
        required=False,
        max_length=255,
        label="Object",
        help_text="Part of its description, or its id.",
    )
    seq = forms.IntegerField(required=False, min_value=1, label="Event #")

    def __init__(self, *args: Any, action_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any"), *((a, a) for a in action_names)]  # type: ignore[attr-defined]
