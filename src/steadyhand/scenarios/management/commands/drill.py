"""``steadyhand drill SCENARIO``: play a scenario in the terminal, then read the debrief.

A thin shell over ``steadyhand.simulator``. Choices are read from stdin (a number from the menu
or an action code; ``?`` shows the menu again, ``q`` stops), or given with ``--script a,b,c``
to replay a run non-interactively. ``--seed`` fixes the persona and the dice: the same seed and
the same choices give the same run. ``--inject TURN:EVENT`` plays a trainer event before a turn.
"""

import json
import secrets
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.simulator import (
    Debrief,
    Run,
    RunOver,
    SceneView,
    TurnResult,
    UnknownAction,
    get_scenario,
    list_scenarios,
    score_run,
    start_run,
)
from steadyhand.vocabulary import CDM_LABELS


class Command(BaseCommand):
    help = "Play a de-escalation scenario in the terminal (list them with --list)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenario", nargs="?", help="Scenario id (see --list).")
        parser.add_argument("--list", action="store_true", help="List the scenarios and exit.")
        parser.add_argument("--seed", type=int, help="Random seed (default: a fresh one).")
        parser.add_argument("--script", help="Comma-separated action codes to play in order.")
        parser.add_argument(
            "--inject",
            action="append",
            default=[],
            metavar="TURN:EVENT",
            help="Trainer event to inject before action number TURN (1-based); repeatable.",
        )
        parser.add_argument("--no-debrief", action="store_true", help="Skip the debrief.")
        parser.add_argument(
            "--k", type=int, default=16, help="Continuations per alternative in the debrief."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the run and debrief as JSON."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"] or not options["scenario"]:
            for s in list_scenarios():
                events = ", ".join(e for e, _ in s.events)
                self.stdout.write(
                    f"{s.id:26} {s.title}\n{'':26} {s.summary}\n{'':26} events: {events}"
                )
            return
        try:
            scenario = get_scenario(options["scenario"])
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from exc
        seed = options["seed"] if options["seed"] is not None else secrets.randbelow(2**31)
        injections = self._injections(options["inject"])
        run = start_run(scenario.id, seed=seed)
        out = self.stdout
        if not options["json"]:
            out.write(f"{scenario.title} (seed {seed})\n\n{scenario.briefing}\n")
        script = (
            [c.strip() for c in options["script"].split(",") if c.strip()]
            if options["script"]
            else None
        )
        try:
            self._play(run, script, injections, sys.stdin, quiet=options["json"])
        except (UnknownAction, RunOver, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        debrief = None if options["no_debrief"] else score_run(run, k=options["k"])
        if options["json"]:
            payload = {
                "run": run.to_dict(),
                "turns": [t.to_dict() for t in run.results],
                "debrief": debrief.to_dict() if debrief else None,
            }
            out.write(json.dumps(payload, indent=2))
        elif debrief is not None:
            self._debrief(debrief)

    def _injections(self, values: list[str]) -> dict[int, list[str]]:
        injections: dict[int, list[str]] = {}
        for value in values:
            turn, _, event = value.partition(":")
            if not turn.isdigit() or not event:
                raise CommandError(f"--inject {value!r}: expected TURN:EVENT, e.g. 3:second_unit")
            injections.setdefault(int(turn), []).append(event)
        return injections

    def _play(
        self,
        run: Run,
        script: list[str] | None,
        injections: dict[int, list[str]],
        stdin: TextIO,
        *,
        quiet: bool,
    ) -> None:
        move = 0
        while not run.terminal:
            move += 1
            for event in injections.get(move, []):
                self._show(run.inject(event), quiet)
            if run.terminal:
                break
            if script is not None:
                if move > len(script):
                    if not quiet:
                        self.stdout.write("(script ended before the encounter did)\n")
                    return
                code: str | None = script[move - 1]
            else:
                code = self._ask(run, stdin)
            if code is None:
                return
            self._show(run.take(code), quiet)
        if run.outcome is not None and not quiet:
            self.stdout.write(f"\n=== {run.outcome.label} ===\n")

    def _ask(self, run: Run, stdin: TextIO) -> str | None:
        options = run.available_actions()
        self._menu(options, run.view())
        while True:
            self.stdout.write("Your move (number or code, ? for the menu, q to stop): ", ending="")
            self.stdout.flush()
            answer = stdin.readline()
            if not answer or answer.strip().lower() in ("q", "quit"):
                return None
            answer = answer.strip()
            if answer == "?":
                self._menu(options, run.view())
            elif answer.isdigit() and 1 <= int(answer) <= len(options):
                return options[int(answer) - 1].code
            elif any(o.code == answer for o in options):
                return answer
            else:
                self.stdout.write(f"'{answer}' is not one of the choices.\n")

    def _menu(self, options: list[Any], view: SceneView) -> None:
        self.stdout.write(_scene(view))
        group = None
        for i, option in enumerate(options, 1):
            if option.group != group:
                group = option.group
                self.stdout.write(f"  -- {group.replace('_', ' ')}")
            self.stdout.write(f"  {i:2}. {option.label} [{option.code}]")

    def _show(self, result: TurnResult | None, quiet: bool) -> None:
        if result is None or quiet:
            return
        who = "Event" if result.kind == "event" else "You"
        self.stdout.write(f"\n> {who}: {result.label}")
        for line in result.narration:
            self.stdout.write(f"  * {line}")
        if result.line:
            self.stdout.write(
                f'  Person: "{result.line}"'
                if not result.line.startswith(("He ", "She ", "Her ", "His "))
                else f"  {result.line}"
            )

    def _debrief(self, debrief: Debrief) -> None:
        out = self.stdout
        out.write("\n=== Debrief ===")
        out.write(debrief.summary)
        scores = ", ".join(f"{k.replace('_', ' ')} {v}/100" for k, v in debrief.scores.items())
        out.write(f"Scores: {scores}\n")
        for step, items in debrief.by_step.items():
            points = [p for p in debrief.decision_points if p.cdm_step == step]
            if not items and not points:
                continue
            out.write(CDM_LABELS[step])
            for item in items:
                mark = {True: "[ok]", False: "[!!]", None: "[--]"}[item.met]
                out.write(f"  {mark} {item.label}: {item.detail}")
            for p in points:
                out.write(
                    f"  [decision] move {p.turn + 1}: {p.chosen_label} -> {p.alternative_label}: "
                    f"P(force) {p.p_force_chosen:.0%} -> {p.p_force_alternative:.0%}, "
                    f"P(resolved) {p.p_resolution_chosen:.0%} -> {p.p_resolution_alternative:.0%}"
                )
        out.write(f"\nDecision points: {debrief.continuation_policy} (k = {debrief.k}).")


def _scene(view: SceneView) -> str:
    speaking = ", ".join(view.speaking) or "nobody"
    parts = [
        f"\n[{view.elapsed_s / 60:.1f} min] distance {view.distance_m:.1f} m ({view.trigger_hint})",
        f"cover: {'yes' if view.cover else 'no'}",
        f"officers: {view.officers}",
        f"speaking: {speaking}",
        f"person: {view.demeanour}",
        f"weapon: {view.weapon.replace('_', ' ')}",
    ]
    if view.bystanders:
        parts.append(f"bystanders: {view.bystanders}")
    lines = [" | ".join(parts)]
    if view.facts_known:
        lines.append("Known: " + " / ".join(view.facts_known))
    if view.resources_en_route:
        lines.append("On the way: " + ", ".join(view.resources_en_route))
    if view.resources_on_scene:
        lines.append("On scene: " + ", ".join(view.resources_on_scene))
    return "\n".join(lines)
