"""The automatic de-identification check of case-library text.

A case-library entry is read by every member, internal affairs included, so it must not let
anyone recognise the encounter or the people in it. ``find_problems`` refuses text containing:

- a member's name: the names of the review's own people (participants, facilitator) in any
  case; every other member's first or last name when written as a name (capitalised or in
  capitals), so that ordinary words that are also surnames ("long", "young") stay usable;
- any badge number of the agency, or "badge" / "#" followed by a number;
- the incident's case number, or any other case number of the agency;
- the incident's recorded location, or anything shaped like a street address;
- an exact date (2026-03-14, 3/14/2026, 14 March, March 14th …). A month and year ("March
  2026") or a season is allowed.

Subjects carry no names in Steadyhand; the source system's ids for them and for unlisted
officers are refused like names.

The check is deliberately strict: a false refusal costs the trainer a rephrasing, a miss
identifies someone. Each message names the word found and says what to write instead.
"""

import re
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019\-/]*[A-Za-z0-9]|[A-Za-z0-9]")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
DATE_PATTERNS = [
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),
    re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b"),
    re.compile(rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\d)", re.IGNORECASE),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b", re.IGNORECASE),
]
_STREET = (
    r"(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|way|ct|court|pl|place"
    r"|ter|terrace|pkwy|parkway|hwy|highway|cir|circle|sq|square)"
)
ADDRESS_PATTERN = re.compile(
    rf"\b\d{{1,6}}\s+(?:(?:n|s|e|w|north|south|east|west)\.?\s+)?(?:block\s+of\s+)?"
    rf"(?:[A-Za-z0-9][\w'.\-]*\s+){{0,4}}{_STREET}\b\.?",
    re.IGNORECASE,
)
BADGE_PATTERN = re.compile(r"\bbadge\s*(?:no\.?|number|#)?\s*[:#]?\s*\w*\d|#\s*\d+", re.IGNORECASE)


@dataclass(frozen=True)
class KnownIdentifiers:
    """What must not appear, gathered from the agency's records (see ``services``)."""

    close_names: frozenset[str] = frozenset()  # the review's own people: matched in any case
    agency_names: frozenset[str] = frozenset()  # everyone else: matched when written as a name
    badges: frozenset[str] = frozenset()  # lower case
    case_numbers: frozenset[str] = frozenset()  # lower case
    other_ids: frozenset[str] = frozenset()  # source ids of subjects and unlisted officers
    locations: frozenset[str] = frozenset()  # lower case


def _phrases(text: str, max_words: int = 3) -> list[str]:
    """Words and runs of up to ``max_words`` words, as written (for multi-word names)."""
    words = _WORD.findall(text)
    found = []
    for n in range(1, max_words + 1):
        for i in range(len(words) - n + 1):
            found.append(" ".join(words[i : i + n]))
    return found


def _written_as_name(phrase: str) -> bool:
    return phrase.isupper() or all(w[:1].isupper() for w in phrase.split())


def find_problems(text: str, known: KnownIdentifiers) -> list[str]:
    """Every reason ``text`` may not go into the case library (empty: it may)."""
    problems: list[str] = []
    seen: set[str] = set()

    def problem(kind: str, found: str, advice: str) -> None:
        key = f"{kind}:{found.lower()}"
        if key not in seen:
            seen.add(key)
            problems.append(f"Contains {kind} (“{found}”). {advice}")

    lowered = text.lower()
    for phrase in _phrases(text):
        low = phrase.lower()
        if low in known.close_names or (low in known.agency_names and _written_as_name(phrase)):
            problem("a name", phrase, "Write “the officer”, “the sergeant” or “the subject”.")
        elif low in known.other_ids:
            problem("a source record id", phrase, "Leave record ids out.")
        if low in known.badges:
            problem("a badge number", phrase, "Leave badge numbers out.")
        if low in known.case_numbers:
            problem("a case number", phrase, "Leave case numbers out.")
    for location in known.locations:
        if location and location in lowered:
            problem("the incident's location", location, "Say only the kind of place.")
    for match in ADDRESS_PATTERN.finditer(text):
        problem("a street address", match.group(0).strip(), "Say only the kind of place.")
    for match in BADGE_PATTERN.finditer(text):
        problem("a badge or record number", match.group(0).strip(), "Leave numbers out.")
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            problem(
                "an exact date",
                match.group(0).strip(),
                "Give the month and year at most (“March 2026”), or the season.",
            )
    return problems


def word_candidates(text: str) -> set[str]:
    """The words of ``text`` as written, upper- and lower-cased: what to look up among the
    agency's badge and case numbers without loading every record."""
    words = _WORD.findall(text)
    return {w for word in words for w in (word, word.upper(), word.lower())}
