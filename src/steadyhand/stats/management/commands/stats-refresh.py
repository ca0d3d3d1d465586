# ruff: noqa: N999 — the module name is the command name users type: `steadyhand stats-refresh`.
"""``steadyhand stats-refresh --agency SLUG [--month YYYY-MM …]``: recompute the monthly
statistics behind the dashboard and the public page.

Writers refresh the months they touch as they commit; this command is for a nightly safety net
(``--all``), after a bulk change made outside Steadyhand's services, and for the demo.
"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.agencies.models import Agency
from steadyhand.stats.services import stats_refresh
from steadyhand.stats.tasks import refresh_actor


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise CommandError(f"--month {text!r}: write the month as YYYY-MM.") from None


class Command(BaseCommand):
    help = "Recompute some months (or all) of an agency's monthly statistics."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", metavar="SLUG", required=True)
        parser.add_argument("--month", action="append", default=[], metavar="YYYY-MM")
        parser.add_argument("--all", action="store_true", help="Every month with any record.")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with slug {options['agency']!r}.")
        if bool(options["month"]) == bool(options["all"]):
            raise CommandError("Name the months (--month YYYY-MM, repeatable) or --all.")
        months = None if options["all"] else [_month(m) for m in options["month"]]
        result = stats_refresh(actor=refresh_actor(agency.pk), agency=agency, months=months)
        self.stdout.write(
            f"Refreshed {'every month' if months is None else f'{len(months)} month(s)'} of "
            f"{agency.slug}: {result.rows} rows, statistics version {result.version}."
        )
