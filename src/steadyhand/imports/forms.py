from django import forms

from steadyhand.imports.models import LoadMode
from steadyhand.imports.roster import MAX_FILE_BYTES, file_size_problem


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster file (CSV)",
        help_text=f"UTF-8 or Windows-1252 text, up to {MAX_FILE_BYTES // 1024 // 1024} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        # Refused before the view reads the file into memory.
        problem = file_size_problem(upload.size or 0)
        if problem:
            raise forms.ValidationError(problem)
        return upload


class LoadForm(forms.Form):
    load_mode = forms.ChoiceField(choices=LoadMode.choices)
