from django import forms

from steadyhand.api.services import DEFAULT_LIFETIME_DAYS, MAX_LIFETIME_DAYS


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. “records system push”."
    )
    lifetime_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=MAX_LIFETIME_DAYS,
        initial=DEFAULT_LIFETIME_DAYS,
    )
