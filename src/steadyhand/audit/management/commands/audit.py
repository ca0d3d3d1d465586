"""``steadyhand audit verify [--agency SLUG]`` and ``steadyhand audit show --agency SLUG``.

For platform operators on the server. ``verify`` exits with status 1 when any chain is broken,
so it can run from cron or a monitoring check.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steadyhand.agencies.models import Agency
from steadyhand.audit.models import AuditEvent
from steadyhand.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verify an agency's audit hash chain, or show its latest events."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="{verify,show}")
        commands.required = True
        verify = commands.add_parser(
            "verify",
            help="Walk each agency's chain (or one) and report the first break.",
            description="Exit status 1 if any chain is broken.",
        )
        verify.add_argument("--agency", metavar="SLUG", help="Only this agency (default: all).")
        verify.add_argument(
            "--anchor",
            metavar="SEQ:HASH",
            action="append",
            default=[],
            help="A head printed by an earlier run and kept outside the database; the event must "
            "still carry that hash (with --agency). Repeatable.",
        )
        show = commands.add_parser("show", help="Print an agency's most recent events.")
        show.add_argument("--agency", metavar="SLUG", required=True)
        show.add_argument(
            "--last", type=int, default=20, metavar="N", help="How many events (default: 20)."
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "verify":
            self._verify(options.get("agency"), self._anchors(options["anchor"], options))
        else:
            self._show(options["agency"], options["last"])

    def _agency(self, slug: str) -> Agency:
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            known = ", ".join(Agency.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No agency with slug {slug!r}. Known agencies: {known or 'none'}.")
        return agency

    def _anchors(self, raw: list[str], options: dict[str, Any]) -> dict[int, str]:
        if raw and not options.get("agency"):
            raise CommandError("--anchor needs --agency: anchors belong to one agency's chain.")
        anchors: dict[int, str] = {}
        for item in raw:
            seq, _, digest = item.partition(":")
            if not seq.isdigit() or len(digest) != 64:
                raise CommandError(
                    f"--anchor {item!r} is not SEQ:HASH (a number, a colon, 64 hex digits)."
                )
            anchors[int(seq)] = digest.lower()
        return anchors

    def _verify(self, slug: str | None, anchors: dict[int, str]) -> None:
        agencies = [self._agency(slug)] if slug else list(Agency.objects.order_by("slug"))
        if not agencies:
            self.stdout.write("No agencies; nothing to verify.")
            return
        broken = []
        for agency in agencies:
            report = verify_chain(agency.pk, anchors=anchors)
            brk = report.first_break
            if brk is None:
                self.stdout.write(
                    f"{agency.slug}: "
                    + self.style.SUCCESS(f"OK: {report.events_checked} events")
                    + f" (head {report.head_seq}:{report.head_hash})"
                )
                continue
            broken.append(agency.slug)
            self.stdout.write(
                f"{agency.slug}: "
                + self.style.ERROR(
                    f"BROKEN at seq {brk.seq} (event id {brk.event_id or 'missing'}): "
                    f"{brk.problem}. {report.events_checked} events verified before it."
                )
            )
        if broken:
            raise CommandError(
                f"The audit chain is broken for: {', '.join(broken)}. Keep this output and "
                "report it; the log cannot be repaired in place.",
                returncode=1,
            )

    def _show(self, slug: str, last: int) -> None:
        if last < 1:
            raise CommandError(f"--last must be at least 1; got {last}.")
        agency = self._agency(slug)
        events = list(AuditEvent.objects.filter(agency=agency).order_by("-seq")[:last])
        if not events:
            self.stdout.write(f"{agency.slug}: no events.")
            return
        for event in reversed(events):
            what = f" {event.object_type}:{event.object_id} {event.object_repr!r}"
            line = (
                f"#{event.seq} {event.occurred_at:%Y-%m-%d %H:%M:%S}Z {event.kind} "
                f"{event.actor_label} {event.action}{what if event.object_type else ''}"
            )
            self.stdout.write(line)
            if event.changes:
                self.stdout.write(f"    changes: {json.dumps(event.changes, sort_keys=True)}")
            if event.reason:
                self.stdout.write(f"    reason: {event.reason}")
