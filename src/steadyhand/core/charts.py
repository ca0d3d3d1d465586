"""Server-rendered SVG charts: pure functions from labels and numbers to escaped SVG markup.

Every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``. Series
differ by fill pattern (bars) or by dash and marker shape (lines) as well as by colour, and
values are printed next to bars and points, so a chart reads in greyscale and without colour
vision. Pages still show the data table behind each chart: the chart is never the only place a
number appears.

The Content-Security-Policy forbids inline ``style=`` attributes, so only SVG presentation
attributes (``fill``, ``stroke``, ``font-size`` …) are used. Every piece of text that reaches
the markup goes through ``escape`` first; the result is marked safe only at the very end.
"""

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal

# Colour-blind-safe hues (blue, orange, purple, green); the patterns carry the distinction too.
COLOURS = ("#0b5cad", "#b35900", "#6a3d9a", "#1b6e3a")
INK = "#1b1f24"
GRID = "#c9d1d9"
REFERENCE_COLOUR = "#a4161a"
DASHES = ("", "7 4", "2 3", "9 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")
FONT = "system-ui, sans-serif"

_CHART_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Series:
    """One named series; ``None`` marks a missing value (drawn as "—", never as zero)."""

    name: str
    values: Sequence[Number | None]


@dataclass(frozen=True)
class Reference:
    """A horizontal reference line, e.g. a target, drawn dashed and labelled."""

    value: Number
    label: str


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    left: int = 56
    right: int = 16
    top: int = 40
    bottom: int = 56

    @property
    def plot_width(self) -> float:
        return float(self.width - self.left - self.right)

    @property
    def plot_height(self) -> float:
        return float(self.height - self.top - self.bottom)

    @property
    def baseline(self) -> float:
        return float(self.top) + self.plot_height


def format_number(value: Number) -> str:
    """16 → "16", 7.5 → "7.5", 1.257 → "1.26": at most two decimals, no trailing zeros."""
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _num(value: float) -> str:
    """A coordinate for an attribute: two decimals at most."""
    return format_number(round(value, 2)).replace(",", "")


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value``.

    1 when nothing is positive, so an all-zero chart still has an axis.
    """
    if value <= 0 or not math.isfinite(value):
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value * (1 - 1e-12):
            return float(step * magnitude)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


def _check_id(chart_id: str) -> None:
    if not _CHART_ID.match(chart_id):
        raise ValueError(
            f"chart_id {chart_id!r} must start with a lowercase letter and contain only "
            "lowercase letters, digits and hyphens (it is used in element ids)."
        )


def _open_svg(chart_id: str, frame: _Frame, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="100%" '
        f'font-family="{FONT}" font-size="12" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _no_data(chart_id: str, title: str, description: str, width: int) -> SafeString:
    frame = _Frame(width=width, height=80)
    parts = _open_svg(chart_id, frame, title, description)
    parts.append(f'<text x="{frame.left}" y="44" font-size="14">No data to show.</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above went through escape()


def _patterns(chart_id: str, count: int) -> list[str]:
    """Series fills that differ without colour: solid, diagonal hatch, dots, cross-hatch."""
    defs = ["<defs>"]
    for i in range(count):
        colour = COLOURS[i % len(COLOURS)]
        pid = f"{chart_id}-s{i}"
        kind = i % 4
        if kind == 0:
            continue  # solid fill, no pattern needed
        defs.append(
            f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="6" height="6">'
            f'<rect width="6" height="6" fill="#ffffff"/>'
        )
        if kind == 1:
            defs.append(f'<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="{colour}"/>')
        elif kind == 2:
            defs.append(f'<circle cx="3" cy="3" r="1.6" fill="{colour}"/>')
        else:
            defs.append(f'<path d="M0,0 l6,6 M6,0 l-6,6" stroke="{colour}"/>')
        defs.append("</pattern>")
    defs.append("</defs>")
    return defs


def _fill(chart_id: str, index: int) -> str:
    if index % 4 == 0:
        return COLOURS[index % len(COLOURS)]
    return f"url(#{chart_id}-s{index})"


def _y_axis(frame: _Frame, top_value: float, y_label: str) -> list[str]:
    parts: list[str] = []
    for step in range(5):
        value = top_value * step / 4
        y = frame.baseline - frame.plot_height * step / 4
        parts.append(
            f'<line x1="{frame.left}" y1="{_num(y)}" x2="{frame.width - frame.right}" '
            f'y2="{_num(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{frame.left - 6}" y="{_num(y + 4)}" text-anchor="end">'
            f"{escape(format_number(value))}</text>"
        )
    if y_label:
        parts.append(
            f'<text x="12" y="{_num(frame.top + frame.plot_height / 2)}" text-anchor="middle" '
            f'transform="rotate(-90 12 {_num(frame.top + frame.plot_height / 2)})">'
            f"{escape(y_label)}</text>"
        )
    parts.append(
        f'<line x1="{frame.left}" y1="{_num(frame.baseline)}" x2="{frame.width - frame.right}" '
        f'y2="{_num(frame.baseline)}" stroke="{INK}" stroke-width="1"/>'
    )
    return parts


def _reference(frame: _Frame, top_value: float, reference: Reference) -> list[str]:
    y = frame.baseline - frame.plot_height * float(reference.value) / top_value
    label = f"{reference.label} ({format_number(reference.value)})"
    return [
        f'<g class="reference"><title>{escape(label)}</title>'
        f'<line x1="{frame.left}" y1="{_num(y)}" x2="{frame.width - frame.right}" y2="{_num(y)}" '
        f'stroke="{REFERENCE_COLOUR}" stroke-width="2" stroke-dasharray="8 4"/>'
        f'<text x="{frame.width - frame.right}" y="{_num(y - 4)}" text-anchor="end" '
        f'fill="{REFERENCE_COLOUR}" font-weight="bold">{escape(label)}</text></g>'
    ]


def _fit(label: str, room_px: float) -> str:
    """Shorten a label to the room it has (about 6.5 px a character at 12 px)."""
    limit = max(3, int(room_px / 6.5))
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _legend_swatch(kind: str, index: int, chart_id: str, x: float, y: float) -> str:
    if kind == "bar":
        return (
            f'<rect x="{_num(x)}" y="{_num(y - 10)}" width="14" height="14" '
            f'fill="{_fill(chart_id, index)}" stroke="{INK}" stroke-width="1"/>'
        )
    colour = COLOURS[index % len(COLOURS)]
    dash = DASHES[index % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_num(x - 4)}" y1="{_num(y - 3)}" x2="{_num(x + 18)}" y2="{_num(y - 3)}" '
        f'stroke="{colour}" stroke-width="2"{dash_attr}/>'
        + _marker(MARKERS[index % len(MARKERS)], x + 7, y - 3, colour)
    )


def _legend(
    kind: str, chart_id: str, series: Sequence[Series], reference: Reference | None
) -> list[str]:
    parts = ['<g class="legend">']
    x = 56.0
    for i, s in enumerate(series):
        parts.append(_legend_swatch(kind, i, chart_id, x, 18))
        parts.append(f'<text x="{_num(x + 22)}" y="18">{escape(s.name)}</text>')
        x += 40 + 7 * len(s.name)
    if reference is not None:
        parts.append(
            f'<line x1="{_num(x)}" y1="14" x2="{_num(x + 18)}" y2="14" '
            f'stroke="{REFERENCE_COLOUR}" stroke-width="2" stroke-dasharray="8 4"/>'
            f'<text x="{_num(x + 24)}" y="18">{escape(reference.label)}</text>'
        )
    parts.append("</g>")
    return parts


def _top_value(series: Sequence[Series], reference: Reference | None) -> float:
    """The axis maximum: four round steps (0, 10, 20, 30, 40) that hold every value."""
    values = [float(v) for s in series for v in s.values if v is not None]
    if reference is not None:
        values.append(float(reference.value))
    return 4 * nice_ceiling(max(values, default=0.0) / 4)


def _has_data(series: Sequence[Series]) -> bool:
    return any(v is not None for s in series for v in s.values)


def _check_lengths(labels: Sequence[str], series: Sequence[Series]) -> None:
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(
                f"Series {s.name!r} has {len(s.values)} values for {len(labels)} labels; "
                "give one value (or None) per label."
            )
        if any(v is not None and float(v) < 0 for v in s.values):
            raise ValueError(f"Series {s.name!r} has a negative value; these charts show amounts.")


def bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    chart_id: str,
    y_label: str = "",
    reference: Reference | None = None,
    value_format: Callable[[Number], str] = format_number,
    width: int = 720,
    height: int = 340,
) -> SafeString:
    """A grouped bar chart: one group per category, one bar per series, values on the bars.

    Bars start at zero and their heights are proportional to their values. A missing value
    (``None``) draws no bar and prints "—" instead, so it cannot be mistaken for zero.
    """
    _check_id(chart_id)
    _check_lengths(categories, series)
    if not categories or not series or not _has_data(series):
        return _no_data(chart_id, title, description, width)
    frame = _Frame(width=width, height=height)
    top_value = _top_value(series, reference)
    group_width = frame.plot_width / len(categories)
    bar_width = group_width * 0.8 / len(series)
    parts = _open_svg(chart_id, frame, title, description)
    parts += _patterns(chart_id, len(series))
    parts += _legend("bar", chart_id, series, reference)
    parts += _y_axis(frame, top_value, y_label)
    for c, category in enumerate(categories):
        group_x = frame.left + group_width * c + group_width * 0.1
        parts.append('<g class="group">')
        for i, s in enumerate(series):
            value = s.values[c]
            x = group_x + bar_width * i
            centre = x + bar_width / 2
            if value is None:
                parts.append(
                    f'<text x="{_num(centre)}" y="{_num(frame.baseline - 4)}" '
                    f'text-anchor="middle"><title>{escape(category)} — {escape(s.name)}: '
                    f"no value</title>—</text>"
                )
                continue
            bar_height = frame.plot_height * float(value) / top_value
            y = frame.baseline - bar_height
            shown = value_format(value)
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar_width)}" '
                f'height="{_num(bar_height)}" fill="{_fill(chart_id, i)}" stroke="{INK}" '
                f'stroke-width="1"><title>{escape(category)} — {escape(s.name)}: '
                f"{escape(shown)}</title></rect>"
            )
            if bar_width >= 14:
                parts.append(
                    f'<text x="{_num(centre)}" y="{_num(y - 3)}" text-anchor="middle" '
                    f'font-size="11">{escape(shown)}</text>'
                )
        label_y = frame.baseline + 16
        parts.append(
            f'<text x="{_num(frame.left + group_width * (c + 0.5))}" y="{_num(label_y)}" '
            f'text-anchor="middle"><title>{escape(category)}</title>'
            f"{escape(_fit(category, group_width))}</text>"
        )
        parts.append("</g>")
    if reference is not None:
        parts += _reference(frame, top_value, reference)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above went through escape()


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{_num(x - 4)}" y="{_num(y - 4)}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{_num(x)},{_num(y - 5)} {_num(x + 5)},{_num(y + 4)} {_num(x - 5)},{_num(y + 4)}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    points = f"{_num(x)},{_num(y - 5)} {_num(x + 5)},{_num(y)} {_num(x)},{_num(y + 5)} " + (
        f"{_num(x - 5)},{_num(y)}"
    )
    return f'<polygon points="{points}" fill="{colour}"/>'


def line_chart(
    *,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    chart_id: str,
    y_label: str = "",
    reference: Reference | None = None,
    value_format: Callable[[Number], str] = format_number,
    width: int = 720,
    height: int = 300,
) -> SafeString:
    """A line chart over evenly spaced x labels, with an optional reference line.

    Lines differ by dash pattern and marker shape as well as colour; each point prints its
    value. A missing value breaks the line instead of dropping it to zero.
    """
    _check_id(chart_id)
    _check_lengths(x_labels, series)
    if not x_labels or not series or not _has_data(series):
        return _no_data(chart_id, title, description, width)
    frame = _Frame(width=width, height=height)
    top_value = _top_value(series, reference)
    step = frame.plot_width / len(x_labels)
    parts = _open_svg(chart_id, frame, title, description)
    parts += _legend("line", chart_id, series, reference)
    parts += _y_axis(frame, top_value, y_label)
    for c, label in enumerate(x_labels):
        parts.append(
            f'<text x="{_num(frame.left + step * (c + 0.5))}" y="{_num(frame.baseline + 16)}" '
            f'text-anchor="middle"><title>{escape(label)}</title>'
            f"{escape(_fit(label, step))}</text>"
        )
    if reference is not None:
        parts += _reference(frame, top_value, reference)
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        dash = DASHES[i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="series"><title>{escape(s.name)}</title>')
        run: list[str] = []
        points: list[str] = []
        for c, value in enumerate([*s.values, None]):
            if value is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"{dash_attr}/>'
                    )
                run = []
                continue
            x = frame.left + step * (c + 0.5)
            y = frame.baseline - frame.plot_height * float(value) / top_value
            run.append(f"{_num(x)},{_num(y)}")
            shown = value_format(value)
            points.append(
                f"<g>{_marker(MARKERS[i % len(MARKERS)], x, y, colour)}"
                f"<title>{escape(x_labels[c])} — {escape(s.name)}: {escape(shown)}</title>"
                f'<text x="{_num(x)}" y="{_num(y - 8)}" text-anchor="middle" font-size="11">'
                f"{escape(shown)}</text></g>"
            )
        parts += points
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above went through escape()


def _signed_range(values: Sequence[float]) -> tuple[float, float]:
    """Round axis limits that hold every value and zero (effects can be negative)."""
    low = min([0.0, *values])
    high = max([0.0, *values])
    span = nice_ceiling((high - low) / 4 if high > low else 1.0)
    return math.floor(low / span) * span, math.ceil(high / span) * span


@dataclass(frozen=True)
class Interval:
    """A point estimate with its interval (None values are drawn as "—")."""

    label: str
    estimate: float | None
    lower: float | None
    upper: float | None


def interval_chart(
    *,
    title: str,
    description: str,
    intervals: Sequence[Interval],
    chart_id: str,
    y_label: str = "",
    value_format: Callable[[Number], str] = format_number,
    reference_label: str = "No change",
    width: int = 720,
    height: int = 320,
) -> SafeString:
    """Estimates with interval whiskers on a signed axis, and a line at zero (an event study).

    The whisker spans the interval; the estimate is a filled circle with its value printed.
    """
    _check_id(chart_id)
    known = [float(v) for i in intervals for v in (i.estimate, i.lower, i.upper) if v is not None]
    if not known:
        return _no_data(chart_id, title, description, width)
    frame = _Frame(width=width, height=height)
    low, high = _signed_range(known)

    def y_of(value: float) -> float:
        return frame.baseline - frame.plot_height * (value - low) / (high - low)

    parts = _open_svg(chart_id, frame, title, description)
    for step in range(5):
        value = low + (high - low) * step / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{frame.left}" y1="{_num(y)}" x2="{frame.width - frame.right}" '
            f'y2="{_num(y)}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{frame.left - 6}" y="{_num(y + 4)}" text-anchor="end">'
            f"{escape(value_format(value))}</text>"
        )
    if y_label:
        middle = frame.top + frame.plot_height / 2
        parts.append(
            f'<text x="12" y="{_num(middle)}" text-anchor="middle" '
            f'transform="rotate(-90 12 {_num(middle)})">{escape(y_label)}</text>'
        )
    zero = y_of(0.0)
    parts.append(
        f'<g class="reference"><title>{escape(reference_label)}</title>'
        f'<line x1="{frame.left}" y1="{_num(zero)}" x2="{frame.width - frame.right}" '
        f'y2="{_num(zero)}" stroke="{REFERENCE_COLOUR}" stroke-width="2" stroke-dasharray="8 4"/>'
        f'<text x="{frame.width - frame.right}" y="{_num(zero - 4)}" text-anchor="end" '
        f'fill="{REFERENCE_COLOUR}" font-weight="bold">{escape(reference_label)}</text></g>'
    )
    step_px = frame.plot_width / len(intervals)
    for c, item in enumerate(intervals):
        x = frame.left + step_px * (c + 0.5)
        parts.append(
            f'<text x="{_num(x)}" y="{_num(frame.baseline + 16)}" text-anchor="middle">'
            f"{escape(_fit(item.label, step_px))}</text>"
        )
        if item.estimate is None:
            parts.append(
                f'<text x="{_num(x)}" y="{_num(zero - 4)}" text-anchor="middle">'
                f"<title>{escape(item.label)}: no estimate</title>—</text>"
            )
            continue
        shown = value_format(item.estimate)
        span = ""
        if item.lower is not None and item.upper is not None:
            span = f" ({value_format(item.lower)} to {value_format(item.upper)})"
            parts.append(
                f'<line x1="{_num(x)}" y1="{_num(y_of(item.lower))}" x2="{_num(x)}" '
                f'y2="{_num(y_of(item.upper))}" stroke="{COLOURS[0]}" stroke-width="2"/>'
            )
            for end in (item.lower, item.upper):
                parts.append(
                    f'<line x1="{_num(x - 5)}" y1="{_num(y_of(end))}" x2="{_num(x + 5)}" '
                    f'y2="{_num(y_of(end))}" stroke="{COLOURS[0]}" stroke-width="2"/>'
                )
        y = y_of(item.estimate)
        parts.append(
            f"<g>{_marker('circle', x, y, COLOURS[0])}"
            f"<title>{escape(item.label)}: {escape(shown)}{escape(span)}</title>"
            f'<text x="{_num(x + 8)}" y="{_num(y - 6)}" font-size="11">{escape(shown)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above went through escape()


def gap_chart(
    *,
    title: str,
    description: str,
    x_labels: Sequence[str],
    gaps: Sequence[float],
    placebo_gaps: Sequence[Sequence[float]],
    chart_id: str,
    marker_index: int | None = None,
    marker_label: str = "Treatment",
    y_label: str = "",
    value_format: Callable[[Number], str] = format_number,
    width: int = 900,
    height: int = 340,
) -> SafeString:
    """The treated unit's gap (bold) over its placebos' gaps (thin, grey) on a signed axis,
    with a vertical line where treatment starts: a synthetic control's picture (ADH 2010 fig. 4).

    Only the treated line carries printed values (at the marker and at the end): the placebos
    are context, and the page's table holds every number.
    """
    _check_id(chart_id)
    if not x_labels or not gaps:
        return _no_data(chart_id, title, description, width)
    frame = _Frame(width=width, height=height)
    values = [float(v) for v in gaps] + [float(v) for p in placebo_gaps for v in p]
    low, high = _signed_range(values)
    step = frame.plot_width / max(1, len(x_labels) - 1)

    def xy(c: int, value: float) -> str:
        x = frame.left + step * c
        y = frame.baseline - frame.plot_height * (value - low) / (high - low)
        return f"{_num(x)},{_num(y)}"

    parts = _open_svg(chart_id, frame, title, description)
    for k in range(5):
        value = low + (high - low) * k / 4
        y = frame.baseline - frame.plot_height * k / 4
        parts.append(
            f'<line x1="{frame.left}" y1="{_num(y)}" x2="{frame.width - frame.right}" '
            f'y2="{_num(y)}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{frame.left - 6}" y="{_num(y + 4)}" text-anchor="end">'
            f"{escape(value_format(value))}</text>"
        )
    if y_label:
        middle = frame.top + frame.plot_height / 2
        parts.append(
            f'<text x="12" y="{_num(middle)}" text-anchor="middle" '
            f'transform="rotate(-90 12 {_num(middle)})">{escape(y_label)}</text>'
        )
    every = max(1, len(x_labels) // 10)
    for c, label in enumerate(x_labels):
        if c % every == 0 or c == len(x_labels) - 1:
            parts.append(
                f'<text x="{_num(frame.left + step * c)}" y="{_num(frame.baseline + 16)}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append(
        f'<g class="placebos"><title>Placebo units ({len(placebo_gaps)})</title>'
        + "".join(
            f'<polyline points="{" ".join(xy(c, float(v)) for c, v in enumerate(p))}" '
            f'fill="none" stroke="{GRID}" stroke-width="1"/>'
            for p in placebo_gaps
        )
        + "</g>"
    )
    zero = xy(0, 0.0).split(",")[1]
    parts.append(
        f'<line x1="{frame.left}" y1="{zero}" x2="{frame.width - frame.right}" y2="{zero}" '
        f'stroke="{INK}" stroke-width="1" stroke-dasharray="2 3"/>'
    )
    if marker_index is not None:
        mx = _num(frame.left + step * marker_index)
        parts.append(
            f'<g class="reference"><title>{escape(marker_label)}</title>'
            f'<line x1="{mx}" y1="{frame.top}" x2="{mx}" y2="{_num(frame.baseline)}" '
            f'stroke="{REFERENCE_COLOUR}" stroke-width="2" stroke-dasharray="8 4"/>'
            f'<text x="{mx}" y="{frame.top - 6}" text-anchor="middle" '
            f'fill="{REFERENCE_COLOUR}" font-weight="bold">{escape(marker_label)}</text></g>'
        )
    points = " ".join(xy(c, float(v)) for c, v in enumerate(gaps))
    parts.append(
        f'<g class="series"><title>Treated unit: gap to its synthetic control</title>'
        f'<polyline points="{points}" fill="none" stroke="{COLOURS[0]}" stroke-width="3"/>'
    )
    labelled = {len(gaps) - 1} if marker_index is None else {marker_index, len(gaps) - 1}
    for index in sorted(labelled):
        px, py = xy(index, float(gaps[index])).split(",")
        parts.append(
            f'<text x="{px}" y="{_num(float(py) - 8)}" text-anchor="middle" font-size="11">'
            f"{escape(value_format(gaps[index]))}</text>"
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # every text above went through escape()
