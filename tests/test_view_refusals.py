"""A refusal test for every view, found automatically from the URL configuration.

For each URL pattern whose view is guarded by ``@requires(action)``, every role that does not
hold ``action`` gets a 403 on GET and POST, anonymous visitors are sent to the login page, and
nothing is written to the audit log by the refused request. New views are covered without
anyone remembering to add them.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from steadyhand.access.registry import get_action
from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency, make_user

pytestmark = pytest.mark.django_db


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _guarded() -> list[tuple[str, str]]:
    found = []
    for route, view in _patterns(get_resolver()):
        action = getattr(view, "required_action", None)
        # API routes answer 401, not a login redirect, and name an action per method
        # (``required_actions``); src/steadyhand/api/tests/test_api_refusals.py checks them.
        if action is not None and not hasattr(view, "required_actions"):
            found.append((route, action))
    return sorted(found)


def _concrete(route: str) -> str:
    # Any id will do: the role check refuses before the record is looked up.
    path = route
    for converter in ("<int:", "<str:", "<slug:", "<uuid:", "<path:"):
        while converter in path:
            start = path.index(converter)
            end = path.index(">", start)
            value = "00000000-0000-0000-0000-000000000001" if converter == "<uuid:" else "1"
            path = path[:start] + value + path[end + 1 :]
    return "/" + path.lstrip("^").rstrip("$")


GUARDED = _guarded()


def test_the_url_configuration_has_guarded_views() -> None:
    assert len(GUARDED) >= 10, GUARDED


@pytest.mark.parametrize(("route", "action"), GUARDED)
def test_roles_without_the_action_are_refused(
    small_agency: SmallAgency, route: str, action: str
) -> None:
    url = _concrete(route)
    spec = get_action(action)
    refused_roles = [r for r in Role if r not in spec.roles and r not in spec.self_roles]
    before = AuditEvent.objects.count()
    for role in refused_roles:
        client = Client()
        client.force_login(make_user(small_agency.agency, [role]))
        writes_before = AuditEvent.objects.exclude(kind="access").count()
        # POST-only views may answer a GET with 405 before looking at roles; that refuses too.
        assert client.get(url).status_code in (403, 405), f"{role} GET {url}"
        assert client.post(url).status_code == 403, f"{role} POST {url}"
        assert AuditEvent.objects.exclude(kind="access").count() == writes_before
    assert AuditEvent.objects.count() >= before


@pytest.mark.parametrize(("route", "action"), GUARDED)
def test_anonymous_visitors_are_sent_to_login(route: str, action: str) -> None:
    response = Client().post(_concrete(route))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("route", "action"), GUARDED)
def test_a_user_with_no_role_at_all_is_refused(
    small_agency: SmallAgency, route: str, action: str
) -> None:
    client = Client()
    client.force_login(make_user(small_agency.agency, []))
    assert client.post(_concrete(route)).status_code == 403
