"""A readable difference between two versions of a policy, section by section.

Pure Python (``difflib``), no Django: the selectors feed it plain ``Section`` values and the
templates render what it returns.

Sections are matched before they are compared, because a section keeps its meaning when it is
renumbered (a new §2 pushes the old §2 to §3) and courses cite sections by number, so the reader
needs to see both "this text moved" and "this text changed":

1. identical heading and text → ``unchanged`` (or ``renumbered`` when the number differs);
2. similar text (word-level similarity at least ``SIMILAR``) → ``changed``;
3. same number and same heading, however rewritten → ``changed``;
4. what is left is ``added`` (only in the new version) or ``removed`` (only in the old one).

The result follows the new version's order; a removed section appears where it used to be.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum

# Word-level similarity (difflib ratio) above which two sections count as one, edited.
SIMILAR = 0.5
_TOKENS = re.compile(r"\S+|\s+")


@dataclass(frozen=True)
class Section:
    number: str
    heading: str
    text: str


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    RENUMBERED = "renumbered"
    UNCHANGED = "unchanged"


class FragmentKind(StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class Fragment:
    kind: FragmentKind
    text: str


@dataclass(frozen=True)
class SectionDiff:
    """One section of the comparison: ``old`` and/or ``new`` and the word-level differences."""

    change: Change
    old: Section | None
    new: Section | None
    heading: tuple[Fragment, ...] = ()
    text: tuple[Fragment, ...] = ()

    @property
    def number(self) -> str:
        section = self.new or self.old
        return section.number if section is not None else ""

    @property
    def renumbered(self) -> bool:
        return self.old is not None and self.new is not None and self.old.number != self.new.number


@dataclass(frozen=True)
class UnchangedRun:
    """Consecutive unchanged sections, shown collapsed."""

    sections: tuple[SectionDiff, ...]

    @property
    def first(self) -> str:
        return self.sections[0].number

    @property
    def last(self) -> str:
        return self.sections[-1].number


@dataclass(frozen=True)
class DiffSummary:
    added: int = 0
    removed: int = 0
    changed: int = 0
    renumbered: int = 0
    unchanged: int = 0
    numbers_changed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed or self.renumbered)


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def diff_words(old: str, new: str) -> tuple[Fragment, ...]:
    """``old`` → ``new`` as runs of same, removed and added text (words keep their spacing).

    A change that spans several words reads as one removed phrase and one added phrase, not as
    alternating single words: unchanged whitespace between two changes is folded into them.
    """
    a, b = _tokens(old), _tokens(new)
    pieces: list[tuple[FragmentKind, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append((FragmentKind.SAME, "".join(a[i1:i2])))
        else:  # replace, delete, insert: removed words first, then their replacement
            if i2 > i1:
                pieces.append((FragmentKind.REMOVED, "".join(a[i1:i2])))
            if j2 > j1:
                pieces.append((FragmentKind.ADDED, "".join(b[j1:j2])))

    fragments: list[Fragment] = []
    group: list[tuple[FragmentKind, str]] = []  # a change, with the whitespace inside it

    def emit(kind: FragmentKind, text: str) -> None:
        if fragments and fragments[-1].kind == kind:
            fragments[-1] = Fragment(kind, fragments[-1].text + text)
        elif text:
            fragments.append(Fragment(kind, text))

    def flush() -> None:
        kinds = {kind for kind, _ in group}
        if {FragmentKind.REMOVED, FragmentKind.ADDED} <= kinds:
            # Whitespace between two changes belongs to both sides of the change.
            emit(FragmentKind.REMOVED, "".join(t for k, t in group if k != FragmentKind.ADDED))
            emit(FragmentKind.ADDED, "".join(t for k, t in group if k != FragmentKind.REMOVED))
        else:  # only insertions or only deletions: keep the pieces as they are
            for kind, text in group:
                emit(kind, text)
        group.clear()

    for index, (kind, text) in enumerate(pieces):
        if kind != FragmentKind.SAME or (group and not text.strip() and index + 1 < len(pieces)):
            group.append((kind, text))
        else:
            flush()
            emit(kind, text)
    flush()
    return tuple(fragments)


def _similarity(old: Section, new: Section) -> float:
    a = _tokens(f"{old.heading}\n{old.text}")
    b = _tokens(f"{new.heading}\n{new.text}")
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    # The cheap upper bounds first: most pairs of different sections stop here.
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def _same_content(old: Section, new: Section) -> bool:
    return old.heading == new.heading and old.text == new.text


def _match(old: Sequence[Section], new: Sequence[Section]) -> dict[int, int]:
    """Index in ``new`` → index in ``old`` for sections that are the same section."""
    matched: dict[int, int] = {}
    free_old = set(range(len(old)))

    # 1. Identical content, preferring the same number, then the earliest.
    for j, section in enumerate(new):
        candidates = [i for i in sorted(free_old) if _same_content(old[i], section)]
        if candidates:
            same_number = [i for i in candidates if old[i].number == section.number]
            i = (same_number or candidates)[0]
            matched[j] = i
            free_old.discard(i)

    # 2. Similar text, best pairs first (ties: same number, then document order).
    pairs = []
    for j, section in enumerate(new):
        if j in matched:
            continue
        for i in free_old:
            score = _similarity(old[i], section)
            if score >= SIMILAR:
                pairs.append((-score, old[i].number != section.number, j, i))
    for _, _, j, i in sorted(pairs):
        if j not in matched and i in free_old:
            matched[j] = i
            free_old.discard(i)

    # 3. Same number and heading: the section was rewritten in place.
    for j, section in enumerate(new):
        if j in matched:
            continue
        for i in sorted(free_old):
            if old[i].number == section.number and old[i].heading == section.heading:
                matched[j] = i
                free_old.discard(i)
                break
    return matched


def _compare(old: Section, new: Section) -> SectionDiff:
    if _same_content(old, new):
        change = Change.UNCHANGED if old.number == new.number else Change.RENUMBERED
        return SectionDiff(
            change,
            old,
            new,
            heading=(Fragment(FragmentKind.SAME, new.heading),),
            text=(Fragment(FragmentKind.SAME, new.text),),
        )
    return SectionDiff(
        Change.CHANGED,
        old,
        new,
        heading=diff_words(old.heading, new.heading),
        text=diff_words(old.text, new.text),
    )


def diff_sections(old: Sequence[Section], new: Sequence[Section]) -> list[SectionDiff]:
    """Compare two versions' sections (each in reading order); see the module docstring."""
    matched = _match(old, new)
    old_to_new = {i: j for j, i in matched.items()}

    # A removed section is shown after the new position of the old section that preceded it.
    removed_after: dict[int, list[int]] = {}
    anchor = -1
    for i in range(len(old)):
        if i in old_to_new:
            anchor = old_to_new[i]
        else:
            removed_after.setdefault(anchor, []).append(i)

    def removed(j: int) -> list[SectionDiff]:
        return [
            SectionDiff(
                Change.REMOVED,
                old[i],
                None,
                heading=(Fragment(FragmentKind.REMOVED, old[i].heading),),
                text=(Fragment(FragmentKind.REMOVED, old[i].text),),
            )
            for i in removed_after.get(j, [])
        ]

    result = removed(-1)
    for j, section in enumerate(new):
        if j in matched:
            result.append(_compare(old[matched[j]], section))
        else:
            result.append(
                SectionDiff(
                    Change.ADDED,
                    None,
                    section,
                    heading=(Fragment(FragmentKind.ADDED, section.heading),),
                    text=(Fragment(FragmentKind.ADDED, section.text),),
                )
            )
        result.extend(removed(j))
    return result


def collapse_unchanged(diffs: Sequence[SectionDiff]) -> list[SectionDiff | UnchangedRun]:
    """Group each run of consecutive unchanged sections into one ``UnchangedRun``."""
    blocks: list[SectionDiff | UnchangedRun] = []
    run: list[SectionDiff] = []
    for diff in diffs:
        if diff.change == Change.UNCHANGED:
            run.append(diff)
            continue
        if run:
            blocks.append(UnchangedRun(tuple(run)))
            run = []
        blocks.append(diff)
    if run:
        blocks.append(UnchangedRun(tuple(run)))
    return blocks


def summarize(diffs: Sequence[SectionDiff]) -> DiffSummary:
    counts = {change: 0 for change in Change}
    for diff in diffs:
        counts[diff.change] += 1
    return DiffSummary(
        added=counts[Change.ADDED],
        removed=counts[Change.REMOVED],
        changed=counts[Change.CHANGED],
        renumbered=counts[Change.RENUMBERED],
        unchanged=counts[Change.UNCHANGED],
        numbers_changed=[
            (d.old.number, d.new.number)
            for d in diffs
            if d.renumbered and d.old is not None and d.new is not None
        ],
    )
