"""Suggested commendations read from the evidence, shown only to approvers in the chain."""

import pytest

from steadyhand import vocabulary as v
from steadyhand.core.errors import InvalidInput, PermissionDenied
from steadyhand.incidents.models import Incident, IncidentStatus
from steadyhand.recognition import selectors, services
from steadyhand.recognition.evidence import candidate_q, evidence_for
from steadyhand.recognition.models import Channel
from steadyhand.recognition.tests.factories import People, incident

pytestmark = pytest.mark.django_db

R, F = v.Resistance, v.ForceLevel


def _suggested(people: People) -> set[str]:
    return {s.incident.case_number for s in selectors.suggestions(actor=people.sergeant)}


def test_an_armed_subject_met_without_force_is_suggested(people: People) -> None:
    armed = incident(people.a, armed_with="edged", resistance=int(R.VERBAL))
    (s,) = selectors.suggestions(actor=people.sergeant)
    assert s.incident == armed
    assert s.members == [people.a.officer_a1]
    assert s.reasons == ["The subject was armed (knife or edged weapon) and no force was used."]


def test_a_resisting_subject_met_without_force_is_suggested(people: People) -> None:
    resisting = incident(people.a, resistance=int(R.DEFENSIVE))
    assert _suggested(people) == {resisting.case_number}
    assert "Defensive resistance" in evidence_for(resisting)[0]


def test_force_far_below_the_resistance_is_suggested(people: People) -> None:
    below = incident(people.a, force=int(F.VERBAL), resistance=int(R.ACTIVE_AGGRESSION))
    assert _suggested(people) == {below.case_number}
    assert evidence_for(below)[0].startswith("Force stayed 3 levels below")


@pytest.mark.parametrize(
    ("force", "resistance", "armed"),
    [
        (int(F.INTERMEDIATE), int(R.PASSIVE), "none"),  # force far above resistance
        (int(F.HARD_HANDS), int(R.ACTIVE_AGGRESSION), "edged"),  # one level below: not far
        (None, int(R.PASSIVE), "none"),  # no force, but little resistance and unarmed
        (None, None, "unknown"),  # nothing known
        (int(F.CONTROL), None, "none"),  # force, resistance unknown
    ],
)
def test_records_without_the_evidence_are_not_suggested(
    people: People, force: int | None, resistance: int | None, armed: str
) -> None:
    incident(people.a, force=force, resistance=resistance, armed_with=armed)
    assert _suggested(people) == set()


def test_drafts_other_chains_and_other_roles_see_nothing(people: People) -> None:
    incident(people.a, armed_with="firearm", status=IncidentStatus.DRAFT)
    in_b = incident(people.a, members=(people.a.officer_b1,), armed_with="firearm")
    assert _suggested(people) == set()
    assert [s.incident for s in selectors.suggestions(actor=people.supervisor_b)] == [in_b]
    for who in ("officer_b", "ia", "analyst", "admin"):
        assert selectors.suggestions(actor=getattr(people, who)) == []


def test_one_click_nominates_with_the_evidence_and_the_suggestion_goes_away(
    people: People,
) -> None:
    armed = incident(people.a, members=(people.a.officer_a1, people.a.officer_a2),
                     armed_with="edged")  # fmt: skip
    n = services.nomination_from_suggestion(
        actor=people.sergeant, incident=armed, member=people.a.officer_a2
    )
    assert n.channel == Channel.SUGGESTION
    assert n.incident == armed
    assert armed.case_number in n.narrative
    assert "armed" in n.narrative
    (left,) = selectors.suggestions(actor=people.sergeant)
    assert left.members == [people.a.officer_a1]
    with pytest.raises(InvalidInput, match="already"):
        services.nomination_from_suggestion(
            actor=people.sergeant, incident=armed, member=people.a.officer_a2
        )


def test_one_click_nomination_refusals(people: People) -> None:
    armed = incident(people.a, armed_with="edged")
    with pytest.raises(PermissionDenied):
        services.nomination_from_suggestion(
            actor=people.supervisor_b, incident=armed, member=people.a.officer_a1
        )
    with pytest.raises(InvalidInput, match="not on scene"):
        services.nomination_from_suggestion(
            actor=people.sergeant, incident=armed, member=people.a.officer_a2
        )
    plain = incident(people.a, force=int(F.INTERMEDIATE), resistance=int(R.PASSIVE))
    with pytest.raises(InvalidInput, match="does not suggest"):
        services.nomination_from_suggestion(
            actor=people.sergeant, incident=plain, member=people.a.officer_a1
        )


def test_the_actor_is_never_suggested_to_themselves(people: People) -> None:
    incident(people.a, members=(people.a.sergeant_a1,), armed_with="edged")
    assert selectors.suggestions(actor=people.sergeant) == []
    assert len(selectors.suggestions(actor=people.captain_actor)) == 1


def test_the_database_filter_and_the_reasons_agree(people: People) -> None:
    for force in [None, *range(6)]:
        for resistance in [None, *range(6)]:
            for armed in ("none", "firearm"):
                incident(people.a, force=force, resistance=resistance, armed_with=armed)
    matched = set(Incident.objects.filter(candidate_q()).values_list("pk", flat=True))
    for found in Incident.objects.prefetch_related("subjects"):
        assert (found.pk in matched) == bool(evidence_for(found)), (
            found.force_used, found.highest_force_level, found.highest_resistance,
        )  # fmt: skip
