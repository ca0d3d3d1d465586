"""The command dashboard: its numbers are the records' numbers, the unit filter restricts, and
those outside the chain are refused."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.incidents.models import Incident
from steadyhand.stats.services import stats_refresh
from steadyhand.stats.tests import factories as f

MONTH = "2026-01"


def client_for(actor: Actor) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def agency(small_agency: SmallAgency) -> SmallAgency:
    a = small_agency
    f.incident(a, a.squad_a1, f.at(2026, 1), force=("takedown",), level=3, subject_injured=True)
    f.incident(a, a.squad_a2, f.at(2026, 1), force=("cew",), level=4, officer_injured=True)
    f.incident(a, a.squad_a2, f.at(2026, 1), resistance=3)
    f.incident(a, a.squad_b1, f.at(2026, 1), force=("strike",), level=3)
    f.incident(a, a.squad_b1, f.at(2025, 12), force=("strike",), level=3)
    f.complaint(a, f.at(2026, 1), unit=a.squad_b1, findings=("sustained",))
    stats_refresh(actor=a.system, agency=a.agency)
    return a


def _headline(html: str, measure: str) -> int:
    found = re.search(rf'data-measure="{measure}">(\d+)<', html)
    assert found is not None, f"no headline for {measure}"
    return int(found.group(1))


def _get(client: Client, url: str, **params: str) -> tuple[int, str]:
    response = client.get(url, {"start": MONTH, "end": MONTH, **params})
    return response.status_code, response.content.decode()


def test_agency_numbers_equal_the_records(agency: SmallAgency) -> None:
    commander = actor_of(make_user(agency.agency, [Role.COMMANDER]))
    status, html = _get(client_for(commander), "/dashboard/")
    assert status == 200
    january = Incident.objects.filter(
        agency=agency.agency, status="submitted", occurred_at__year=2026, occurred_at__month=1
    )
    assert _headline(html, "incidents") == january.count() == 4
    assert _headline(html, "force_incidents") == january.filter(force_used=True).count()
    assert _headline(html, "subject_injuries") == january.filter(subject_injured=True).count()
    assert _headline(html, "officer_injuries") == january.filter(officer_injured=True).count()
    assert _headline(html, "deescalation_successes") == 1
    assert _headline(html, "complaints") == 1
    assert "Force by subject race" in html
    assert "<svg" in html
    assert "<table>" in html
    # Commanders may see AAR themes (aggregate only): a link, never the themes themselves here.
    assert "/aar/themes/" in html


def test_unit_filter_restricts(agency: SmallAgency) -> None:
    commander = actor_of(make_user(agency.agency, [Role.COMMANDER]))
    client = client_for(commander)
    _, html = _get(client, f"/dashboard/units/{agency.precinct_a.pk}/")
    assert _headline(html, "incidents") == 3
    assert _headline(html, "force_incidents") == 2
    assert _headline(html, "complaints") == 0
    _, html = _get(client, "/dashboard/", unit=str(agency.squad_b1.pk))
    assert _headline(html, "incidents") == 1
    assert _headline(html, "complaints") == 1


def test_unit_supervisor_sees_their_subtree_only(agency: SmallAgency) -> None:
    sergeant = actor_of(make_user(agency.agency, [(Role.SUPERVISOR, agency.precinct_a)]))
    client = client_for(sergeant)
    status, html = _get(client, "/dashboard/")
    assert status == 200
    assert _headline(html, "incidents") == 3  # precinct A by default, not the agency
    assert "Whole agency" not in html
    assert _get(client, f"/dashboard/units/{agency.precinct_b.pk}/")[0] == 404
    assert _get(client, f"/dashboard/units/{agency.bureau.pk}/")[0] == 404
    assert _get(client, "/dashboard/", unit=str(agency.squad_b1.pk))[0] == 404
    assert _get(client, "/dashboard/report/", unit=str(agency.squad_b1.pk))[0] == 404


def test_another_agencys_unit_is_not_found(agency: SmallAgency, other_agency: SmallAgency) -> None:
    commander = actor_of(make_user(agency.agency, [Role.COMMANDER]))
    client = client_for(commander)
    assert _get(client, f"/dashboard/units/{other_agency.precinct_a.pk}/")[0] == 404
    assert _get(client, "/dashboard/", unit=str(other_agency.root.pk))[0] == 404


@pytest.mark.parametrize("role", [Role.OFFICER, Role.TRAINER, Role.INTERNAL_AFFAIRS])
def test_roles_without_the_dashboard_are_refused(agency: SmallAgency, role: Role) -> None:
    actor = actor_of(make_user(agency.agency, [role]))
    client = client_for(actor)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/report/").status_code == 403


def test_anonymous_is_sent_to_login(agency: SmallAgency) -> None:
    response = Client().get("/dashboard/")
    assert response.status_code == 302


def test_analyst_sees_no_aar_themes_link(agency: SmallAgency) -> None:
    analyst = actor_of(make_user(agency.agency, [Role.ANALYST]))
    status, html = _get(client_for(analyst), "/dashboard/")
    assert status == 200
    assert "/aar/themes/" not in html


def test_drill_down_links_to_the_incident_list_of_the_month(agency: SmallAgency) -> None:
    commander = actor_of(make_user(agency.agency, [Role.COMMANDER]))
    _, html = _get(client_for(commander), f"/dashboard/units/{agency.precinct_a.pk}/")
    assert (
        "/incidents/?status=submitted&amp;occurred_from=2026-01-01&amp;occurred_to=2026-01-31"
        in html
    )
    assert f"unit={agency.precinct_a.pk}" in html


def test_a_refresh_shows_new_numbers_despite_the_cache(agency: SmallAgency) -> None:
    commander = actor_of(make_user(agency.agency, [Role.COMMANDER]))
    client = client_for(commander)
    assert _headline(_get(client, "/dashboard/")[1], "incidents") == 4
    f.incident(agency, agency.squad_a1, f.at(2026, 1, 15))
    assert _headline(_get(client, "/dashboard/")[1], "incidents") == 4  # cached, not refreshed
    stats_refresh(actor=agency.system, agency=agency.agency, months=[date(2026, 1, 1)])
    assert _headline(_get(client, "/dashboard/")[1], "incidents") == 5


def test_bad_period_is_explained(agency: SmallAgency) -> None:
    commander = actor_of(make_user(agency.agency, [Role.COMMANDER]))
    response = client_for(commander).get("/dashboard/", {"start": "2026-05", "end": "2026-01"})
    assert response.status_code == 400
    assert "The first month must not be after the last month." in response.content.decode()


def test_monthly_report_prints_the_month(agency: SmallAgency) -> None:
    commander = actor_of(make_user(agency.agency, [Role.COMMANDER]))
    response = client_for(commander).get("/dashboard/report/", {"month": MONTH})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Monthly report, Jan 2026" in html
    assert _headline(html, "incidents") == 4
    assert "data-print" in html
    assert "dashboard/dashboard.css" in html
