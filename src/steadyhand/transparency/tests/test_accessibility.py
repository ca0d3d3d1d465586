"""Structural accessibility checks of the public page (the WCAG checks a test can run).

Every table has a caption and every header cell a scope; every image and chart has a text
alternative; the page declares its language; headings never skip a level; every form control
has a label; nothing needs JavaScript for the numbers (no script tags at all on this page).
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.core.testing import SmallAgency
from steadyhand.transparency.tests.conftest import CLOSED_YEAR

pytestmark = pytest.mark.django_db


class Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.lang: str | None = None
        self.headings: list[int] = []
        self.tables = 0
        self._table_has_caption: list[bool] = []
        self.ids: set[str] = set()
        self.labels_for: set[str] = set()
        self.controls: list[str] = []
        self.svg_labels: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "html":
            self.lang = a.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "table":
            self.tables += 1
            self._table_has_caption.append(False)
        elif tag == "caption" and self._table_has_caption:
            self._table_has_caption[-1] = True
        elif tag == "th" and a.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
            self.problems.append(f"<th> without scope: {attrs}")
        elif tag == "img" and not a.get("alt"):
            self.problems.append(f"<img> without alt: {attrs}")
        elif tag == "svg":
            if a.get("role") != "img" or not a.get("aria-labelledby"):
                self.problems.append("<svg> without role=img and aria-labelledby")
            else:
                self.svg_labels += str(a["aria-labelledby"]).split()
        elif tag == "label" and a.get("for"):
            self.labels_for.add(str(a["for"]))
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(str(a.get("id") or ""))
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._table_has_caption and not self._table_has_caption.pop():
            self.problems.append("<table> without <caption>")


@pytest.mark.parametrize("year", [CLOSED_YEAR, 2026])
def test_public_page_structure(client: Client, planted: SmallAgency, year: int) -> None:
    html = client.get(
        reverse("transparency:page", args=[planted.agency.slug]), {"year": year}
    ).content.decode()
    audit = Audit()
    audit.feed(html)
    assert audit.problems == []
    assert audit.lang == "en"
    assert audit.tables >= 10
    assert audit.headings[0] == 1
    assert audit.headings.count(1) == 1
    for before, after in zip(audit.headings, audit.headings[1:], strict=False):
        assert after <= before + 1, f"heading h{before} followed by h{after}"
    # Every chart's title and description exist; every control has a label.
    assert audit.svg_labels
    assert set(audit.svg_labels) <= audit.ids
    assert audit.controls
    assert all(c and c in audit.labels_for for c in audit.controls)
    assert audit.scripts == 0
    # Scrollable table regions can be reached with the keyboard.
    assert html.count('role="region"') == html.count('tabindex="0"')


def test_the_audit_notices_problems() -> None:
    audit = Audit()
    audit.feed('<html><table><tr><th>x</th></tr></table><img src="a.png"><svg></svg></html>')
    assert len(audit.problems) == 4


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_and_chart_colours_meet_aa_contrast() -> None:
    from django.contrib.staticfiles import finders

    from steadyhand.core import charts

    path = finders.find("steadyhand/site.css")
    assert path
    with open(path, encoding="utf-8") as f:
        css = f.read()
    colours = dict(re.findall(r"--(\w+):\s*(#[0-9a-fA-F]{6})", css))
    header_background = "#f3f5f7"
    for name in ("ink", "muted", "accent"):
        assert contrast(colours[name], "#ffffff") >= 4.5, name
        assert contrast(colours[name], header_background) >= 4.5, name
    # Chart lines and bars are graphics: 3:1 against white (WCAG 1.4.11); text is ink.
    for colour in charts.COLOURS:
        assert contrast(colour, "#ffffff") >= 3
    assert contrast(charts.INK, "#ffffff") >= 4.5
    assert contrast("#777777", "#ffffff") < 4.5  # the check can fail
