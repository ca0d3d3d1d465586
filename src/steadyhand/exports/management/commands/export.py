"""``steadyhand export open-data|nuofdc --agency SLUG --out DIR``.

For administrators and analysts scripting releases. Rows stream from the database to the files
(``iterator()``), so an agency of any size exports in flat memory. The export runs as the system
actor of the agency holding the analyst role, and is logged in the agency's audit chain like a
download from the pages.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency
from steadyhand.exports import nuofdc, open_data, services
from steadyhand.exports.common import exportable
from steadyhand.exports.models import DatePrecision


class Command(BaseCommand):
    help = "Export an agency's de-identified open data, or its FBI use-of-force segments."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="{open-data,nuofdc}")
        commands.required = True
        for name, text in (
            ("open-data", "De-identified incident CSV, data dictionary (CSV and Markdown)."),
            ("nuofdc", "Qualifying incidents: incident, subject and officer CSV segments."),
        ):
            sub = commands.add_parser(name, help=text, description=text)
            sub.add_argument("--agency", metavar="SLUG", required=True)
            sub.add_argument("--out", metavar="DIR", required=True, type=Path)
            sub.add_argument("--quiet", action="store_true", help="No progress bar.")
        commands.choices["open-data"].add_argument(
            "--precision",
            choices=DatePrecision.values,
            help="Override the agency's date precision for this export.",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            known = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"No agency with slug {options['agency']!r}. Known agencies: {known or 'none'}."
            )
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        actor = Actor.system(agency_id=agency.pk, label="cli:export", roles=(Role.ANALYST,))
        if subcommand == "open-data":
            self._open_data(agency, actor, out, options)
        else:
            self._nuofdc(agency, actor, out)

    def _open_data(self, agency: Agency, actor: Actor, out: Path, options: dict[str, Any]) -> None:
        chosen = services.export_begin(
            actor=actor,
            export="open_data",
            detail={"format": "csv", "precision": options.get("precision") or ""},
        )
        precision = options.get("precision") or chosen.date_precision
        target = out / "open-data.csv"
        total = exportable(agency_id=agency.pk).count()
        rows = open_data.rows(agency=agency, precision=precision)
        count = -1  # the header is not a record
        with target.open("w", encoding="utf-8", newline="") as fh:
            for line in tqdm(
                open_data.csv_lines(rows),
                total=total + 1,
                unit="row",
                # Hidden when stderr is not a terminal (cron, pipes), as for the imports.
                disable=True if options["quiet"] else None,
                file=sys.stderr,
                desc="Exporting",
                leave=False,
            ):
                fh.write(line)
                count += 1
        (out / "data-dictionary.csv").write_text(
            open_data.to_text(open_data.dictionary_rows(precision)), encoding="utf-8"
        )
        (out / "data-dictionary.md").write_text(
            open_data.dictionary_markdown(agency=agency, precision=precision), encoding="utf-8"
        )
        self.stdout.write(
            f"{agency.slug}: {count} incidents, dates by {precision}, written to {target} "
            "with data-dictionary.csv and data-dictionary.md."
        )

    def _nuofdc(self, agency: Agency, actor: Actor, out: Path) -> None:
        chosen = services.export_begin(actor=actor, export="nuofdc", detail={"format": "csv"})
        if not chosen.ori:
            self.stderr.write(
                "Warning: the agency has no ORI in its export settings; the 'ori' column is empty."
            )
        paths = {s.name: out / nuofdc.file_name(s.name) for s in nuofdc.SEGMENTS}
        handles = {n: p.open("w", encoding="utf-8", newline="") for n, p in paths.items()}
        try:
            counts = nuofdc.write_segments(agency=agency, ori=chosen.ori, sinks=handles)
        finally:
            for fh in handles.values():
                fh.close()
        self.stdout.write(
            f"{agency.slug}: {counts['incident']} qualifying incidents, {counts['subject']} "
            f"subjects, {counts['officer']} officers, written to {out}."
        )
