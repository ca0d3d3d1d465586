from typing import Any

from django import forms

from steadyhand.imports.roster import MAX_FILE_BYTES
from steadyhand.imports.training_records import LAYOUTS, FileFormat, file_size_problem
from steadyhand.training.models import Course


class TrainingUploadForm(forms.Form):
    file_format = forms.ChoiceField(
        label="Format",
        choices=[(f.value, LAYOUTS[f].label) for f in FileFormat],
        initial=FileFormat.STANDARD,
        widget=forms.RadioSelect,
    )
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(),
        required=False,
        to_field_name="code",
        label="Course",
        help_text="Required for the Chicago CIT list: the course every row is a completion of. "
        "For a standard file, the course of rows whose course_code is empty.",
    )
    file = forms.FileField(
        label="Training-records file (CSV)",
        help_text=f"UTF-8 or Windows-1252 text, up to {MAX_FILE_BYTES // 1024 // 1024} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        course: Any = self.fields["course"]
        course.queryset = Course.objects.filter(agency_id=agency_id).order_by("code")
        course.label_from_instance = lambda c: (
            f"{c.code} {c.title}" + ("" if c.active else " (retired)")
        )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        # Refused before the view reads the file into memory.
        problem = file_size_problem(upload.size or 0)
        if problem:
            raise forms.ValidationError(problem)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("file_format") == FileFormat.CIT40 and not cleaned.get("course"):
            self.add_error(
                "course",
                "Choose the course the certifications are completions of, e.g. a 40-hour "
                "crisis-intervention course.",
            )
        return cleaned
