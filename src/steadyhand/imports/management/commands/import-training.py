# ruff: noqa: N999 — the module name is the command name users type: `steadyhand import-training`.
"""``steadyhand import-training FILE --agency SLUG --as USER --course CODE
[--format cit40|standard] [--valid-only] [--dry-run]``."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.accounts.cli import actor_for_command
from steadyhand.core.errors import InvalidInput, SteadyhandError
from steadyhand.imports.models import ImportBatch, LoadMode
from steadyhand.imports.progress_bar import progress_bar
from steadyhand.imports.training_records import FORMAT_NAMES, FileFormat, unmatched_count
from steadyhand.imports.training_services import (
    training_load,
    training_upload,
    training_validate,
)


class _DryRunDone(Exception):
    """Raised at the end of a successful dry run to roll its transaction back."""


class Command(BaseCommand):
    help = (
        "Import training records from CSV (formats: docs/importing-training.md). --format "
        "standard (the default) reads badge,course_code,completed_on[,hours][,score]; --format "
        "cit40 reads the Chicago CIT 40-hour certification list (star_badge, session_end_date, "
        "...), every row a completion of the course given with --course. Rows are matched to "
        "members by badge; every row that matches no member, and every other problem, is "
        "printed as FILE:ROW:COLUMN: reason. With problems, nothing is loaded and the exit "
        "status is 1, unless --valid-only is given. Completions already recorded (same member, "
        "course and date) are skipped and counted. Loading is one transaction: every chosen "
        "row is recorded, or none. Every write is audited as the user named with --as, who "
        "must be allowed to import training records."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The training-records CSV file.")
        parser.add_argument("--agency", required=True, help="The agency's slug.")
        parser.add_argument(
            "--as",
            dest="as_user",
            required=True,
            metavar="USERNAME",
            help="The user the import runs as (needs the training.import permission).",
        )
        parser.add_argument(
            "--course",
            default="",
            metavar="CODE",
            help="The catalogue course the rows are completions of (required for cit40; for "
            "standard, used where a row's course_code is empty).",
        )
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=FORMAT_NAMES,
            default=FileFormat.STANDARD,
            help="The file's layout (default: standard).",
        )
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="Record the rows without problems even if other rows have some.",
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
        run = {
            "actor": actor,
            "file_name": path.name,
            "content": content,
            "file_format": options["file_format"],
            "course_code": options["course"],
            "valid_only": options["valid_only"],
        }
        try:
            if options["dry_run"]:
                with transaction.atomic():
                    self._run(**run, dry_run=True)
                    raise _DryRunDone
            else:
                self._run(**run)
        except _DryRunDone:
            self.stdout.write("Dry run: nothing was saved.")
        except InvalidInput as exc:
            raise CommandError(" ".join(m for ms in exc.errors.values() for m in ms)) from exc
        except SteadyhandError as exc:
            raise CommandError(str(exc)) from exc

    def _actor(self, slug: str, username: str) -> Actor:
        return actor_for_command(
            slug=slug, username=username, action="training.import", doing="import training records"
        )

    def _run(
        self,
        *,
        actor: Actor,
        file_name: str,
        content: bytes,
        file_format: str,
        course_code: str,
        valid_only: bool,
        dry_run: bool = False,
    ) -> None:
        batch = training_upload(
            actor=actor,
            file_name=file_name,
            content=content,
            file_format=file_format,
            course_code=course_code,
            check_in_background=False,
        )
        with progress_bar("Checking") as progress:
            batch = training_validate(actor=actor, batch=batch, progress=progress)
        self._report(batch)
        if batch.fatal:
            raise CommandError("The file cannot be read as this format; nothing was loaded.")
        if batch.error_count and not valid_only:
            raise CommandError(
                f"{batch.error_count} problem(s) in {batch.error_row_count} row(s); nothing was "
                f"loaded. Fix the file or add the missing members, or use --valid-only to "
                f"record the {batch.valid_count} valid rows."
            )
        if batch.valid_count == 0:
            self.stdout.write("Nothing new to record; nothing was loaded.")
            return
        mode = LoadMode.VALID_ONLY if batch.error_count else LoadMode.ALL
        with progress_bar("Loading") as progress:
            batch = training_load(actor=actor, batch=batch, mode=mode, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                ("Rehearsed the load" if dry_run else f"Loaded import #{batch.pk}")
                + f": {batch.loaded_count} completion(s) recorded, "
                f"{batch.unchanged_count} already recorded and skipped"
                + (f", {batch.error_row_count} row(s) left out." if batch.error_count else ".")
            )
        )

    def _report(self, batch: ImportBatch) -> None:
        for error in batch.row_errors:
            self.stdout.write(str(error))
        unmatched = unmatched_count(batch.row_errors)
        matched = 0 if batch.fatal else batch.row_count - unmatched
        self.stdout.write(
            f"{batch.file_name}: {batch.row_count} row(s) read as {batch.encoding or '?'}; "
            f"{matched} matched to members, {unmatched} with no member of that badge; "
            f"{batch.valid_count} to record, {batch.unchanged_count} already recorded; "
            f"{batch.error_row_count} with problems."
        )
