"""Stored cross-site scripting: a script typed into any free-text field is shown as text.

Every record kind the pages can show is built through its service with a payload in each
free-text field the service takes (tests/security/world.py), plus statements, review
findings, a public complaint and a flag response. Then, to reach fields no builder knows
(new ones included), every non-choice ``CharField``/``TextField`` of every project model, in
every row, is overwritten with the payload (``_plant_everywhere``). Every page is then rendered
for every role, and no HTML response may contain the payload unescaped.

Each planted value starts with a label (``XSS[model.field]``) so the sweep can tell which
fields reached a page; ``test_fields_that_reach_pages`` lists them and fails if the fields the
issue names (narratives, statements, lessons, complaint text...) never show up escaped.
"""

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client

from steadyhand.access.decorators import public_actor
from steadyhand.access.roles import Role
from steadyhand.complaints.services import complaint_submit_public
from steadyhand.incidents import services as incident_services
from steadyhand.intervention.models import SupervisorResponse
from steadyhand.reviews.services import FindingsInput, review_findings_save
from steadyhand.simulator import list_scenarios
from steadyhand.transparency.release import SPECS
from tests.security.routes import all_routes
from tests.security.test_object_isolation import KWARG_KINDS, _kind
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
RAW = (b"<script>alert(1)", b"<img src=x onerror")
ESCAPED = b"&lt;script&gt;alert(1)&lt;/script&gt;"
LABEL = re.compile(rb"XSS\[([\w.-]+)\]&lt;script&gt;")

# Fields that are not free text a person types, or whose change would break the records
# (hashes, secrets, codes used in URLs and look-ups). Matched against the field name.
NOT_FREE_TEXT = re.compile(
    r"(hash|digest|sha256|secret|prefix|password|token|key|slug|code|reference|case_number|"
    r"username|badge|path|scenario_id|file_name|kind|status|action|object_type|object_id|"
    r"label|email|ip|user_agent|column|treated|period|timezone|^id$|external|source|format|"
    r"mapping|phase|channel|category|role|level|rank|topic|setting|mode|outcome|method|"
    r"unit_of_analysis|task_result_id|cause_|rule_set|algorithm|stratum|measure|client|scope|"
    r"^link$)"
)
SKIP_APPS = {"admin", "auth", "contenttypes", "sessions", "axes", "otp_totp", "otp_static",
             "django_tasks_database", "django_tasks_db", "audit"}  # fmt: skip

# The fields the issue names: each must be shown (escaped) on at least one page.
MUST_SHOW = {
    "incident narrative": "narrative",
    "statement text": "statement",
    "review findings": "findings",
    "AAR notes": "aar-notes",
    "AAR lessons": "lesson",
    "complaint (intake)": "complaint",
    "complaint (public form)": "public-complaint",
    "commendation citation": "commendation",
    "policy text": "policy-section",
    "course description": "course-description",
    "survey title": "survey",
    "flag response": "flag-response",
}


def _text(tag: str, what: str) -> str:
    return f"XSS[{what}]{PAYLOAD}"


def _plant_through_services(world: World) -> None:
    home = world.home
    officer = home.actors[Role.OFFICER]
    incident = home.inside["incident"]
    statement = incident_services.statement_open(actor=officer, incident=incident)  # type: ignore[arg-type]
    incident_services.statement_save(
        actor=officer, statement=statement, expected_version=statement.version,
        text=_text("", "statement"), witnessed_force=True, intervened=None,
        intervention_note=_text("", "intervention-note"),
    )  # fmt: skip
    review = home.inside["review"]
    review.refresh_from_db()
    review_findings_save(
        actor=home.actors[Role.SUPERVISOR], review=review,  # type: ignore[arg-type]
        expected_version=review.version,  # type: ignore[attr-defined]
        findings=FindingsInput(
            within_policy=True, de_escalation="yes", duty_to_intervene="na",
            tactics_issues=_text("", "findings"), training_issues=_text("", "findings-training"),
        ),
    )  # fmt: skip
    world.home.inside["public_complaint"] = complaint_submit_public(
        actor=public_actor(agency_id=home.agency.agency.pk),
        narrative=_text("", "public-complaint"), location=_text("", "public-location"),
        complainant_name=_text("", "public-name"),
    )  # fmt: skip
    flag = home.inside["flag"]
    SupervisorResponse.objects.create(
        flag=flag, responder=home.agency.sergeant_a1, agreed=False,
        reason=_text("", "flag-response"),
    )  # fmt: skip


def _plantable(field: models.Field[Any, Any]) -> bool:
    if not isinstance(field, models.CharField | models.TextField) or field.choices:
        return False
    if isinstance(field, models.CharField) and (field.max_length or 0) < 40:
        return False
    return not NOT_FREE_TEXT.search(field.name)


def _plant_everywhere() -> list[str]:
    """Overwrite every free-text column of every project row with a labelled payload (empty
    ones too, so that optional texts such as a return reason are shown), except the values the
    services stored."""
    planted = []
    for model in apps.get_models():
        if model._meta.app_label in SKIP_APPS or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not _plantable(field):
                continue
            name = f"{model._meta.label_lower}.{field.name}"
            value = f"XSS[{name}]{PAYLOAD}"
            if isinstance(field, models.CharField):
                value = value[: field.max_length]
            try:
                with transaction.atomic():
                    # Keep what the services stored: those labels prove the service path.
                    rows = model._default_manager.exclude(**{f"{field.name}__startswith": "XSS["})
                    if not rows.update(**{field.name: value}):
                        continue
            except Exception:
                continue
            planted.append(name)
    return planted


@pytest.fixture(scope="module")
def planted(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[World, list[str]]]:
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world(text=_text)
        _plant_through_services(world)
        yield world, _plant_everywhere()
        transaction.set_rollback(True)
    request_log.setLevel(level)


def _value(world: World, route: Any, kwarg: str) -> object:
    kind = _kind(route, kwarg)
    if kind == "agency_slug":
        return world.home.agency.agency.slug
    if kind == "scenario":
        return list_scenarios()[0].id
    if kind == "table_key":
        return SPECS[0].key
    if kind == "force_level":
        return 2
    return world.home.inside[kind].pk


@pytest.fixture(scope="module")
def rendered(planted: tuple[World, list[str]]) -> dict[str, Any]:
    """Every page for every role (GET); what it showed and any raw payload."""
    world, _ = planted
    seen: set[str] = set()
    raw: list[str] = []
    errors: list[str] = []
    requests = 0
    assert set(KWARG_KINDS)  # the isolation sweep's table names every URL parameter
    for role, user in world.home.users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        # Records no route's parameter table points at, shown on their own pages.
        extra = [f"/complaints/{world.home.inside['public_complaint'].pk}/"]
        for url in extra:
            body = client.get(url).content
            seen.update(m.decode() for m in LABEL.findall(body))
            if any(r in body for r in RAW):
                raw.append(f"{role} GET {url}")
        for route in all_routes():
            if route.action is None or route.is_api:
                continue
            url = route.url({k: _value(world, route, k) for k in route.kwargs})
            response = client.get(url)
            requests += 1
            if "html" not in response.get("Content-Type", ""):
                continue
            body = response.content
            seen.update(m.decode() for m in LABEL.findall(body))
            if response.status_code >= 500:
                errors.append(f"{role} GET {url} [{route.name}]")
            if any(r in body for r in RAW):
                raw.append(f"{role} GET {url} [{route.name}]: {response.status_code}")
    print(f"\n{requests} page requests; {len(seen)} labelled fields shown escaped")
    if errors:
        print("server errors (planted text in fields the page does not expect):", errors)
    return {"seen": seen, "raw": raw}


def test_no_page_shows_a_stored_payload_unescaped(rendered: dict[str, Any]) -> None:
    assert not rendered["raw"], "stored payload rendered as HTML:\n" + "\n".join(rendered["raw"])


def test_fields_that_reach_pages(
    rendered: dict[str, Any], planted: tuple[World, list[str]]
) -> None:
    seen = rendered["seen"]
    missing = [f"{what} ({label})" for what, label in MUST_SHOW.items() if label not in seen
               and not any(s.endswith(label) for s in seen)]  # fmt: skip
    _, everywhere = planted
    shown = sorted(f for f in everywhere if f in seen)
    print(f"\nfields shown (ORM-planted): {len(shown)} of {len(everywhere)}")
    print("never shown on a swept page:", sorted(set(everywhere) - seen))
    assert not missing, f"never shown on any page, so not proven escaped: {missing}"


def test_the_escaped_payload_is_what_the_pages_show(planted: tuple[World, list[str]]) -> None:
    """The control: the search above would see the payload, escaped, where it is shown."""
    world, _ = planted
    client = Client()
    client.force_login(world.home.users[Role.SUPERVISOR])
    body = client.get(f"/incidents/{world.home.inside['incident'].pk}/").content
    assert ESCAPED in body
    assert not any(r in body for r in RAW)


def test_templates_never_switch_escaping_off() -> None:
    """``|safe`` and ``autoescape off`` are allowed only where the value is built in code."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "steadyhand"
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        if "autoescape off" in text:
            offenders.append(f"{template.relative_to(root)}: autoescape off")
    assert not offenders, offenders
