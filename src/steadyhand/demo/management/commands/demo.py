"""``steadyhand demo``: create (or reuse) the demo agency and print its logins."""

import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from steadyhand.agencies.models import Agency
from steadyhand.demo.generator import DemoError, build_demo_agency, demo_logins, format_logins
from steadyhand.demo.incident_history import planned_incident_steps
from steadyhand.demo.plan import DEFAULT_SLUG, MAX_OFFICERS, MIN_OFFICERS, plan_demo_agency
from steadyhand.demo.training_history import default_as_of, planned_steps

DEFAULT_URL = "http://127.0.0.1:8000/"


def ensure_demo_agency(
    command: BaseCommand,
    *,
    seed: int,
    officers: int,
    slug: str,
    force_new: bool = False,
    show_progress: bool = True,
    history_as_of: date | None = None,
    roster_only: bool = False,
) -> Agency:
    """Return the demo agency ``slug``, creating it from ``seed`` if it does not exist yet,
    with its training history up to ``history_as_of`` (default: this month's first day) unless
    ``roster_only``."""
    existing = Agency.objects.filter(slug=slug).first()
    if existing is not None:
        if force_new:
            raise CommandError(
                f"An agency with the slug “{slug}” already exists, and --force-new asks for a new "
                "one. Use another --slug, or leave out --force-new to reuse the existing agency."
            )
        if not existing.is_demo:
            raise CommandError(
                f"The agency “{existing.name}” ({slug}) is a real agency, not a demo; demo data is "
                "never added to it. Pick another --slug."
            )
        command.stdout.write(
            f"Reusing the existing demo agency “{existing.name}” ({slug}); nothing was created."
        )
        return existing

    try:
        plan = plan_demo_agency(seed=seed, officers=officers)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    started = time.perf_counter()
    as_of = None if roster_only else history_as_of or default_as_of()
    # tqdm writes carriage returns; Django's OutputWrapper would add a newline to each of them.
    bar_options: dict[str, Any] = {"file": sys.stderr, "disable": not show_progress, "leave": False}
    with ExitStack() as bars:
        members_bar = bars.enter_context(
            tqdm(total=len(plan.members), desc="Creating members", unit="member", **bar_options)
        )

        phase: list[tqdm[Any]] = [members_bar]

        def history_bar(agency: Agency) -> Callable[[int], object]:
            phase[-1].close()
            phase.append(bars.enter_context(
                tqdm(total=planned_steps(agency), desc="Training history", unit="step",
                     **bar_options)
            ))  # fmt: skip
            return phase[-1].update

        def incidents_bar(agency: Agency) -> Callable[[int], object]:
            phase[-1].close()
            phase.append(bars.enter_context(
                tqdm(total=planned_incident_steps(as_of or default_as_of()), desc="Incidents",
                     unit="month",
                     **bar_options)
            ))  # fmt: skip
            return phase[-1].update

        try:
            result = build_demo_agency(
                plan=plan, slug=slug, progress=members_bar.update, history_as_of=as_of,
                history_progress=history_bar, incidents_progress=incidents_bar,
            )  # fmt: skip
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
    history = (
        "no history (roster only)"
        if as_of is None
        else f"training history and two years of incidents up to {as_of:%Y-%m-%d}"
    )
    command.stdout.write(
        f"Created the demo agency “{result.agency.name}” ({slug}) from seed {seed}: "
        f"{result.members} members in {result.units} units and {result.users} demo logins, "
        f"with {history}, in {time.perf_counter() - started:.1f} s."
    )
    return result.agency


def print_logins(command: BaseCommand, *, agency: Agency, url: str) -> None:
    text = format_logins(
        agency=agency,
        logins=demo_logins(agency=agency),
        url=url,
        demo_mode=bool(getattr(settings, "DEMO_MODE", False)),
    )
    command.stdout.write(text)


class Command(BaseCommand):
    help = (
        "Create the demo agency, “Demo City Police Department”: a unit tree, a roster with a "
        "chain of command, and one demo login per role. The same --seed always gives the same "
        "agency. If the agency exists already, it is reused and only the logins are printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--officers",
            type=int,
            default=400,
            help=f"Line officers and detectives, {MIN_OFFICERS} to {MAX_OFFICERS} (default 400); "
            "supervisors, recruits and civilians come on top.",
        )
        parser.add_argument(
            "--slug",
            default=DEFAULT_SLUG,
            help=f"The agency's slug (default “{DEFAULT_SLUG}”). Logins of another slug are "
            "named <slug>-officer, <slug>-sergeant …",
        )
        parser.add_argument(
            "--force-new",
            action="store_true",
            help="Insist on a new agency: fail if the slug exists instead of reusing it.",
        )
        parser.add_argument(
            "--url", default=DEFAULT_URL, help=f"The address to print (default {DEFAULT_URL})."
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="The demo's 'today' for its training history and its two years of incidents, "
            "YYYY-MM-DD (default: the first day of this month). Same seed and date, same history.",
        )
        parser.add_argument(
            "--roster-only",
            action="store_true",
            help="Only units, members and logins: no training history, incidents or reviews "
            "(seconds instead of minutes).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["roster_only"] and options["as_of"]:
            raise CommandError("--as-of dates the history, and --roster-only leaves it out.")
        agency = ensure_demo_agency(
            self,
            seed=options["seed"],
            officers=options["officers"],
            slug=options["slug"],
            force_new=options["force_new"],
            show_progress=options["verbosity"] > 0,
            history_as_of=options["as_of"],
            roster_only=options["roster_only"],
        )
        print_logins(self, agency=agency, url=options["url"])
