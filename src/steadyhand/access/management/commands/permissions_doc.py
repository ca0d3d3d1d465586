"""``steadyhand permissions_doc [--check]``: write docs/permissions.md from the registry."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.access.docs import render_permissions_doc


def default_path() -> Path:
    return Path(settings.PROJECT_ROOT) / "docs" / "permissions.md"


class Command(BaseCommand):
    help = "Write docs/permissions.md from the access registry (or, with --check, compare)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit with status 1 if the file is missing or out of date.",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Where the document lives (default: %(default)s).",
        )

    def handle(self, *args: Any, check: bool, output: Path | None, **options: Any) -> None:
        path = output or default_path()
        text = render_permissions_doc()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if check:
            if current != text:
                state = "is missing" if current is None else "is out of date"
                raise CommandError(
                    f"{path} {state}: it no longer matches src/steadyhand/access/registry.py. "
                    "Run `steadyhand permissions_doc` and commit the result.",
                    returncode=1,
                )
            self.stdout.write(f"{path} is up to date.")
            return
        if current == text:
            self.stdout.write(f"{path} is already up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
