"""Every URL and API endpoint, every role, against records inside the actor's chain of command,
outside it, and in another agency — found from the URL configuration, not listed by hand.

For each route the record a URL parameter names comes from ``KWARG_KINDS``; a parameter the
table does not know fails the sweep, so a new view cannot go unchecked. The expected answer
comes from the access registry (``steadyhand.access.policy.can``):

* another agency's record is never shown: 403, 404 (or 405 from a POST-only view);
* a record the registry refuses (outside the chain for a scoped action, someone else's record
  for an own-records-only role) is refused the same way, and the page names nothing of it;
* a record the registry allows is not refused (except the few listed in ``STATE_REFUSALS``,
  where the record's state, not the actor, closes the page);
* no response body, whatever its status, contains any identifier of the other agency (its name
  and slug, badges, names, case numbers, complaint references, usernames and planted texts).

The data is built once for the module (GET only: state-changing POSTs are covered by
tests/test_view_refusals.py and tests/security/test_csrf_all_routes.py).
"""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Model
from django.test import Client
from rest_framework.test import APIClient

from steadyhand.access.policy import Scope, can
from steadyhand.access.roles import Role
from steadyhand.api.tests.factories import token_for
from steadyhand.simulator import list_scenarios
from steadyhand.transparency.release import SPECS
from tests.security.routes import Route, all_routes
from tests.security.world import OUT_TAG, World, build_world

# URL parameter → the kind of record it names (a dict picks by the route's name prefix, for
# parameters whose meaning depends on the app). Add a row when you add a parameter.
KWARG_KINDS: dict[str, str | dict[str, str]] = {
    "user_id": "user",
    "assignment_id": "role_assignment",
    "unit_id": "unit",
    "member_id": "member",
    "batch_id": {
        "imports:training_": "training_batch",
        "imports:": "roster_batch",
        "incident_imports:": "incident_batch",
        "complaint_imports:": "complaint_batch",
        "api:": "incident_batch",
    },
    "job_id": "job",
    "agency_slug": "agency_slug",
    "complaint_id": "complaint",
    "allegation_id": "allegation",
    "document_id": "policy",
    "version_id": "policy_version",
    "section_id": "policy_section",
    "topic_id": "topic",
    "course_id": "course",
    "session_id": {"scenarios:": "group_session", "training:": "training_session"},
    "mandate_id": "mandate",
    "plan_id": "rollout",
    "survey_id": "survey",
    "invitation_id": "survey_invitation",
    "scenario_id": "scenario",
    "run_id": "scenario_run",
    "incident_id": "incident",
    "involvement_id": "involvement",
    "subject_id": "subject",
    "event_id": "timeline_event",
    "evaluation_id": "evaluation",
    "study_id": "synth_study",
    "token_id": "api_token",
    "force_level": "force_level",
    "action_id": "corrective_action",
    "notification_id": "notification",
    "review_id": "review",
    "aar_id": "aar",
    "lesson_id": "lesson",
    "entry_id": "library_entry",
    "award_type_id": "award_type",
    "nomination_id": "nomination",
    "flag_id": "flag",
    "table_key": "table_key",
}

# (route name, role, variant) whose allowed request may still be refused because of the
# record's state, with the reason. Variant None: any.
# Views that open to a second action besides their ``@requires`` one, checked inside the view
# against the record: the registry answer is "any of them".
ALSO_ALLOWS: dict[str, tuple[str, ...]] = {
    # Supervisors, commanders and trainers read the runs of trainees in their chain.
    "scenarios:debrief": ("scenario.view_runs",),
}
# Report-editing pages send a reader who may not edit the (submitted) report to its read-only
# page (302), which checks ``incident.view`` itself and is swept on its own.
for _name in (
    "report_basics", "report_outcomes", "report_people", "report_review", "report_timeline",
    "subject_add", "subject_edit", "event_add", "event_edit",
):  # fmt: skip
    ALSO_ALLOWS[f"incidents:{_name}"] = ("incident.view",)

STATE_REFUSALS: dict[tuple[str, Role | None, str | None], str] = {
    ("recognition:detail", None, None): (
        "a nomination is shown to the agency once approved; the sweep's one is pending"
    ),
    ("complaints:public_sent", None, None): "shown only right after one's own submission",
    ("commendations:public_sent", None, None): "shown only right after one's own submission",
    ("recognition:public_sent", None, None): "shown only right after one's own submission",
    ("transparency:table_csv", None, None): "no month has been published yet",
    ("api:import_detail", Role.TRAINER, None): (
        "any import action opens the route, then each batch needs its own kind's action: "
        "the sweep's batch is an incident import, which a trainer may not see"
    ),
}

# Marked so that pytest-django sets the test database up (it only does for a session that has
# marked tests); each test then runs in a savepoint inside the module's transaction.
pytestmark = pytest.mark.django_db

REFUSED = {403, 404, 405}
VARIANTS = ("inside", "outside", "other")
ROUTES = all_routes()
PAGE_ROUTES = [r for r in ROUTES if not r.is_api and r.action is not None]
API_ROUTES = [r for r in ROUTES if r.is_api and "GET" in r.view.required_actions]


def _kind(route: Route, kwarg: str) -> str:
    entry = KWARG_KINDS.get(kwarg)
    if entry is None:
        pytest.fail(
            f"The URL parameter {kwarg!r} of {route} is unknown to the isolation sweep: add it to "
            f"KWARG_KINDS in {__file__} (and build a record of that kind in "
            "tests/security/world.py), so the new view is checked across agencies and chains."
        )
    if isinstance(entry, str):
        return entry
    for prefix in sorted(entry, key=len, reverse=True):
        if route.name.startswith(prefix):
            return entry[prefix]
    pytest.fail(f"KWARG_KINDS[{kwarg!r}] has no entry for the route name {route.name!r}.")


def _target(world: World, route: Route, variant: str) -> tuple[str, Any]:
    """The URL for ``variant``'s records, and the record whose scope the registry judges."""
    records = world.records(variant)
    side = world.other if variant == "other" else world.home
    values: dict[str, object] = {}
    scoped: Any = None
    for kwarg in route.kwargs:
        kind = _kind(route, kwarg)
        if kind == "agency_slug":
            values[kwarg] = side.agency.agency.slug
        elif kind == "scenario":
            values[kwarg] = list_scenarios()[0].id
        elif kind == "force_level":
            values[kwarg] = records["force_level"]
        elif kind == "table_key":
            values[kwarg] = SPECS[0].key
        else:
            record = records[kind]
            values[kwarg] = record.pk
            scope = _scope_of(kind, record)
            if scoped is None and scope is not None:
                scoped = scope
    return route.url(values), scoped


def _scope_of(kind: str, record: Model) -> Any:
    """The registry's view of a record: its own ``access_scope``, or one built here for the
    few models that have none but belong to one person."""
    if kind == "survey_invitation":
        member = record.member  # type: ignore[attr-defined]
        account = getattr(member, "user_account", None)
        return Scope(
            agency_id=member.agency_id,
            unit_path=member.unit.path,
            owner_user_id=account.pk if account is not None else None,
        )
    return record if hasattr(record, "access_scope") else None


def _allowed(actor: Any, actions: tuple[str, ...], record: Any) -> bool:
    return any(can(actor, action, record) for action in actions)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once; rolled back after the module, so other tests never see it."""
    # Refusals are expected by the thousand; Django logs each as a warning.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
    request_log.setLevel(level)


def _leaks(body: bytes, identifiers: list[str]) -> list[str]:
    text = body.decode("utf-8", "replace").lower()
    return [i for i in identifiers if i.lower() in text]


class Sweep:
    def __init__(self, world: World) -> None:
        self.world = world
        self.problems: list[str] = []
        self.requests = 0
        self.other_ids = world.other.identifiers

    def check(
        self, label: str, response: Any, *, allowed: bool, variant: str, state_ok: bool
    ) -> None:
        self.requests += 1
        status = response.status_code
        body = b"".join(response) if getattr(response, "streaming", False) else response.content
        if status >= 500:
            self.problems.append(f"{label}: server error {status}")
            return
        if variant == "other" and status not in REFUSED:
            self.problems.append(f"{label}: another agency's record answered {status}")
        elif variant != "other" and not allowed and status not in REFUSED:
            self.problems.append(f"{label}: registry refuses, answered {status}")
        elif variant != "other" and allowed and status in (403, 404) and not state_ok:
            self.problems.append(f"{label}: registry allows, answered {status}")
        leaked = _leaks(body, self.other_ids)
        if leaked:
            self.problems.append(f"{label}: body names the other agency: {leaked[:5]}")
        if variant == "outside" and not allowed and OUT_TAG.lower() in body.decode().lower():
            self.problems.append(f"{label}: refused, but the body shows the record")

    def report(self) -> None:
        assert not self.problems, f"{len(self.problems)} problems:\n" + "\n".join(
            self.problems[:120]
        )


def _page_clients(world: World) -> dict[Role, Client]:
    clients = {}
    for role, user in world.home.users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
    return clients


def test_every_url_parameter_is_known() -> None:
    unknown = sorted({f"{k} ({r})" for r in ROUTES for k in r.kwargs if k not in KWARG_KINDS})
    assert not unknown, (
        "Add these URL parameters to KWARG_KINDS in tests/security/test_object_isolation.py "
        f"and a record of their kind to tests/security/world.py: {unknown}"
    )


def test_the_planted_identifiers_show_where_they_belong(world: World) -> None:
    """The control: the leak search would find the other agency's identifiers if shown."""
    client = Client()
    client.force_login(world.other.users[Role.SUPERVISOR])
    incident = world.other.inside["incident"]
    body = client.get(f"/incidents/{incident.pk}/").content
    assert _leaks(body, world.other.identifiers)
    assert incident.case_number.encode() in body  # type: ignore[attr-defined]


def test_pages_with_a_record_in_the_url(world: World) -> None:
    sweep = Sweep(world)
    clients = _page_clients(world)
    for route in (r for r in PAGE_ROUTES if r.kwargs):
        inside_url = _target(world, route, "inside")[0]
        for variant in VARIANTS:
            url, record = _target(world, route, variant)
            if variant == "outside" and url == inside_url:
                continue  # an agency-level record: the same request as "inside"
            for role, client in clients.items():
                actor = world.home.actors[role]
                if route.is_public:
                    # A public page acts for no one; only the agency in its URL decides.
                    allowed = True
                else:
                    actions = (route.action, *ALSO_ALLOWS.get(route.name, ()))
                    allowed = _allowed(actor, actions, record)  # type: ignore[arg-type]
                state_ok = any(
                    key in STATE_REFUSALS
                    for key in (
                        (route.name, role, variant),
                        (route.name, role, None),
                        (route.name, None, None),
                    )
                )
                label = f"{role} GET {url} [{route.name}, {variant}]"
                response = client.get(url)
                if route.is_public and variant == "other":
                    # Another agency's public page is public: only the status is checked.
                    sweep.requests += 1
                    if response.status_code >= 500:
                        sweep.problems.append(
                            f"{label}: public page answered {response.status_code}"
                        )
                    continue
                sweep.check(label, response, allowed=allowed, variant=variant, state_ok=state_ok)
    print(f"\n{sweep.requests} page requests with a record in the URL")
    sweep.report()


def test_pages_without_parameters_show_nothing_of_another_agency(world: World) -> None:
    sweep = Sweep(world)
    clients = _page_clients(world)
    for route in (r for r in PAGE_ROUTES if not r.kwargs):
        url = route.url({})
        for role, client in clients.items():
            allowed = can(world.home.actors[role], route.action)  # type: ignore[arg-type]
            response = client.get(url)
            sweep.check(
                f"{role} GET {url} [{route.name}]",
                response,
                allowed=allowed,
                variant="inside",
                state_ok=True,
            )
    print(f"\n{sweep.requests} page requests without parameters")
    sweep.report()


def test_api_endpoints(world: World) -> None:
    sweep = Sweep(world)
    clients = {}
    for role, user in world.home.users.items():
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        clients[role] = client
    for route in API_ROUTES:
        view_class = route.view.view_class
        actions = tuple(
            getattr(view_class, "any_of_actions", {}).get("GET")
            or (route.view.required_actions["GET"],)
        )
        for variant in VARIANTS if route.kwargs else ("inside",):
            url, record = _target(world, route, variant)
            for role, client in clients.items():
                allowed = _allowed(world.home.actors[role], actions, record)
                response = client.get(url)
                sweep.check(
                    f"{role} API GET {url} [{route.name}, {variant}]",
                    response,
                    allowed=allowed,
                    variant=variant,
                    state_ok=not route.kwargs or (route.name, role, None) in STATE_REFUSALS,
                )
    print(f"\n{sweep.requests} API requests")
    sweep.report()
