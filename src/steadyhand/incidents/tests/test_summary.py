"""The outcome summary derived from a timeline (pure; no database)."""

from steadyhand import vocabulary as v
from steadyhand.incidents.summary import EventFacts, summarise


def test_a_force_incident_is_summarised_from_its_events() -> None:
    summary = summarise(
        [
            EventFacts("arrival", "arrives", by_member=True),
            EventFacts("positioning", "create_distance", by_member=True),
            EventFacts("subject_behaviour", "advances"),
            EventFacts("force", "cew", by_member=True),
            EventFacts("injury", "subject_injured"),
            EventFacts("resolution", "custody_with_force"),
        ]
    )
    assert summary.force_used
    assert summary.highest_force_level == v.ForceLevel.INTERMEDIATE
    assert summary.highest_resistance == v.Resistance.ACTIVE_AGGRESSION
    assert summary.de_escalation_attempted
    assert summary.de_escalation_before_force is True
    assert summary.subject_injured
    assert not summary.officer_injured
    assert summary.resolution == "custody_with_force"
    assert summary.force_without_prior_resistance == 0


def test_pointing_a_weapon_is_not_force_used_and_overrides_win() -> None:
    summary = summarise(
        [
            EventFacts("force", "point_weapon"),
            EventFacts("subject_behaviour", "talks", resistance=int(v.Resistance.PASSIVE)),
            EventFacts("force", "other_force", force_level=int(v.ForceLevel.HARD_HANDS)),
        ]
    )
    assert summary.force_used
    assert summary.highest_force_level == v.ForceLevel.HARD_HANDS
    assert summary.highest_resistance == v.Resistance.PASSIVE
    assert summary.de_escalation_before_force is False
    assert summary.force_without_prior_resistance == 0


def test_a_resolution_without_force() -> None:
    summary = summarise(
        [
            EventFacts("arrival", "arrives"),
            EventFacts("communication", "active_listening"),
            EventFacts("resource_request", "request_supervisor"),
            EventFacts("resolution", "voluntary_compliance"),
        ]
    )
    assert not summary.force_used
    assert summary.highest_force_level is None
    assert summary.de_escalation_before_force is None
    assert summary.supervisor_requested
    assert summary.resolution == "voluntary_compliance"


def test_force_before_any_resistance_is_counted() -> None:
    summary = summarise([EventFacts("force", "takedown"), EventFacts("subject_behaviour", "flees")])
    assert summary.force_without_prior_resistance == 1
