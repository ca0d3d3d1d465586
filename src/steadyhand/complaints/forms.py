"""Forms for the complaint pages. The services validate again; these parse and explain.

The public form carries two spam checks that cost a person nothing: a *honeypot* field hidden
from people (a bot fills every field) and a signed timestamp of when the page was shown (a bot
posts within a second; a person takes longer to describe what happened).
"""

import time
from datetime import date, datetime
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core import signing

from steadyhand import vocabulary as v
from steadyhand.complaints.models import ComplaintStatus
from steadyhand.complaints.services import INTAKE_CHANNELS, Demographics

STARTED_SALT = "steadyhand.complaints.public-form"
# A form left open longer than this is sent again with a fresh timestamp (nothing typed is lost).
STARTED_MAX_AGE = 24 * 3600
NOT_SAID = [("", "Prefer not to say")]


def min_fill_seconds() -> int:
    return int(getattr(settings, "STEADYHAND_COMPLAINT_FORM_MIN_SECONDS", 5))


def started_token(*, at: float | None = None) -> str:
    """The signed moment the form was shown (``at`` lets tests show it a minute ago)."""
    return signing.dumps(at if at is not None else time.time(), salt=STARTED_SALT)


def _combine(day: date | None, clock: dtime | None, tz: ZoneInfo) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, clock or dtime(12, 0), tzinfo=tz)


def _choices(codes: dict[str, str], *, without: str = "unknown") -> list[tuple[str, str]]:
    return NOT_SAID + [(code, label) for code, label in codes.items() if code != without]


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class DemographicsForm(forms.Form):
    """Optional questions about the complainant, asked to measure whether policing is fair."""

    race = forms.ChoiceField(choices=_choices(v.RACES), required=False)
    ethnicity = forms.ChoiceField(
        choices=_choices(v.ETHNICITIES), required=False, label="Hispanic or Latino?"
    )
    sex = forms.ChoiceField(choices=_choices(v.SEXES), required=False)
    age_band = forms.ChoiceField(choices=_choices(v.AGE_BANDS), required=False, label="Age")
    is_victim = forms.ChoiceField(
        choices=[("", "Prefer not to say"), ("yes", "Yes"), ("no", "No")],
        required=False,
        label="Were you (or is the complainant) the person the officer dealt with?",
    )

    demographic_fields = ("race", "ethnicity", "sex", "age_band", "is_victim")

    def demographics(self) -> Demographics:
        data = self.cleaned_data
        return Demographics(
            race=data.get("race") or "unknown",
            ethnicity=data.get("ethnicity") or "unknown",
            sex=data.get("sex") or "unknown",
            age_band=data.get("age_band") or "unknown",
            is_victim=data.get("is_victim") == "yes",
        )


class _WhenWhereMixin(forms.Form):
    occurred_on = forms.DateField(
        required=False, widget=DateInput, label="Date it happened", help_text="YYYY-MM-DD"
    )
    occurred_time = forms.TimeField(
        required=False, widget=TimeInput, label="Time it happened (about)", help_text="HH:MM"
    )
    location = forms.CharField(
        max_length=200, required=False, label="Where it happened", help_text="Street or place."
    )

    def occurred_at(self, tz: ZoneInfo) -> datetime | None:
        return _combine(
            self.cleaned_data.get("occurred_on"), self.cleaned_data.get("occurred_time"), tz
        )


class PublicComplaintForm(_WhenWhereMixin, DemographicsForm):
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label="What happened?",
        help_text="In your own words: what the officer did or said, and what happened before.",
        max_length=20000,
        error_messages={"required": "Describe what happened; it is the one required field."},
    )
    officer_description = forms.CharField(
        max_length=300,
        required=False,
        label="Officer's badge number, name or description (optional)",
    )
    complainant_name = forms.CharField(max_length=200, required=False, label="Your name (optional)")
    complainant_contact = forms.CharField(
        max_length=200,
        required=False,
        label="Telephone, email or address (optional)",
        help_text="So an investigator can ask you questions and tell you the outcome.",
    )
    # The honeypot: hidden from people by the page's style sheet and from screen readers.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # The signed timestamp travels in a hidden ``started`` input the template writes itself,
    # not a field: a person could not correct an error on it.

    field_order = [
        "narrative",
        "occurred_on",
        "occurred_time",
        "location",
        "officer_description",
        "complainant_name",
        "complainant_contact",
        "race",
        "ethnicity",
        "sex",
        "age_band",
        "is_victim",
        "website",
    ]
    contact_fields = ("complainant_name", "complainant_contact")
    spam_fields = ("website",)

    def __init__(self, *args: Any, now: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now if now is not None else time.time()
        # Set when the signed timestamp must be replaced on the page shown again.
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


class IntakeForm(_WhenWhereMixin, DemographicsForm):
    channel = forms.ChoiceField(choices=list(INTAKE_CHANNELS.items()), label="Received by")
    received_on = forms.DateField(widget=DateInput, label="Date received", help_text="YYYY-MM-DD")
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), label="What the complainant says happened"
    )
    officer_description = forms.CharField(
        max_length=300, required=False, label="Officer named or described"
    )
    complainant_name = forms.CharField(max_length=200, required=False, label="Complainant's name")
    complainant_contact = forms.CharField(
        max_length=200, required=False, label="Complainant's contact details"
    )

    field_order = ["channel", "received_on", "narrative", "occurred_on", "occurred_time"]

    def received_at(self, tz: ZoneInfo, now: datetime) -> datetime:
        day: date = self.cleaned_data["received_on"]
        local_now = now.astimezone(tz)
        # Today: the moment of intake; another day: that day at noon (the hour is not known).
        if day == local_now.date():
            return now
        return datetime.combine(day, dtime(12, 0), tzinfo=tz)


class VersionStampForm(forms.Form):
    """A button that acts on a complaint as the page showed it (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ComplaintEditForm(_WhenWhereMixin, VersionStampForm):
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    officer_description = forms.CharField(
        max_length=300, required=False, label="Officer named or described"
    )
    complainant_name = forms.CharField(max_length=200, required=False, label="Complainant's name")
    complainant_contact = forms.CharField(
        max_length=200, required=False, label="Complainant's contact details"
    )


class ComplainantForm(DemographicsForm, VersionStampForm):
    pass


class AllegationForm(VersionStampForm):
    category = forms.ChoiceField(choices=list(v.ALLEGATION_CATEGORIES.items()))
    member_badge = forms.CharField(
        max_length=20,
        required=False,
        label="Badge number of the member",
        help_text="Leave empty if the officer is not identified yet.",
    )
    external_officer_id = forms.CharField(
        max_length=60,
        required=False,
        label="Or: identifier of an officer outside the roster",
        help_text="e.g. another system's officer number.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class FindingForm(VersionStampForm):
    finding = forms.ChoiceField(
        choices=[(code, label) for code, label in v.FINDINGS.items() if code != "pending"]
    )
    finding_at = forms.DateField(
        widget=DateInput,
        required=False,
        label="Date of the finding",
        help_text="Leave empty for today. YYYY-MM-DD",
    )


class LinkIncidentForm(VersionStampForm):
    case_number = forms.CharField(
        max_length=40,
        required=False,
        label="Incident case number",
        help_text="Leave empty to remove the link.",
    )


class CloseForm(VersionStampForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Closing note (optional, kept in the audit log)",
    )


class ReopenForm(VersionStampForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Why is the complaint reopened?"
    )


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *ComplaintStatus.choices], required=False
    )
    finding = forms.ChoiceField(
        choices=[("", "Any finding"), *v.FINDINGS.items()],
        required=False,
        help_text="Complaints with at least one allegation with this finding.",
    )
    received_from = forms.DateField(widget=DateInput, required=False, label="Received from")
    received_to = forms.DateField(widget=DateInput, required=False, label="Received until")
