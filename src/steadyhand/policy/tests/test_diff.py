"""The pure section diff: matching, word-level changes, collapsing, counting. No database."""

import itertools
import random

from steadyhand.policy.diff import (
    Change,
    Fragment,
    FragmentKind,
    Section,
    SectionDiff,
    UnchangedRun,
    collapse_unchanged,
    diff_sections,
    diff_words,
    summarize,
)

SAME, ADDED, REMOVED = FragmentKind.SAME, FragmentKind.ADDED, FragmentKind.REMOVED

PURPOSE = Section("1", "Purpose", "Members slow encounters down so that force is needed less.")
DEFINITIONS = Section("2", "Definitions", "Time, distance and cover put space between people.")
DUTY = Section("3", "Duty", "Members shall use de-escalation when it is safe and feasible.")
REPORTING = Section("4", "Reporting", "Every use of force is reported before the end of shift.")


def _changes(diffs: list[SectionDiff]) -> list[tuple[Change, str | None, str | None]]:
    return [
        (d.change, d.old.number if d.old else None, d.new.number if d.new else None) for d in diffs
    ]


# Words -------------------------------------------------------------------------------------


def test_identical_text_is_one_unchanged_fragment() -> None:
    assert diff_words("a b c", "a b c") == (Fragment(SAME, "a b c"),)


def test_a_replaced_word_is_removed_then_added_in_place() -> None:
    assert diff_words("Members shall use force", "Members may use force") == (
        Fragment(SAME, "Members "),
        Fragment(REMOVED, "shall"),
        Fragment(ADDED, "may"),
        Fragment(SAME, " use force"),
    )


def test_inserted_and_deleted_words() -> None:
    assert diff_words("stop the car", "stop the red car now") == (
        Fragment(SAME, "stop the "),
        Fragment(ADDED, "red "),
        Fragment(SAME, "car"),
        Fragment(ADDED, " now"),
    )
    assert diff_words("stop the red car", "stop the car") == (
        Fragment(SAME, "stop the "),
        Fragment(REMOVED, "red "),
        Fragment(SAME, "car"),
    )


def test_the_fragments_rebuild_both_texts_exactly() -> None:
    old = "When safe and feasible,\nmembers shall slow down.\n\nThey call for help."
    new = "When it is safe,\nmembers shall slow the encounter down.\n\nThey call for help early."
    fragments = diff_words(old, new)
    assert "".join(f.text for f in fragments if f.kind != ADDED) == old
    assert "".join(f.text for f in fragments if f.kind != REMOVED) == new
    # Consecutive fragments never share a kind (they are merged).
    assert all(a.kind != b.kind for a, b in itertools.pairwise(fragments))


def test_a_changed_phrase_reads_as_one_removal_and_one_addition() -> None:
    assert diff_words("force is needed less often.", "force is rarely needed.") == (
        Fragment(SAME, "force is "),
        Fragment(REMOVED, "needed less often."),
        Fragment(ADDED, "rarely needed."),
    )


def test_pure_insertions_keep_the_unchanged_spaces_between_them() -> None:
    fragments = diff_words("a b", "a x b y")
    assert REMOVED not in {f.kind for f in fragments}
    assert "".join(f.text for f in fragments if f.kind != ADDED) == "a b"


def test_rebuilding_holds_for_many_random_edits() -> None:
    rng = random.Random(20250101)  # fixed seed: the same cases every run
    words = ["stop", "the", "car", "slow", "down", "talk", "wait", "\n", "  "]
    for _ in range(300):
        old = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        new = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        fragments = diff_words(old, new)
        assert "".join(f.text for f in fragments if f.kind != ADDED) == old
        assert "".join(f.text for f in fragments if f.kind != REMOVED) == new
        assert all(f.text for f in fragments)
        assert all(a.kind != b.kind for a, b in itertools.pairwise(fragments))


def test_empty_texts() -> None:
    assert diff_words("", "") == ()
    assert diff_words("", "new words") == (Fragment(ADDED, "new words"),)
    assert diff_words("old words", "") == (Fragment(REMOVED, "old words"),)


# Sections ----------------------------------------------------------------------------------


def test_identical_versions_are_all_unchanged() -> None:
    diffs = diff_sections([PURPOSE, DEFINITIONS], [PURPOSE, DEFINITIONS])
    assert _changes(diffs) == [(Change.UNCHANGED, "1", "1"), (Change.UNCHANGED, "2", "2")]
    assert summarize(diffs).identical


def test_an_added_section_at_the_end() -> None:
    diffs = diff_sections([PURPOSE, DEFINITIONS], [PURPOSE, DEFINITIONS, DUTY])
    assert _changes(diffs)[-1] == (Change.ADDED, None, "3")
    assert diffs[-1].text == (Fragment(ADDED, DUTY.text),)


def test_a_removed_section_appears_where_it_used_to_be() -> None:
    diffs = diff_sections([PURPOSE, DEFINITIONS, DUTY], [PURPOSE, DUTY])
    assert _changes(diffs) == [
        (Change.UNCHANGED, "1", "1"),
        (Change.REMOVED, "2", None),
        (Change.UNCHANGED, "3", "3"),
    ]
    assert diffs[1].text == (Fragment(REMOVED, DEFINITIONS.text),)


def test_removing_the_first_section_puts_it_first() -> None:
    diffs = diff_sections([PURPOSE, DEFINITIONS], [DEFINITIONS])
    assert _changes(diffs) == [(Change.REMOVED, "1", None), (Change.UNCHANGED, "2", "2")]


def test_a_changed_section_has_a_word_level_diff() -> None:
    edited = Section("3", "Duty", "Members shall always use de-escalation when it is feasible.")
    diffs = diff_sections([PURPOSE, DUTY], [PURPOSE, edited])
    assert _changes(diffs) == [(Change.UNCHANGED, "1", "1"), (Change.CHANGED, "3", "3")]
    changed = diffs[1]
    marked = {(f.kind, f.text.strip()) for f in changed.text if f.kind != SAME}
    assert marked == {(ADDED, "always"), (REMOVED, "safe and")}
    assert changed.heading == (Fragment(SAME, "Duty"),)


def test_a_changed_heading_is_diffed_too() -> None:
    retitled = Section("3", "Duty to de-escalate", DUTY.text)
    [diff] = diff_sections([DUTY], [retitled])
    assert diff.change == Change.CHANGED
    assert diff.heading == (Fragment(SAME, "Duty"), Fragment(ADDED, " to de-escalate"))
    assert diff.text == (Fragment(SAME, DUTY.text),)


def test_a_section_inserted_in_the_middle_renumbers_the_rest_without_false_changes() -> None:
    new_two = Section("2", "Scope", "This policy applies to every contact with the public.")
    old = [PURPOSE, DEFINITIONS, DUTY]
    new = [
        PURPOSE,
        new_two,
        Section("3", DEFINITIONS.heading, DEFINITIONS.text),
        Section("4", DUTY.heading, DUTY.text),
    ]
    diffs = diff_sections(old, new)
    assert _changes(diffs) == [
        (Change.UNCHANGED, "1", "1"),
        (Change.ADDED, None, "2"),
        (Change.RENUMBERED, "2", "3"),
        (Change.RENUMBERED, "3", "4"),
    ]
    assert diffs[2].renumbered
    assert not diffs[0].renumbered
    summary = summarize(diffs)
    assert (summary.added, summary.renumbered, summary.unchanged) == (1, 2, 1)
    assert summary.numbers_changed == [("2", "3"), ("3", "4")]


def test_a_renumbered_and_edited_section_is_changed_and_renumbered() -> None:
    moved = Section("5", DUTY.heading, DUTY.text.replace("feasible", "reasonably feasible"))
    diffs = diff_sections([PURPOSE, DUTY], [PURPOSE, moved])
    assert _changes(diffs)[1] == (Change.CHANGED, "3", "5")
    assert diffs[1].renumbered
    assert [f.text.strip() for f in diffs[1].text if f.kind == ADDED] == ["reasonably"]


def test_a_section_rewritten_in_place_under_its_number_and_heading_is_changed() -> None:
    rewritten = Section("3", "Duty", "Completely different words about something else entirely.")
    diffs = diff_sections([DUTY], [rewritten])
    assert _changes(diffs) == [(Change.CHANGED, "3", "3")]


def test_an_unrelated_section_under_an_old_number_is_removed_and_added() -> None:
    replacement = Section("3", "Medical aid", "Members give first aid and call for medical help.")
    diffs = diff_sections([PURPOSE, DUTY], [PURPOSE, replacement])
    # The removed section is shown where it stood (after §1), before its replacement.
    assert _changes(diffs) == [
        (Change.UNCHANGED, "1", "1"),
        (Change.REMOVED, "3", None),
        (Change.ADDED, None, "3"),
    ]


def test_swapped_sections_are_matched_by_content() -> None:
    diffs = diff_sections([PURPOSE, DEFINITIONS], [DEFINITIONS, PURPOSE])
    assert {(d.change, d.old.number if d.old else None) for d in diffs} == {
        (Change.UNCHANGED, "2"),
        (Change.UNCHANGED, "1"),
    }
    assert [d.new.number for d in diffs if d.new] == ["2", "1"]  # the new reading order


def test_a_first_version_is_all_added() -> None:
    diffs = diff_sections([], [PURPOSE, DEFINITIONS])
    assert [d.change for d in diffs] == [Change.ADDED, Change.ADDED]
    assert summarize(diffs).added == 2


def test_the_heading_and_text_of_added_and_removed_sections_are_marked() -> None:
    [removed, added] = diff_sections([REPORTING], [PURPOSE])
    assert removed.change == Change.REMOVED
    assert added.change == Change.ADDED
    assert removed.heading == (Fragment(REMOVED, "Reporting"),)
    assert added.heading == (Fragment(ADDED, "Purpose"),)
    assert removed.number == "4"
    assert added.number == "1"


# Collapsing and counting -------------------------------------------------------------------


def test_runs_of_unchanged_sections_collapse_into_one_block() -> None:
    edited = Section("3", "Duty", DUTY.text + " Members call for help.")
    diffs = diff_sections([PURPOSE, DEFINITIONS, DUTY, REPORTING], [PURPOSE, DEFINITIONS, edited])
    blocks = collapse_unchanged(diffs)
    assert len(blocks) == 3
    run, changed, removed = blocks
    assert isinstance(run, UnchangedRun)
    assert (run.first, run.last, len(run.sections)) == ("1", "2", 2)
    assert isinstance(changed, SectionDiff)
    assert changed.change == Change.CHANGED
    assert isinstance(removed, SectionDiff)
    assert removed.change == Change.REMOVED


def test_a_renumbered_section_is_not_collapsed() -> None:
    diffs = diff_sections([PURPOSE], [Section("2", PURPOSE.heading, PURPOSE.text)])
    assert collapse_unchanged(diffs) == diffs


def test_summary_counts_every_kind() -> None:
    edited = Section("1", "Purpose", PURPOSE.text + " It applies always.")
    diffs = diff_sections(
        [PURPOSE, DEFINITIONS, DUTY], [edited, Section("3", DUTY.heading, DUTY.text), REPORTING]
    )
    summary = summarize(diffs)
    assert (summary.added, summary.removed, summary.changed, summary.renumbered) == (1, 1, 1, 0)
    assert summary.unchanged == 1
    assert not summary.identical
