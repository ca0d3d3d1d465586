"""The list of what changed between a returned report and its resubmission (pure)."""

from steadyhand.incidents.returns import Snapshot, snapshot_changes


def _snap(
    events: list[tuple[str, str]], narrative: str = "", people: dict | None = None
) -> Snapshot:
    return {
        "fields": {"Narrative": narrative, "Beat": "B1"},
        "people": people or {"member #1": "Member on scene #1: Primary officer"},
        "events": dict(events),
        "order": {key: str(n) for n, (key, _) in enumerate(events, start=1)},
    }


BEFORE = _snap([("a", "Arrives on scene"), ("b", "Pulls away"), ("c", "Control hold")])


def test_nothing_changed_lists_nothing() -> None:
    assert snapshot_changes(BEFORE, BEFORE) == []


def test_an_insertion_is_one_line_not_every_later_event() -> None:
    after = _snap([("a", "Arrives on scene"), ("n", "Warning of force"), ("b", "Pulls away"),
                   ("c", "Control hold")])  # fmt: skip
    assert snapshot_changes(BEFORE, after) == ["Timeline event 2 added: Warning of force"]


def test_changed_moved_and_removed_events_are_named() -> None:
    after = _snap([("b", "Pulls away at 0:40"), ("a", "Arrives on scene")])
    assert snapshot_changes(BEFORE, after) == [
        "Timeline event 1 changed: was “Pulls away”, now “Pulls away at 0:40”",
        "Timeline event 1 moved (was event 2): Pulls away at 0:40",
        "Timeline event 2 moved (was event 1): Arrives on scene",
        "Timeline event 3 removed: Control hold",
    ]


def test_a_long_narrative_shows_what_was_added_and_removed() -> None:
    old = "I arrived and spoke with the man who was shouting near the bus stop on Main Street."
    new = old.replace("spoke with", "warned twice") + " He then pulled away."
    lines = snapshot_changes(_snap([], narrative=old), _snap([], narrative=new))
    assert lines == ["Narrative: added “warned twice … He then pulled away.”; removed “spoke with”"]


def test_people_added_and_removed() -> None:
    after = _snap([], people={"member #2": "Member on scene #2: Cover officer"})
    assert snapshot_changes(_snap([]), after) == [
        "People removed: Member on scene #1: Primary officer",
        "People added: Member on scene #2: Cover officer",
    ]
