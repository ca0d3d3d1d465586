"""``steadyhand rollout verify PLAN_ID``: does a randomized roll-out reproduce from its seed?

For evaluators and auditors on the server. Exits with status 1 when the stored assignment does
not reproduce (or the plan was assigned by hand and so has nothing to reproduce).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.training.models import RolloutPlan
from steadyhand.training.selectors.rollouts import rollout_verify


class Command(BaseCommand):
    help = "Check a randomized roll-out plan against its seed."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="{verify}")
        commands.required = True
        verify = commands.add_parser(
            "verify",
            help="Re-run the wave assignment from the stored seed and inputs and compare.",
            description="Exit status 1 if the stored assignment does not reproduce.",
        )
        verify.add_argument("plan_id", type=int, metavar="PLAN_ID")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        plan_id = options["plan_id"]
        plan = RolloutPlan.objects.filter(pk=plan_id).select_related("agency").first()
        if plan is None:
            raise CommandError(f"No roll-out plan with id {plan_id}.")
        result = rollout_verify(plan=plan)
        self.stdout.write(f"Plan {plan.pk} “{plan.name}” ({plan.agency.slug})")
        self.stdout.write(f"  algorithm:   {result.algorithm or '-'}")
        self.stdout.write(f"  candidates:  {result.candidates}")
        if not result.applicable:
            raise CommandError(result.problem, returncode=1)
        self.stdout.write(f"  input hash:  stored {result.stored_input_hash}")
        self.stdout.write(f"               re-run {result.input_hash or '-'}")
        self.stdout.write(f"  result hash: stored {result.stored_result_hash}")
        self.stdout.write(f"               re-run {result.result_hash or '-'}")
        answer = "yes" if result.reproduces else "NO"
        line = f"Reproduces from seed {result.seed}: {answer}"
        if result.reproduces:
            self.stdout.write(self.style.SUCCESS(line))
            return
        self.stdout.write(self.style.ERROR(line))
        for cid in result.mismatches[:20]:
            self.stdout.write(f"  differs: {cid}")
        raise CommandError(result.problem, returncode=1)
