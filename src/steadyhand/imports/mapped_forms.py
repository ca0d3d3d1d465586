from functools import cache
from typing import Any

from django import forms

from steadyhand.imports.mapped_services import MAX_UPLOAD_BYTES
from steadyhand.imports.mapped_targets import MappedTarget
from steadyhand.imports.mapping.format import load_mapping, shipped_mapping_names


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.gz,text/csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


@cache
def shipped_mappings_of(target_name: str) -> tuple[str, ...]:
    """The shipped mappings that load ``target_name`` (they do not change while running)."""
    return tuple(n for n in shipped_mapping_names() if load_mapping(n).target == target_name)


class MappedUploadForm(forms.Form):
    mapping = forms.ChoiceField(
        label="Mapping (the source system)",
        help_text="Each mapping reads one source's files; see docs/importing.md.",
    )
    uploads = MultipleFileField(label="Files (CSV)")

    def __init__(self, *args: Any, target: MappedTarget, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: Any = [(n, n.replace("_", " ").title()) for n in shipped_mappings_of(target.name)]
        self.fields["mapping"].choices = choices  # type: ignore[attr-defined]
        self.fields["uploads"].help_text = (
            f"One or more files of one source, up to {MAX_UPLOAD_BYTES // 1_000_000} MB "
            f"together. Larger sets: the {target.command} command."
        )

    def clean_uploads(self) -> Any:
        uploads = self.cleaned_data["uploads"]
        total = sum(u.size or 0 for u in uploads)
        if total > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The files total {total / 1e6:.1f} MB; the limit is "
                f"{MAX_UPLOAD_BYTES // 1_000_000} MB."
            )
        return uploads
