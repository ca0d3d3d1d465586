"""Forms of the guided report. They parse and explain; the services validate again.

Times are typed in the agency's time zone; offsets after first contact as ``m:ss``.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from steadyhand import vocabulary as v
from steadyhand.incidents.models import (
    FORCE_LEVEL_CHOICES,
    RESISTANCE_CHOICES,
    Incident,
    IncidentStatus,
    Subject,
    TimelineEvent,
)
from steadyhand.incidents.report_checks import format_offset

YES_NO = [("yes", "Yes"), ("no", "No")]
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _bool(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class VersionForm(forms.Form):
    """A button that acts on the report as the page showed it (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ResubmitForm(VersionForm):
    """Sending a report returned for correction back to the reviewer."""

    note = forms.CharField(
        label="Note to the reviewer (optional if you changed the report)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say what you corrected, or why the report needs no change.",
    )


class BasicsForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label="Date and time of first contact",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="Local time. Format: YYYY-MM-DD HH:MM.",
    )
    contact_type = forms.ChoiceField(
        label="How the contact began",
        choices=list(v.CONTACT_TYPES.items()),
        widget=forms.RadioSelect,
    )
    call_type = forms.CharField(
        label="Call type or reason for contact",
        max_length=80,
        required=False,
        help_text="e.g. “Person in crisis”, “Traffic stop”.",
    )
    location = forms.CharField(
        label="Location", max_length=200, required=False, help_text="Block-level address."
    )
    district = forms.CharField(max_length=40, required=False)
    beat = forms.CharField(max_length=40, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, tz: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz

    def clean_occurred_at(self) -> datetime:
        value: datetime = self.cleaned_data["occurred_at"]
        # Typed in the agency's zone, whatever zone the server runs in.
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        return naive.replace(tzinfo=self.tz)

    @classmethod
    def initial_for(cls, incident: Incident, tz: ZoneInfo) -> dict[str, object]:
        return {
            "occurred_at": timezone.localtime(incident.occurred_at, tz).strftime(DATETIME_LOCAL),
            "contact_type": incident.contact_type,
            "call_type": incident.call_type,
            "location": incident.location,
            "district": incident.district,
            "beat": incident.beat,
            "version": incident.version,
        }


class InvolvementForm(forms.Form):
    badge = forms.CharField(
        label="Badge number", max_length=20, help_text="Of another member who was on scene."
    )
    role_on_scene = forms.ChoiceField(
        label="Role on scene", choices=[(k, lbl) for k, lbl in v.ROLES_ON_SCENE.items()]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SubjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Subject
        fields = [
            "race",
            "ethnicity",
            "sex",
            "age_band",
            "mental_health_crisis",
            "substance_use",
            "disability",
            "language_barrier",
            "armed_with",
            "injured",
            "injury_severity",
            "arrested",
            "hospitalised",
        ]
        labels = {
            "age_band": "Age",
            **v.INDICATORS,
            "armed_with": "Armed with",
            "injured": "Injured",
            "arrested": "Arrested or detained",
            "hospitalised": "Admitted to hospital",
        }

    def attributes(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def parse_offset(text: str) -> int | None:
    """``m:ss``, ``h:mm:ss`` or whole minutes (``5``) → seconds; empty → None."""
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if not all(p.isdigit() for p in parts) or len(parts) > 3:
        raise forms.ValidationError(
            "Write the time after first contact as minutes:seconds, e.g. 2:30."
        )
    numbers = [int(p) for p in parts]
    if len(numbers) == 1:
        return numbers[0] * 60
    if numbers[-1] >= 60 or (len(numbers) == 3 and numbers[1] >= 60):
        raise forms.ValidationError("Seconds and minutes go up to 59, e.g. 1:05:30.")
    if len(numbers) == 2:
        return numbers[0] * 60 + numbers[1]
    return numbers[0] * 3600 + numbers[1] * 60 + numbers[2]


def _person_choices(
    involvements: list[Any], subjects: list[Subject], kind: v.EventKind
) -> list[tuple[str, str]]:
    members = [(f"m{i.pk}", str(i)) for i in involvements]
    people = [(f"s{s.pk}", str(s)) for s in subjects]
    if kind in v.MEMBER_KINDS:
        return members
    if kind in v.SUBJECT_KINDS:
        return people
    return [("", "No one in particular"), *members, *people]


class EventForm(forms.Form):
    """One event of one kind: the kind is chosen first (a two-step form that needs no script),
    so that the list of what happened, the actor and the extra questions fit that kind."""

    code = forms.ChoiceField(label="What happened")
    actor = forms.ChoiceField(label="Who")
    target_subject = forms.ChoiceField(label="On whom", required=False)
    resistance = forms.TypedChoiceField(
        label="Resistance level",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Leave as implied unless the act does not say it (e.g. a threat with a knife).",
    )
    force_level = forms.TypedChoiceField(
        label="Force level",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Leave as the usual level of this kind of force unless it differed.",
    )
    offset = forms.CharField(
        label="Time after first contact",
        required=False,
        max_length=12,
        help_text="Minutes:seconds, e.g. 2:30. Leave empty if you do not know.",
    )
    note = forms.CharField(
        label="Details", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    position = forms.TypedChoiceField(
        label="Place in the timeline", coerce=int, required=False, empty_value=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        kind: v.EventKind,
        involvements: list[Any],
        subjects: list[Subject],
        events: list[TimelineEvent],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        fields: Any = self.fields
        fields["code"].choices = [("", "Choose…")] + [
            (code, v.ALL_TERMS[code].label) for code in v.codes_for(kind)
        ]
        fields["code"].label = f"What happened ({v.EVENT_KIND_LABELS[kind].lower()})"
        fields["actor"].choices = _person_choices(involvements, subjects, kind)
        fields["actor"].required = kind not in v.EITHER_KINDS
        if kind == v.EventKind.FORCE:
            fields["target_subject"].choices = [(str(s.pk), str(s)) for s in subjects]
            fields["target_subject"].required = True
            fields["force_level"].choices = [("", "Usual level for this force"), *[
                (str(level), f"{level}. {label}") for level, label in FORCE_LEVEL_CHOICES
            ]]  # fmt: skip
        else:
            del self.fields["target_subject"]
            del self.fields["force_level"]
        if kind == v.EventKind.SUBJECT_BEHAVIOUR:
            fields["resistance"].choices = [("", "As the act implies"), *[
                (str(level), f"{level}. {label}") for level, label in RESISTANCE_CHOICES
            ]]  # fmt: skip
        else:
            del self.fields["resistance"]
        if editing:
            del self.fields["position"]
        else:
            fields["position"].choices = [("", "At the end")] + [
                (str(e.sequence), f"Before event {e.sequence}: {e.label}") for e in events
            ]

    def clean_offset(self) -> int | None:
        return parse_offset(self.cleaned_data.get("offset") or "")

    def event_fields(self) -> dict[str, object]:
        data = self.cleaned_data
        who = data.get("actor") or ""
        target = data.get("target_subject")
        return {
            "kind": self.kind.value,
            "code": data["code"],
            "actor_involvement_id": int(who[1:]) if who.startswith("m") else None,
            "actor_subject_id": int(who[1:]) if who.startswith("s") else None,
            "target_subject_id": int(target) if target else None,
            "offset_seconds": data.get("offset"),
            "resistance": data.get("resistance"),
            "force_level": data.get("force_level"),
            "note": data.get("note") or "",
        }

    @staticmethod
    def initial_for(event: TimelineEvent, version: int) -> dict[str, object]:
        who = ""
        if event.actor_involvement_id:
            who = f"m{event.actor_involvement_id}"
        elif event.actor_subject_id:
            who = f"s{event.actor_subject_id}"
        return {
            "code": event.code,
            "actor": who,
            "target_subject": str(event.target_subject_id or ""),
            "resistance": "" if event.resistance is None else str(event.resistance),
            "force_level": "" if event.force_level is None else str(event.force_level),
            "offset": format_offset(event.offset_seconds),
            "note": event.note,
            "version": version,
        }


class KindForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of event",
        choices=[(k.value, label) for k, label in v.EVENT_KIND_LABELS.items()],
    )


class OutcomesForm(forms.Form):
    de_escalation_attempted = forms.ChoiceField(
        label="Was de-escalation attempted?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
        help_text="Tactics such as creating distance, one voice, or offering options. "
        "Your answer must agree with the timeline.",
    )
    supervisor_notified = forms.ChoiceField(
        label="Was a supervisor notified?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
        help_text="Required when force was used.",
    )
    narrative = forms.CharField(
        label="Narrative",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Anything the timeline does not say: what you knew, why you chose as you did.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def fields_to_save(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "de_escalation_attempted": _bool(data["de_escalation_attempted"]),
            "supervisor_notified": _bool(data["supervisor_notified"]),
            "narrative": data["narrative"],
        }


class StatementForm(forms.Form):
    text = forms.CharField(
        label="Your account",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What you saw, heard and did, in your own words.",
    )
    witnessed_force = forms.BooleanField(label="I saw force being used", required=False)
    intervened = forms.ChoiceField(
        label="If you saw force used: did you intervene?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
        help_text="Duty to intervene: say yes if you stepped in or tried to stop it.",
    )
    intervention_note = forms.CharField(
        label="How you intervened, or why not",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def statement_fields(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "witnessed_force": data["witnessed_force"],
            "intervened": _bool(data["intervened"]),
            "intervention_note": data["intervention_note"],
        }


FORCE_FILTER = [("", "Any"), ("yes", "Force used"), ("no", "No force")]


class IncidentFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any"), *IncidentStatus.choices], required=False)
    occurred_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    force = forms.ChoiceField(label="Force", choices=FORCE_FILTER, required=False)

    def apply(self, incidents: QuerySet[Incident]) -> QuerySet[Incident]:
        """Narrow an already access-filtered list (the selector decided what is visible)."""
        if not self.is_valid():
            return incidents
        data = self.cleaned_data
        if data["status"]:
            incidents = incidents.filter(status=data["status"])
        if data["occurred_from"]:
            incidents = incidents.filter(occurred_at__date__gte=data["occurred_from"])
        if data["occurred_to"]:
            incidents = incidents.filter(occurred_at__date__lte=data["occurred_to"])
        if data["force"]:
            incidents = incidents.filter(force_used=data["force"] == "yes")
        return incidents
