"""One pair of demo agencies per module instead of one per test.

Building a demo agency with two years of history takes most of a minute on PostgreSQL, and a
dozen tests only read it. The pair is built once per module inside a transaction that is rolled
back when the module ends — what Django's ``TestCase.setUpTestData`` does for a class — and each
test still runs in its own savepoint, so nothing a test writes reaches the next one.
"""

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection, transaction

from steadyhand.agencies.models import Agency
from steadyhand.demo.generator import build_demo_agency
from steadyhand.demo.plan import plan_demo_agency

AS_OF = date(2026, 6, 1)
SEED = 5


def build(seed: int, slug: str) -> Agency:
    plan = plan_demo_agency(seed=seed, officers=60)
    return build_demo_agency(plan=plan, slug=slug, history_as_of=AS_OF).agency


@pytest.fixture(scope="module")
def demo_pair(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[tuple[Agency, Agency]]:
    """Two agencies built from the same seed and date, in different slugs."""
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        pair = build(SEED, "demo-a"), build(SEED, "demo-b")
        if connection.vendor == "postgresql":
            # The rows are not committed, so autovacuum never analyses them: without this the
            # planner takes the tables for empty and joins them by nested scans (minutes).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        yield pair
        transaction.set_rollback(True)


@pytest.fixture
def demo_a(demo_pair: tuple[Agency, Agency]) -> Agency:
    return demo_pair[0]
