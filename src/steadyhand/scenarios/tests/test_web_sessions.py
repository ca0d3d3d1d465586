"""Trainer mode in the browser's terms: open a session, trainees join, watch live, inject."""

import pytest
from django.test import Client

from steadyhand.access.roles import Role
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.scenarios.models import GroupSession, ScenarioRun
from steadyhand.scenarios.tests.helpers_web import (
    SCENARIO,
    fast_debrief,  # noqa: F401 - the fixture, used through usefixtures
    officer,
    trainer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_debrief")]


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _open_session(client: Client) -> GroupSession:
    response = client.post("/scenarios/sessions/", {"scenario": SCENARIO, "title": "Group 2"})
    assert response.status_code == 302
    return GroupSession.objects.get()


def test_a_trainer_runs_a_session_and_injects_an_event(small_agency: SmallAgency) -> None:
    coach = _client(trainer(small_agency))
    session = _open_session(coach)
    live = coach.get(f"/scenarios/sessions/{session.pk}/").content.decode()
    assert session.code in live
    assert '<noscript><meta http-equiv="refresh"' in live
    assert "scenarios/live.js" in live

    trainee = _client(officer(small_agency))
    joined = trainee.post("/scenarios/join/", {"code": session.code.lower()})
    run = ScenarioRun.objects.get(group_session=session)
    assert joined["Location"] == f"/scenarios/runs/{run.pk}/"
    trainee.post(f"/scenarios/runs/{run.pk}/", {"action": "create_distance", "turn": 0})

    data = coach.get(f"/scenarios/sessions/{session.pk}/live.json").json()
    [row] = data["runs"]
    assert row["run_id"] == run.pk
    assert row["turn"] == 1
    assert row["last_action"] == "Create distance"
    assert row["trainee"].endswith("(#O101)")

    response = coach.post(
        f"/scenarios/sessions/{session.pk}/inject/",
        {"event": "second_unit", "target": str(run.pk), "reason": ""},
        follow=True,
    )
    assert "added to 1 run(s)" in response.content.decode()
    assert coach.get(f"/scenarios/sessions/{session.pk}/live.json").json()["runs"][0][
        "pending"
    ] == ["Second unit arrives"]

    trainee.post(f"/scenarios/runs/{run.pk}/", {"action": "introduce_self", "turn": 1})
    run.refresh_from_db()
    assert {"event": "second_unit"} in run.steps
    page = trainee.get(f"/scenarios/runs/{run.pk}/").content.decode()
    assert "<strong>Event:</strong> Second unit arrives" in page


def test_a_trainer_closes_a_session_and_its_code_stops_working(small_agency: SmallAgency) -> None:
    coach = _client(trainer(small_agency))
    session = _open_session(coach)
    coach.post(f"/scenarios/sessions/{session.pk}/close/")
    response = _client(officer(small_agency)).post(
        "/scenarios/join/", {"code": session.code}, follow=True
    )
    assert "No open group session has the code" in response.content.decode()
    assert not ScenarioRun.objects.exists()


def test_officers_cannot_open_watch_or_inject(small_agency: SmallAgency) -> None:
    session = _open_session(_client(trainer(small_agency)))
    client = _client(officer(small_agency))
    assert client.get("/scenarios/sessions/").status_code == 403
    assert client.get(f"/scenarios/sessions/{session.pk}/").status_code == 403
    assert client.get(f"/scenarios/sessions/{session.pk}/live.json").status_code == 403
    response = client.post(
        f"/scenarios/sessions/{session.pk}/inject/", {"event": "second_unit", "target": "all"}
    )
    assert response.status_code == 403


def test_a_trainer_of_another_agency_finds_nothing(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    session = _open_session(_client(trainer(small_agency)))
    stranger = _client(make_user(other_agency.agency, [Role.TRAINER]))
    assert stranger.get(f"/scenarios/sessions/{session.pk}/").status_code == 404
    assert stranger.get(f"/scenarios/sessions/{session.pk}/live.json").status_code == 404
    response = stranger.post(
        f"/scenarios/sessions/{session.pk}/inject/", {"event": "second_unit", "target": "all"}
    )
    assert response.status_code == 404
    assert stranger.post(f"/scenarios/sessions/{session.pk}/close/").status_code == 404
    session.refresh_from_db()
    assert session.is_open
