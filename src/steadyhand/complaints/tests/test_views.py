"""The staff complaint pages in a browser: intake, reading, investigating, closing, refusals."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from steadyhand.access.roles import Role
from steadyhand.accounts.home import home_sections
from steadyhand.audit.models import AuditEvent
from steadyhand.complaints import services
from steadyhand.complaints.models import Complaint, ComplaintStatus
from steadyhand.complaints.tests.conftest import People
from steadyhand.complaints.tests.factories import accuse, client_for, make_complaint, make_incident
from steadyhand.core.testing import SmallAgency, make_user

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _intake_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "channel": "phone",
        "received_on": timezone.localdate().isoformat(),
        "narrative": "Caller says an officer took their phone and did not return it.",
        "occurred_on": "",
        "occurred_time": "",
        "location": "",
        "officer_description": "Badge O201",
        "complainant_name": "",
        "complainant_contact": "",
    }
    data.update(overrides)
    return data


def test_a_supervisor_records_a_complaint_and_hands_it_on(people: People) -> None:
    client = client_for(people.supervisor)
    assert client.get(reverse("complaints:intake")).status_code == 200
    response = client.post(reverse("complaints:intake"), _intake_data(), follow=True)
    complaint = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == reverse("complaints:intake")
    assert f"Complaint {complaint.reference} recorded." in _messages(response)
    # Supervisors record complaints; they do not read them afterwards.
    detail = reverse("complaints:detail", args=[complaint.pk])
    assert client.get(detail).status_code == 403


def test_intake_errors_are_shown_next_to_the_fields(people: People) -> None:
    response = client_for(people.ia).post(reverse("complaints:intake"), _intake_data(narrative=""))
    assert response.status_code == 400
    assert 'href="#id_narrative"' in response.content.decode()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client_for(people.ia).post(
        reverse("complaints:intake"), _intake_data(occurred_on=future)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["occurred_on"] == [
        "This date is in the future; give the date it happened."
    ]
    assert not Complaint.objects.exists()


def test_internal_affairs_investigates_a_complaint_to_its_close(people: People) -> None:
    a = people.agency
    client = client_for(people.ia)
    response = client.post(reverse("complaints:intake"), _intake_data())
    complaint = Complaint.objects.get()
    detail = reverse("complaints:detail", args=[complaint.pk])
    assert response["Location"] == detail
    # An allegation naming a member by badge; an unknown badge is explained.
    add = reverse("complaints:allegation_add", args=[complaint.pk])
    response = client.post(
        add, {"category": "property", "member_badge": "NOPE", "version": complaint.version}
    )
    assert response.status_code == 400
    assert "No member of this agency has badge “NOPE”" in response.content.decode()
    response = client.post(
        add, {"category": "property", "member_badge": "o201", "version": complaint.version}
    )
    assert response["Location"] == detail
    complaint.refresh_from_db()
    assert complaint.unit == a.squad_a2
    allegation = complaint.allegations.get()
    # Closing with the allegation pending is refused, with the reason.
    response = client.post(
        reverse("complaints:close", args=[complaint.pk]),
        {"version": complaint.version, "reason": ""},
        follow=True,
    )
    assert any("still has no finding" in m for m in _messages(response))
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING
    # The finding, then the close.
    finding = reverse("complaints:allegation_finding", args=[complaint.pk, allegation.pk])
    assert client.get(finding).status_code == 200
    response = client.post(
        finding, {"finding": "sustained", "finding_at": "", "version": complaint.version}
    )
    assert response["Location"] == detail
    complaint.refresh_from_db()
    response = client.post(
        reverse("complaints:close", args=[complaint.pk]),
        {"version": complaint.version, "reason": "Property returned."},
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    page = client.get(detail).content.decode()
    assert "Sustained" in page
    assert "Reopen" in page


def test_a_stale_edit_is_refused_with_409(people: People) -> None:
    complaint = make_complaint(people.ia)
    seen = complaint.version
    accuse(people.ia, complaint, None)
    edit = reverse("complaints:edit", args=[complaint.pk])
    assert client_for(people.ia).get(edit).status_code == 200
    response = client_for(people.ia).post(
        edit, {"narrative": "Changed", "version": seen, "occurred_on": "", "occurred_time": ""}
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()


def test_link_an_incident_by_case_number(people: People) -> None:
    a = people.agency
    incident = make_incident(agency_id=a.agency.pk, unit=a.squad_a1, case_number="2026-000042")
    complaint = make_complaint(people.ia)
    client = client_for(people.ia)
    url = reverse("complaints:link_incident", args=[complaint.pk])
    response = client.post(url, {"case_number": "2026-999999", "version": complaint.version})
    assert any("No incident you may see" in m for m in _messages(client.get(response["Location"])))
    client.post(url, {"case_number": "2026-000042", "version": complaint.version})
    complaint.refresh_from_db()
    assert complaint.incident == incident
    assert "Incident 2026-000042" in client.get(response["Location"]).content.decode()


def test_complainant_demographics_are_added(people: People) -> None:
    complaint = make_complaint(people.ia)
    response = client_for(people.ia).post(
        reverse("complaints:complainant_add", args=[complaint.pk]),
        {"race": "white", "sex": "", "age_band": "65_plus", "is_victim": "no", "version": 1},
    )
    assert response.status_code == 302
    person = complaint.people.get()
    assert (person.race, person.sex, person.age_band) == ("white", "unknown", "65_plus")


# Reading and refusals -------------------------------------------------------------------------


def test_the_list_shows_what_the_chain_may_see(people: People) -> None:
    a = people.agency
    in_a = make_complaint(people.ia)
    accuse(people.ia, in_a, a.officer_a1)
    agency_level = make_complaint(people.ia)
    url = reverse("complaints:list")
    page = client_for(people.commander_a).get(url).content.decode()
    assert in_a.reference in page
    assert agency_level.reference not in page
    page = client_for(people.commander_b).get(url).content.decode()
    assert "No complaint matches." in page
    page = client_for(people.ia).get(url, {"status": "received"}).content.decode()
    assert agency_level.reference in page
    assert in_a.reference not in page
    assert client_for(people.ia).get(url, {"received_from": "not a date"}).status_code == 400


def test_detail_refusals_by_role_and_agency(people: People, other_agency: SmallAgency) -> None:
    a = people.agency
    complaint = make_complaint(people.ia)
    accuse(people.ia, complaint, a.officer_a1)
    detail = reverse("complaints:detail", args=[complaint.pk])
    assert client_for(people.officer).get(detail).status_code == 403
    assert client_for(people.commander_b).get(detail).status_code == 404
    outsider = Client()
    outsider.force_login(make_user(other_agency.agency, [Role.INTERNAL_AFFAIRS]))
    assert outsider.get(detail).status_code == 404
    assert not AuditEvent.objects.filter(kind="read").exists()
    response = client_for(people.commander_a).get(detail)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Add an allegation" not in page  # commanders read; internal affairs manages
    assert AuditEvent.objects.filter(kind="read", actor_user_id=people.commander_a.user_id).count()
    # The manage pages refuse a commander who may read the complaint.
    edit = reverse("complaints:edit", args=[complaint.pk])
    assert client_for(people.commander_a).get(edit).status_code == 403


def test_internal_affairs_home_lists_complaints_awaiting_a_finding(people: People) -> None:
    waiting = make_complaint(people.ia)
    done = make_complaint(people.ia)
    allegation = accuse(people.ia, done, None)
    done.refresh_from_db()
    services.allegation_record_finding(
        actor=people.ia, allegation=allegation, expected_version=done.version, finding="unfounded"
    )
    section = next(s for s in home_sections(people.ia) if "awaiting a finding" in s.title)
    labels = " ".join(item.label for item in section.items)
    assert waiting.reference in labels
    assert done.reference not in labels
    assert not [s for s in home_sections(people.commander) if "awaiting a finding" in s.title]
