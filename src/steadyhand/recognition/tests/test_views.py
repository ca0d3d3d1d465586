"""The recognition pages, the public form and their refusals."""

import time
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from steadyhand.audit.models import AuditEvent
from steadyhand.complaints.models import SubmissionAttempt
from steadyhand.core.testing import SmallAgency
from steadyhand.recognition import services
from steadyhand.recognition.forms import started_token
from steadyhand.recognition.models import AwardType, Nomination, NominationStatus
from steadyhand.recognition.tests.factories import (
    People,
    approved,
    award,
    client_for,
    fresh,
    incident,
    nominate,
)

pytestmark = pytest.mark.django_db


def _public_url(a: SmallAgency) -> str:
    return reverse("recognition:public_form", kwargs={"agency_slug": a.agency.slug})


def _public(**overrides: Any) -> dict[str, Any]:
    data = {
        "narrative": "The officer stayed with my mother until the ambulance came.",
        "officer_description": "Officer with a red scarf, Main St",
        "occurred_on": "",
        "public_name": "",
        "public_contact": "",
        "website": "",
        "started": started_token(at=time.time() - 60),
    }
    data.update(overrides)
    return data


# The public form -----------------------------------------------------------------------------


def test_the_public_form_needs_no_login_and_is_audited_as_the_public(
    people: People,
) -> None:
    page = Client().get(_public_url(people.a))
    assert page.status_code == 200
    assert "csrfmiddlewaretoken" in page.content.decode()
    response = Client().post(_public_url(people.a), _public(), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert Client().get(response["Location"]).status_code == 200
    n = Nomination.objects.get()
    assert n.member is None
    assert n.status == NominationStatus.NOMINATED
    event = AuditEvent.objects.get(action="commendation.nominate_public")
    assert event.actor_label == "public:web-form"


def test_the_public_form_is_csrf_protected(people: People) -> None:
    response = Client(enforce_csrf_checks=True).post(_public_url(people.a), _public())
    assert response.status_code == 403
    assert not Nomination.objects.exists()


@pytest.mark.parametrize(
    "spam",
    [
        {"website": "http://spam.example"},  # the honeypot
        {"started": "just now"},  # sent within seconds (token made in the test)
        {"started": "forged"},
    ],
)
def test_spam_is_refused(people: People, spam: dict[str, str]) -> None:
    if spam.get("started") == "just now":
        spam = {"started": started_token(at=time.time())}
    response = Client().post(_public_url(people.a), _public(**spam))
    assert response.status_code == 400
    assert not Nomination.objects.exists()


@override_settings(STEADYHAND_COMPLAINT_FORM_RATE=(2, 3600))
def test_the_public_form_is_rate_limited(people: People) -> None:
    client = Client()
    for _ in range(2):
        assert (
            client.post(_public_url(people.a), _public(), REMOTE_ADDR="198.51.100.7").status_code
            == 302
        )
    blocked = client.post(_public_url(people.a), _public(), REMOTE_ADDR="198.51.100.7")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked
    assert Nomination.objects.count() == 2
    assert SubmissionAttempt.objects.filter(scope="commendation.nominate_public").count() == 2
    other = client.post(_public_url(people.a), _public(), REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 302


def test_an_unknown_agency_is_not_found() -> None:
    url = reverse("recognition:public_form", kwargs={"agency_slug": "no-such-agency"})
    assert Client().get(url).status_code == 404


def test_nothing_is_public_until_approved_consented_and_published(people: People) -> None:
    n = approved(people)
    anonymous = Client()
    # No public page shows nominations; the internal pages send the public to the login.
    for url in (reverse("recognition:index"), reverse("recognition:detail", args=[n.pk])):
        assert anonymous.get(url).status_code == 302


# Member pages --------------------------------------------------------------------------------


def test_a_member_nominates_from_the_page(people: People) -> None:
    client = client_for(people.partner)
    assert client.get(reverse("recognition:nominate")).status_code == 200
    response = client.post(
        reverse("recognition:nominate"),
        {"member": people.a.officer_a1.pk, "narrative": "Calm under pressure.", "incident_id": ""},
    )
    assert response.status_code == 302
    assert Nomination.objects.get().nominated_by_id == people.partner.user_id


def test_the_nominate_page_explains_an_incident_the_member_cannot_see(people: People) -> None:
    hidden = incident(people.a)
    response = client_for(people.partner).post(
        reverse("recognition:nominate"),
        {"member": people.a.officer_a1.pk, "narrative": "Calm.", "incident_id": hidden.pk},
    )
    assert response.status_code == 400
    assert "no such incident" in response.content.decode()
    assert not Nomination.objects.exists()


def test_the_recognition_page_shows_approved_commendations_only(people: People) -> None:
    done = approved(people)
    pending = nominate(people, member=people.a.officer_b1)
    page = client_for(people.officer_b).get(reverse("recognition:index")).content.decode()
    assert reverse("recognition:detail", args=[done.pk]) in page
    assert reverse("recognition:detail", args=[pending.pk]) not in page
    assert (
        client_for(people.ia).get(reverse("recognition:detail", args=[done.pk])).status_code == 200
    )


def test_an_open_nomination_is_not_found_outside_the_chain(people: People) -> None:
    n = nominate(people)
    url = reverse("recognition:detail", args=[n.pk])
    assert client_for(people.sergeant).get(url).status_code == 200
    assert client_for(people.officer_b).get(url).status_code == 404
    assert client_for(people.officer).get(url).status_code == 404  # the nominee, for now
    assert (
        client_for(people.supervisor_b)
        .post(reverse("recognition:approve", args=[n.pk]), {"version": 1})
        .status_code
        == 404
    )
    assert (
        client_for(people.officer)
        .post(reverse("recognition:approve", args=[n.pk]), {"version": 1})
        .status_code
        == 403
    )
    assert fresh(n).status == NominationStatus.NOMINATED


def test_approval_through_the_pages_and_a_stale_second_approval(people: People) -> None:
    n = nominate(people)
    prize = award(people)
    sergeant = client_for(people.sergeant)
    page = sergeant.get(reverse("recognition:detail", args=[n.pk])).content.decode()
    assert "Supervisor&#x27;s approval" in page or "Supervisor's approval" in page
    sergeant.post(reverse("recognition:approve", args=[n.pk]), {"version": 1})
    assert fresh(n).status == NominationStatus.SUPERVISOR_APPROVED
    # A second supervisor acting on the page as it was: refused, told to reload.
    board = client_for(people.board)
    response = board.post(
        reverse("recognition:approve", args=[n.pk]), {"version": 1, "award_type": prize.pk},
        follow=True,
    )  # fmt: skip
    assert "changed by someone else" in response.content.decode()
    assert fresh(n).status == NominationStatus.SUPERVISOR_APPROVED
    board.post(reverse("recognition:approve", args=[n.pk]), {"version": 2, "award_type": prize.pk})
    assert fresh(n).status == NominationStatus.APPROVED


def test_decline_through_the_page(people: People) -> None:
    n = nominate(people)
    client_for(people.sergeant).post(
        reverse("recognition:decline", args=[n.pk]), {"version": 1, "reason": "Duplicate."}
    )
    assert fresh(n).decline_reason == "Duplicate."
    page = client_for(people.partner).get(reverse("recognition:index")).content.decode()
    assert "Declined" in page


def test_consent_and_publication_through_the_pages(people: People) -> None:
    n = approved(people)
    officer = client_for(people.officer)
    page = officer.get(reverse("recognition:detail", args=[n.pk])).content.decode()
    assert "your choice" in page
    officer.post(
        reverse("recognition:consent", args=[n.pk]),
        {"version": n.version, "consent": "yes", "name_display": "first_last_initial"},
    )
    n = fresh(n)
    assert n.consent_to_publish
    client_for(people.captain_actor).post(
        reverse("recognition:publish", args=[n.pk]),
        {"version": n.version, "citation": "Stayed calm and saved a life."},
    )
    assert fresh(n).published


def test_suggestions_page_and_one_click(people: People) -> None:
    armed = incident(people.a, armed_with="firearm")
    sergeant = client_for(people.sergeant)
    page = sergeant.get(reverse("recognition:suggestions")).content.decode()
    assert armed.case_number in page
    assert "armed" in page
    response = sergeant.post(
        reverse("recognition:nominate_suggested", args=[armed.pk]),
        {"member": people.a.officer_a1.pk},
    )
    assert response.status_code == 302
    assert Nomination.objects.get().incident == armed
    outside = client_for(people.supervisor_b).post(
        reverse("recognition:nominate_suggested", args=[armed.pk]),
        {"member": people.a.officer_a1.pk},
    )
    assert outside.status_code == 404


def test_home_shows_waiting_nominations_and_suggestions(people: People) -> None:
    nominate(people)
    incident(people.a, members=(people.a.officer_a2,), armed_with="edged")
    page = client_for(people.sergeant).get(reverse("accounts:home")).content.decode()
    assert "Nominations awaiting your approval" in page
    assert "Suggested commendations in your chain" in page
    assert "Nomination of Test O101" in page
    officer_page = client_for(people.officer).get(reverse("accounts:home")).content.decode()
    assert "Nominations awaiting your approval" not in officer_page


def test_award_types_page(people: People) -> None:
    client = client_for(people.board)
    response = client.post(reverse("recognition:awards"), {"name": "Preservation of life"})
    assert response.status_code == 302
    assert "Preservation of life" in client.get(reverse("recognition:awards")).content.decode()
    assert client_for(people.sergeant).get(reverse("recognition:awards")).status_code == 403


def test_service_refusal_is_shown_not_crashed(people: People) -> None:
    n = nominate(people)
    services.nomination_approve(actor=people.sergeant, nomination=n, expected_version=1)
    response = client_for(people.sergeant).post(
        reverse("recognition:approve", args=[n.pk]), {"version": 2}
    )
    assert response.status_code == 403


def test_award_types_are_edited_and_retired_with_a_version(people: People) -> None:
    prize = award(people)
    url = reverse("recognition:award_edit", args=[prize.pk])
    client = client_for(people.board)
    assert client.get(url).status_code == 200
    data = {"name": "Preservation of life", "description": "", "version": prize.version}
    assert client.post(url, data).status_code == 302  # "active" unticked: retired
    assert not AwardType.objects.get(pk=prize.pk).active
    stale = client.post(url, {**data, "active": "on"})
    assert stale.status_code == 400
    assert "changed by someone else" in stale.content.decode()
    assert client_for(people.sergeant).post(url, data).status_code == 403
