"""``steadyhand reviews_escalate [--agency SLUG]``: move overdue review steps up the chain.

Meant for a daily cron job (or schedule the ``escalate_overdue_reviews_task`` task).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from steadyhand.agencies.models import Agency
from steadyhand.reviews.services import reviews_escalate_overdue
from steadyhand.reviews.tasks import escalation_actor


class Command(BaseCommand):
    help = "Escalate overdue force review steps to the next level and notify the reviewers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", metavar="SLUG", help="Only this agency (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        agencies = Agency.objects.order_by("pk")
        if options.get("agency"):
            agencies = agencies.filter(slug=options["agency"])
            if not agencies.exists():
                raise CommandError(f"No agency with slug {options['agency']!r}.")
        escalated = flagged = 0
        for agency in tqdm(list(agencies), desc="Agencies", unit="agency", disable=None):
            result = reviews_escalate_overdue(actor=escalation_actor(agency))
            escalated += result.escalated
            flagged += result.flagged
        self.stdout.write(
            f"{escalated} overdue step(s) escalated; {flagged} overdue board step(s) flagged."
        )
