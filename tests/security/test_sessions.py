"""Session fixation, server-side logout, and the two-factor gate on every page.

tests/test_security.py covers lockout (django-axes) and the two-factor flow at the home page;
these add what it does not: a session id planted before login is never the one used after it,
logout destroys the session on the server (a stolen cookie stops working), and an unverified
user of a role that needs two factors reaches no page at all, not only the home page.
"""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string

from steadyhand.access.roles import Role
from steadyhand.agencies.services import agency_configure
from steadyhand.core.testing import TEST_PASSWORD, SmallAgency, make_user
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _store(key: str) -> SessionBase:
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    return engine(session_key=key)  # type: ignore[no-any-return]


def _planted_session(client: Client) -> str:
    """What an attacker does: obtain a session id and make the victim's browser carry it."""
    store = _store("")
    store["planted"] = "by-attacker"
    store.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return str(store.session_key)


def test_a_session_id_planted_before_login_is_not_the_one_after_login(
    small_agency: SmallAgency,
) -> None:
    make_user(small_agency.agency, [Role.OFFICER], username="victim")
    client = Client()
    planted = _planted_session(client)
    response = client.post(LOGIN, {"username": "victim", "password": TEST_PASSWORD})
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != planted
    # The planted id does not carry the login: the attacker holding it is still anonymous.
    assert "_auth_user_id" not in _store(planted).load()
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get("/").status_code == 302


def test_logout_destroys_the_session_on_the_server(small_agency: SmallAgency) -> None:
    make_user(small_agency.agency, [Role.OFFICER], username="leaver")
    client = Client()
    client.post(LOGIN, {"username": "leaver", "password": TEST_PASSWORD})
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/").status_code == 200
    assert _store(key).exists(key)

    client.post(reverse("accounts:logout"))
    assert not _store(key).exists(key)
    # A copy of the old cookie (stolen earlier) no longer opens anything.
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    response = thief.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_is_post_only_so_a_link_cannot_sign_someone_out(
    small_agency: SmallAgency,
) -> None:
    make_user(small_agency.agency, [Role.OFFICER], username="stay")
    client = Client()
    client.post(LOGIN, {"username": "stay", "password": TEST_PASSWORD})
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get("/").status_code == 200


def test_an_unverified_user_of_a_two_factor_role_reaches_no_page(
    small_agency: SmallAgency,
) -> None:
    agency_configure(
        actor=small_agency.system,
        agency=small_agency.agency,
        require_2fa_roles=[Role.INTERNAL_AFFAIRS.value],
    )
    make_user(small_agency.agency, [Role.INTERNAL_AFFAIRS], username="ia-unverified")
    client = Client()
    assert (
        client.post(LOGIN, {"username": "ia-unverified", "password": TEST_PASSWORD}).status_code
        == 302
    )
    two_factor = reverse("accounts:two_factor")
    reached = []
    for route in all_routes():
        if route.is_public or route.is_api or route.action is None:
            continue  # public pages act for no one; the API is tested below
        url = route.url({k: 1 for k in route.kwargs})
        response = client.get(url)
        if not (response.status_code == 302 and response["Location"] == two_factor):
            reached.append(f"{route}: {response.status_code}")
    assert not reached, "pages reachable before the second factor:\n" + "\n".join(reached)
    # The session also authenticates the API: it must not be a way around the second factor.
    api = client.get("/api/v1/complaints/")
    assert api.status_code in (302, 401, 403), api.status_code
