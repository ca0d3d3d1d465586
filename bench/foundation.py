"""Foundation benchmarks: chain-of-command scoping and the audit log.

1. Members visible to a precinct commander: our one indexed ``path LIKE`` query against the
   baseline a naive implementation uses — walking the unit tree in Python, one query per unit.
2. Appending audited writes: ``audit_record`` (locks the chain head, hashes, inserts) against a
   plain ``INSERT`` of the same row with no chain.
3. Verifying the chain: ``verify_chain`` against reading the same rows without hashing.

Runs on SQLite by default, on PostgreSQL when ``DATABASE_URL`` is set
(``scripts/with-postgres.sh .venv/bin/python -m bench foundation``).
"""

import random
from datetime import UTC, date, datetime

from bench.harness import measure, report, test_database

UNITS_PER_LEVEL = (4, 5, 8)  # bureaus, precincts per bureau, squads per precinct
MEMBERS = 10_000
AUDIT_EVENTS = 2_000


def _build_agency():  # type: ignore[no-untyped-def]
    from steadyhand.access.actor import Actor
    from steadyhand.access.roles import Role
    from steadyhand.agencies.models import Member, Unit, UnitKind
    from steadyhand.agencies.services import agency_create, unit_create

    agency = agency_create(
        actor=Actor.system(agency_id=0, label="bench", roles=()), name="Bench PD", slug="bench"
    )
    system = Actor.system(agency_id=agency.pk, label="bench", roles=(Role.AGENCY_ADMIN,))
    squads: list[Unit] = []
    precincts: list[Unit] = []
    for b in range(UNITS_PER_LEVEL[0]):
        bureau = unit_create(
            actor=system, parent=agency.root_unit, name=f"B{b}", code=f"B{b}", kind=UnitKind.BUREAU
        )
        for p in range(UNITS_PER_LEVEL[1]):
            precinct = unit_create(
                actor=system,
                parent=bureau,
                name=f"P{b}.{p}",
                code=f"P{b}.{p}",
                kind=UnitKind.PRECINCT,
            )
            precincts.append(precinct)
            for s in range(UNITS_PER_LEVEL[2]):
                squads.append(
                    unit_create(
                        actor=system,
                        parent=precinct,
                        name=f"S{b}.{p}.{s}",
                        code=f"S{b}.{p}.{s}",
                        kind=UnitKind.SQUAD,
                    )
                )
    rng = random.Random(1)
    # Bulk rows are fine here: the benchmark measures reads, not the member service.
    Member.objects.bulk_create(
        Member(
            agency=agency,
            badge=str(10000 + i),
            first_name="F",
            last_name=f"L{i}",
            unit=rng.choice(squads),
            hire_date=date(2010, 1, 1),
        )
        for i in range(MEMBERS)
    )
    return agency, system, precincts


def _walk_subtree_ids(unit_id: int) -> list[int]:
    from steadyhand.agencies.models import Member, Unit

    ids: list[int] = []
    stack = [unit_id]
    while stack:
        current = stack.pop()
        ids.extend(Member.objects.filter(unit_id=current).values_list("pk", flat=True))
        stack.extend(Unit.objects.filter(parent_id=current).values_list("pk", flat=True))
    return ids


def main() -> None:
    with test_database():
        from django.db import connection, transaction

        from steadyhand.agencies.models import Member
        from steadyhand.audit.models import AuditEvent
        from steadyhand.audit.services import audit_record
        from steadyhand.audit.verify import verify_chain

        print(
            f"Foundation benchmarks on {connection.vendor}: {MEMBERS} members, "
            f"{UNITS_PER_LEVEL} units per level"
        )
        agency, system, precincts = _build_agency()
        precinct = precincts[len(precincts) // 2]

        def ours() -> list[int]:
            return list(
                Member.objects.filter(unit__path__startswith=precinct.path).values_list(
                    "pk", flat=True
                )
            )

        assert sorted(ours()) == sorted(_walk_subtree_ids(precinct.pk))
        report(
            "Members in a precinct's subtree",
            measure("indexed path-prefix query (ours)", ours, repeat=20),
            measure(
                "tree walk, a query per unit (baseline)",
                lambda: _walk_subtree_ids(precinct.pk),
                repeat=20,
            ),
        )

        member = Member.objects.first()

        def audited_writes() -> None:
            for i in range(AUDIT_EVENTS):
                with transaction.atomic():
                    audit_record(
                        actor=system, action="bench.write", obj=member, changes={"n": [i, i + 1]}
                    )

        def plain_inserts() -> None:
            for i in range(AUDIT_EVENTS):
                with transaction.atomic():
                    AuditEvent.objects.bulk_create(
                        [
                            AuditEvent(
                                agency=agency,
                                seq=10**9 + i + plain_inserts.offset,
                                occurred_at=datetime.now(UTC),
                                kind="write",
                                actor_label="bench",
                                action="bench.plain",
                                changes={"n": [i, i + 1]},
                                prev_hash="",
                                hash="",
                            )
                        ]
                    )
            plain_inserts.offset += AUDIT_EVENTS

        plain_inserts.offset = 0  # type: ignore[attr-defined]
        report(
            f"{AUDIT_EVENTS} writes, one transaction each",
            measure("audit_record: lock head, hash, insert (ours)", audited_writes, repeat=1),
            measure("plain insert, no chain (baseline)", plain_inserts, repeat=1),
            note="(<1 means the chain costs that fraction of plain insert speed)",
        )

        # The plain rows would break the chain; verify only what audit_record wrote.
        real = AuditEvent.objects.filter(agency=agency).exclude(action="bench.plain")
        n_events = real.count()

        def read_only() -> int:
            return sum(1 for _ in real.order_by("seq").iterator(chunk_size=2000))

        def verify() -> None:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_auditevent WHERE action = 'bench.plain'")
            report_ = verify_chain(agency.pk)
            assert report_.ok, report_.first_break

        verify()
        report(
            f"Verifying a chain of {n_events} events",
            measure("verify_chain: re-hash every event (ours)", verify, repeat=3),
            measure("read the same rows, no hashing (baseline)", read_only, repeat=3),
        )
