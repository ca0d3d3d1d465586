"""Forms of the scenario pages. Choices come from the engine and the session, never the browser."""

from collections.abc import Sequence
from typing import cast

from django import forms


def _choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    cast(forms.ChoiceField, field).choices = choices


class PlayForm(forms.Form):
    """One turn: the action chosen and the turn the page was read at (the sequence number)."""

    action = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what you do next.",
            "invalid_choice": "That action is not open to you now; choose one of those listed.",
        },
    )
    turn = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: object, actions: Sequence[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _choices(self.fields["action"], list(actions))


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Session code",
        max_length=12,
        help_text="The code your trainer gives you, e.g. K7PX2Q.",
    )


class GroupSessionForm(forms.Form):
    scenario = forms.ChoiceField(label="Scenario")
    title = forms.CharField(
        label="Title (optional)",
        max_length=200,
        required=False,
        help_text="Shown to you only, e.g. “Tuesday ICAT block, group 2”.",
    )

    def __init__(
        self, *args: object, scenarios: Sequence[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _choices(self.fields["scenario"], list(scenarios))


ALL_RUNS = "all"


class InjectForm(forms.Form):
    event = forms.ChoiceField(label="Event")
    target = forms.ChoiceField(label="Into")
    reason = forms.CharField(label="Note for the record (optional)", max_length=200, required=False)

    def __init__(
        self,
        *args: object,
        events: Sequence[tuple[str, str]],
        runs: Sequence[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _choices(self.fields["event"], list(events))
        _choices(
            self.fields["target"],
            [(ALL_RUNS, "Every run in progress"), *((str(pk), label) for pk, label in runs)],
        )

    def run_ids(self) -> list[int] | None:
        target = self.cleaned_data["target"]
        return None if target == ALL_RUNS else [int(target)]
