"""``steadyhand analyze staggered|synth|its|disparity|power …``: the evaluation engine.

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
        commands = parser.add_subparsers(
            dest="subcommand", metavar="{staggered,synth,its,disparity,power}"
        )
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
        self._add_its(commands)
        self._add_disparity(commands)
        self._add_power(commands)

    def _add_synth(self, commands: Any) -> None:
        synth = commands.add_parser("synth", help="Synthetic control from a STUDY.json file.")
        synth.add_argument("study", help="The study specification (JSON); see docs/methods.md.")
        synth.add_argument("--placebos", action="store_true", help="In-space placebo inference.")
        synth.add_argument(
            "--augmented",
            action="store_true",
            help="Also the ridge-augmented synthetic control (Ben-Michael et al. 2021).",
        )
        synth.add_argument("--json", action="store_true", help="Print JSON.")

    def _add_its(self, commands: Any) -> None:
        its = commands.add_parser("its", help="Interrupted time series for one agency.")
        its.add_argument("series", help="CSV, one row per month (YYYY-MM), no gaps.")
        its.add_argument("--time", required=True, help="The month column (YYYY-MM).")
        its.add_argument("--outcome", required=True, help="The count column.")
        its.add_argument("--exposure", help="Exposure column (officer-months, calls …).")
        its.add_argument("--intervention", required=True, help="First month after (YYYY-MM).")
        its.add_argument("--seasonality", choices=("month", "fourier", "none"), default="month")
        its.add_argument(
            "--model", choices=("auto", "poisson", "negative_binomial"), default="auto"
        )
        its.add_argument("--json", action="store_true", help="Print JSON.")

    def _add_disparity(self, commands: Any) -> None:
        d = commands.add_parser("disparity", help="Rates and rate ratios by group.")
        d.add_argument("table", help="CSV, one row per group.")
        d.add_argument("--group", required=True, help="The group column (e.g. subject race).")
        d.add_argument("--events", required=True, help="The event count column.")
        d.add_argument("--benchmark", required=True, help="The benchmark count column.")
        d.add_argument("--benchmark-name", required=True, help="What the benchmark is.")
        d.add_argument("--benchmark-kind", required=True, choices=("population", "encounters"))
        d.add_argument("--reference", required=True, help="The group compared against.")
        d.add_argument("--per", type=float, default=1000.0)
        d.add_argument("--json", action="store_true", help="Print JSON.")

    def _add_power(self, commands: Any) -> None:
        p = commands.add_parser("power", help="Power of a randomized roll-out, by simulation.")
        p.add_argument("--units", type=int, required=True, help="Units randomized to waves.")
        p.add_argument("--waves", type=int, required=True)
        p.add_argument("--months", type=int, required=True, help="Months of data in all.")
        p.add_argument("--pre-months", type=int, default=12)
        p.add_argument("--wave-months", type=int, default=3)
        p.add_argument("--rate", type=float, required=True, help="Events per unit-month.")
        p.add_argument("--unit-cv", type=float, default=0.5)
        p.add_argument("--dispersion", type=float, default=0.3)
        p.add_argument(
            "--effects",
            default="-0.1,-0.2,-0.28,-0.4",
            help="Multiplicative effects, written --effects=-0.1,-0.2 (default %(default)s).",
        )
        p.add_argument("--replications", type=int, default=200)
        p.add_argument("--target", type=float, default=0.8)
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        runners = {
            "staggered": self._staggered,
            "synth": self._synth,
            "its": self._its,
            "disparity": self._disparity,
            "power": self._power,
        }
        try:
            result = runners[subcommand](options)
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

    def _its(self, options: dict[str, Any]) -> dict[str, Any]:
        from steadyhand.analytics.table_runs import run_its

        return run_its(options["series"], time=options["time"], outcome=options["outcome"],
                       intervention=options["intervention"], exposure=options["exposure"],
                       seasonality=options["seasonality"], model=options["model"])  # fmt: skip

    def _disparity(self, options: dict[str, Any]) -> dict[str, Any]:
        from steadyhand.analytics.table_runs import run_disparity

        return run_disparity(options["table"], group=options["group"], events=options["events"],
                             benchmark=options["benchmark"],
                             benchmark_name=options["benchmark_name"],
                             benchmark_kind=options["benchmark_kind"],
                             reference=options["reference"], per=options["per"])  # fmt: skip

    def _power(self, options: dict[str, Any]) -> dict[str, Any]:
        from tqdm import tqdm

        from steadyhand.analytics.power import simulate_power

        try:
            effects = [float(e) for e in options["effects"].split(",") if e.strip()]
        except ValueError:
            raise ValueError(
                f"--effects {options['effects']!r}: give numbers like -0.1,-0.2."
            ) from None
        with tqdm(total=len(effects) * options["replications"], desc="Simulating",
                  unit="study", disable=options["json"], file=self.stderr) as bar:  # fmt: skip
            result = simulate_power(
                units=options["units"], waves=options["waves"], months=options["months"],
                pre_months=options["pre_months"], wave_months=options["wave_months"],
                rate=options["rate"], unit_cv=options["unit_cv"],
                dispersion=options["dispersion"], effects=effects,
                replications=options["replications"], target_power=options["target"],
                seed=options["seed"], progress=lambda done, total: bar.update(done - bar.n),
            )  # fmt: skip
        return {
            "design": result.design,
            "replications": result.replications,
            "target_power": result.target_power,
            "minimum_detectable_effect": result.minimum_detectable_effect,
            "points": [p.__dict__ for p in result.points],
        }

    def _synth(self, options: dict[str, Any]) -> dict[str, Any]:
        from steadyhand.analytics.synth.study import run_synth_study

        return run_synth_study(
            options["study"], placebos=options["placebos"], augmented=options["augmented"]
        )
