"""The timeline builder: vocabulary codes, actors, order and times."""

import pytest

from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, PermissionDenied
from steadyhand.incidents import services
from steadyhand.incidents.models import Incident
from steadyhand.incidents.tests.report_factories import (
    People,
    add_event,
    add_subject,
    draft,
    fresh,
    primary,
)

pytestmark = pytest.mark.django_db


def _order(incident: Incident) -> list[tuple[int, str]]:
    return list(incident.events.order_by("sequence").values_list("sequence", "code"))


@pytest.fixture
def report(people: People) -> Incident:
    incident = draft(people.officer)
    add_subject(people.officer, incident)
    return incident


def test_events_are_added_in_order_and_inserted_densely(people: People, report: Incident) -> None:
    me = primary(report).pk
    add_event(people.officer, report, "arrival", "arrives", actor_involvement_id=me)
    add_event(people.officer, report, "resolution", "referred")
    add_event(
        people.officer, report, "communication", "open_question", actor_involvement_id=me,
        position=2,
    )  # fmt: skip
    assert _order(report) == [(1, "arrives"), (2, "open_question"), (3, "referred")]
    audit = AuditEvent.objects.filter(action="incident.event_add").latest("seq")
    assert audit.changes["sequence"] == [None, 2]
    assert audit.changes["code"] == [None, "open_question"]


def test_the_code_must_belong_to_the_kind(people: People, report: Incident) -> None:
    me = primary(report).pk
    with pytest.raises(InvalidInput) as exc:
        add_event(people.officer, report, "force", "create_distance", actor_involvement_id=me)
    assert "Force application" in exc.value.errors["code"][0]
    with pytest.raises(InvalidInput) as exc:
        add_event(people.officer, report, "arrival", "made_up", actor_involvement_id=me)
    assert exc.value.errors["code"]
    with pytest.raises(InvalidInput, match="Unknown kind"):
        add_event(people.officer, report, "dance", "arrives", actor_involvement_id=me)


def test_actors_fit_the_kind(people: People, report: Incident) -> None:
    subject = report.subjects.get()
    me = primary(report).pk
    with pytest.raises(InvalidInput) as exc:
        add_event(people.officer, report, "communication", "empathy", actor_subject_id=subject.pk)
    assert "Choose which member" in " ".join(exc.value.errors["actor"])
    with pytest.raises(InvalidInput) as exc:
        add_event(people.officer, report, "subject_behaviour", "flees", actor_involvement_id=me)
    assert "Choose which subject" in " ".join(exc.value.errors["actor"])
    with pytest.raises(InvalidInput) as exc:
        add_event(people.officer, report, "force", "takedown", actor_involvement_id=me)
    assert exc.value.errors["target_subject"] == ["Choose the subject the force was used on."]
    with pytest.raises(InvalidInput) as exc:
        add_event(people.officer, report, "injury", "officer_injured", actor_subject_id=subject.pk)
    assert "member who was injured" in " ".join(exc.value.errors["actor"])
    # People of another report are not this report's people.
    other = draft(people.officer)
    with pytest.raises(InvalidInput, match="not on this report"):
        add_event(
            people.officer, report, "arrival", "arrives",
            actor_involvement_id=primary(other).pk,
        )  # fmt: skip
    assert _order(report) == []


def test_times_never_go_back(people: People, report: Incident) -> None:
    me = primary(report).pk
    add_event(people.officer, report, "arrival", "arrives", actor_involvement_id=me,
              offset_seconds=0)  # fmt: skip
    add_event(people.officer, report, "positioning", "take_cover", actor_involvement_id=me,
              offset_seconds=90)  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        add_event(people.officer, report, "communication", "reassure", actor_involvement_id=me,
                  offset_seconds=30)  # fmt: skip
    assert (
        "Event 3 (Reassure) at 0:30 would come after event 2 (Take cover) at 1:30"
        in (exc.value.errors["offset_seconds"][0])
    )
    # Without a time, an event may go anywhere.
    add_event(people.officer, report, "communication", "reassure", actor_involvement_id=me,
              position=2)  # fmt: skip
    # [arrives 0:00, reassure, take cover 1:30]: take cover cannot jump before the arrival.
    services.event_move(
        actor=people.officer, event=report.events.get(sequence=3), expected_version=None,
        direction="up",
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="times must not go back"):
        services.event_move(
            actor=people.officer, event=report.events.get(sequence=2), expected_version=None,
            direction="up",
        )  # fmt: skip
    assert _order(report) == [(1, "arrives"), (2, "take_cover"), (3, "reassure")]


def test_move_update_and_remove_keep_the_order_dense(people: People, report: Incident) -> None:
    me = primary(report).pk
    for code in ("introduce_self", "explain_reason", "open_question"):
        add_event(people.officer, report, "communication", code, actor_involvement_id=me)
    middle = report.events.get(sequence=2)
    services.event_move(actor=people.officer, event=middle, expected_version=None, direction="up")
    assert _order(report) == [(1, "explain_reason"), (2, "introduce_self"), (3, "open_question")]
    with pytest.raises(InvalidInput, match="already the first"):
        services.event_move(
            actor=people.officer, event=middle, expected_version=None, direction="up"
        )
    services.event_update(
        actor=people.officer, event=middle, expected_version=None,
        data=services.EventInput(kind="communication", code="empathy", actor_involvement_id=me,
                                 offset_seconds=5, note="Acknowledged the loss"),
    )  # fmt: skip
    services.event_remove(
        actor=people.officer, event=report.events.get(code="introduce_self"), expected_version=None
    )
    assert _order(report) == [(1, "empathy"), (2, "open_question")]
    update = AuditEvent.objects.get(action="incident.event_update")
    assert update.changes["code"] == ["explain_reason", "empathy"]


def test_only_the_reporter_builds_the_timeline_and_versions_count(
    people: People, report: Incident
) -> None:
    me = primary(report).pk
    stale = fresh(report).version
    with pytest.raises(PermissionDenied):
        add_event(people.sergeant, report, "arrival", "arrives", actor_involvement_id=me)
    add_event(people.officer, report, "arrival", "arrives", actor_involvement_id=me)
    with pytest.raises(ConflictError):
        services.event_add(
            actor=people.officer, incident=report, expected_version=stale,
            data=services.EventInput(kind="resolution", code="referred"),
        )  # fmt: skip
