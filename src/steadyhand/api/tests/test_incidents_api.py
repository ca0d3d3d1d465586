"""Incidents through the API: visibility as on the pages, logged reads, and a full report
pushed in, validated with errors naming their place, summarised from its timeline, audited."""

from typing import Any

import pytest

from steadyhand.access.roles import Role
from steadyhand.api.tests.factories import api_client, make_incident, record_json
from steadyhand.audit.models import AuditEvent, EventKind
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.incidents.models import Incident, IncidentStatus, Statement

URL = "/api/v1/incidents/"


def test_the_list_holds_what_the_chain_of_command_may_see(small_agency: SmallAgency) -> None:
    sa = small_agency
    in_a = make_incident(sa.system, badges=("O101",))
    in_b = make_incident(sa.system, badges=("O301",))
    sergeant_a = make_user(sa.agency, [(Role.SUPERVISOR, sa.precinct_a)])
    officer_b = make_user(sa.agency, [Role.OFFICER], member=sa.officer_b1)
    ids = [r["id"] for r in api_client(sergeant_a).get(URL).json()["results"]]
    assert ids == [in_a.pk]
    ids = [r["id"] for r in api_client(officer_b).get(URL).json()["results"]]
    assert ids == [in_b.pk]


def test_roles_without_incident_view_see_only_incidents_they_were_in(
    small_agency: SmallAgency,
) -> None:
    """Every role holds incident.view over incidents it was involved in (a self role), so the
    list answers, empty; the record itself is not found."""
    incident = make_incident(small_agency.system)
    for role in (Role.ANALYST, Role.AUDITOR, Role.AGENCY_ADMIN, Role.TRAINER):
        client = api_client(make_user(small_agency.agency, [role]))
        # An analyst may push incidents (incident.import) but never read identified ones.
        assert client.get(URL).json()["results"] == [], role
        assert client.get(f"{URL}{incident.pk}/").status_code == 404, role


def test_reading_one_incident_is_logged(small_agency: SmallAgency) -> None:
    incident = make_incident(small_agency.system)
    commander = make_user(small_agency.agency, [Role.COMMANDER])
    response = api_client(commander).get(f"{URL}{incident.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert [i["badge"] for i in body["involvements"]] == ["O101"]
    assert [e["code"] for e in body["events"]][:2] == ["arrives", "create_distance"]
    assert body["events"][3]["target_subject"] == 1
    read = AuditEvent.objects.get(kind=EventKind.READ, object_id=str(incident.pk))
    assert read.action == "incident.read"
    assert read.actor_user_id == commander.pk


def test_lists_are_not_logged_row_by_row(small_agency: SmallAgency) -> None:
    make_incident(small_agency.system)
    commander = make_user(small_agency.agency, [Role.COMMANDER])
    api_client(commander).get(URL)
    assert not AuditEvent.objects.filter(kind=EventKind.READ).exists()


def test_another_agencys_incident_is_not_found_and_its_read_not_logged(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    theirs = make_incident(other_agency.system)
    commander = make_user(small_agency.agency, [Role.COMMANDER])
    assert api_client(commander).get(f"{URL}{theirs.pk}/").status_code == 404
    assert api_client(commander).get(f"{URL}999999/").status_code == 404
    assert not AuditEvent.objects.filter(kind=EventKind.READ).exists()


def test_out_of_chain_incident_is_not_found(small_agency: SmallAgency) -> None:
    incident = make_incident(small_agency.system, badges=("O101",))
    sergeant_b = make_user(small_agency.agency, [(Role.SUPERVISOR, small_agency.precinct_b)])
    assert api_client(sergeant_b).get(f"{URL}{incident.pk}/").status_code == 404


# Pushing a report in ---------------------------------------------------------------------------


@pytest.fixture
def rms(small_agency: SmallAgency) -> Any:
    """The agency's records-system integration account."""
    return api_client(make_user(small_agency.agency, [Role.AGENCY_ADMIN], username="rms"))


def test_a_full_report_is_created_submitted_summarised_and_audited(
    small_agency: SmallAgency, rms: Any
) -> None:
    response = rms.post(URL, record_json(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    incident = Incident.objects.get(pk=body["id"])
    assert incident.agency_id == small_agency.agency.pk
    assert incident.status == IncidentStatus.SUBMITTED
    assert incident.case_number == "RMS-2026-0001"
    assert incident.source == "api"
    assert incident.unit == small_agency.squad_a1  # the first involvement's unit
    # Derived from the timeline, not typed in.
    assert incident.force_used is True
    assert incident.highest_force_level == 3  # takedown: hard hands
    assert incident.highest_resistance == 3  # pulls away: defensive
    assert incident.de_escalation_attempted is True
    assert incident.resolution == "custody_with_force"
    assert incident.arrest_made is True
    assert [e["sequence"] for e in body["events"]] == [1, 2, 3, 4, 5, 6, 7]
    primary = incident.involvements.get(member=small_agency.officer_a1)
    assert primary.used_force is True
    assert incident.involvements.get(member=small_agency.sergeant_a1).used_force is False
    subject = incident.subjects.get()
    assert subject.highest_resistance == 3
    assert subject.mental_health_crisis is True
    # Each member on scene owes a statement, as after a report submitted in the browser.
    assert Statement.objects.filter(involvement__incident=incident).count() == 2
    audit = AuditEvent.objects.get(action="incident.record", object_id=str(incident.pk))
    assert audit.actor_label == "rms"
    assert audit.changes["events"] == [None, 7]


def test_an_unknown_code_is_named_by_its_place_and_nothing_is_written(rms: Any) -> None:
    events = record_json()["events"]
    events[2] = {"code": "kick", "offset_seconds": 30, "actor_subject": 1}
    response = rms.post(URL, record_json(events=events), format="json")
    assert response.status_code == 400
    body = response.json()
    assert "events[2].code: 'kick' is not in the vocabulary" in body["detail"]
    assert list(body["errors"]) == ["events[2].code"]
    assert not Incident.objects.exists()
    assert not AuditEvent.objects.filter(action="incident.record").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"involvements": [{"badge": "X999"}]}, "involvements[0].badge"),
        ({"contact_type": "walk_in"}, "contact_type"),
        ({"occurred_at": "2099-01-01T00:00:00Z"}, "occurred_at"),
        ({"subjects": [{"race": "martian"}]}, "subjects[0].race"),
    ],
)
def test_each_problem_names_its_field(rms: Any, change: dict[str, Any], field: str) -> None:
    response = rms.post(URL, record_json(**change), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


def test_timeline_rules_are_checked(rms: Any) -> None:
    events = record_json()["events"]
    events[1]["offset_seconds"] = "soon"  # a type error, caught by the serializer
    events[4] = {"code": "pulls_away", "actor_badge": "O101"}  # subject behaviour by a member
    events[5] = {"code": "takedown", "offset_seconds": 95, "target_subject": 3}
    response = rms.post(URL, record_json(events=events), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "events[1].offset_seconds" in errors
    # Shape errors come first; fix them and the service names the rule breaks.
    events[1]["offset_seconds"] = 10
    errors = rms.post(URL, record_json(events=events), format="json").json()["errors"]
    assert set(errors) == {
        "events[4].actor_badge",
        "events[5].actor_badge",
        "events[5].target_subject",
    }


def test_offsets_must_run_forward(rms: Any) -> None:
    events = record_json()["events"]
    events[3]["offset_seconds"] = 5
    errors = rms.post(URL, record_json(events=events), format="json").json()["errors"]
    assert "before the previous event" in errors["events[3].offset_seconds"][0]


def test_a_case_is_sent_once(rms: Any) -> None:
    assert rms.post(URL, record_json(), format="json").status_code == 201
    again = rms.post(URL, record_json(), format="json")
    assert again.status_code == 400
    assert "already recorded" in again.json()["errors"]["case_number"][0]
    assert Incident.objects.count() == 1


def test_without_a_case_number_steadyhand_numbers_it(rms: Any) -> None:
    response = rms.post(URL, record_json(case_number=""), format="json")
    assert response.status_code == 201
    assert response.json()["case_number"] == "2026-000001"


def test_an_officer_may_send_their_own_incident_but_not_others(
    small_agency: SmallAgency,
) -> None:
    involved = make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1)
    outsider = make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_b1)
    refused = api_client(outsider).post(URL, record_json(), format="json")
    assert refused.status_code == 403
    assert not Incident.objects.exists()
    assert api_client(involved).post(URL, record_json(), format="json").status_code == 201


def test_a_push_lands_in_the_callers_agency_only(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    """Badges are per agency: O101 in the other agency is the other agency's member."""
    theirs = api_client(make_user(other_agency.agency, [Role.ANALYST]))
    assert theirs.post(URL, record_json(), format="json").status_code == 201
    incident = Incident.objects.get()
    assert incident.agency_id == other_agency.agency.pk
    assert incident.involvements.first().member == other_agency.officer_a1  # type: ignore[union-attr]
