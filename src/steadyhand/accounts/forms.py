from django import forms

from steadyhand.access.roles import ROLE_CHOICES
from steadyhand.agencies.models import Member, Unit


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 12 characters.")
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        required=False,
        help_text="The personnel record this login belongs to.",
    )

    def __init__(self, *args: object, agency_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["member"].queryset = Member.objects.filter(  # type: ignore[attr-defined]
            agency_id=agency_id, user_account__isnull=True
        )


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        empty_label="Whole agency",
        help_text="Limit the role to this unit and everything below.",
    )
    reason = forms.CharField(required=False, max_length=500)

    def __init__(self, *args: object, agency_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            agency_id=agency_id
        ).order_by("path")


class PasswordSetForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 12 characters.")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, required=True)
