"""Drafting a simulator scenario from a closed after-action review."""

import tomllib
from pathlib import Path

import pytest
from django.urls import reverse

from steadyhand.aar import scenario_services, services
from steadyhand.aar.deidentify import find_problems
from steadyhand.aar.models import AfterActionReview
from steadyhand.aar.scenario_draft import choose_template, draft_id, draft_scenario_toml
from steadyhand.aar.selectors import known_identifiers
from steadyhand.aar.tests.factories import ALTERNATIVE, NOTES, WENT_WELL, Scene, reviewed
from steadyhand.aar.tests.test_views import client_for
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Member
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.incidents.models import Incident, Subject
from steadyhand.simulator import start_run
from steadyhand.simulator.api import default_model
from steadyhand.simulator.scenario import SCENARIO_DIR, load_scenario_file

pytestmark = pytest.mark.django_db


def closed(scene: Scene) -> AfterActionReview:
    aar, _ = reviewed(scene)
    return services.aar_close(actor=scene.sergeant, aar=aar, expected_version=aar.version)


def loads(text: str, tmp_path: Path, name: str) -> None:
    """Load the draft exactly as the simulator loads its bundled files (by file name = id)."""
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario_file(path, default_model())
    run = start_run(scenario, seed=7)
    run.take(run.actions()[0])


def identifiers(scene: Scene, aar: AfterActionReview) -> list[str]:
    incident = Incident.objects.get(pk=aar.incident_id)
    people = Member.objects.filter(agency_id=scene.agency.agency.pk)
    return [
        incident.case_number,
        incident.location,
        incident.occurred_at.date().isoformat(),
        *(m.badge for m in people),
        *(m.last_name for m in people),
        *(m.first_name for m in people),
    ]


def test_a_closed_review_drafts_a_scenario_that_loads(scene: Scene, tmp_path: Path) -> None:
    aar = closed(scene)
    text = scenario_services.aar_scenario_draft(actor=scene.trainer, aar=aar)
    loads(text, tmp_path, draft_id(aar))
    data = tomllib.loads(text)
    assert data["id"] == f"draft-{aar.pk}"
    assert data["indicators"] == ["mental_health_crisis"]
    assert "Person in crisis" in data["title"]
    # The sequence and the review's decision point are hints for the author.
    assert "move 4: Force application" in text
    assert "decision point" in text
    assert "Create distance" in text
    assert ALTERNATIVE in text


def test_the_draft_identifies_no_one(scene: Scene) -> None:
    aar = closed(scene)
    text = scenario_services.aar_scenario_draft(actor=scene.trainer, aar=aar)
    lowered = text.lower()
    for found in identifiers(scene, aar):
        assert found
        assert found.lower() not in lowered, found
    for private in (NOTES, WENT_WELL):
        assert private not in text
    known = known_identifiers(aar=aar, texts=[text])
    assert find_problems(text, known) == []


def test_identifying_free_text_is_left_out(scene: Scene) -> None:
    incident = scene.incident
    Incident.objects.filter(pk=incident.pk).update(call_type=f"Disturbance at {incident.location}")
    aar, _ = reviewed(scene)
    note = aar.notes_by_event.get(decision_point=True)
    note.alternative = f"Officer {scene.agency.officer_a1.last_name} could have stepped back"
    note.save()
    aar = services.aar_close(actor=scene.sergeant, aar=aar, expected_version=aar.version)
    text = scenario_services.aar_scenario_draft(actor=scene.trainer, aar=aar)
    assert incident.location.lower() not in text.lower()
    assert scene.agency.officer_a1.last_name not in text
    assert 'title = "Draft: Dispatched call"' in text


@pytest.mark.parametrize("template", sorted(p.stem for p in SCENARIO_DIR.glob("*.toml")))
def test_every_template_makes_a_loadable_draft(
    scene: Scene, tmp_path: Path, template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    aar = closed(scene)
    monkeypatch.setattr("steadyhand.aar.scenario_draft.choose_template", lambda *_: template)
    text = draft_scenario_toml(aar)
    loads(text, tmp_path, draft_id(aar))
    assert find_problems(text, known_identifiers(aar=aar, texts=[text])) == []


def test_the_template_follows_the_subject() -> None:
    assert choose_template(["mental_health_crisis"], ["edged"]) == "knife_crisis"
    assert choose_template(["mental_health_crisis"], []) == "suicidal_bridge"
    assert choose_template(["language_barrier"], []) == "deaf_cyclist"
    assert choose_template(["substance_use"], []) == "intoxicated_bar"
    assert choose_template([], ["edged"]) == "two_officer_driveway"
    assert choose_template([], []) == "knife_crisis"


def test_an_armed_subject_gets_the_knife_template(scene: Scene, tmp_path: Path) -> None:
    Subject.objects.filter(incident_id=scene.incident.pk).update(armed_with="edged")
    aar = closed(scene)
    text = scenario_services.aar_scenario_draft(actor=scene.trainer, aar=aar)
    assert "copied from 'knife_crisis'" in text
    assert "Recorded weapon: Knife or edged weapon" in text
    loads(text, tmp_path, draft_id(aar))


def test_an_open_review_is_refused(scene: Scene) -> None:
    aar, _ = reviewed(scene)
    with pytest.raises(InvalidInput):
        scenario_services.aar_scenario_draft(actor=scene.trainer, aar=aar)
    response = client_for(scene.trainer).get(reverse("aar:scenario_draft", args=[aar.pk]))
    assert response.status_code == 409
    assert "id = " not in response.content.decode()


@pytest.mark.parametrize("who", ["sergeant", "officer", "commander", "supervisor_b"])
def test_only_trainers_draft(scene: Scene, who: str) -> None:
    aar = closed(scene)
    with pytest.raises((PermissionDenied, NotFound)):
        scenario_services.aar_scenario_draft(actor=getattr(scene, who), aar=aar)
    response = client_for(getattr(scene, who)).get(reverse("aar:scenario_draft", args=[aar.pk]))
    assert response.status_code in (403, 404)


def test_internal_affairs_is_walled_off(scene: Scene) -> None:
    aar = closed(scene)
    ia_trainer = actor_of(make_user(scene.agency.agency, [Role.INTERNAL_AFFAIRS, Role.TRAINER]))
    for who in (scene.ia, ia_trainer):
        with pytest.raises((PermissionDenied, NotFound)):
            scenario_services.aar_scenario_draft(actor=who, aar=aar)
        response = client_for(who).get(reverse("aar:scenario_draft", args=[aar.pk]))
        assert response.status_code in (403, 404)
        assert "draft-" not in response.content.decode()


def test_another_agency_finds_nothing(scene: Scene, other_agency: SmallAgency) -> None:
    aar = closed(scene)
    outsider = actor_of(make_user(other_agency.agency, [Role.TRAINER]))
    with pytest.raises(NotFound):
        scenario_services.aar_scenario_draft(actor=outsider, aar=aar)
    response = client_for(outsider).get(reverse("aar:scenario_draft", args=[aar.pk]))
    assert response.status_code == 404


def test_the_audit_event_holds_ids_only(scene: Scene) -> None:
    aar = closed(scene)
    scenario_services.aar_scenario_draft(actor=scene.trainer, aar=aar)
    event = AuditEvent.objects.get(action="aar.scenario_draft")
    assert event.changes == {"aar": aar.pk}
    assert event.object_repr == f"After-action review {aar.pk}"
    stored = f"{event.changes} {event.object_repr} {event.reason}"
    for text in (NOTES, WENT_WELL, ALTERNATIVE, "Person in crisis", scene.incident.case_number):
        assert text not in stored


def test_the_page_shows_and_downloads_the_draft(scene: Scene) -> None:
    aar = closed(scene)
    trainer = client_for(scene.trainer)
    detail = trainer.get(reverse("aar:detail", args=[aar.pk])).content.decode()
    url = reverse("aar:scenario_draft", args=[aar.pk])
    assert url in detail
    page = trainer.get(url)
    assert page.status_code == 200
    assert "<pre" in page.content.decode()
    assert "id = &quot;draft-" in page.content.decode()
    download = trainer.get(url, {"download": "1"})
    assert download["Content-Disposition"] == f'attachment; filename="draft-{aar.pk}.toml"'
    tomllib.loads(download.content.decode())
    # Not offered to the facilitator, who may not publish.
    sergeant = client_for(scene.sergeant).get(reverse("aar:detail", args=[aar.pk]))
    assert url not in sergeant.content.decode()
