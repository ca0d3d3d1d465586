"""The public complaint form: no login, anonymous if wished, spam-resistant, rate-limited."""

import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.complaints.forms import started_token
from steadyhand.complaints.models import Complaint, SubmissionAttempt
from steadyhand.core.testing import SmallAgency, make_user

pytestmark = pytest.mark.django_db

A_MINUTE_AGO = 60.0


def _url(agency: SmallAgency) -> str:
    return reverse("complaints:public_form", kwargs={"agency_slug": agency.agency.slug})


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "narrative": "An officer swore at me and pushed me during a traffic stop.",
        "occurred_on": "2026-03-14",
        "occurred_time": "21:30",
        "location": "5th and Main",
        "officer_description": "Badge 4411, tall, moustache",
        "complainant_name": "",
        "complainant_contact": "",
        "race": "black",
        "ethnicity": "not_hispanic",
        "sex": "female",
        "age_band": "25_34",
        "is_victim": "yes",
        "website": "",
        "started": started_token(at=time.time() - A_MINUTE_AGO),
    }
    data.update(overrides)
    return data


def _reference(response: Any) -> str:
    match = re.search(r"C-\d{4}-\d{6}", response.content.decode())
    assert match, response.content.decode()
    return match.group(0)


def test_the_form_needs_no_login_and_explains_itself(small_agency: SmallAgency) -> None:
    response = Client().get(_url(small_agency))
    assert response.status_code == 200
    page = response.content.decode()
    assert "csrfmiddlewaretoken" in page
    assert 'name="started"' in page
    assert "anonymously" in page
    assert "measuring fairness" in page
    assert '<label for="id_narrative">What happened?' in page


def test_an_anonymous_complaint_is_received_with_a_reference_and_audited(
    small_agency: SmallAgency,
) -> None:
    client = Client()
    response = client.post(_url(small_agency), _form(), REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302
    sent = client.get(response["Location"])
    assert sent.status_code == 200
    reference = _reference(sent)
    complaint = Complaint.objects.get(agency=small_agency.agency)
    assert complaint.reference == reference
    assert re.fullmatch(r"C-\d{4}-000001", reference)
    assert complaint.channel == "public_form"
    assert complaint.created_by_id is None
    assert complaint.complainant_name == ""
    assert complaint.unit is None  # agency level until an allegation names a member
    assert complaint.occurred_at is not None
    local = complaint.occurred_at.astimezone(ZoneInfo(small_agency.agency.timezone))
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-03-14", 21, 30)
    person = complaint.people.get()
    assert (person.race, person.sex, person.age_band, person.is_victim) == (
        "black",
        "female",
        "25_34",
        True,
    )
    event = AuditEvent.objects.get(action="complaint.submit")
    assert event.actor_user_id is None
    assert event.actor_label == "public:web-form"
    assert event.object_id == str(complaint.pk)
    assert event.agency_id == small_agency.agency.pk


def test_references_count_up_within_the_agency(small_agency: SmallAgency) -> None:
    client = Client()
    for _ in range(2):
        client.post(_url(small_agency), _form())
    references = sorted(Complaint.objects.values_list("reference", flat=True))
    assert [r[-6:] for r in references] == ["000001", "000002"]


def test_demographics_may_be_left_unanswered(small_agency: SmallAgency) -> None:
    blank = {k: "" for k in ("race", "ethnicity", "sex", "age_band", "is_victim")}
    response = Client().post(_url(small_agency), _form(**blank))
    assert response.status_code == 302
    person = Complaint.objects.get().people.get()
    assert (person.race, person.sex, person.is_victim) == ("unknown", "unknown", False)


def test_a_logged_in_member_still_files_as_the_public(small_agency: SmallAgency) -> None:
    client = Client()
    client.force_login(make_user(small_agency.agency, [Role.OFFICER]))
    assert client.post(_url(small_agency), _form()).status_code == 302
    event = AuditEvent.objects.get(action="complaint.submit")
    assert (event.actor_user_id, event.actor_label) == (None, "public:web-form")


def test_missing_narrative_is_explained_in_an_error_summary(small_agency: SmallAgency) -> None:
    response = Client().post(_url(small_agency), _form(narrative=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert 'href="#id_narrative"' in page
    # What was typed is kept.
    assert "5th and Main" in page
    assert not Complaint.objects.exists()


def test_a_filled_honeypot_is_refused(small_agency: SmallAgency) -> None:
    response = Client().post(_url(small_agency), _form(website="http://spam.example"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "looked automated" in page
    # Shown again with the trap empty, so a person whose browser filled it can send again.
    assert 'name="website" id="id_website" value=""' in page
    assert "http://spam.example" not in page
    assert not Complaint.objects.exists()
    assert not AuditEvent.objects.filter(action="complaint.submit").exists()


def test_a_form_sent_within_seconds_of_opening_is_refused(small_agency: SmallAgency) -> None:
    token = started_token()
    response = Client().post(_url(small_agency), _form(started=token))
    assert response.status_code == 400
    page = response.content.decode()
    assert "within seconds of opening" in page
    assert not Complaint.objects.exists()
    # The page shown again carries a fresh timestamp, so a person can simply send it again.
    assert 'name="started"' in page
    assert token not in page


def test_a_forged_or_missing_timestamp_is_refused(small_agency: SmallAgency) -> None:
    for started in ("", "1700000000", started_token(at=1.0) + "x"):
        response = Client().post(_url(small_agency), _form(started=started))
        assert response.status_code == 400
        assert "form was incomplete" in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_day_old_form_is_sent_again_not_lost(small_agency: SmallAgency) -> None:
    old = started_token(at=time.time() - 2 * 24 * 3600)
    response = Client().post(_url(small_agency), _form(started=old))
    assert response.status_code == 400
    page = response.content.decode()
    assert "open for more than a day" in page
    assert "5th and Main" in page


@override_settings(STEADYHAND_COMPLAINT_FORM_RATE=(3, 3600))
def test_the_fourth_submission_from_one_address_in_an_hour_is_refused(
    small_agency: SmallAgency,
) -> None:
    client = Client()
    for _ in range(3):
        response = client.post(_url(small_agency), _form(), REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 302
    response = client.post(
        _url(small_agency), _form(location="Kept text"), REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    page = response.content.decode()
    assert "Your complaint was not sent" in page
    assert "Too many complaints have been sent from this internet connection" in page
    assert "Kept text" in page  # nothing typed is lost
    assert Complaint.objects.count() == 3
    # Another address is not affected.
    other = client.post(_url(small_agency), _form(), REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 302
    # Addresses are stored only as keyed hashes.
    clients = set(SubmissionAttempt.objects.values_list("client", flat=True))
    assert len(clients) == 2
    assert all("198.51" not in c and len(c) == 64 for c in clients)


@override_settings(STEADYHAND_COMPLAINT_FORM_RATE=(1, 3600), STEADYHAND_TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_forwarded_address_is_limited(small_agency: SmallAgency) -> None:
    client = Client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = client.post(_url(small_agency), _form(), HTTP_X_FORWARDED_FOR="192.0.2.1", **proxy)
    second = client.post(_url(small_agency), _form(), HTTP_X_FORWARDED_FOR="192.0.2.2", **proxy)
    again = client.post(_url(small_agency), _form(), HTTP_X_FORWARDED_FOR="192.0.2.1", **proxy)
    assert [first.status_code, second.status_code, again.status_code] == [302, 302, 429]


def test_csrf_is_required(small_agency: SmallAgency) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url(small_agency), _form())
    assert response.status_code == 403
    assert not Complaint.objects.exists()
    # The page itself supplies the token a real browser sends back.
    page = client.get(_url(small_agency)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    response = client.post(_url(small_agency), _form(csrfmiddlewaretoken=token.group(1)))
    assert response.status_code == 302
    assert Complaint.objects.count() == 1


def test_an_unknown_agency_is_not_found() -> None:
    url = reverse("complaints:public_form", kwargs={"agency_slug": "no-such-agency"})
    assert Client().get(url).status_code == 404
    assert Client().post(url, _form()).status_code == 404
    assert not SubmissionAttempt.objects.exists()


def test_a_forged_receipt_shows_no_reference(small_agency: SmallAgency) -> None:
    url = reverse("complaints:public_sent", kwargs={"agency_slug": small_agency.agency.slug})
    response = Client().get(url, {"receipt": "C-2026-000001"})
    assert response.status_code == 404
    assert "C-2026-000001" not in response.content.decode()


def test_each_agency_receives_its_own_complaints(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    Client().post(_url(other_agency), _form())
    assert Complaint.objects.get().agency_id == other_agency.agency.pk
