# ruff: noqa: N999 — the module name is the command name users type: `steadyhand import-incidents`.
"""``steadyhand import-incidents --agency SLUG --mapping NAME FILE [FILE …] [--as USERNAME]
[--valid-only] [--dry-run]``."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.cli import actor_for_command
from steadyhand.agencies.models import Agency
from steadyhand.core.errors import SteadyhandError
from steadyhand.imports.incident_services import (
    incident_import_check,
    incident_import_create,
    incident_import_load,
)
from steadyhand.imports.models import ImportBatch, LoadMode
from steadyhand.imports.progress_bar import progress_bar

COUNT_LABELS = (
    ("rows", "rows read"),
    ("incidents", "incidents"),
    ("involvements", "officer involvements"),
    ("officers", "distinct officers"),
    ("subjects", "subjects"),
    ("events", "timeline events"),
    ("rejected_rows", "rows rejected"),
    ("rejected_records", "incidents left out"),
)


class _DryRunDone(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Import incidents from CSV files through a mapping (docs/importing.md). Every problem is "
        "printed as FILE:ROW:COLUMN: reason. With problems nothing is loaded (exit status 1) "
        "unless --valid-only, which loads the incidents none of whose rows has a problem. "
        "Loading is one transaction. Importing the same files again updates the incidents "
        "(matched by the mapping's key) instead of duplicating them."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--agency", required=True, help="The agency's slug.")
        parser.add_argument(
            "--mapping", required=True, help="A shipped mapping's name or a mapping file path."
        )
        parser.add_argument(
            "--as",
            "--actor",
            dest="as_user",
            metavar="USERNAME",
            help="The user the import runs and is audited as (needs incident.import). Without "
            "it the import runs as a system actor labelled system:import-incidents.",
        )
        parser.add_argument("--valid-only", action="store_true")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and rehearse, then roll back."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["agency"], options["as_user"])
        try:
            if options["dry_run"]:
                with transaction.atomic():
                    self._run(actor, options, dry_run=True)
                    raise _DryRunDone
            else:
                self._run(actor, options)
        except _DryRunDone:
            self.stdout.write("Dry run: nothing was saved.")
        except SteadyhandError as exc:
            raise CommandError(str(exc)) from exc

    def _actor(self, slug: str, username: str | None) -> Actor:
        if username:
            return actor_for_command(
                slug=slug, username=username, action="incident.import", doing="import incidents"
            )
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            raise CommandError(f"No agency with the slug {slug!r}.")
        return Actor.system(agency_id=agency.pk, label="import-incidents", roles=(Role.ANALYST,))

    def _run(self, actor: Actor, options: dict[str, Any], *, dry_run: bool = False) -> None:
        batch = incident_import_create(
            actor=actor, mapping=options["mapping"], paths=options["files"],
            check_in_background=False,
        )  # fmt: skip
        with progress_bar("Checking") as progress:
            batch = incident_import_check(actor=actor, batch=batch, progress=progress)
        self._report(batch)
        if batch.fatal or batch.valid_count == 0:
            raise CommandError("Nothing in these files can be loaded; nothing was loaded.")
        if batch.error_count and not options["valid_only"]:
            raise CommandError(
                f"{batch.error_count} problem(s) in {batch.error_row_count} row(s); nothing was "
                "loaded. Fix the files, or use --valid-only to load the incidents without "
                "problems."
            )
        mode = LoadMode.VALID_ONLY if options["valid_only"] else LoadMode.ALL
        with progress_bar("Loading") as progress:
            batch = incident_import_load(actor=actor, batch=batch, mode=mode, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                ("Rehearsed the load" if dry_run else f"Loaded import #{batch.pk}")
                + f": {batch.create_count} new incident(s), {batch.update_count} updated, "
                f"{batch.unchanged_count} unchanged."
            )
        )

    def _report(self, batch: ImportBatch) -> None:
        for error in batch.row_errors:
            self.stdout.write(str(error))
        if batch.error_count > len(batch.errors):
            self.stdout.write(f"… and {batch.error_count - len(batch.errors)} more problem(s).")
        counts = batch.options.get("counts", {})
        for f in batch.options.get("files_read", []):
            self.stdout.write(f"{f['name']}: {f['rows']} row(s) read as {f['encoding']}")
        shown = ", ".join(f"{counts.get(k, 0)} {label}" for k, label in COUNT_LABELS)
        self.stdout.write(f"Mapping {batch.options['mapping']}: {shown}.")
        self.stdout.write(
            f"{batch.create_count} incident(s) would be new, {batch.update_count} already "
            "imported (updated if the source changed them)."
        )
