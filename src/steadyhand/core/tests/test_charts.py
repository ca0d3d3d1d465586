"""The SVG chart helper: accessible, escaped, proportional, and honest about missing data."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils.safestring import SafeString

from steadyhand.core.charts import (
    Reference,
    Series,
    bar_chart,
    format_number,
    line_chart,
    nice_ceiling,
)

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & "quoted" \'single\''


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _bars(markup: str) -> list[ET.Element]:
    """The data bars: rects with a tooltip (legend swatches and pattern tiles have none)."""
    return [r for r in _parse(markup).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def _hours_chart(**kwargs: object) -> str:
    args: dict[str, object] = {
        "title": "Hours by unit",
        "description": "De-escalation and use-of-force hours per unit.",
        "categories": ["Precinct A", "Precinct B"],
        "series": [
            Series("De-escalation", [Decimal("16"), Decimal("4")]),
            Series("Use of force", [Decimal("8"), Decimal("2")]),
        ],
        "chart_id": "hours",
    }
    args.update(kwargs)
    return bar_chart(**args)  # type: ignore[arg-type]


def test_a_bar_chart_is_an_accessible_image_with_title_and_description() -> None:
    markup = _hours_chart()
    root = _parse(markup)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "hours-title hours-desc"
    assert root.find(f"{SVG}title").text == "Hours by unit"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text.startswith("De-escalation")  # type: ignore[union-attr]
    assert isinstance(markup, SafeString)


def test_no_inline_styles_anywhere() -> None:
    markup = _hours_chart(reference=Reference(5, "Target"))
    markup += line_chart(
        title="t",
        description="d",
        x_labels=["2023", "2024"],
        series=[Series("Ratio", [1, 2])],
        chart_id="ratio",
        reference=Reference(1, "Target"),
    )
    assert "style=" not in markup
    assert "<script" not in markup


def test_bar_heights_are_proportional_to_values() -> None:
    bars = _bars(_hours_chart())
    heights = {r.find(f"{SVG}title").text: float(r.get("height", "0")) for r in bars}  # type: ignore[union-attr]
    assert heights["Precinct A — De-escalation: 16"] == pytest.approx(
        2 * heights["Precinct A — Use of force: 8"]
    )
    assert heights["Precinct A — De-escalation: 16"] == pytest.approx(
        4 * heights["Precinct B — De-escalation: 4"]
    )
    # All bars stand on the same baseline.
    bottoms = {round(float(r.get("y", "0")) + float(r.get("height", "0")), 1) for r in bars}
    assert len(bottoms) == 1


def test_labels_and_names_are_escaped() -> None:
    markup = _hours_chart(
        title=EVIL,
        description=EVIL,
        categories=[EVIL, "B"],
        series=[Series(EVIL, [1, 2])],
        reference=Reference(1, EVIL),
    )
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    assert "&quot;quoted&quot;" in markup
    root = _parse(markup)  # still well-formed XML: nothing broke out of an attribute or tag
    assert root.find(f"{SVG}title").text == EVIL  # type: ignore[union-attr]


def test_line_chart_escapes_labels_too() -> None:
    markup = line_chart(
        title=EVIL,
        description="d",
        x_labels=[EVIL],
        series=[Series(EVIL, [1])],
        chart_id="lines",
    )
    assert "<script>" not in markup
    _parse(markup)


@pytest.mark.parametrize(
    "series",
    [[], [Series("Hours", [])], [Series("Hours", [None, None])]],
    ids=["no-series", "no-values", "only-missing"],
)
def test_empty_data_says_so(series: list[Series]) -> None:
    categories = ["A", "B"] if series and series[0].values else []
    markup = bar_chart(
        title="Nothing", description="d", categories=categories, series=series, chart_id="empty"
    )
    root = _parse(markup)
    assert root.get("role") == "img"
    assert "No data to show." in markup
    assert not _bars(markup)


def test_empty_line_chart_says_so() -> None:
    markup = line_chart(title="t", description="d", x_labels=[], series=[], chart_id="e")
    assert "No data to show." in markup


def test_a_missing_value_is_a_dash_not_a_zero_bar() -> None:
    markup = _hours_chart(series=[Series("Ratio", [Decimal("1.5"), None])], categories=["A", "B"])
    assert len(_bars(markup)) == 1
    assert "B — Ratio: no value" in markup


def test_values_are_printed_so_the_chart_reads_without_colour() -> None:
    markup = _hours_chart()
    texts = [t.text for t in _parse(markup).iter(f"{SVG}text")]
    for shown in ("16", "8", "4", "2"):
        assert shown in texts


def test_series_differ_by_pattern_not_only_colour() -> None:
    markup = _hours_chart()
    assert '<pattern id="hours-s1"' in markup
    assert 'fill="url(#hours-s1)"' in markup


def test_the_reference_line_sits_at_its_value() -> None:
    markup = _hours_chart(reference=Reference(Decimal("10"), "Target"))
    root = _parse(markup)
    ref = root.find(f".//{SVG}g[@class='reference']/{SVG}line")
    assert ref is not None
    bars = {r.find(f"{SVG}title").text: r for r in _bars(markup)}  # type: ignore[union-attr]
    eight = bars["Precinct A — Use of force: 8"]
    baseline = float(eight.get("y", "0")) + float(eight.get("height", "0"))
    height_of_10 = baseline - float(ref.get("y1", "0"))
    assert height_of_10 == pytest.approx(float(eight.get("height", "0")) * 10 / 8, abs=0.05)
    assert "Target (10)" in markup


def test_line_chart_points_and_reference() -> None:
    markup = line_chart(
        title="Ratio by year",
        description="d",
        x_labels=["2022", "2023", "2024"],
        series=[Series("Ratio", [Decimal("0.5"), None, Decimal("2")])],
        chart_id="years",
        reference=Reference(1, "Target"),
    )
    root = _parse(markup)
    # A missing year breaks the line: two single points, no polyline joining them.
    assert not list(root.iter(f"{SVG}polyline"))
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 3  # two points and the legend marker
    assert "2022 — Ratio: 0.5" in markup
    assert "2024 — Ratio: 2" in markup
    # 2 sits four times as high above the baseline as 0.5.
    ref_y = float(root.find(f".//{SVG}g[@class='reference']/{SVG}line").get("y1", "0"))  # type: ignore[union-attr]
    point_ys = sorted(float(c.get("cy", "0")) for c in circles if float(c.get("cy", "0")) > 30)
    baseline = 300 - 56
    assert baseline - point_ys[0] == pytest.approx(4 * (baseline - point_ys[1]), abs=0.05)
    assert baseline - ref_y == pytest.approx(2 * (baseline - point_ys[1]), abs=0.05)


def test_line_chart_joins_consecutive_points() -> None:
    markup = line_chart(
        title="t",
        description="d",
        x_labels=["a", "b", "c"],
        series=[Series("One", [1, 2, 3]), Series("Two", [3, 2, 1])],
        chart_id="two",
    )
    polylines = list(_parse(markup).iter(f"{SVG}polyline"))
    assert len(polylines) == 2
    assert polylines[1].get("stroke-dasharray")  # the second series is dashed


def test_bad_input_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="one value"):
        _hours_chart(series=[Series("Hours", [1])])
    with pytest.raises(ValueError, match="negative"):
        _hours_chart(series=[Series("Hours", [1, -1])])
    with pytest.raises(ValueError, match="chart_id"):
        _hours_chart(chart_id='x" onload="alert(1)')


def test_number_formatting_and_scale() -> None:
    assert format_number(Decimal("16.00")) == "16"
    assert format_number(7.5) == "7.5"
    assert format_number(Decimal("1.257")) == "1.26"
    assert format_number(1234) == "1,234"
    assert nice_ceiling(0) == 1
    assert nice_ceiling(16) == 20
    assert nice_ceiling(20) == 20
    assert nice_ceiling(2.1) == 2.5
    assert nice_ceiling(0.7) == 1


def test_long_labels_are_shortened_but_kept_whole_in_the_tooltip() -> None:
    long = "A very long unit name that cannot fit under its bars"
    markup = _hours_chart(categories=[long, "B"], width=200)
    assert f"<title>{long}</title>" in markup
    assert re.search(r">A very[^<]*…</text>", markup)


def test_the_axis_has_four_round_steps() -> None:
    markup = _hours_chart(series=[Series("Hours", [Decimal("34"), Decimal("17")])])
    labels = [t.text for t in _parse(markup).iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels[:5] == ["0", "10", "20", "30", "40"]
