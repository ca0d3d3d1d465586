"""Token authentication: a token acts as its user; revoked, expired, foreign or malformed
tokens are refused; the secret is shown once and never stored."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from steadyhand.access.roles import Role
from steadyhand.api.models import ApiToken
from steadyhand.api.services import api_token_create, api_token_revoke
from steadyhand.api.tests.factories import client_for, make_incident, token_for
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.core.testing import SmallAgency, actor_of, make_user

INCIDENTS = "/api/v1/incidents/"


@pytest.fixture
def supervisor(small_agency: SmallAgency):  # type: ignore[no-untyped-def]
    return make_user(small_agency.agency, [(Role.SUPERVISOR, small_agency.precinct_a)])


def test_a_valid_token_acts_as_its_user(small_agency: SmallAgency, supervisor) -> None:  # type: ignore[no-untyped-def]
    incident = make_incident(small_agency.system)
    response = client_for(token_for(supervisor)).get(INCIDENTS)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [incident.pk]
    token = ApiToken.objects.get(user=supervisor)
    assert token.last_used_at is not None


def test_no_token_and_a_malformed_one_are_refused(small_agency: SmallAgency) -> None:
    assert client_for(None).get(INCIDENTS).status_code == 401
    assert client_for("sh_not-a-real-token").get(INCIDENTS).status_code == 401
    assert client_for("abc").get(INCIDENTS).status_code == 401
    response = client_for(None).get(INCIDENTS, HTTP_AUTHORIZATION="Bearer")
    assert response.status_code == 401


def test_a_revoked_token_stops_working(small_agency: SmallAgency, supervisor) -> None:  # type: ignore[no-untyped-def]
    secret = token_for(supervisor)
    client = client_for(secret)
    assert client.get(INCIDENTS).status_code == 200
    api_token_revoke(actor=actor_of(supervisor), token_id=ApiToken.objects.get(user=supervisor).pk)
    response = client.get(INCIDENTS)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid, expired or revoked token."


def test_an_expired_token_is_refused(small_agency: SmallAgency, supervisor) -> None:  # type: ignore[no-untyped-def]
    secret = token_for(supervisor)
    ApiToken.objects.filter(user=supervisor).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client_for(secret).get(INCIDENTS).status_code == 401


def test_a_deactivated_user_token_is_refused(small_agency: SmallAgency, supervisor) -> None:  # type: ignore[no-untyped-def]
    secret = token_for(supervisor)
    type(supervisor).objects.filter(pk=supervisor.pk).update(is_active=False)
    assert client_for(secret).get(INCIDENTS).status_code == 401


def test_a_token_of_another_agency_is_refused(
    small_agency: SmallAgency,
    other_agency: SmallAgency,
    supervisor,  # type: ignore[no-untyped-def]
) -> None:
    """A token issued in one agency does not follow its user into another."""
    secret = token_for(supervisor)
    ApiToken.objects.filter(user=supervisor).update(agency=other_agency.agency)
    assert client_for(secret).get(INCIDENTS).status_code == 401


def test_another_agencys_records_are_not_found_with_a_valid_token(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    theirs = make_incident(other_agency.system)
    commander = make_user(small_agency.agency, [Role.COMMANDER])
    client = client_for(token_for(commander))
    assert client.get(f"{INCIDENTS}{theirs.pk}/").status_code == 404
    assert client.get(INCIDENTS).json()["results"] == []


def test_only_the_digest_is_stored_and_creation_is_audited(
    small_agency: SmallAgency,
    supervisor,  # type: ignore[no-untyped-def]
) -> None:
    issued = api_token_create(actor=actor_of(supervisor), name="RMS push")
    token = ApiToken.objects.get(pk=issued.token.pk)
    stored = " ".join(str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields)
    assert issued.secret not in stored
    assert issued.secret[8:] not in stored
    event = AuditEvent.objects.get(action="api_token.create", object_id=str(token.pk))
    assert issued.secret not in str(event.changes)


def test_a_token_needs_a_name_and_a_sane_lifetime(small_agency: SmallAgency, supervisor) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        api_token_create(actor=actor_of(supervisor), name=" ", lifetime_days=1000)
    assert set(caught.value.errors) == {"name", "lifetime_days"}


def test_one_cannot_revoke_someone_elses_token(small_agency: SmallAgency, supervisor) -> None:  # type: ignore[no-untyped-def]
    token_for(supervisor)
    other = make_user(small_agency.agency, [Role.COMMANDER])
    with pytest.raises(NotFound):
        api_token_revoke(actor=actor_of(other), token_id=ApiToken.objects.get(user=supervisor).pk)


def _login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_token_page_shows_the_secret_once(small_agency: SmallAgency) -> None:
    officer = make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1)
    client = _login(officer)
    url = reverse("api:token_list")
    created = client.post(url, {"name": "my script", "lifetime_days": 30})
    assert created.status_code == 200
    secret = created.context["secret"]
    assert secret.startswith("sh_")
    assert secret in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    again = client.get(url)
    assert secret not in again.content.decode()
    assert "my script" in again.content.decode()
    token = ApiToken.objects.get(user=officer)
    revoked = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked


def test_the_token_page_refuses_others_tokens_and_anonymous_users(
    small_agency: SmallAgency,
    supervisor,  # type: ignore[no-untyped-def]
) -> None:
    token_for(supervisor)
    token = ApiToken.objects.get(user=supervisor)
    officer = make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1)
    assert _login(officer).post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    assert Client().get(reverse("api:token_list")).status_code == 302


def test_session_requests_keep_csrf_but_token_requests_need_none(
    small_agency: SmallAgency,
) -> None:
    ia = make_user(small_agency.agency, [Role.INTERNAL_AFFAIRS])
    body = {"channel": "phone", "narrative": "He was rude to me at the station."}
    session = Client(enforce_csrf_checks=True)
    session.force_login(ia)
    refused = session.post("/api/v1/complaints/", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert session.get("/api/v1/complaints/").status_code == 200
    accepted = client_for(token_for(ia)).post("/api/v1/complaints/", body, format="json")
    assert accepted.status_code == 201
