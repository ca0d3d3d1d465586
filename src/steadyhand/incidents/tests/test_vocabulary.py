"""The vocabulary's document and its internal consistency."""

from pathlib import Path

import pytest
from django.conf import settings

from steadyhand import vocabulary as v
from steadyhand.incidents.summary import EventFacts, summarise
from steadyhand.incidents.vocabulary_doc import render_vocabulary_doc


def test_the_committed_document_matches_the_vocabulary() -> None:
    doc = Path(settings.PROJECT_ROOT) / "docs" / "vocabulary.md"
    assert doc.read_text(encoding="utf-8") == render_vocabulary_doc(), (
        "docs/vocabulary.md is out of date; run `steadyhand vocabulary_doc` and commit it."
    )


def test_codes_are_unique_across_kinds() -> None:
    groups = [v.TACTICS, v.FORCE_TYPES, v.SUBJECT_ACTS, v.OTHER_TERMS, v.RESOLUTIONS]
    assert sum(len(g) for g in groups) == len(v.ALL_TERMS)


def test_every_force_type_has_a_level_and_every_act_a_resistance() -> None:
    assert all(t.level is not None for t in v.FORCE_TYPES.values())
    assert set(v.SUBJECT_ACT_RESISTANCE) == set(v.SUBJECT_ACTS)


def test_unknown_codes_are_named() -> None:
    with pytest.raises(KeyError, match="'kick' is not in the vocabulary"):
        v.term("kick")


@pytest.mark.parametrize(
    ("age", "band"),
    [(None, "unknown"), (12, "under_18"), (18, "18_24"), (44, "35_44"), (70, "65_plus")],
)
def test_age_bands(age: int | None, band: str) -> None:
    assert v.age_band(age) == band


def test_force_factor_compares_force_with_resistance() -> None:
    assert v.force_factor(v.ForceLevel.INTERMEDIATE, v.Resistance.PASSIVE) == 2
    assert v.force_factor(v.ForceLevel.CONTROL, v.Resistance.DEFENSIVE) == -1


def _e(kind: str, code: str, **kw: int) -> EventFacts:
    return EventFacts(kind=kind, code=code, **kw)  # type: ignore[arg-type]


def test_summary_of_a_de_escalated_encounter() -> None:
    s = summarise(
        [
            _e("arrival", "arrives"),
            _e("positioning", "create_distance"),
            _e("subject_behaviour", "verbal_refusal"),
            _e("communication", "empathy"),
            _e("subject_behaviour", "complies"),
            _e("resolution", "voluntary_compliance"),
        ]
    )
    assert not s.force_used
    assert s.highest_force_level is None
    assert s.highest_resistance == v.Resistance.VERBAL
    assert s.de_escalation_attempted
    assert s.de_escalation_before_force is None
    assert s.resolution == "voluntary_compliance"


def test_summary_of_force_without_resistance_recorded_first() -> None:
    s = summarise(
        [
            _e("arrival", "arrives"),
            _e("command", "one_clear_directive"),
            _e("force", "takedown"),
            _e("subject_behaviour", "pulls_away"),
            _e("force", "cew", force_level=4),
            _e("injury", "subject_injured"),
        ]
    )
    assert s.force_used
    assert s.highest_force_level == v.ForceLevel.INTERMEDIATE
    assert s.force_without_prior_resistance == 1
    assert s.de_escalation_before_force is False
    assert s.subject_injured
    assert not s.officer_injured


def test_pointing_a_weapon_alone_is_not_force_used() -> None:
    s = summarise([_e("subject_behaviour", "displays_weapon"), _e("force", "point_weapon")])
    assert not s.force_used
    assert s.highest_force_level == v.ForceLevel.VERBAL
