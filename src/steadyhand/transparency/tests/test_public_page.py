"""The public page, its CSV files and its feed: one set of numbers, small cells hidden."""

import csv
import io
import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.core.testing import SmallAgency
from steadyhand.transparency.release import SPECS, release_warm
from steadyhand.transparency.render import HIDDEN
from steadyhand.transparency.tests.conftest import CLOSED_YEAR

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """Every table of a page by caption: header row, then body/foot rows, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows, self._text = [], []
        elif tag == "caption":
            self._in_caption, self._text = True, []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
            self._caption = "".join(self._text).strip()
        elif tag in ("td", "th") and self._cell is not None and self._rows is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table" and self._rows is not None and self._caption is not None:
            self.tables[self._caption] = self._rows
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._text.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def _page(client: Client, slug: str, year: int = CLOSED_YEAR) -> str:
    response = client.get(reverse("transparency:page", args=[slug]), {"year": year})
    assert response.status_code == 200
    return response.content.decode()


def _page_tables(html: str, year: int = CLOSED_YEAR) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return {
        spec.key: parser.tables[f"{spec.title}, {year}, by month"]
        for spec in SPECS
        if f"{spec.title}, {year}, by month" in parser.tables
    }


def _number(text: str) -> int | None:
    return None if text == HIDDEN else int(text.replace(",", ""))


def test_anonymous_visitor_sees_numbers_with_small_cells_hidden(
    client: Client, planted: SmallAgency
) -> None:
    html = _page(client, planted.agency.slug)
    tables = _page_tables(html)
    assert set(tables) == {spec.key for spec in SPECS}
    hidden = shown = 0
    for rows in tables.values():
        for row in rows[1:]:
            for text in row[1:]:
                value = _number(text)
                if value is None:
                    hidden += 1
                else:
                    shown += 1
                    assert value == 0 or value >= 10, text
    assert hidden > 50
    assert shown > 50
    # The forms the public can use, and no login form.
    assert reverse("complaints:public_form", args=[planted.agency.slug]) in html
    assert reverse("recognition:public_form", args=[planted.agency.slug]) in html
    assert 'name="password"' not in html


def test_csv_and_json_hold_the_page_numbers(client: Client, planted: SmallAgency) -> None:
    slug = planted.agency.slug
    tables = _page_tables(_page(client, slug))
    feed = client.get(reverse("transparency:feed", args=[slug]), {"year": CLOSED_YEAR}).json()
    assert feed["year"] == CLOSED_YEAR
    assert feed["year_complete"] is True
    assert feed["suppression"]["threshold"] == 10
    by_key = {t["key"]: t for t in feed["tables"]}
    for key, rows in tables.items():
        body = client.get(feed_csv := by_key[key]["csv"]).content.decode()
        assert feed_csv.endswith(f"?year={CLOSED_YEAR}")
        csv_rows = list(csv.reader(io.StringIO(body)))
        # Header labels agree; then every number, month by month and the year row.
        assert [h.lower() for h in csv_rows[0][1:]] == [h.lower() for h in rows[0][1:]]
        assert [r[1:] for r in csv_rows[1:]] == [r[1:] for r in rows[1:]]
        table = by_key[key]
        from_json = [[*row["cells"], row["total"]] for row in table["rows"]] + [
            [*table["column_totals"], table["grand_total"]]
        ]
        assert from_json == [[_number(t) for t in r[1:]] for r in rows[1:]]
    dictionary = client.get(reverse("transparency:dictionary", args=[slug]))
    assert dictionary.status_code == 200
    assert "force_by_level.csv" in dictionary.content.decode()


def test_running_year_shows_finished_months_without_year_totals(
    client: Client, planted: SmallAgency
) -> None:
    feed = client.get(reverse("transparency:feed", args=[planted.agency.slug])).json()
    assert feed["year"] == 2026  # the newest year with a finished month (today is 15 June)
    assert feed["months"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert all(t["column_totals"] is None for t in feed["tables"])


def test_each_agency_shows_only_its_own_numbers(
    client: Client, planted: SmallAgency, planted_other: SmallAgency
) -> None:
    mine = client.get(
        reverse("transparency:feed", args=[planted.agency.slug]), {"year": CLOSED_YEAR}
    ).json()
    theirs = client.get(
        reverse("transparency:feed", args=[planted_other.agency.slug]), {"year": CLOSED_YEAR}
    ).json()
    districts = {
        c["label"]
        for t in mine["tables"]
        if t["key"] == "incidents_by_district"
        for c in t["columns"]
    }
    assert districts == {"North", "South", "East", "Not recorded"}
    other_districts = {
        c["label"]
        for t in theirs["tables"]
        if t["key"] == "incidents_by_district"
        for c in t["columns"]
    }
    assert other_districts == {"Harbour", "Hills"}
    assert mine["agency"]["slug"] == planted.agency.slug
    html = _page(client, planted_other.agency.slug)
    assert "Harbour" in html
    assert "North" not in html


@pytest.mark.parametrize(
    "name", ["transparency:page", "transparency:feed", "transparency:dictionary"]
)
def test_unknown_agency_is_not_found(client: Client, db: None, name: str) -> None:
    assert client.get(reverse(name, args=["no-such-agency"])).status_code == 404


def test_unknown_table_is_not_found(client: Client, planted: SmallAgency) -> None:
    url = reverse("transparency:table_csv", args=[planted.agency.slug, "no_such_table"])
    assert client.get(url).status_code == 404


def test_agency_without_statistics_gets_a_page_saying_so(
    client: Client, small_agency: SmallAgency
) -> None:
    html = _page(client, small_agency.agency.slug, year=2026)
    assert "No statistics yet" in html
    feed: dict[str, Any] = json.loads(
        client.get(reverse("transparency:feed", args=[small_agency.agency.slug])).content
    )
    assert feed["tables"] == []


def _all_values(client: Client, slug: str) -> list[int | None]:
    tables = _page_tables(_page(client, slug))
    return [_number(t) for rows in tables.values() for row in rows[1:] for t in row[1:]]


def test_the_agency_threshold_applies(client: Client, planted: SmallAgency) -> None:
    assert any(v is not None and 10 <= v < 20 for v in _all_values(client, planted.agency.slug))
    planted.agency.suppression_threshold = 20
    planted.agency.save(update_fields=["suppression_threshold"])
    values = _all_values(client, planted.agency.slug)
    assert all(v is None or v == 0 or v >= 20 for v in values)


def test_warming_fills_the_cache_the_page_reads(
    client: Client, planted: SmallAgency, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steadyhand.transparency import release as release_module

    release_warm(agency=planted.agency)

    def refuse(**kwargs: object) -> None:
        raise AssertionError("The page rebuilt a release that was warmed.")

    monkeypatch.setattr(release_module, "build_release", refuse)
    assert client.get(reverse("transparency:page", args=[planted.agency.slug])).status_code == 200
    _page(client, planted.agency.slug, year=CLOSED_YEAR)
