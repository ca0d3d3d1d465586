"""The trainee's pages: pick a scenario, play it turn by turn through POSTs, read the debrief."""

import re
from typing import Any

import pytest
from django.test import Client

from steadyhand.access.roles import Role
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.scenarios import services
from steadyhand.scenarios.models import ScenarioRun
from steadyhand.scenarios.tests.helpers_web import (
    SCENARIO,
    fast_debrief,  # noqa: F401 - the fixture, used through usefixtures
    next_action,
    officer,
)
from steadyhand.training.models import Enrolment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_debrief")]


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _start(client: Client) -> ScenarioRun:
    response = client.post(f"/scenarios/start/{SCENARIO}/")
    assert response.status_code == 302
    run_id = int(re.search(r"/scenarios/runs/(\d+)/", response["Location"]).group(1))  # type: ignore[union-attr]
    return ScenarioRun.objects.get(pk=run_id)


def test_the_index_lists_every_scenario_with_a_start_button(small_agency: SmallAgency) -> None:
    page = _client(officer(small_agency)).get("/scenarios/").content.decode()
    assert "Kitchen knife on the landing" in page
    assert "Start “Kitchen knife on the landing”" in page
    assert 'name="code"' in page  # the join form


def test_the_play_page_shows_scene_actions_and_turn(small_agency: SmallAgency) -> None:
    client = _client(officer(small_agency))
    run = _start(client)
    page = client.get(f"/scenarios/runs/{run.pk}/").content.decode()
    assert "Briefing" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page
    assert "7.0 m" in page
    assert "<legend>Communication tactic</legend>" in page
    assert '<label for="action-empathy">Empathy</label>' in page
    assert 'name="turn" value="0"' in page
    assert 'aria-describedby="hint-empathy"' in page


def test_a_run_is_played_to_its_debrief_and_credited(
    small_agency: SmallAgency, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(officer(small_agency))
    run = _start(client)
    for _ in range(200):
        run.refresh_from_db()
        if run.is_completed:
            break
        last = {"action": next_action(run), "turn": run.turn}
        with django_capture_on_commit_callbacks(execute=True):  # the debrief job runs
            response = client.post(f"/scenarios/runs/{run.pk}/", last)
        assert response.status_code == 302
    run.refresh_from_db()
    assert run.is_completed
    # The final POST sent again (a double click on the last turn) changes nothing.
    assert client.post(f"/scenarios/runs/{run.pk}/", last).status_code == 302
    assert ScenarioRun.objects.get(pk=run.pk).steps == run.steps
    assert response["Location"] == f"/scenarios/runs/{run.pk}/debrief/"
    # The finished run's play page leads to the debrief.
    assert client.get(f"/scenarios/runs/{run.pk}/")["Location"].endswith("/debrief/")
    page = client.get(response["Location"]).content.decode()
    assert run.outcome_data["label"] in page
    assert "1. Collect information" in page
    assert "5. Act, review and re-assess" in page
    run.refresh_from_db()
    assert run.decision_points_done
    assert "Decisions that mattered most" in page
    assert "is being replayed" not in page
    assert "of role-play training (SIM-DRILL" in page
    assert Enrolment.objects.filter(member=small_agency.officer_a1).count() == 1
    transcript = client.get("/training/my-transcript/", follow=True).content.decode()
    assert "SIM-DRILL" in transcript


def test_a_double_submit_is_refused_with_a_message_and_no_duplicate_turn(
    small_agency: SmallAgency,
) -> None:
    client = _client(officer(small_agency))
    run = _start(client)
    form = {"action": "create_distance", "turn": 0}
    assert client.post(f"/scenarios/runs/{run.pk}/", form).status_code == 302
    again = client.post(f"/scenarios/runs/{run.pk}/", form, follow=True)
    assert "Nothing was played twice" in again.content.decode()
    run.refresh_from_db()
    assert run.turn == 1
    assert run.steps == [{"action": "create_distance"}]


def test_a_stale_tab_whose_choice_no_longer_exists_is_refused(small_agency: SmallAgency) -> None:
    client = _client(officer(small_agency))
    run = _start(client)
    client.post(f"/scenarios/runs/{run.pk}/", {"action": "take_cover", "turn": 0})
    # Cover is taken, so "take_cover" is no longer offered; the old tab sends it again.
    response = client.post(
        f"/scenarios/runs/{run.pk}/", {"action": "take_cover", "turn": 0}, follow=True
    )
    assert "older copy of this page" in response.content.decode()
    run.refresh_from_db()
    assert run.turn == 1


def test_a_missing_choice_shows_an_error_next_to_the_actions(small_agency: SmallAgency) -> None:
    client = _client(officer(small_agency))
    run = _start(client)
    response = client.post(f"/scenarios/runs/{run.pk}/", {"turn": 0})
    assert response.status_code == 400
    assert "Choose what you do next." in response.content.decode()


def test_another_users_run_is_not_found(small_agency: SmallAgency) -> None:
    run = _start(_client(officer(small_agency)))
    other = _client(officer(small_agency, member=small_agency.officer_a2))
    assert other.get(f"/scenarios/runs/{run.pk}/").status_code == 404
    assert (
        other.post(f"/scenarios/runs/{run.pk}/", {"action": "empathy", "turn": 0}).status_code
        == 404
    )
    assert other.get(f"/scenarios/runs/{run.pk}/debrief/").status_code == 404
    run.refresh_from_db()
    assert run.turn == 0


def test_a_run_of_another_agency_is_not_found(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    run = _start(_client(officer(small_agency)))
    stranger = _client(make_user(other_agency.agency, [Role.TRAINER, Role.SUPERVISOR]))
    assert stranger.get(f"/scenarios/runs/{run.pk}/").status_code == 404
    assert stranger.get(f"/scenarios/runs/{run.pk}/debrief/").status_code == 404


def test_the_chain_reads_the_debrief_but_cannot_play(small_agency: SmallAgency) -> None:
    owner = officer(small_agency)
    run = services.run_start(actor=actor_of(owner), scenario_id=SCENARIO)
    services.run_take_action(actor=actor_of(owner), run_id=run.pk, action="takedown",
                             expected_turn=0)  # fmt: skip
    sergeant = _client(make_user(small_agency.agency, [(Role.SUPERVISOR, small_agency.precinct_a)]))
    page = sergeant.get(f"/scenarios/runs/{run.pk}/debrief/")
    assert page.status_code == 200
    assert "O101" in page.content.decode()
    assert sergeant.get(f"/scenarios/runs/{run.pk}/").status_code == 404
    review = sergeant.get("/scenarios/review/").content.decode()
    assert f"Debrief of run {run.pk}" in review
    elsewhere = _client(
        make_user(small_agency.agency, [(Role.SUPERVISOR, small_agency.precinct_b)])
    )
    assert elsewhere.get(f"/scenarios/runs/{run.pk}/debrief/").status_code == 404
    assert f"run {run.pk}" not in elsewhere.get("/scenarios/review/").content.decode()


def test_officers_may_not_review_others_runs(small_agency: SmallAgency) -> None:
    assert _client(officer(small_agency)).get("/scenarios/review/").status_code == 403


def test_home_page_offers_the_drills(small_agency: SmallAgency) -> None:
    client = _client(officer(small_agency))
    run = _start(client)
    page = client.get("/").content.decode()
    assert "Scenario drills" in page
    assert f"/scenarios/runs/{run.pk}/" in page


def test_the_debrief_shows_the_decision_points_job_while_it_runs(
    small_agency: SmallAgency,
) -> None:
    user = officer(small_agency)
    client = _client(user)
    run = _start(client)
    client.post(f"/scenarios/runs/{run.pk}/", {"action": "takedown", "turn": 0})
    page = client.get(f"/scenarios/runs/{run.pk}/debrief/").content.decode()
    assert "is being replayed with the alternatives" in page
    assert "data-progress-url" in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "1. Collect information" in page  # the rubric does not wait
