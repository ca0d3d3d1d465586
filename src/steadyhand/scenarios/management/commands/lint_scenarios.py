"""``steadyhand lint_scenarios``: validate every scenario and play seeded runs per policy.

Exits 1 when a scenario is broken, unwinnable, or trivially winnable (rules in
``steadyhand.simulator.lint``). ``--json`` prints the measured rates (docs/simulator.md).
"""

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.simulator import ScenarioError
from steadyhand.simulator.lint import lint


class Command(BaseCommand):
    help = "Lint the simulator's scenarios with seeded runs of reference policies."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=1000, help="Seeds per scenario and policy.")
        parser.add_argument("--scenario", action="append", help="Only this scenario (repeatable).")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1")
        started = time.perf_counter()
        try:
            report = lint(options["runs"], scenario_ids=options["scenario"])
        except (ScenarioError, KeyError) as exc:
            raise CommandError(str(exc), returncode=1) from exc
        seconds = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(
                json.dumps({**report.to_dict(), "seconds": round(seconds, 1)}, indent=2)
            )
        else:
            self.stdout.write(
                f"{'scenario':26} {'policy':8} {'force':>6} {'peace':>6} {'esc.NR':>6}  outcomes"
            )
            for s in report.scenarios:
                for r in s.rates.values():
                    esc = (
                        "-"
                        if r.escalation_non_resistant is None
                        else f"{r.escalation_non_resistant:.2f}"
                    )
                    self.stdout.write(
                        f"{s.scenario_id:26} {r.policy:8} {r.force:6.2f} {r.peaceful:6.2f} "
                        f"{esc:>6}  {r.outcomes}"
                    )
            self.stdout.write(
                f"{len(report.scenarios)} scenarios × {report.runs} runs in {seconds:.1f} s"
            )
        if not report.ok:
            raise CommandError("\n".join(report.problems), returncode=1)
