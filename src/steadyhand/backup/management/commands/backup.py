"""``steadyhand backup --agency SLUG FILE``: every row of one agency to one checksummed file."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.backup.archive import agency_backup
from steadyhand.backup.discovery import BackupError


class Command(BaseCommand):
    help = (
        "Back up one whole agency (people, roles, records, reviews, imports, jobs and its audit "
        "log) to a single gzip file with a checksum and the database's migration state. "
        "Example: `steadyhand backup --agency springfield springfield.shbak`. Restore it with "
        "`steadyhand restore springfield.shbak` into a database without that agency, at the "
        "same Steadyhand version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, metavar="SLUG", help="The agency's slug.")
        parser.add_argument("file", type=Path, help="Where to write the backup (overwritten).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            summary = agency_backup(agency_slug=options["agency"], path=options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backed up agency {summary.agency_slug}: {summary.rows} rows of "
            f"{sum(1 for n in summary.counts.values() if n)} tables, {summary.size / 1e6:.1f} MB "
            f"in {time.monotonic() - started:.1f} s, to {summary.path}\n"
            f"SHA-256 of the content: {summary.sha256}"
        )
