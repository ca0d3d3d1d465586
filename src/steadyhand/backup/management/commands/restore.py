"""``steadyhand restore FILE``: bring back an agency saved by ``steadyhand backup``."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.backup.archive import agency_restore
from steadyhand.backup.discovery import BackupError


class Command(BaseCommand):
    help = (
        "Restore an agency from a file written by `steadyhand backup`, in one transaction: "
        "all of it or nothing. Refuses a file whose checksum does not match, one made at "
        "another migration state, and a database that already holds the agency. The audit "
        "chain is verified before the restore commits. Example: "
        "`steadyhand migrate && steadyhand restore springfield.shbak`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A file written by `steadyhand backup`.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            summary = agency_restore(path=options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored agency {summary.agency_slug}: {summary.rows} rows in "
            f"{time.monotonic() - started:.1f} s; its audit chain verifies "
            f"({summary.audit_events_verified} events)."
        )
