"""The incident pages through the test client: filing a report step by step, the refusals,
and the read log."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.incidents import services
from steadyhand.incidents.models import Incident, IncidentStatus, StatementStatus
from steadyhand.incidents.tests.report_factories import (
    People,
    client_for,
    draft,
    force_report,
    fresh,
    primary,
)

pytestmark = pytest.mark.django_db


def _url(name: str, *args: object) -> str:
    return reverse(f"incidents:{name}", args=args)


def _when() -> str:
    """Two hours ago, as typed in the agency's time zone (the form reads local time)."""
    local = timezone.localtime(timezone.now() - timedelta(hours=2), ZoneInfo("America/Chicago"))
    return local.strftime("%Y-%m-%dT%H:%M")


def test_an_officer_files_a_report_page_by_page(people: People) -> None:
    client = client_for(people.officer)
    assert client.get(_url("incident_list")).status_code == 200
    response = client.post(
        _url("report_start"),
        {"occurred_at": _when(), "contact_type": "dispatched", "call_type": "Welfare check",
         "go": "next"},
    )  # fmt: skip
    incident = Incident.objects.get(call_type="Welfare check")
    assert response["Location"] == _url("report_people", incident.pk)
    assert client.get(response["Location"]).status_code == 200

    response = client.post(
        _url("report_people", incident.pk),
        {"badge": people.agency.officer_a2.badge, "role_on_scene": "cover",
         "version": fresh(incident).version},
    )  # fmt: skip
    assert response.status_code == 302
    response = client.post(
        _url("subject_add", incident.pk),
        {"race": "black", "ethnicity": "not_hispanic", "sex": "female", "age_band": "35_44",
         "mental_health_crisis": "on", "armed_with": "edged", "injury_severity": "none",
         "version": fresh(incident).version},
    )  # fmt: skip
    assert response.status_code == 302
    subject = incident.subjects.get()
    assert subject.mental_health_crisis
    assert subject.armed_with == "edged"

    me = f"m{primary(incident).pk}"
    steps = [
        ("arrival", {"code": "arrives", "actor": me, "offset": "0:00"}),
        ("positioning", {"code": "create_distance", "actor": me, "offset": "0:40"}),
        ("subject_behaviour", {"code": "displays_weapon", "actor": f"s{subject.pk}",
                               "offset": "1:10"}),
        ("communication", {"code": "offer_options", "actor": me, "offset": "2:00"}),
        ("subject_behaviour", {"code": "drops_weapon", "actor": f"s{subject.pk}",
                               "offset": "4"}),
        ("resolution", {"code": "transported_for_care", "actor": "", "offset": ""}),
    ]  # fmt: skip
    page = client.get(_url("event_add", incident.pk) + "?kind=force")
    assert page.status_code == 200
    assert "Conducted energy weapon" in page.content.decode()
    assert "Create distance" not in page.content.decode()  # codes filtered to the kind
    for kind, fields in steps:
        response = client.post(
            _url("event_add", incident.pk) + f"?kind={kind}",
            {**fields, "position": "", "note": "", "version": fresh(incident).version},
        )
        assert response.status_code == 302, response.content.decode()
    offsets = list(incident.events.order_by("sequence").values_list("offset_seconds", flat=True))
    assert offsets == [0, 40, 70, 120, 240, None]
    timeline = client.get(_url("report_timeline", incident.pk)).content.decode()
    assert "Move event 2 up" in timeline
    assert "4:00" in timeline

    response = client.post(
        _url("report_outcomes", incident.pk),
        {"de_escalation_attempted": "yes", "supervisor_notified": "", "narrative": "Calm.",
         "version": fresh(incident).version, "go": "next"},
    )  # fmt: skip
    assert response["Location"] == _url("report_review", incident.pk)
    review = client.get(response["Location"]).content.decode()
    assert "Everything policy asks for is recorded" in review
    response = client.post(_url("report_review", incident.pk), {"version": fresh(incident).version})
    assert response["Location"] == _url("statement", incident.pk)
    done = fresh(incident)
    assert done.status == IncidentStatus.SUBMITTED
    assert (done.force_used, done.de_escalation_attempted) == (False, True)
    assert done.resolution == "transported_for_care"

    # The partner's statement, with the duty-to-intervene question.
    partner = client_for(people.partner)
    assert partner.get(_url("statement", incident.pk)).status_code == 200
    statement = incident.involvements.get(member=people.agency.officer_a2).statement
    response = partner.post(
        _url("statement", incident.pk),
        {"text": "Covered.", "witnessed_force": "on", "intervened": "", "go": "submit",
         "version": statement.version},
    )  # fmt: skip
    assert response.status_code == 400
    assert "whether you intervened" in response.content.decode()
    response = partner.post(
        _url("statement", incident.pk),
        {"text": "Covered.", "witnessed_force": "", "go": "submit", "version": statement.version},
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SUBMITTED


def test_validation_errors_are_summarised_with_links(people: People) -> None:
    client = client_for(people.officer)
    response = client.post(_url("report_start"), {"occurred_at": "yesterday", "go": "next"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_occurred_at"' in html
    assert 'href="#id_contact_type_0"' in html
    assert 'aria-invalid="true"' in html


def test_submit_is_refused_with_the_event_named(people: People) -> None:
    incident = force_report(people.officer, resistance_first=False)
    client = client_for(people.officer)
    page = client.get(_url("report_review", incident.pk)).content.decode()
    assert "Before you can submit" in page
    assert "event 3 (Control hold, at 1:15) has no behaviour of subject 1" in page
    response = client.post(_url("report_review", incident.pk), {"version": fresh(incident).version})
    assert response.status_code == 400
    assert fresh(incident).status == IncidentStatus.DRAFT


def test_a_stale_page_is_refused_with_a_conflict(people: People) -> None:
    incident = draft(people.officer)
    client = client_for(people.officer)
    stale = fresh(incident).version
    services.incident_update(
        actor=people.officer, incident=incident, expected_version=None, fields={"beat": "B1"}
    )
    response = client.post(
        _url("report_outcomes", incident.pk),
        {"de_escalation_attempted": "no", "narrative": "x", "version": stale},
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()


def test_opening_an_incident_logs_the_read(people: People) -> None:
    incident = force_report(people.officer)
    services.incident_submit(actor=people.officer, incident=incident, expected_version=None)
    client = client_for(people.sergeant)
    before = AuditEvent.objects.filter(kind="read", object_id=str(incident.pk)).count()
    page = client.get(_url("incident_detail", incident.pk))
    assert page.status_code == 200
    assert "Control and restraint" in page.content.decode()
    reads = AuditEvent.objects.filter(kind="read", object_id=str(incident.pk))
    assert reads.count() == before + 1
    assert reads.latest("seq").actor_user_id == people.sergeant.user_id
    # The chain of command sees it in their list, with filters.
    listing = client.get(_url("incident_list") + "?force=yes&status=submitted").content.decode()
    assert incident.case_number in listing
    listing = client.get(_url("incident_list") + "?force=no").content.decode()
    assert incident.case_number not in listing


def test_refusals(people: People, other_agency: SmallAgency) -> None:
    incident = draft(people.officer)
    # Not in the chain, not on scene: the incident does not exist for them.
    for actor in (people.officer_b, people.supervisor_b, people.analyst):
        assert client_for(actor).get(_url("incident_detail", incident.pk)).status_code == 404
    outsider = actor_of(make_user(other_agency.agency, [Role.COMMANDER]))
    assert client_for(outsider).get(_url("incident_detail", incident.pk)).status_code == 404
    assert client_for(outsider).post(_url("report_review", incident.pk)).status_code == 404
    # The sergeant reads the draft but cannot edit it: sent back to the incident page.
    sergeant = client_for(people.sergeant)
    response = sergeant.post(
        _url("report_basics", incident.pk),
        {"occurred_at": _when(), "contact_type": "self_initiated", "version": incident.version},
    )
    assert response["Location"] == _url("incident_detail", incident.pk)
    assert fresh(incident).contact_type == "dispatched"
    # No statement for someone who was not there.
    assert client_for(people.officer_b).get(_url("statement", incident.pk)).status_code == 404


def test_a_submitted_report_cannot_be_edited_from_the_pages(people: People) -> None:
    incident = force_report(people.officer)
    services.incident_submit(actor=people.officer, incident=incident, expected_version=None)
    client = client_for(people.officer)
    response = client.get(_url("report_timeline", incident.pk))
    assert response["Location"] == _url("incident_detail", incident.pk)
    event = incident.events.first()
    assert event is not None
    response = client.post(_url("event_remove", incident.pk, event.pk), {"version": 99})
    assert response.status_code == 302
    assert incident.events.count() == 5


def test_home_page_lists_drafts_and_statements_owed(people: People) -> None:
    incident = draft(people.officer)
    home = client_for(people.officer).get(reverse("accounts:home")).content.decode()
    assert f"Continue report {incident.case_number}" in home
    submitted = force_report(people.officer)
    services.involvement_add(
        actor=people.officer, incident=submitted, expected_version=None,
        badge=people.agency.officer_a2.badge, role_on_scene="witness",
    )  # fmt: skip
    services.incident_submit(actor=people.officer, incident=submitted, expected_version=None)
    home = client_for(people.partner).get(reverse("accounts:home")).content.decode()
    assert f"Write your statement on incident {submitted.case_number}" in home
    assert "You have no report in draft." in home


def test_timeline_controls_edit_move_and_remove(people: People) -> None:
    incident = force_report(people.officer)
    client = client_for(people.officer)
    hold = incident.events.get(code="control_hold")
    page = client.get(_url("event_edit", incident.pk, hold.pk))
    assert page.status_code == 200
    assert 'value="1:15"' in page.content.decode()
    response = client.post(
        _url("event_edit", incident.pk, hold.pk),
        {"code": "takedown", "actor": f"m{primary(incident).pk}",
         "target_subject": str(incident.subjects.get().pk), "force_level": "", "offset": "1:15",
         "note": "", "version": fresh(incident).version},
    )  # fmt: skip
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.code == "takedown"
    # A time that goes back is refused next to the field.
    response = client.post(
        _url("event_edit", incident.pk, hold.pk),
        {"code": "takedown", "actor": f"m{primary(incident).pk}",
         "target_subject": str(incident.subjects.get().pk), "offset": "0:05", "note": "",
         "version": fresh(incident).version},
    )  # fmt: skip
    assert response.status_code == 400
    assert "times must not go back" in response.content.decode()
    # Moving with a stale page is refused with the conflict message.
    stale = fresh(incident).version - 1
    response = client.post(
        _url("event_move", incident.pk, hold.pk), {"direction": "up", "version": stale}
    )
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.sequence == 4
    response = client.post(
        _url("event_remove", incident.pk, hold.pk), {"version": fresh(incident).version}
    )
    assert response.status_code == 302
    assert list(incident.events.values_list("sequence", flat=True)) == [1, 2, 3, 4]


def test_a_login_without_a_member_record_is_told_why_it_cannot_file(people: People) -> None:
    client = client_for(people.no_member)
    page = client.get(_url("report_start")).content.decode()
    assert "not linked to a member record" in page
    assert "Save and continue" not in page
    response = client.post(
        _url("report_start"), {"occurred_at": _when(), "contact_type": "dispatched"}
    )
    assert response.status_code == 403
