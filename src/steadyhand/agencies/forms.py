"""Forms for the agency admin's unit, member and settings pages.

Choice fields are limited to the actor's agency here for convenience; the services check again.
"""

from typing import Any

from django import forms

from steadyhand.access.roles import ROLE_CHOICES
from steadyhand.agencies.models import (
    Agency,
    Assignment,
    Member,
    MemberStatus,
    Rank,
    Shift,
    Unit,
    UnitKind,
)

SUB_UNIT_KINDS = [(value, label) for value, label in UnitKind.choices if value != UnitKind.AGENCY]


class UnitChoiceField(forms.ModelChoiceField):
    """Units shown as an indented outline, so the tree reads in a plain ``<select>``."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


def agency_units(agency_id: int) -> Any:
    return Unit.objects.filter(agency_id=agency_id).order_by("path")


class UnitCreateForm(forms.Form):
    name = forms.CharField(max_length=120)
    code = forms.CharField(max_length=20, help_text="Short code used in imports, e.g. “D7-S2”.")
    kind = forms.ChoiceField(choices=SUB_UNIT_KINDS)


class UnitEditForm(forms.Form):
    """Rename or move a unit. ``version`` is the one the page was read at (optimistic locking)."""

    name = forms.CharField(max_length=120)
    code = forms.CharField(max_length=20, help_text="Short code used in imports, e.g. “D7-S2”.")
    kind = forms.ChoiceField(choices=SUB_UNIT_KINDS)
    parent = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        help_text="Moving a unit moves all of its sub-units and members with it.",
    )
    reason = forms.CharField(
        max_length=500, required=False, help_text="Recorded in the audit log with the change."
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": unit.name,
                "code": unit.code,
                "kind": unit.kind,
                "parent": unit.parent_id,
                "version": unit.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.is_root = unit.parent_id is None
        parent: Any = self.fields["parent"]
        kind: Any = self.fields["kind"]
        if self.is_root:
            # The root stays the root and stays of kind "agency"; only name and code change.
            kind.choices = [(UnitKind.AGENCY.value, UnitKind.AGENCY.label)]
            del self.fields["parent"]
        else:
            # A unit cannot move under itself or its own sub-units.
            parent.queryset = agency_units(unit.agency_id).exclude(path__startswith=unit.path)
            parent.required = True


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=100, help_text="Name or badge number."
    )
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        empty_label="All units",
        help_text="Includes the unit's sub-units.",
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *MemberStatus.choices], required=False)

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit: Any = self.fields["unit"]
        unit.queryset = agency_units(agency_id)


class MemberForm(forms.Form):
    badge = forms.CharField(max_length=20)
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80)
    rank = forms.ChoiceField(choices=Rank.choices, initial=Rank.OFFICER)
    unit = UnitChoiceField(queryset=Unit.objects.none())
    supervisor = forms.ModelChoiceField(
        queryset=Member.objects.none(), required=False, empty_label="No supervisor"
    )
    hire_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="Format: YYYY-MM-DD."
    )
    status = forms.ChoiceField(choices=MemberStatus.choices, initial=MemberStatus.ACTIVE)
    shift = forms.ChoiceField(
        choices=[("", "Not recorded"), *Shift.choices],
        required=False,
        help_text="Early intervention compares members with peers on the same shift.",
    )
    assignment = forms.ChoiceField(
        choices=[("", "Not recorded"), *Assignment.choices], required=False
    )
    reason = forms.CharField(
        max_length=500, required=False, help_text="Recorded in the audit log with the change."
    )

    def __init__(self, *args: Any, agency_id: int, member: Member | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        unit: Any = self.fields["unit"]
        unit.queryset = agency_units(agency_id)
        supervisors = Member.objects.filter(agency_id=agency_id).order_by(
            "last_name", "first_name", "badge"
        )
        if member is not None:
            supervisors = supervisors.exclude(pk=member.pk)
        supervisor: Any = self.fields["supervisor"]
        supervisor.queryset = supervisors


class MemberEditForm(MemberForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, agency_id: int, member: Member, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "badge": member.badge,
                "first_name": member.first_name,
                "last_name": member.last_name,
                "rank": member.rank,
                "unit": member.unit_id,
                "supervisor": member.supervisor_id,
                "hire_date": member.hire_date,
                "status": member.status,
                "shift": member.shift,
                "assignment": member.assignment,
                "version": member.version,
            },
        )
        super().__init__(*args, agency_id=agency_id, member=member, **kwargs)


class AgencySettingsForm(forms.Form):
    require_2fa_roles = forms.MultipleChoiceField(
        label="Roles that must log in with two-factor authentication",
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Holders of a ticked role must enrol an authenticator app at their next page view. "
            "Tick every role that sees identified records."
        ),
    )
    suppression_threshold = forms.IntegerField(
        label="Smallest count the public page shows",
        min_value=2,
        max_value=1000,
        required=False,
        help_text=(
            "The public page and open data hide every count below this number, and the counts "
            "that would let someone work a hidden one out. 10 is the usual choice."
        ),
    )
    reason = forms.CharField(
        max_length=500, help_text="Why the setting changes; recorded in the audit log."
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "require_2fa_roles": list(agency.require_2fa_roles or []),
                "suppression_threshold": agency.suppression_threshold,
            },
        )
        super().__init__(*args, **kwargs)
