"""CSRF on every state-changing route, found from the URL configuration.

Every page POST — signed in or not, public forms and the login form included — is refused with
Django's CSRF failure page when the request carries no token. The check runs in middleware
before any view, so any ids in the URL will do.

The API is different by design: a request authenticated by an ``Authorization: Bearer`` token
carries no cookie, so a browser cannot be tricked into sending it and DRF exempts it from CSRF.
Session authentication is also enabled for the API (so the browsable pages' scripts can use it);
DRF's ``SessionAuthentication`` then enforces CSRF itself, which the last tests prove.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from steadyhand.access.roles import Role
from steadyhand.api.tests.factories import record_json, token_for
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.incidents.models import Incident
from tests.security.routes import Route, all_routes

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
PAGE_ROUTES = [r for r in ROUTES if not r.is_api]
API_ROUTES = [r for r in ROUTES if r.is_api]
CSRF_FAILURE = b"CSRF verification failed"


def _values(route: Route, agency_slug: str) -> dict[str, object]:
    # The CSRF middleware refuses before the view looks anything up; ids need not exist.
    return {k: agency_slug if k == "agency_slug" else 1 for k in route.kwargs}


def test_every_route_was_found() -> None:
    assert len(PAGE_ROUTES) > 150
    assert API_ROUTES


def test_every_page_post_without_a_token_is_refused_for_a_signed_in_user(
    small_agency: SmallAgency,
) -> None:
    # One user holding every role: a refusal can only come from the CSRF check.
    user = make_user(small_agency.agency, list(Role))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    accepted = []
    for route in PAGE_ROUTES:
        url = route.url(_values(route, small_agency.agency.slug))
        response = client.post(url, {"anything": "x"})
        if response.status_code != 403 or CSRF_FAILURE not in response.content:
            accepted.append(f"{route}: {response.status_code}")
    assert not accepted, "POST without a CSRF token was not refused:\n" + "\n".join(accepted)


def test_every_page_post_without_a_token_is_refused_for_anonymous_visitors(
    small_agency: SmallAgency,
) -> None:
    """Public forms and the login form too: login CSRF would sign a victim into our account."""
    client = Client(enforce_csrf_checks=True)
    accepted = []
    for route in PAGE_ROUTES:
        url = route.url(_values(route, small_agency.agency.slug))
        response = client.post(url, {"username": "x", "password": "y"})
        if response.status_code != 403 or CSRF_FAILURE not in response.content:
            accepted.append(f"{route}: {response.status_code}")
    assert not accepted, "POST without a CSRF token was not refused:\n" + "\n".join(accepted)


def test_a_page_post_with_the_token_gets_past_the_check(small_agency: SmallAgency) -> None:
    """The sweep above is meaningful only if the same client with a token is not refused."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/", {"username": "x", "password": "y", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200  # the form again, with a login error
    assert CSRF_FAILURE not in response.content


def test_session_authenticated_api_writes_need_a_csrf_token(small_agency: SmallAgency) -> None:
    user = make_user(small_agency.agency, list(Role))
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    refused = []
    for route in API_ROUTES:
        for method in set(route.view.required_actions) - {"GET", "HEAD", "OPTIONS"}:
            url = route.url(_values(route, small_agency.agency.slug))
            response = client.generic(method, url, "{}", content_type="application/json")
            if response.status_code != 403 or b"CSRF" not in response.content:
                refused.append(f"{method} {route}: {response.status_code}")
    assert not refused, "session-authenticated API write without CSRF token:\n" + "\n".join(refused)


def test_token_authenticated_api_writes_are_exempt_by_design(small_agency: SmallAgency) -> None:
    user = make_user(small_agency.agency, [Role.AGENCY_ADMIN, Role.ANALYST])
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    response = client.post("/api/v1/incidents/", record_json(), format="json")
    assert response.status_code in (200, 201), response.content
    assert Incident.objects.filter(agency=small_agency.agency).exists()
