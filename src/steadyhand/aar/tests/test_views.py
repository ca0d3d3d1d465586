"""The pages, as the facilitator, the participants, a trainer and people who may not look."""

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.aar.models import AfterActionReview, CaseLibraryEntry, EventNote, Lesson
from steadyhand.aar.tests.factories import LESSON, NOTES, Scene, reviewed
from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.core.testing import SmallAgency, make_user

pytestmark = pytest.mark.django_db


def client_for(actor: Actor) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


def test_a_review_from_opening_to_the_case_library(scene: Scene) -> None:
    sergeant = client_for(scene.sergeant)
    index = sergeant.get(reverse("aar:index"))
    assert scene.incident.case_number in index.content.decode()
    response = sergeant.post(reverse("aar:open", args=[scene.incident.pk]))
    aar = AfterActionReview.objects.get(incident=scene.incident)
    assert response.status_code == 302
    assert response["Location"] == reverse("aar:detail", args=[aar.pk])

    event = scene.incident.events.get(kind="force")
    page = sergeant.get(reverse("aar:event_note", args=[aar.pk, event.pk]))
    assert 'value="act_review" selected' in page.content.decode()  # suggested CDM step
    response = sergeant.post(
        reverse("aar:event_note", args=[aar.pk, event.pk]),
        {
            "decision_point": "on",
            "cdm_step": "options",
            "alternative": "Step back first",
            "alternative_tactic": "create_distance",
            "version": "0",
        },
    )
    assert response.status_code == 302
    assert EventNote.objects.get(aar=aar, event=event).decision_point
    sergeant.post(
        reverse("aar:lesson_add", args=[aar.pk]),
        {"text": "Create distance before commands.", "training_recommendation": ""},
    )
    lesson = Lesson.objects.get(aar=aar)

    for who in (scene.officer, scene.partner):
        client = client_for(who)
        home = client.get(reverse("accounts:home")).content.decode()
        assert "Lessons awaiting your agreement" in home
        detail = client.get(reverse("aar:detail", args=[aar.pk]))
        assert detail.status_code == 200
        assert "Create distance before commands." in detail.content.decode()
        client.post(reverse("aar:lesson_agree", args=[aar.pk, lesson.pk]), {"agree": "yes"})
    assert lesson.agreements.count() == 2

    trainer = client_for(scene.trainer)
    assert (
        "Publish agreed lessons"
        in trainer.get(reverse("aar:detail", args=[aar.pk])).content.decode()
    )
    refused = trainer.post(
        reverse("aar:publish", args=[aar.pk]),
        {
            "lessons": [lesson.pk],
            "title": "Distance",
            "summary": f"Officer {scene.agency.officer_a1.last_name} met a man.",
            "lessons_text": "Create distance before commands.",
        },
    )
    assert refused.status_code == 400
    assert "Contains a name" in refused.content.decode()
    response = trainer.post(
        reverse("aar:publish", args=[aar.pk]),
        {
            "lessons": [lesson.pk],
            "title": "Distance",
            "summary": "An officer met a man in crisis in spring.",
            "lessons_text": "Create distance before commands.",
        },
    )
    entry = CaseLibraryEntry.objects.get()
    assert response["Location"] == reverse("aar:library_entry", args=[entry.pk])
    reader = client_for(scene.bystander).get(reverse("aar:library_entry", args=[entry.pk]))
    assert "Create distance" in reader.content.decode()


def test_the_facilitator_home_lists_the_review(scene: Scene) -> None:
    aar, _ = reviewed(scene)
    home = client_for(scene.sergeant).get(reverse("accounts:home")).content.decode()
    assert "After-action reviews to facilitate" in home
    assert reverse("aar:detail", args=[aar.pk]) in home


def test_a_stale_form_is_refused_with_a_message(scene: Scene) -> None:
    aar, _ = reviewed(scene)
    sergeant = client_for(scene.sergeant)
    url = reverse("aar:notes", args=[aar.pk])
    assert sergeant.post(url, {"notes": "first", "version": aar.version}).status_code == 302
    response = sergeant.post(url, {"notes": "second", "version": aar.version})
    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()
    assert AfterActionReview.objects.get(pk=aar.pk).notes == "first"


@pytest.mark.parametrize("who", ["bystander", "supervisor_b"])
def test_people_outside_the_review_get_not_found(scene: Scene, who: str) -> None:
    aar, lesson = reviewed(scene)
    client = client_for(getattr(scene, who))
    assert client.get(reverse("aar:detail", args=[aar.pk])).status_code == 404
    response = client.post(reverse("aar:lesson_agree", args=[aar.pk, lesson.pk]), {"agree": "yes"})
    assert response.status_code == 404
    assert lesson.agreements.count() == 0


def test_participants_may_not_facilitate(scene: Scene) -> None:
    aar, _ = reviewed(scene)
    client = client_for(scene.officer)
    response = client.post(reverse("aar:notes", args=[aar.pk]), {"notes": "x", "version": 9})
    assert response.status_code == 403
    assert AfterActionReview.objects.get(pk=aar.pk).notes == NOTES


def test_a_non_facilitator_supervisor_reads_but_cannot_edit(scene: Scene) -> None:
    aar, _ = reviewed(scene)
    other = make_user(scene.agency.agency, [(Role.SUPERVISOR, scene.agency.precinct_a)])
    client = Client()
    client.force_login(other)
    assert LESSON in client.get(reverse("aar:detail", args=[aar.pk])).content.decode()
    response = client.post(
        reverse("aar:notes", args=[aar.pk]), {"notes": "x", "version": aar.version}
    )
    assert response.status_code == 403


def test_another_agency_gets_not_found(scene: Scene, other_agency: SmallAgency) -> None:
    aar, _ = reviewed(scene)
    client = Client()
    client.force_login(make_user(other_agency.agency, [Role.SUPERVISOR, Role.TRAINER]))
    for url in (
        reverse("aar:detail", args=[aar.pk]),
        reverse("aar:open", args=[scene.incident.pk]),
        reverse("aar:publish", args=[aar.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_themes_page_suppresses_a_single_review(scene: Scene) -> None:
    reviewed(scene)
    page = client_for(scene.trainer).get(reverse("aar:themes"))
    assert page.status_code == 200
    assert "Suppressed" in page.content.decode()
    assert "Alternative: Create distance" in page.content.decode()


def test_the_incident_link_leads_to_the_review_or_to_opening_one(scene: Scene) -> None:
    sergeant = client_for(scene.sergeant)
    url = reverse("aar:for_incident", args=[scene.incident.pk])
    assert sergeant.get(url)["Location"] == reverse("aar:open", args=[scene.incident.pk])
    aar, _ = reviewed(scene)
    assert sergeant.get(url)["Location"] == reverse("aar:detail", args=[aar.pk])
    assert client_for(scene.supervisor_b).get(url).status_code == 404
