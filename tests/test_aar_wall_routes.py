"""The after-action-review wall, proven route by route (PRODUCT.md, non-negotiable 1).

``tests/test_aar_wall.py`` proves the access layer refuses internal affairs every ``aar.*``
action. This proves it where it matters: every URL pattern of the project, found from the URL
configuration (pages, the API, exports, the audit log — new routes are covered without anyone
remembering), requested by internal-affairs users with the ids of a real review and its
incident in every id the route takes. No response may carry the review's content (facilitator
notes, what went well, alternatives, lessons, recommendations), its participant list, a link to
it, or — on the incident's own pages — any sign that the incident has a review at all.

The internal-affairs users: one agency-wide; one holding internal_affairs plus every other role;
and a *participant* of the review (an officer on scene) who also holds internal_affairs and
every other role, the hardest case: the self-role route is the one an exception would open.
"""

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from steadyhand.aar import services as aar_services
from steadyhand.aar.models import AfterActionReview, CaseLibraryEntry, Lesson
from steadyhand.aar.tests.factories import (
    ALTERNATIVE,
    LESSON,
    NOTES,
    RECOMMENDATION,
    WENT_WELL,
    Scene,
    make_scene,
    reviewed,
)
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.accounts.services import role_grant
from steadyhand.api.services import api_token_create
from steadyhand.core.testing import SmallAgency, actor_of, make_user

pytestmark = pytest.mark.django_db

SECRETS = [NOTES, WENT_WELL, ALTERNATIVE, LESSON, RECOMMENDATION]
# What only the review's pages print: its participant list, agreement controls, lesson blocks.
MARKERS = ["aar-participants", "aar-lesson", "fair account", "I agree to lesson", "Not discussed"]
_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


ROUTES = sorted(
    route
    for route, view in _patterns(get_resolver())
    if not route.startswith("static/")
    and not getattr(view, "__module__", "").startswith("django.contrib.staticfiles")
)


def test_the_walk_finds_pages_api_exports_audit_and_aar_routes() -> None:
    joined = " ".join(ROUTES)
    for expected in ("aar/<int:aar_id>/", "incidents/<int:incident_id>/", "api/v1/", "exports/"):
        assert expected in joined, expected
    assert any(route.startswith("audit") or "/audit" in route for route in ROUTES), ROUTES


class World:
    """A review with content in every field, one published lesson, and the IA users."""

    def __init__(self, agency: SmallAgency) -> None:
        self.scene: Scene = make_scene(agency)
        aar, lesson = reviewed(self.scene)
        # A second lesson, agreed and published: the library is public to members (IA too),
        # so its (de-identified, unremarkable) text is not one of the secrets.
        published = aar_services.lesson_add(
            actor=self.scene.sergeant, aar=aar, text="Slow down.", training_recommendation=""
        )
        for who in (self.scene.officer, self.scene.partner):
            aar_services.lesson_agree(actor=who, lesson=lesson, agree=True)
            aar_services.lesson_agree(actor=who, lesson=published, agree=True)
        aar_services.participant_confirm(actor=self.scene.officer, aar=aar, agreed=True)
        self.entry: CaseLibraryEntry = aar_services.case_library_publish(
            actor=self.scene.trainer,
            aar=aar,
            lessons=[published],
            title="Slowing down",
            summary="Two officers met a person in crisis in spring.",
            lessons_text="Slow down.",
            training_recommendations="",
        )
        self.aar: AfterActionReview = AfterActionReview.objects.get(pk=aar.pk)
        self.lesson: Lesson = lesson
        self.incident = self.scene.incident
        self.force_event = self.incident.events.get(kind="force")
        a = agency
        others = [r for r in Role if r is not Role.INTERNAL_AFFAIRS]
        participant = User.objects.get(pk=self.scene.partner.user_id)
        for role in Role:
            if role is not Role.OFFICER:
                role_grant(actor=a.system, user=participant, role=role, unit=None)
        self.users = {
            "ia": make_user(a.agency, [Role.INTERNAL_AFFAIRS]),
            "ia+all": make_user(a.agency, [Role.INTERNAL_AFFAIRS, *others]),
            "ia+all participant": participant,
        }

    def values(self, name: str) -> list[str]:
        """The ids to put in a route's parameter ``name``: the real records where it names one,
        else both the review's and the incident's id (an unknown ``…_id`` might be either)."""
        known = {
            "aar_id": self.aar.pk,
            "incident_id": self.incident.pk,
            "lesson_id": self.lesson.pk,
            "event_id": self.force_event.pk,
            "entry_id": self.entry.pk,
        }
        if name in known:
            return [str(known[name])]
        if name == "agency_slug":
            return [self.scene.agency.agency.slug]
        return sorted({str(self.aar.pk), str(self.incident.pk)})

    def urls(self, route: str) -> list[str]:
        paths = [route]
        for match in _PARAM.finditer(route):
            conv, name = match.group("conv"), match.group("name")
            if conv == "uuid":
                values = ["00000000-0000-0000-0000-000000000001"]
            else:
                values = self.values(name)
            paths = [p.replace(match.group(0), value, 1) for p in paths for value in values]
        return ["/" + p.lstrip("^").rstrip("$") for p in paths]


@pytest.fixture
def world(small_agency: SmallAgency) -> World:
    return World(small_agency)


def body(response: HttpResponse) -> str:
    """Everything a response carries, zip members unpacked (the NUOFDC export is a zip)."""
    raw = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if getattr(response, "streaming", False)
        else response.content
    )
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return (
        raw.decode("utf-8", "replace") + "\n" + "\n".join(f"{k}: {v}" for k, v in response.items())
    )


def assert_no_leak(world: World, url: str, text: str, who: str) -> None:
    where = f"{who} GET {url}"
    for secret in SECRETS:
        assert secret not in text, f"{where} shows AAR content {secret!r}"
    for marker in MARKERS:
        assert marker not in text, f"{where} shows the participant list or lessons ({marker!r})"
    assert f"/aar/{world.aar.pk}/" not in text, f"{where} links to the review"
    assert f"After-action review {world.aar.pk}" not in text, f"{where} names the review"
    if "incident" in url or "/api/" in url:
        # The incident's pages and the API say nothing about a review of it, not even that
        # one exists.
        lowered = text.lower()
        for sign in ("after-action", "after action", "afteractionreview", "/aar/"):
            assert sign not in lowered, f"{where} reveals a review exists ({sign!r})"


def test_internal_affairs_gets_nothing_of_the_review_by_any_route(world: World) -> None:
    requested = 0
    for who, user in world.users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for route in ROUTES:
            for url in world.urls(route):
                response = client.get(url)
                requested += 1
                assert_no_leak(world, url, body(response), who)
                if url.startswith("/aar/"):
                    assert response.status_code == 403, f"{who} GET {url}"
                    assert client.post(url).status_code == 403, f"{who} POST {url}"
    assert requested >= 3 * len(ROUTES)


def test_the_audit_log_shows_internal_affairs_no_review_event(world: World) -> None:
    """An auditor who also holds internal_affairs does not see AAR events at all (who took part,
    when); a plain auditor sees them, by id and field names, never content."""
    pages = [
        "/audit/",
        f"/audit/?object={world.aar.pk}",
        "/audit/?action=aar.open",
        "/audit/?object=aar.afteractionreview",
        f"/audit/?object={world.incident.case_number}",
    ]
    walled = Client()
    walled.force_login(world.users["ia+all"])
    auditor = Client()
    auditor.force_login(make_user(world.scene.agency.agency, [Role.AUDITOR]))
    for url in pages:
        text = body(walled.get(url))
        # (The filter form may echo the query back; the rows are what must not show.)
        assert "<code>aar." not in text, url
        assert "(aar." not in text, url
        assert '<option value="aar.' not in text, url
        assert "After-action review" not in text, url
        plain = body(auditor.get(url))
        for secret in SECRETS:
            assert secret not in plain, url
    # The control: the events exist and a plain auditor reads them (without content).
    assert f"After-action review {world.aar.pk}" in body(auditor.get("/audit/?action=aar.open"))


def test_the_api_with_a_token_shows_nothing_of_the_review(world: World) -> None:
    user = world.users["ia+all participant"]
    issued = api_token_create(actor=actor_of(user), name="wall test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    for route in ROUTES:
        if not route.startswith("api/"):
            continue
        for url in world.urls(route):
            assert_no_leak(world, url, body(client.get(url)), "token")


def test_the_control_the_same_routes_do_show_the_review_to_its_facilitator(
    world: World,
) -> None:
    # Every check above could pass because the content never reaches any page; it does.
    client = Client()
    client.force_login(User.objects.get(pk=world.scene.sergeant.user_id))
    text = body(client.get(f"/aar/{world.aar.pk}/"))
    for secret in SECRETS:
        assert secret in text
    assert "aar-participants" in text


def test_a_second_agency_ia_user_sees_nothing_either(
    world: World, other_agency: SmallAgency
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(make_user(other_agency.agency, list(Role)))
    for url in (f"/aar/{world.aar.pk}/", f"/incidents/{world.incident.pk}/", "/aar/"):
        assert_no_leak(world, url, body(client.get(url)), "other agency")
