"""Forms for the recognition pages. The services validate again; these parse and explain.

The public form carries the same two spam checks as the public complaint form (a honeypot and a
signed "form shown at" time with a minimum fill time); the rate limit is the complaint app's
``throttle`` module, applied in the view.
"""

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing

from steadyhand.agencies.models import Member
from steadyhand.recognition.models import AwardType, NameDisplay

STARTED_SALT = "steadyhand.recognition.public-form"
STARTED_MAX_AGE = 24 * 3600


def min_fill_seconds() -> int:
    return int(getattr(settings, "STEADYHAND_COMMENDATION_FORM_MIN_SECONDS", 5))


def started_token(*, at: float | None = None) -> str:
    """The signed moment the form was shown (``at`` lets tests show it a minute ago)."""
    return signing.dumps(at if at is not None else time.time(), salt=STARTED_SALT)


class DateInput(forms.DateInput):
    input_type = "date"


class MemberChoiceField(forms.ModelChoiceField[Member]):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.get_rank_display()} {obj.first_name} {obj.last_name} ({obj.unit.name})"


class NominateForm(forms.Form):
    member = MemberChoiceField(queryset=Member.objects.none(), label="Member to commend")
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label="What did they do?",
        help_text="What happened, what the member did, and why it deserves recognition.",
    )
    incident_id = forms.IntegerField(
        required=False,
        label="Incident (optional)",
        help_text="The incident's number in Steadyhand, if it was recorded and you can see it.",
    )
    award_type = forms.ModelChoiceField(
        queryset=AwardType.objects.none(), required=False, label="Award (optional)"
    )

    def __init__(self, *args: Any, members: Any, awards: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["award_type"].queryset = awards  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    """A button that acts on a nomination as the page showed it (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ApproveForm(VersionForm):
    award_type = forms.ModelChoiceField(
        queryset=AwardType.objects.none(), required=False, label="Award"
    )

    def __init__(self, *args: Any, awards: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = awards  # type: ignore[attr-defined]


class DeclineForm(VersionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason for declining",
        help_text="The nominator reads it.",
    )


class IdentifyForm(VersionForm):
    member = MemberChoiceField(queryset=Member.objects.none(), label="The member it is about")

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class ConsentForm(VersionForm):
    consent = forms.TypedChoiceField(
        choices=[("yes", "Yes, it may be published"), ("no", "No, keep it internal")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="May this commendation appear on the agency's public page?",
    )
    name_display = forms.ChoiceField(
        choices=NameDisplay.choices,
        widget=forms.RadioSelect,
        label="If published, name me as",
        initial=NameDisplay.FIRST_LAST_INITIAL,
    )


class PublishForm(VersionForm):
    citation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Public citation",
        help_text="What the public reads. No badge numbers, case numbers or addresses.",
    )


class AwardTypeForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AwardTypeEditForm(AwardTypeForm, VersionForm):
    active = forms.BooleanField(
        required=False, label="Offered for new commendations", help_text="Untick to retire it."
    )


class PublicNominationForm(forms.Form):
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label="What did the officer do?",
        max_length=10000,
        error_messages={"required": "Tell us what the officer did."},
    )
    officer_description = forms.CharField(
        max_length=300,
        label="Who was the officer?",
        help_text="A name, badge number or description, so we can find them.",
        error_messages={"required": "Tell us who the officer was, as best you can."},
    )
    occurred_on = forms.DateField(
        required=False, widget=DateInput, label="Date (optional)", help_text="YYYY-MM-DD"
    )
    public_name = forms.CharField(max_length=200, required=False, label="Your name (optional)")
    public_contact = forms.CharField(
        max_length=200, required=False, label="Telephone or email (optional)"
    )
    # The honeypot: hidden from people by the style sheet and from screen readers.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, now: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now if now is not None else time.time()
        self.renew_started = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("website"):
            raise forms.ValidationError(
                "This form looked automated, so it was not sent. If you are a person, please "
                "check your answers and send it again.",
                code="honeypot",
            )
        try:
            shown = float(signing.loads(self.data.get("started", ""), salt=STARTED_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            self.renew_started = True
            raise forms.ValidationError(
                "The form was incomplete. Check your answers and send it again.", code="started"
            ) from None
        if self.now - shown > STARTED_MAX_AGE:
            self.renew_started = True
            raise forms.ValidationError(
                "This page was open for more than a day. Check your answers and send it again.",
                code="expired",
            )
        if self.now - shown < min_fill_seconds():
            self.renew_started = True
            raise forms.ValidationError(
                "The form was sent within seconds of opening, as automated spam is, so it was "
                "not sent. If you are a person, check your answers and send it again.",
                code="too_fast",
            )
        return cleaned
