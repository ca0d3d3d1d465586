"""The suppression attack over what a member of the public can really download.

The attacker fetches the JSON feed (whose numbers the page and CSV tests show to be the page's),
for a closed year at two thresholds and for the running year at every month it was published,
and bounds every hidden number by linear programming over all of it together.
"""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.analytics.tests.suppression_attack import PublishedTable, attack, from_feed
from steadyhand.analytics.tests.test_suppression_attack import _primary_only
from steadyhand.core.testing import SmallAgency
from steadyhand.transparency import release as release_module
from steadyhand.transparency.release import SPECS, _count_table, release_months
from steadyhand.transparency.tests.conftest import CLOSED_YEAR

pytestmark = pytest.mark.django_db


def _feed(client: Client, agency: SmallAgency, year: int) -> dict[str, Any]:
    response = client.get(reverse("transparency:feed", args=[agency.agency.slug]), {"year": year})
    assert response.status_code == 200
    return response.json()


def _hidden(feed: dict[str, Any]) -> int:
    n = 0
    for t in feed["tables"]:
        n += sum(v is None for row in t["rows"] for v in [*row["cells"], row["total"]])
        if t["column_totals"] is not None:
            n += sum(v is None for v in [*t["column_totals"], t["grand_total"]])
    return n


def test_the_published_year_cannot_be_attacked(client: Client, planted: SmallAgency) -> None:
    feed = _feed(client, planted, CLOSED_YEAR)
    assert _hidden(feed) > 50  # the test attacks something
    result = attack(from_feed(feed))
    assert result.pinned == []
    assert len(result.intervals) == _hidden(feed)


def test_primary_suppression_alone_is_broken_on_the_same_data(planted: SmallAgency) -> None:
    months, _ = release_months(CLOSED_YEAR, date(2026, 6, 15))
    margins: dict[str, list[int]] = {}
    published: list[PublishedTable] = []
    for spec in SPECS:
        table, _ = _count_table(spec, planted.agency, months, margins)
        published.append(_primary_only(table, threshold=10, column_totals=True))
    # Tables sharing month totals would publish them twice; the attacker joins them by name.
    assert attack(published).pinned != []


def test_every_release_of_a_year_together_cannot_be_attacked(
    client: Client, planted: SmallAgency, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads: list[PublishedTable] = []
    hidden_at_10 = 0
    for threshold in (10, 14):
        planted.agency.suppression_threshold = threshold
        planted.agency.save(update_fields=["suppression_threshold"])
        # The running year as published on the 15th of each month, then once it had ended.
        for month in range(2, 8):
            today = date(2026, month, 15)
            monkeypatch.setattr(release_module, "agency_today", lambda agency, t=today: t)
            downloads += from_feed(_feed(client, planted, 2026))
        monkeypatch.setattr(release_module, "agency_today", lambda agency: date(2027, 1, 15))
        closed = _feed(client, planted, 2026)
        assert closed["year_complete"] is True
        hidden_at_10 += _hidden(closed) if threshold == 10 else 0
        downloads += from_feed(closed)
    assert hidden_at_10 > 50
    assert attack(downloads).pinned == []
