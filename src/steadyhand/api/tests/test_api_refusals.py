"""A refusal test for every API route and method, found from the URL configuration.

The pages' automatic refusal tests (tests/test_view_refusals.py) expect a login redirect for
anonymous visitors; an API answers 401 instead, and its methods may need different actions
(reading complaints vs recording one). So API routes carry ``required_actions`` per method and
are checked here: every role that cannot hold a method's action gets 403 from it, a user with no
role gets 403, a request without credentials 401, and no refused request writes to the audit log.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from steadyhand.access.registry import get_action
from steadyhand.access.roles import Role
from steadyhand.api.tests.factories import api_client, client_for
from steadyhand.audit.models import AuditEvent
from steadyhand.core.testing import SmallAgency, make_user

pytestmark = pytest.mark.django_db


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _concrete(route: str) -> str:
    return "/" + route.replace("<int:incident_id>", "1").replace("<int:complaint_id>", "1").replace(
        "<int:member_id>", "1"
    ).replace("<int:batch_id>", "1")


def _holders(view: Any, method: str) -> set[Role]:
    actions = (
        view.view_class.any_of_actions.get(method)
        if hasattr(view.view_class, "any_of_actions")
        else None
    )
    names = actions or (view.required_actions[method],)
    holders: set[Role] = set()
    for name in names:
        spec = get_action(name)
        holders |= spec.roles | spec.self_roles
    return holders


CASES = sorted(
    (route, method)
    for route, view in _patterns(get_resolver())
    for method in getattr(view, "required_actions", {})
)
VIEWS = {route: view for route, view in _patterns(get_resolver())}


def test_api_routes_were_found() -> None:
    routes = {route for route, _ in CASES}
    assert "api/v1/incidents/" in routes
    assert ("api/v1/complaints/", "POST") in CASES


@pytest.mark.parametrize(("route", "method"), CASES)
def test_roles_without_the_methods_action_are_refused(
    small_agency: SmallAgency, route: str, method: str
) -> None:
    refused = [r for r in Role if r not in _holders(VIEWS[route], method)]
    url = _concrete(route)
    for role in refused:
        client = api_client(make_user(small_agency.agency, [role]))
        before = AuditEvent.objects.exclude(kind="access").count()
        response = client.generic(method, url, "{}", content_type="application/json")
        assert response.status_code == 403, f"{role} {method} {url}"
        assert AuditEvent.objects.exclude(kind="access").count() == before


@pytest.mark.parametrize(("route", "method"), CASES)
def test_no_credentials_get_401_and_no_role_gets_403(
    small_agency: SmallAgency, route: str, method: str
) -> None:
    url = _concrete(route)
    anonymous = client_for(None).generic(method, url, "{}", content_type="application/json")
    assert anonymous.status_code == 401
    # A user with no role cannot hold a token (api.token needs a role): log in instead.
    nobody = APIClient()
    nobody.force_login(make_user(small_agency.agency, []))
    assert nobody.generic(method, url, "{}", content_type="application/json").status_code == 403


@pytest.mark.parametrize("route", sorted({route for route, _ in CASES}))
def test_undeclared_methods_are_refused(small_agency: SmallAgency, route: str) -> None:
    client = api_client(make_user(small_agency.agency, list(Role)))
    declared = VIEWS[route].required_actions
    for method in ("PUT", "PATCH", "DELETE"):
        if method not in declared:
            assert client.generic(method, _concrete(route)).status_code in (403, 405)
