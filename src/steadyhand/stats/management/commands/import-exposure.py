# ruff: noqa: N999 — the module name is the command name users type: `steadyhand import-exposure`.
"""``steadyhand import-exposure --agency SLUG FILE.csv``: calls for service and arrests per month.

The denominators of the dashboard's "per 1,000 calls / arrests". All rows or none: any error
(a bad month, a negative count, an unknown unit code) is listed by line and nothing is written.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.agencies.models import Agency
from steadyhand.core.errors import InvalidInput
from steadyhand.stats.exposure import parse_exposure
from steadyhand.stats.exposure_services import exposure_import
from steadyhand.stats.tasks import refresh_actor


class Command(BaseCommand):
    help = "Import monthly calls for service and arrests (CSV: month,unit,district,calls,arrests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", metavar="SLUG", required=True)
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with slug {options['agency']!r}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            parsed = parse_exposure(handle)
        if parsed.errors:
            raise CommandError("Nothing imported:\n" + "\n".join(parsed.errors))
        try:
            written = exposure_import(
                actor=refresh_actor(agency.pk), agency=agency, rows=parsed.rows
            )
        except InvalidInput as exc:
            lines = [f"{where}: {'; '.join(msgs)}" for where, msgs in exc.errors.items()]
            raise CommandError("Nothing imported:\n" + "\n".join(lines)) from exc
        self.stdout.write(f"{written} exposure row(s) imported; statistics refreshed.")
