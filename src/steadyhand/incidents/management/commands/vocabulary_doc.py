"""``steadyhand vocabulary_doc [--check]``: write docs/vocabulary.md from the vocabulary."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.incidents.vocabulary_doc import render_vocabulary_doc


class Command(BaseCommand):
    help = "Write docs/vocabulary.md from steadyhand.vocabulary (or, with --check, compare)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Exit 1 if out of date.")

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        path = Path(settings.PROJECT_ROOT) / "docs" / "vocabulary.md"
        text = render_vocabulary_doc()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if check:
            if current != text:
                raise CommandError(
                    f"{path} is out of date with src/steadyhand/vocabulary.py; run "
                    "`steadyhand vocabulary_doc` and commit the result.",
                    returncode=1,
                )
            self.stdout.write(f"{path} is up to date.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
