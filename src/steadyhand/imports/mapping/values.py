"""Turning one cell into a typed value. Pure functions; every failure is a ``ValueProblem``
whose message a records clerk can act on (it names what was expected)."""

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from steadyhand import vocabulary as v

_SPACE = re.compile(r"\s+")

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0"})


class ValueProblem(ValueError):
    """A cell that cannot become the value its column promises."""


def fold(text: str) -> str:
    """The comparison form of a code: trimmed, inner spaces collapsed, case-folded.

    Source files write one code as "Tensed", "tensed" and "Tensed      "; all three are one.
    """
    return _SPACE.sub(" ", text).strip().casefold()


def split_values(text: str, separators: str) -> list[str]:
    """``"A; B ;;C"`` → ``["A", "B", "C"]`` for separators ``";"``; blanks dropped."""
    if not separators:
        return [text.strip()] if text.strip() else []
    parts = [text]
    for sep in separators:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [p.strip() for p in parts if p.strip()]


def parse_int(text: str) -> int:
    cleaned = text.strip().replace(",", "")
    try:
        if "." in cleaned:  # "26.0" from a spreadsheet; "26.5" is not a whole number
            number = Decimal(cleaned)
            if number != number.to_integral_value():
                raise ValueProblem("expected a whole number")
            return int(number)
        return int(cleaned)
    except (ValueError, InvalidOperation):
        raise ValueProblem("expected a whole number") from None


def parse_decimal(text: str) -> Decimal:
    try:
        return Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueProblem("expected a number") from None


def parse_bool(text: str, true_words: Iterable[str], false_words: Iterable[str]) -> bool:
    word = fold(text)
    if word in true_words:
        return True
    if word in false_words:
        return False
    shown = ", ".join(sorted({*true_words, *false_words}))
    raise ValueProblem(f"expected yes or no (one of: {shown})")


def _formats_hint(formats: Sequence[str]) -> str:
    return " or ".join(f"'{f}'" for f in formats)


def parse_datetime(text: str, formats: Sequence[str]) -> datetime:
    """The first of ``formats`` (``strptime`` codes) that reads ``text``; a date-only format
    gives midnight."""
    cleaned = _SPACE.sub(" ", text).strip()
    for fmt in formats:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    raise ValueProblem(f"not a date/time in the expected format {_formats_hint(formats)}")


def parse_date(text: str, formats: Sequence[str]) -> date:
    return parse_datetime(text, formats).date()


def parse_time(text: str, formats: Sequence[str]) -> time:
    """Times such as ``"0230"``, ``"230"`` (Austin drops the leading zero) or ``"14:05"``."""
    cleaned = text.strip()
    if cleaned.isdigit() and len(cleaned) <= 4 and "%H%M" in formats:
        cleaned = cleaned.zfill(4)
    for fmt in formats:
        try:
            return datetime.strptime(cleaned, fmt).time()
        except ValueError:
            continue
    raise ValueProblem(f"not a time in the expected format {_formats_hint(formats)}")


def age_band(age: int) -> str:
    """The vocabulary's band of an age in years; an impossible age is a problem, not 'unknown'
    (a 230-year-old subject is a typing error the clerk should see)."""
    if age < 0 or age > 120:
        raise ValueProblem("an age in years must be between 0 and 120")
    return v.age_band(age)


# The sets a code list may map into, by name: what a mapping's ``into`` may say.
FORCE_LEVEL_NAMES = {level.name.casefold(): int(level) for level in v.ForceLevel}
RESISTANCE_NAMES = {level.name.casefold(): int(level) for level in v.Resistance}

TARGET_SETS: dict[str, frozenset[str]] = {
    "races": frozenset(v.RACES),
    "ethnicities": frozenset(v.ETHNICITIES),
    "sexes": frozenset(v.SEXES),
    "age_bands": frozenset(v.AGE_BANDS),
    "armed_with": frozenset(v.ARMED_WITH),
    "roles_on_scene": frozenset(v.ROLES_ON_SCENE),
    "contact_types": frozenset(v.CONTACT_TYPES),
    "injury_severities": frozenset(v.INJURY_SEVERITIES),
    "indicators": frozenset(v.INDICATORS),
    "force_types": frozenset(v.FORCE_TYPES),
    "subject_acts": frozenset(v.SUBJECT_ACTS),
    "tactics": frozenset(v.TACTICS),
    "resolutions": frozenset(v.RESOLUTIONS),
    "terms": frozenset(v.ALL_TERMS),
    "force_levels": frozenset(FORCE_LEVEL_NAMES),
    "resistance": frozenset(RESISTANCE_NAMES),
    "allegation_categories": frozenset(v.ALLEGATION_CATEGORIES),
    "findings": frozenset(v.FINDINGS),
    "booleans": frozenset({"true", "false"}),
}
# Code lists whose targets are free text (a unit code, a label kept as it is).
FREE_SETS = frozenset({"text", "units"})


# -- compiled date/time parsers ----------------------------------------------------------------
# ``datetime.strptime`` re-reads its format and builds a dict per call (~20 µs); a million-row
# file has hundreds of thousands of distinct timestamps. A format made only of the directives
# below is compiled once into the very regular expression ``strptime`` uses (same alternatives,
# same case-insensitivity, whitespace matching any run of whitespace), and a match becomes a
# ``datetime`` directly. Any other format, or any doubt, falls back to ``strptime`` itself, so
# the result (value or failure) is always the one ``strptime`` gives; tests compare the two.
_DIRECTIVES = {
    "d": r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
    "H": r"(?P<H>2[0-3]|[0-1]\d|\d)",
    "I": r"(?P<I>1[0-2]|0[1-9]|[1-9])",
    "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "M": r"(?P<M>[0-5]\d|\d)",
    "S": r"(?P<S>6[0-1]|[0-5]\d|\d)",
    "Y": r"(?P<Y>\d\d\d\d)",
    "p": r"(?P<p>am|pm)",
}
_REGEX_CHARS = re.compile(r"([\\.^$*+?\(\){}\[\]|])")


def _compile_format(fmt: str) -> "re.Pattern[str] | None":
    """The regular expression ``strptime`` builds for ``fmt``; None if ``fmt`` uses anything
    but ``%d %H %I %m %M %S %Y %p`` (each at most once), lacks ``%Y``, or mixes ``%H`` and
    ``%I`` (``strptime``'s year defaulting and hour precedence are then left to it)."""
    escaped = _SPACE.sub(r"\\s+", _REGEX_CHARS.sub(r"\\\1", fmt))
    out: list[str] = []
    seen: set[str] = set()
    i = 0
    while i < len(escaped):
        char = escaped[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        directive = escaped[i + 1 : i + 2]
        if directive not in _DIRECTIVES or directive in seen:
            return None
        seen.add(directive)
        out.append(_DIRECTIVES[directive])
        i += 2
    if "Y" not in seen or {"H", "I"} <= seen or ("p" in seen and "I" not in seen):
        return None
    return re.compile("".join(out), re.IGNORECASE)


class DateTimeParser:
    """``parse_datetime`` for one column's formats, compiled once."""

    def __init__(self, formats: Sequence[str]) -> None:
        self.formats = tuple(formats)
        self._compiled = [(fmt, _compile_format(fmt)) for fmt in self.formats]

    def __call__(self, text: str) -> datetime:
        cleaned = _SPACE.sub(" ", text).strip()
        for fmt, pattern in self._compiled:
            try:
                if pattern is None:
                    return datetime.strptime(cleaned, fmt)
                found = pattern.match(cleaned)
                if found is None or found.end() != len(cleaned):
                    continue
                return _from_match(found.groupdict())
            except ValueError:
                continue
        raise ValueProblem(f"not a date/time in the expected format {_formats_hint(self.formats)}")


def _from_match(parts: dict[str, str]) -> datetime:
    hour = 0
    if "H" in parts:
        hour = int(parts["H"])
    elif "I" in parts:
        hour = int(parts["I"])
        ampm = parts.get("p", "").lower()
        if ampm in ("", "am"):
            if hour == 12:
                hour = 0
        elif hour != 12:
            hour += 12
    return datetime(
        int(parts["Y"]),
        int(parts.get("m", 1)),
        int(parts.get("d", 1)),
        hour,
        int(parts.get("M", 0)),
        int(parts.get("S", 0)),
    )
