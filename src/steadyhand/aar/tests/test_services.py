"""Opening, walking, agreeing, closing: who may, who may not, and what the audit log keeps."""

import pytest

from steadyhand.aar import services
from steadyhand.aar.models import AfterActionReview, EventNote, Lesson, Participant
from steadyhand.aar.selectors import (
    aar_get_visible,
    aars_visible,
    lessons_awaiting_agreement,
    reviews_to_facilitate,
)
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
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.incidents.tests.report_factories import draft

pytestmark = pytest.mark.django_db


def test_the_facilitator_opens_a_review_with_the_members_involved(scene: Scene) -> None:
    aar = services.aar_open(actor=scene.sergeant, incident=scene.incident)
    members = set(Participant.objects.filter(aar=aar).values_list("member_id", flat=True))
    assert members == {scene.officer.member_id, scene.partner.member_id}
    assert aar.facilitator_id == scene.sergeant.member_id
    assert aar.is_open
    event = AuditEvent.objects.get(action="aar.open")
    assert event.object_id == str(aar.pk)


def test_a_review_opens_once_per_incident(scene: Scene) -> None:
    services.aar_open(actor=scene.sergeant, incident=scene.incident)
    with pytest.raises(InvalidInput, match="already"):
        services.aar_open(actor=scene.trainer, incident=scene.incident)


def test_only_submitted_incidents_are_reviewed(scene: Scene) -> None:
    incident = draft(scene.officer)
    with pytest.raises(InvalidInput, match="submitted"):
        services.aar_open(actor=scene.sergeant, incident=incident)


@pytest.mark.parametrize("who", ["supervisor_b", "officer", "commander", "ia"])
def test_others_may_not_open_a_review(scene: Scene, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.aar_open(actor=getattr(scene, who), incident=scene.incident)
    assert not AfterActionReview.objects.exists()


def test_a_member_involved_may_not_facilitate(scene: Scene) -> None:
    user = User.objects.get(pk=scene.partner.user_id)
    role_grant(actor=scene.agency.system, user=user, role=Role.SUPERVISOR, unit=None)
    officer_and_supervisor = actor_of(user)
    with pytest.raises(InvalidInput, match="involved"):
        services.aar_open(actor=officer_and_supervisor, incident=scene.incident)


def test_another_agency_cannot_reach_the_review(scene: Scene, other_agency: SmallAgency) -> None:
    aar, lesson = reviewed(scene)
    outsider = actor_of(
        make_user(
            other_agency.agency, [Role.SUPERVISOR, Role.TRAINER], member=other_agency.sergeant_a1
        )
    )
    with pytest.raises(NotFound):
        aar_get_visible(actor=outsider, aar_id=aar.pk)
    with pytest.raises(NotFound):
        services.aar_open(actor=outsider, incident=scene.incident)
    with pytest.raises(NotFound):
        services.lesson_agree(actor=outsider, lesson=lesson, agree=True)
    with pytest.raises(NotFound):
        services.aar_close(actor=outsider, aar=aar, expected_version=aar.version)


def test_walking_the_timeline_marks_each_event(scene: Scene) -> None:
    aar, _ = reviewed(scene)
    notes = list(EventNote.objects.filter(aar=aar).select_related("event"))
    assert len(notes) == scene.incident.events.count()
    force = next(n for n in notes if n.event.kind == "force")
    assert force.decision_point
    assert force.cdm_step == "options"
    assert force.alternative == ALTERNATIVE
    assert force.alternative_tactic == "create_distance"


def test_event_note_refuses_unknown_codes(scene: Scene) -> None:
    aar = services.aar_open(actor=scene.sergeant, incident=scene.incident)
    event = scene.incident.events.first()
    assert event is not None
    with pytest.raises(InvalidInput) as exc:
        services.event_note_save(
            actor=scene.sergeant, aar=aar, event=event, decision_point=True,
            cdm_step="guess", went_well="", alternative="", alternative_tactic="taser",
            expected_version=None,
        )  # fmt: skip
    assert set(exc.value.errors) == {"cdm_step", "alternative_tactic"}


def test_stale_versions_are_refused(scene: Scene) -> None:
    aar, lesson = reviewed(scene)
    stale = aar.version
    services.aar_notes_update(actor=scene.sergeant, aar=aar, notes="new", expected_version=stale)
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.aar_notes_update(actor=scene.sergeant, aar=aar, notes="x", expected_version=stale)
    note = EventNote.objects.filter(aar=aar).first()
    assert note is not None
    with pytest.raises(ConflictError):
        services.event_note_save(
            actor=scene.sergeant, aar=aar, event=note.event, decision_point=False, cdm_step="",
            went_well="", alternative="", alternative_tactic="", expected_version=0,
        )  # fmt: skip
    services.lesson_update(
        actor=scene.sergeant, lesson=lesson, text="v2", training_recommendation="",
        expected_version=lesson.version,
    )  # fmt: skip
    with pytest.raises(ConflictError):
        services.lesson_update(
            actor=scene.sergeant, lesson=lesson, text="v3", training_recommendation="",
            expected_version=lesson.version,
        )  # fmt: skip


def test_only_the_facilitator_edits(scene: Scene) -> None:
    aar, _ = reviewed(scene)
    for who in (scene.trainer, scene.officer, scene.commander):
        with pytest.raises(PermissionDenied):
            services.aar_notes_update(actor=who, aar=aar, notes="x", expected_version=None)
        with pytest.raises(PermissionDenied):
            services.lesson_add(actor=who, aar=aar, text="x", training_recommendation="")
    assert AfterActionReview.objects.get(pk=aar.pk).notes == NOTES


def test_participants_agree_and_editing_a_lesson_withdraws_agreement(scene: Scene) -> None:
    _, lesson = reviewed(scene)
    assert list(lessons_awaiting_agreement(actor=scene.officer)) == [lesson]
    services.lesson_agree(actor=scene.officer, lesson=lesson, agree=True)
    assert list(lessons_awaiting_agreement(actor=scene.officer)) == []
    assert list(lessons_awaiting_agreement(actor=scene.partner)) == [lesson]
    assert lesson.agreements.count() == 1
    lesson = Lesson.objects.get(pk=lesson.pk)
    services.lesson_update(
        actor=scene.sergeant, lesson=lesson, text="Reworded", training_recommendation="",
        expected_version=lesson.version,
    )  # fmt: skip
    assert lesson.agreements.count() == 0
    services.lesson_agree(actor=scene.partner, lesson=lesson, agree=True)
    services.lesson_agree(actor=scene.partner, lesson=lesson, agree=False)
    assert lesson.agreements.count() == 0


@pytest.mark.parametrize("who", ["sergeant", "trainer", "bystander", "commander", "ia"])
def test_only_participants_agree(scene: Scene, who: str) -> None:
    _, lesson = reviewed(scene)
    with pytest.raises((PermissionDenied, NotFound)):
        services.lesson_agree(actor=getattr(scene, who), lesson=lesson, agree=True)
    assert lesson.agreements.count() == 0


def test_participant_confirms_the_account(scene: Scene) -> None:
    aar, _ = reviewed(scene)
    me = services.participant_confirm(actor=scene.officer, aar=aar, agreed=True)
    assert me.agreed
    with pytest.raises(PermissionDenied):
        services.participant_confirm(actor=scene.bystander, aar=aar, agreed=True)


def test_who_sees_the_review(scene: Scene) -> None:
    aar, _ = reviewed(scene)
    sees = {
        name: aars_visible(actor=getattr(scene, name)).filter(pk=aar.pk).exists()
        for name in (
            "officer", "partner", "sergeant", "trainer", "commander",
            "supervisor_b", "bystander", "ia",
        )
    }  # fmt: skip
    assert sees == {
        "officer": True,
        "partner": True,
        "sergeant": True,
        "trainer": True,
        "commander": True,
        "supervisor_b": False,
        "bystander": False,
        "ia": False,
    }
    assert list(reviews_to_facilitate(actor=scene.sergeant)) == [aar]
    assert list(reviews_to_facilitate(actor=scene.trainer)) == []


def test_opening_a_review_is_logged(scene: Scene) -> None:
    aar, _ = reviewed(scene)
    aar_get_visible(actor=scene.officer, aar_id=aar.pk)
    assert AuditEvent.objects.filter(
        kind="read", object_type="aar.afteractionreview", object_id=str(aar.pk),
        actor_user_id=scene.officer.user_id,
    ).count() == 1  # fmt: skip


def test_the_audit_log_holds_no_aar_content_and_no_incident_link(scene: Scene) -> None:
    aar, lesson = reviewed(scene)
    services.lesson_agree(actor=scene.officer, lesson=lesson, agree=True)
    services.aar_close(actor=scene.sergeant, aar=aar, expected_version=aar.version)
    events = AuditEvent.objects.filter(action__startswith="aar.")
    assert events.count() >= 6
    for event in events:
        text = f"{event.object_repr} {event.changes} {event.reason}"
        for secret in (NOTES, WENT_WELL, ALTERNATIVE, LESSON, RECOMMENDATION):
            assert secret not in text
        assert scene.incident.case_number not in text
        assert "incident" not in str(event.changes)


def test_a_closed_review_no_longer_changes(scene: Scene) -> None:
    aar, lesson = reviewed(scene)
    aar = services.aar_close(actor=scene.sergeant, aar=aar, expected_version=aar.version)
    with pytest.raises(InvalidInput, match="closed"):
        services.lesson_add(actor=scene.sergeant, aar=aar, text="x", training_recommendation="")
    # Participants may still agree after the meeting.
    services.lesson_agree(actor=scene.partner, lesson=lesson, agree=True)


def test_a_second_scene_in_another_agency_is_independent(other_agency: SmallAgency) -> None:
    scene = make_scene(other_agency)
    aar, _ = reviewed(scene)
    assert aar.agency_id == other_agency.agency.pk
