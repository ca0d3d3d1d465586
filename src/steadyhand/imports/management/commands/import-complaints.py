# ruff: noqa: N999 — the module name is the command name users type: `steadyhand import-complaints`.
"""``steadyhand import-complaints --agency SLUG --mapping NAME FILE [FILE …] --as USERNAME
[--valid-only]``: complaints from another system's files (e.g. Chicago's four files)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from steadyhand.accounts.cli import actor_for_command
from steadyhand.core.errors import SteadyhandError
from steadyhand.imports.complaint_services import complaint_import_files
from steadyhand.imports.mapping.complaint_writer import ComplaintLoadRefused
from steadyhand.imports.mapping.format import MappingError


class Command(BaseCommand):
    help = (
        "Import complaints, allegations and complainants through a mapping (docs/importing.md, "
        "docs/importing-chicago.md). Every problem is printed as FILE:ROW:COLUMN: reason. With "
        "problems nothing is loaded (exit status 1) unless --valid-only. One transaction; "
        "importing the same files again updates the complaints instead of duplicating them."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--agency", required=True, help="The agency's slug.")
        parser.add_argument("--mapping", required=True, help="e.g. chicago_complaints")
        parser.add_argument(
            "--as", dest="as_user", required=True, metavar="USERNAME",
            help="The user the import runs and is audited as (needs complaint.import).",
        )  # fmt: skip
        parser.add_argument("--valid-only", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_for_command(
            slug=options["agency"], username=options["as_user"], action="complaint.import",
            doing="import complaints",
        )  # fmt: skip
        try:
            report, written = complaint_import_files(
                actor=actor, mapping=options["mapping"], paths=options["files"],
                valid_only=options["valid_only"],
            )  # fmt: skip
        except ComplaintLoadRefused as refused:
            for error in refused.report.errors:
                self.stdout.write(str(error))
            raise CommandError(str(refused)) from refused
        except (SteadyhandError, MappingError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stdout.write(str(error))
        counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in report.summary().items())
        self.stdout.write(f"Mapping {options['mapping']}: {counts}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded: {written['created']} new complaint(s), {written['updated']} updated, "
                f"{written['unchanged']} unchanged."
            )
        )
