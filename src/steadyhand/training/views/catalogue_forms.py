"""Forms of the catalogue pages. Choices are limited to the actor's agency here for convenience;
the services check everything again."""

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms

from steadyhand.policy.models import PolicyDocument
from steadyhand.training.models import (
    Course,
    DeliveryMode,
    EnrolmentStatus,
    ParityGroup,
    Setting,
    Topic,
)
from steadyhand.training.selectors.catalogue import Citation, PublishedSection

_BADGE_SEPARATORS = re.compile(r"[\s,;]+")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def split_badges(text: str) -> list[str]:
    """Badges typed or pasted as a list: separated by spaces, commas, semicolons or lines."""
    seen: dict[str, None] = {}
    for badge in _BADGE_SEPARATORS.split(text.strip()):
        if badge:
            seen.setdefault(badge.lstrip("#"), None)
    return list(seen)


class TopicForm(forms.Form):
    code = forms.SlugField(max_length=40, help_text="Short, lower case, e.g. “mental_health”.")
    name = forms.CharField(max_length=120)
    parity_group = forms.ChoiceField(
        choices=ParityGroup.choices,
        help_text="Which side of the parity comparison this topic's hours count on.",
    )


class TopicEditForm(forms.Form):
    name = forms.CharField(max_length=120)
    parity_group = forms.ChoiceField(
        choices=ParityGroup.choices,
        help_text="Changing it changes every parity figure, past years included.",
    )
    reason = forms.CharField(
        max_length=500, required=False, help_text="Recorded in the audit log with the change."
    )


class ModeHoursForm(forms.Form):
    """One delivery mode of a course and its hours (empty or 0: not used)."""

    mode = forms.ChoiceField(choices=DeliveryMode.choices, widget=forms.HiddenInput)
    hours = forms.DecimalField(
        required=False, min_value=Decimal("0"), max_digits=6, decimal_places=2
    )

    @property
    def mode_label(self) -> str:
        value = self.initial.get("mode") or self.data.get(self.add_prefix("mode"), "")
        return dict(DeliveryMode.choices).get(value, value)


ModeHoursFormSet = forms.formset_factory(ModeHoursForm, extra=0, max_num=len(DeliveryMode))


def mode_formset(data: Any = None, course: Course | None = None) -> Any:
    """A row per delivery mode, filled with the course's hours."""
    hours = {m.mode: m.hours for m in course.modes.all()} if course is not None else {}
    initial = [{"mode": mode, "hours": hours.get(mode)} for mode in DeliveryMode.values]
    return ModeHoursFormSet(data, initial=initial, prefix="modes")


def citation_choices(
    sections: Sequence[PublishedSection], current: Sequence[Citation] = ()
) -> list[tuple[str, str]]:
    choices = [
        (s.key, f"{s.document.code} §{s.number} {s.heading} (v{s.version_number})")
        for s in sections
    ]
    offered = {key for key, _ in choices}
    for citation in current:
        key = f"{citation.document.pk}:{citation.number}"
        if key not in offered:
            choices.append(
                (key, f"{citation.document.code} §{citation.number} (not in the published version)")
            )
    return choices


class CourseForm(forms.Form):
    code = forms.CharField(max_length=30, help_text="e.g. “DE-16” or “CIT-40”.")
    title = forms.CharField(max_length=200)
    topic = forms.ModelChoiceField(queryset=Topic.objects.none())
    setting = forms.ChoiceField(choices=Setting.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    citations = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Policy sections taught",
        help_text="Sections of the published policy this course teaches.",
    )

    def __init__(
        self,
        *args: Any,
        agency_id: int,
        sections: Sequence[PublishedSection],
        current: Sequence[Citation] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        topic: Any = self.fields["topic"]
        topic.queryset = Topic.objects.filter(agency_id=agency_id).order_by("name")
        citations: Any = self.fields["citations"]
        citations.choices = citation_choices(sections, current)
        self._documents = {d.pk: d for d in PolicyDocument.objects.filter(agency_id=agency_id)}

    def cleaned_citations(self) -> list[tuple[PolicyDocument, str]]:
        found = []
        for key in self.cleaned_data.get("citations", []):
            document_id, _, number = key.partition(":")
            document = self._documents.get(int(document_id))
            if document is not None:
                found.append((document, number))
        return found


class CourseEditForm(CourseForm):
    active = forms.BooleanField(
        required=False, help_text="Untick to retire the course: no new sessions can be planned."
    )
    reason = forms.CharField(
        max_length=500, required=False, help_text="Recorded in the audit log with the change."
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SessionForm(forms.Form):
    starts_on = forms.DateField(widget=DATE_INPUT)
    ends_on = forms.DateField(widget=DATE_INPUT, help_text="The same day for a one-day session.")
    location = forms.CharField(max_length=200, required=False)
    capacity = forms.IntegerField(min_value=1, max_value=10000, initial=24)
    instructor_badges = forms.CharField(
        required=False,
        label="Instructors (badge numbers)",
        help_text="Separate several with spaces or commas.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The session cannot end before it starts.")
        return cleaned


class SessionEditForm(SessionForm):
    reason = forms.CharField(
        max_length=500, required=False, help_text="Recorded in the audit log with the change."
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class EnrolForm(forms.Form):
    badges = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Badge numbers",
        help_text="One or more, separated by spaces, commas or new lines.",
    )


class RosterRowForm(forms.Form):
    enrolment_id = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=EnrolmentStatus.choices)
    score = forms.DecimalField(
        required=False, min_value=Decimal("0"), max_value=Decimal("100"), decimal_places=2
    )
    hours = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        help_text="Empty: the course's hours.",
    )
    completed_on = forms.DateField(required=False, widget=DATE_INPUT)


RosterFormSet = forms.formset_factory(RosterRowForm, extra=0)


class RosterReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500, required=False, help_text="Recorded in the audit log with the changes."
    )
