"""``steadyhand ei_score --agency SLUG [--as-of YYYY-MM-DD]``: run early-intervention scoring."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency
from steadyhand.core.errors import SteadyhandError
from steadyhand.intervention.services import DEFAULT_WINDOW_DAYS, flags_score


class Command(BaseCommand):
    help = "Score members against their peers and flag those above the agency's level."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="The agency's slug.")
        parser.add_argument("--as-of", type=date.fromisoformat, help="Last day of the window.")
        parser.add_argument("--window-days", type=int, default=DEFAULT_WINDOW_DAYS)
        parser.add_argument("--flag-ratio", type=float, default=1.5)

    def handle(self, *args: object, **options: object) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with slug {options['agency']!r}.")
        actor = Actor.system(agency_id=agency.pk, label="ei_score", roles=(Role.AGENCY_ADMIN,))
        try:
            run = flags_score(
                actor=actor,
                as_of=options["as_of"],  # type: ignore[arg-type]
                window_days=options["window_days"],  # type: ignore[arg-type]
                flag_ratio=options["flag_ratio"],  # type: ignore[arg-type]
            )
        except SteadyhandError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"scored {run.members_scored} members; {run.flags_created} new flags, "
            f"{run.already_flagged} already flagged for this date"
        )
