# ruff: noqa: N999 — the module name is the command name users type: `steadyhand import-roster`.
"""``steadyhand import-roster FILE --agency SLUG --as USERNAME [--valid-only] [--dry-run]``."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.accounts.cli import actor_for_command
from steadyhand.core.errors import SteadyhandError
from steadyhand.imports.models import ImportBatch, LoadMode
from steadyhand.imports.progress_bar import progress_bar as _bar
from steadyhand.imports.services import roster_load, roster_upload, roster_validate


class _DryRunDone(Exception):
    """Raised at the end of a successful dry run to roll its transaction back."""


class Command(BaseCommand):
    help = (
        "Import a member roster CSV (format: docs/importing-roster.md). The file is checked "
        "first and every problem is printed as FILE:ROW:COLUMN: reason. With problems, nothing "
        "is loaded and the exit status is 1, unless --valid-only is given, which loads only the "
        "rows without problems. Loading is one transaction: every chosen row is written, or "
        "none. Existing badges update their member; new badges create members. Every write is "
        "audited as the user named with --as, who must be allowed to import rosters."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The roster CSV file.")
        parser.add_argument("--agency", required=True, help="The agency's slug.")
        parser.add_argument(
            "--as",
            dest="as_user",
            required=True,
            metavar="USERNAME",
            help="The user the import runs as (needs the member.import permission).",
        )
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="Load the rows without problems even if other rows have some.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and rehearse the load, then roll everything back: nothing is saved.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        actor = self._actor(options["agency"], options["as_user"])
        try:
            if options["dry_run"]:
                with transaction.atomic():
                    self._run(
                        actor, path.name, content, valid_only=options["valid_only"], dry_run=True
                    )
                    raise _DryRunDone
            else:
                self._run(actor, path.name, content, valid_only=options["valid_only"])
        except _DryRunDone:
            self.stdout.write("Dry run: nothing was saved.")
        except SteadyhandError as exc:
            raise CommandError(str(exc)) from exc

    def _actor(self, slug: str, username: str) -> Actor:
        return actor_for_command(
            slug=slug, username=username, action="member.import", doing="import rosters"
        )

    def _run(
        self,
        actor: Actor,
        file_name: str,
        content: bytes,
        *,
        valid_only: bool,
        dry_run: bool = False,
    ) -> None:
        batch = roster_upload(
            actor=actor, file_name=file_name, content=content, check_in_background=False
        )
        with _bar("Checking") as progress:
            batch = roster_validate(actor=actor, batch=batch, progress=progress)
        self._report(batch)
        if batch.fatal or batch.valid_count == 0:
            raise CommandError("Nothing in this file can be loaded; nothing was loaded.")
        if batch.error_count and not valid_only:
            raise CommandError(
                f"{batch.error_count} problem(s) in {batch.error_row_count} row(s); nothing was "
                f"loaded. Fix the file, or use --valid-only to load the {batch.valid_count} "
                "valid rows."
            )
        mode = LoadMode.VALID_ONLY if valid_only else LoadMode.ALL
        with _bar("Loading") as progress:
            batch = roster_load(actor=actor, batch=batch, mode=mode, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                ("Rehearsed the load" if dry_run else f"Loaded import #{batch.pk}")
                + f": {batch.create_count} new member(s), "
                f"{batch.update_count} updated, {batch.unchanged_count} unchanged"
                + (f", {batch.error_row_count} row(s) left out." if batch.error_count else ".")
            )
        )

    def _report(self, batch: ImportBatch) -> None:
        for error in batch.row_errors:
            self.stdout.write(str(error))
        self.stdout.write(
            f"{batch.file_name}: {batch.row_count} row(s) read as {batch.encoding or '?'}; "
            f"{batch.valid_count} can be loaded ({batch.create_count} new, "
            f"{batch.update_count} to update, {batch.unchanged_count} unchanged); "
            f"{batch.error_row_count} with problems."
        )
