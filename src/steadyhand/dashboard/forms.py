"""The dashboard's filters: a period of whole months and a unit the viewer may see."""

import re
from datetime import date
from typing import Any

from django import forms

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 120


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (an ``<input type="month">``), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def clean(self, value: object) -> date | None:
        text = str(super().clean(value) or "").strip()
        if not text:
            return None
        match = MONTH.match(text)
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(f"{text!r} is not a month; write it as YYYY-MM.")
        return date(int(match.group(1)), int(match.group(2)), 1)


class DashboardFilterForm(forms.Form):
    unit = forms.ChoiceField(label="Unit", required=False)
    start = MonthField(label="From month", required=False)
    end = MonthField(label="To month", required=False)

    def __init__(
        self, *args: Any, units: list[tuple[int, str, int]], agency_wide: bool, **kwargs: Any
    ) -> None:
        """``units``: (id, name, depth) of the units the viewer may choose."""
        super().__init__(*args, **kwargs)
        choices = [("", "Whole agency")] if agency_wide else []
        choices += [(str(pk), f"{'— ' * depth}{name}") for pk, name, depth in units]
        self.fields["unit"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date):
            if start > end:
                self.add_error("start", "The first month must not be after the last month.")
            elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                self.add_error("start", f"Choose at most {MAX_MONTHS} months.")
        return data


class ReportForm(forms.Form):
    month = MonthField(label="Month", required=False)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
