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
