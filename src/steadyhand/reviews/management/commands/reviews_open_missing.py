"""``steadyhand reviews_open_missing --agency SLUG``: open force reviews for submitted force
incidents that have none (imported or demo incidents, or ones filed before reviews existed)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency
from steadyhand.reviews.services import reviews_open_missing


class Command(BaseCommand):
    help = "Open a force review for every submitted force incident of an agency that lacks one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", metavar="SLUG", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with slug {options['agency']!r}.")
        actor = Actor.system(agency_id=agency.pk, label="reviews-open", roles=(Role.COMMANDER,))
        opened = reviews_open_missing(actor=actor)
        self.stdout.write(f"{opened} force review(s) opened for {agency.name}.")
