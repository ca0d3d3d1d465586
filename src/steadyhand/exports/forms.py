from django import forms

from steadyhand.exports.models import DatePrecision


class ExportSettingsForm(forms.Form):
    date_precision = forms.ChoiceField(
        label="Open-data dates", choices=DatePrecision.choices, initial=DatePrecision.MONTH
    )
    ori = forms.CharField(
        label="ORI (FBI agency identifier)",
        max_length=9,
        required=False,
        help_text="Nine characters.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
