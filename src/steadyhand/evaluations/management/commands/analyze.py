"""``steadyhand analyze staggered|synth …``: the evaluation engine for analysts and scripts.

A thin shell over ``steadyhand.analytics`` (which never imports Django): it parses arguments,
calls one function and prints the result as JSON (``--json``) or as readable lines. Errors in
the input are printed with the file and the reason, and the exit status is 1.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.analytics.efficient.run import run_efficient
from steadyhand.analytics.staggered.run import parse_event_times, run_staggered


class Command(BaseCommand):
    help = "Estimate program effects: staggered roll-outs (cs, sa, efficient) or synthetic control."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="{staggered,synth}")
        commands.required = True
        staggered = commands.add_parser(
            "staggered", help="Staggered roll-out: Callaway-Sant'Anna, Sun-Abraham or efficient."
        )
        staggered.add_argument("panel", help="Long-format CSV, one row per unit and period.")
        for name in ("unit", "time", "cohort", "outcome"):
            staggered.add_argument(f"--{name}", required=True, help=f"The {name} column.")
        staggered.add_argument("--method", choices=("efficient", "cs", "sa", "twfe"), default="cs")
        staggered.add_argument(
            "--estimand", choices=("simple", "cohort", "calendar", "eventstudy"), default="simple"
        )
        staggered.add_argument("--event-times", help="Event-time window FROM:TO, e.g. 0:23.")
        staggered.add_argument("--control", choices=("never", "notyet", "last"))
        staggered.add_argument(
            "--fisher",
            type=int,
            default=0,
            metavar="N",
            help="Fisher randomization test with N permutations (efficient).",
        )
        staggered.add_argument(
            "--bootstrap",
            type=int,
            default=0,
            metavar="N",
            help="Multiplier-bootstrap draws for uniform bands (cs).",
        )
        staggered.add_argument("--seed", type=int, default=0)
        staggered.add_argument("--json", action="store_true", help="Print JSON.")
        self._add_synth(commands)

    def _add_synth(self, commands: Any) -> None:
        synth = commands.add_parser("synth", help="Synthetic control from a STUDY.json file.")
        synth.add_argument("study", help="The study specification (JSON); see docs/methods.md.")
        synth.add_argument("--placebos", action="store_true", help="In-space placebo inference.")
        synth.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        try:
            result = self._staggered(options) if subcommand == "staggered" else self._synth(options)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc), returncode=1) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2, sort_keys=True, allow_nan=False))
        else:
            for key in sorted(result):
                self.stdout.write(f"{key}: {result[key]}")

    def _staggered(self, options: dict[str, Any]) -> dict[str, Any]:
        window = parse_event_times(options["event_times"]) if options["event_times"] else None
        columns = {k: options[k] for k in ("unit", "time", "cohort", "outcome")}
        if options["method"] == "efficient":
            return run_efficient(options["panel"], **columns, estimand=options["estimand"],
                                 event_times=window, fisher=options["fisher"],
                                 seed=options["seed"])  # fmt: skip
        if options["fisher"]:
            raise ValueError("--fisher is available with --method efficient only.")
        return run_staggered(options["panel"], **columns, method=options["method"],
                             estimand=options["estimand"], control=options["control"],
                             event_times=window, bootstrap=options["bootstrap"],
                             seed=options["seed"])  # fmt: skip

    def _synth(self, options: dict[str, Any]) -> dict[str, Any]:
        from steadyhand.analytics.synth.study import run_synth_study

        return run_synth_study(options["study"], placebos=options["placebos"])
