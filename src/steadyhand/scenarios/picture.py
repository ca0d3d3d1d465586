"""The scene as a small SVG: officers, the person, cover, bystanders and the distance in metres.

Like ``core.charts``, a pure function from the engine's ``SceneView.to_dict()`` to escaped
markup. Nothing is told by colour alone: officers are squares and the person a circle, each
labelled in text, cover is a labelled block, and the distance is printed. The ``<desc>`` says
the same in a sentence for screen readers, and the page lists the cues again in text.
The Content-Security-Policy forbids ``style=``, so only presentation attributes are used.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT = 70, 570
GROUND = 130
# The drawing shows at least this many metres, so small distances still look small.
MIN_SPAN_M = 12.0
INK = "#1b1f24"
OFFICER = "#0b5cad"
PERSON = "#a4161a"
COVER = "#8c959f"
FONT = "system-ui, sans-serif"

WEAPON_TEXT = {
    "in_hand": "weapon in hand",
    "dropped": "weapon on the ground",
    "not seen": "no weapon seen",
    "none": "no weapon",
}

WEAPON_SENTENCE = {
    "in_hand": "the person holds a weapon",
    "dropped": "the weapon is on the ground",
    "not seen": "no weapon is seen",
    "none": "the person has no weapon",
}


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 13) -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-family="{FONT}" fill="{INK}">{escape(text)}</text>'
    )


def describe(view: Mapping[str, Any]) -> str:
    """The picture in one sentence (its ``<desc>``)."""
    officers = int(view.get("officers", 1))
    who = "You" if officers == 1 else f"You and {officers - 1} more officer(s)"
    cover = " You are behind cover." if view.get("cover") else " You have no cover."
    weapon = WEAPON_SENTENCE.get(str(view.get("weapon", "none")), "")
    bystanders = int(view.get("bystanders", 0))
    crowd = f" {bystanders} bystander(s) nearby." if bystanders else ""
    return (
        f"{who} stand {float(view.get('distance_m', 0)):.1f} metres from the person "
        f"({view.get('trigger_hint', '')}); {weapon}.{cover}{crowd}"
    )


def scene_svg(view: Mapping[str, Any]) -> SafeString:
    distance = max(0.0, float(view.get("distance_m", 0.0)))
    span = max(MIN_SPAN_M, distance * 1.15)
    person_x = LEFT + (RIGHT - LEFT) * distance / span
    officers = max(1, int(view.get("officers", 1)))
    speaking = {str(s) for s in view.get("speaking", ())}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="scene-title '
        f'scene-desc" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" class="scene">',
        '<title id="scene-title">Positions on scene</title>',
        f'<desc id="scene-desc">{escape(describe(view))}</desc>',
        f'<line x1="20" y1="{GROUND + 22}" x2="{WIDTH - 20}" y2="{GROUND + 22}" '
        f'stroke="{COVER}" stroke-width="1"/>',
    ]
    # Officers: squares stacked at the left, each named; "speaking" marked in words.
    for i in range(officers):
        name = "You" if i == 0 else f"Officer {i + 1}"
        y = GROUND - i * 46
        parts.append(
            f'<rect x="{LEFT - 12}" y="{y - 12}" width="24" height="24" fill="{OFFICER}" '
            f'stroke="{INK}"/>'
        )
        label = f"{name} (speaking)" if name in speaking else name
        parts.append(_text(LEFT - 18, y + 5, label, anchor="end", size=12))
    if view.get("cover"):
        cx = LEFT + 26
        parts.append(
            f'<rect x="{cx}" y="{GROUND - 30}" width="14" height="52" fill="{COVER}" '
            f'stroke="{INK}" stroke-dasharray="3 2"/>'
        )
        parts.append(_text(cx + 7, GROUND - 38, "Cover", size=12))
    # The person: a circle, named, with what can be seen of the weapon.
    parts.append(
        f'<circle cx="{person_x:.0f}" cy="{GROUND}" r="13" fill="{PERSON}" stroke="{INK}"/>'
    )
    parts.append(_text(person_x, GROUND + 42, "Person", size=13))
    weapon = WEAPON_TEXT.get(str(view.get("weapon", "none")), str(view.get("weapon", "")))
    parts.append(_text(person_x, GROUND + 58, weapon, size=11))
    # The distance: a double-headed measuring line with the metres printed on it.
    y = GROUND - 62 if officers < 2 else GROUND - 28 - 46 * (officers - 1)
    y = max(24, y)
    parts.append(
        f'<line x1="{LEFT}" y1="{y}" x2="{person_x:.0f}" y2="{y}" stroke="{INK}" '
        'stroke-width="1.5" marker-start="url(#arrow)" marker-end="url(#arrow)"/>'
    )
    parts.append(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="6" '
        f'markerHeight="6" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" '
        f'fill="{INK}"/></marker></defs>'
    )
    mid = (LEFT + person_x) / 2
    parts.append(_text(mid, y - 8, f"{distance:.1f} m ({view.get('trigger_hint', '')})"))
    bystanders = int(view.get("bystanders", 0))
    if bystanders:
        bx = min(WIDTH - 40, person_x + 60)
        for k in range(min(bystanders, 5)):
            parts.append(
                f'<circle cx="{bx + (k % 3) * 12:.0f}" cy="{GROUND - 40 - (k // 3) * 12}" '
                f'r="4" fill="none" stroke="{INK}"/>'
            )
        parts.append(_text(bx + 12, GROUND - 60, f"{bystanders} bystander(s)", size=11))
    parts.append("</svg>")
    # Every text above went through ``escape``.
    return mark_safe("".join(parts))
