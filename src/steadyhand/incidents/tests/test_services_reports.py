"""Filing a report: the draft, who may change it, the people on scene, submission."""

from datetime import timedelta

import pytest
from django.utils import timezone

from steadyhand import vocabulary as v
from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.incidents import services
from steadyhand.incidents.models import IncidentStatus, Statement
from steadyhand.incidents.tests.report_factories import (
    People,
    add_event,
    add_subject,
    draft,
    force_report,
    fresh,
    primary,
)

pytestmark = pytest.mark.django_db


def test_a_draft_is_filed_under_the_reporters_unit_with_the_reporter_as_primary(
    people: People,
) -> None:
    incident = draft(people.officer)
    assert incident.status == IncidentStatus.DRAFT
    assert incident.unit == people.agency.squad_a1
    assert incident.reported_by == people.agency.officer_a1
    assert incident.case_number == f"{incident.occurred_at.year}-000001"
    involvement = incident.involvements.get()
    assert (involvement.member, involvement.role_on_scene) == (people.agency.officer_a1, "primary")
    event = AuditEvent.objects.get(action="incident.create", object_id=str(incident.pk))
    assert event.changes["case_number"] == [None, incident.case_number]
    assert draft(people.officer).case_number.endswith("-000002")


def test_a_login_without_a_member_record_cannot_file(people: People) -> None:
    with pytest.raises(PermissionDenied, match="not linked to a member record"):
        draft(people.no_member)


def test_a_first_contact_in_the_future_is_refused(people: People) -> None:
    with pytest.raises(InvalidInput) as exc:
        draft(people.officer, occurred_at=timezone.now() + timedelta(days=1))
    assert "future" in exc.value.errors["occurred_at"][0]


def test_only_the_reporter_edits_the_draft(people: People, other_agency: SmallAgency) -> None:
    incident = draft(people.officer)
    edit = {"call_type": "Disturbance"}
    # A colleague who cannot see the report is told it does not exist.
    with pytest.raises(NotFound):
        services.incident_update(
            actor=people.officer_b, incident=incident, expected_version=None, fields=edit
        )
    # Another agency: not found either.
    outsider = actor_of(
        make_user(other_agency.agency, [Role.OFFICER], member=other_agency.officer_a1)
    )
    with pytest.raises(NotFound):
        services.incident_update(
            actor=outsider, incident=incident, expected_version=None, fields=edit
        )
    # The supervisor reads it but may not write the officer's report.
    with pytest.raises(PermissionDenied):
        services.incident_update(
            actor=people.sergeant, incident=incident, expected_version=None, fields=edit
        )
    # A partner on scene sees it, but it is not their report to edit.
    services.involvement_add(
        actor=people.officer, incident=incident, expected_version=None,
        badge=people.agency.officer_a2.badge, role_on_scene="cover",
    )  # fmt: skip
    with pytest.raises(PermissionDenied, match="Only the reporting officer"):
        services.incident_update(
            actor=people.partner, incident=incident, expected_version=None, fields=edit
        )
    assert fresh(incident).call_type == "Person in crisis"
    updated = services.incident_update(
        actor=people.officer, incident=incident, expected_version=None, fields=edit
    )
    assert updated.call_type == "Disturbance"
    audit = AuditEvent.objects.filter(action="incident.update").latest("seq")
    assert audit.changes == {"call_type": ["Person in crisis", "Disturbance"]}


def test_a_stale_version_is_refused(people: People) -> None:
    incident = draft(people.officer)
    stale = incident.version
    services.incident_update(
        actor=people.officer, incident=incident, expected_version=stale,
        fields={"beat": "B3"},
    )  # fmt: skip
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.incident_update(
            actor=people.officer, incident=incident, expected_version=stale,
            fields={"beat": "B4"},
        )  # fmt: skip
    assert fresh(incident).beat == "B3"


def test_fields_outside_the_report_cannot_be_set(people: People) -> None:
    incident = draft(people.officer)
    with pytest.raises(InvalidInput, match="cannot be edited: force_used"):
        services.incident_update(
            actor=people.officer, incident=incident, expected_version=None,
            fields={"force_used": True},
        )  # fmt: skip


def test_members_on_scene_by_badge(people: People, other_agency: SmallAgency) -> None:
    incident = draft(people.officer)
    with pytest.raises(InvalidInput) as exc:
        services.involvement_add(
            actor=people.officer, incident=incident, expected_version=None,
            badge=other_agency.officer_a2.badge + "X", role_on_scene="cover",
        )  # fmt: skip
    assert "No member of your agency" in exc.value.errors["badge"][0]
    involvement = services.involvement_add(
        actor=people.officer, incident=incident, expected_version=None,
        badge=people.agency.officer_a2.badge, role_on_scene="cover",
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="already listed"):
        services.involvement_add(
            actor=people.officer, incident=incident, expected_version=None,
            badge=people.agency.officer_a2.badge, role_on_scene="witness",
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="stays on their own report"):
        services.involvement_remove(
            actor=people.officer, involvement=primary(incident), expected_version=None
        )
    services.involvement_remove(
        actor=people.officer, involvement=involvement, expected_version=None
    )
    assert incident.involvements.count() == 1


def test_subjects_are_numbered_and_renumbered(people: People) -> None:
    incident = draft(people.officer)
    first = add_subject(people.officer, incident)
    second = add_subject(people.officer, incident, armed_with="edged", substance_use=True)
    assert (first.ordinal, second.ordinal) == (1, 2)
    assert second.indicators == ["substance_use"]
    with pytest.raises(InvalidInput):
        services.subject_update(
            actor=people.officer, subject=second, expected_version=None,
            attributes={"armed_with": "bazooka"},
        )  # fmt: skip
    services.subject_remove(actor=people.officer, subject=first, expected_version=None)
    second.refresh_from_db()
    assert second.ordinal == 1


def test_a_subject_in_the_timeline_cannot_be_removed(people: People) -> None:
    incident = draft(people.officer)
    subject = add_subject(people.officer, incident)
    add_event(people.officer, incident, "subject_behaviour", "flees", actor_subject_id=subject.pk)
    with pytest.raises(InvalidInput, match=r"timeline event\(s\) 1"):
        services.subject_remove(actor=people.officer, subject=subject, expected_version=None)


# Submission --------------------------------------------------------------------------------


def test_submit_derives_the_outcomes_from_the_timeline(people: People) -> None:
    incident = force_report(people.officer)
    submitted = services.incident_submit(
        actor=people.officer, incident=incident, expected_version=incident.version
    )
    assert submitted.status == IncidentStatus.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.force_used is True
    assert submitted.highest_force_level == v.ForceLevel.CONTROL
    assert submitted.highest_resistance == v.Resistance.DEFENSIVE
    assert submitted.de_escalation_attempted is True
    assert submitted.resolution == "custody_with_force"
    assert submitted.arrest_made is True
    assert primary(submitted).used_force is True
    assert submitted.subjects.get().highest_resistance == v.Resistance.DEFENSIVE
    # Every member on scene now owes a statement.
    assert Statement.objects.filter(involvement__incident=submitted).count() == 1
    audit = AuditEvent.objects.get(action="incident.submit")
    assert audit.changes["status"] == ["draft", "submitted"]
    assert audit.changes["force_used"] == [False, True]


def test_a_submitted_report_no_longer_changes(people: People) -> None:
    incident = force_report(people.officer)
    services.incident_submit(actor=people.officer, incident=incident, expected_version=None)
    with pytest.raises(InvalidInput, match="no longer changes"):
        services.incident_update(
            actor=people.officer, incident=incident, expected_version=None,
            fields={"beat": "B9"},
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="no longer changes"):
        add_subject(people.officer, incident)


def test_submit_refuses_force_without_resistance_naming_the_event(people: People) -> None:
    incident = force_report(people.officer, resistance_first=False)
    with pytest.raises(InvalidInput) as exc:
        services.incident_submit(actor=people.officer, incident=incident, expected_version=None)
    (message,) = exc.value.errors["timeline"]
    assert "event 3 (Control hold, at 1:15) has no behaviour of subject 1 before it" in message
    assert fresh(incident).status == IncidentStatus.DRAFT


def test_submit_lists_every_prompt_at_once(people: People) -> None:
    incident = draft(people.officer)
    with pytest.raises(InvalidInput) as exc:
        services.incident_submit(actor=people.officer, incident=incident, expected_version=None)
    errors = exc.value.errors
    assert set(errors) == {"subjects", "timeline", "de_escalation_attempted"}
    assert any("no arrival" in m for m in errors["timeline"])
    assert any("how the encounter ended" in m for m in errors["timeline"])


def test_force_needs_the_supervisor_question_answered(people: People) -> None:
    incident = force_report(people.officer)
    incident = services.incident_update(
        actor=people.officer, incident=incident, expected_version=None,
        fields={"supervisor_notified": None},
    )  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        services.incident_submit(actor=people.officer, incident=incident, expected_version=None)
    assert "supervisor was notified" in exc.value.errors["supervisor_notified"][0]


def test_the_de_escalation_answer_must_agree_with_the_timeline(people: People) -> None:
    incident = force_report(people.officer)
    services.incident_update(
        actor=people.officer, incident=incident, expected_version=None,
        fields={"de_escalation_attempted": False},
    )  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        services.incident_submit(actor=people.officer, incident=incident, expected_version=None)
    assert (
        "event 2 (Introduce self, at 0:20) is a de-escalation tactic"
        in (exc.value.errors["de_escalation_attempted"][0])
    )


def test_an_encounter_resolved_without_force(people: People) -> None:
    incident = draft(people.officer)
    subject = add_subject(people.officer, incident, mental_health_crisis=True)
    me = primary(incident).pk
    add_event(people.officer, incident, "arrival", "arrives", actor_involvement_id=me)
    add_event(people.officer, incident, "positioning", "create_distance", actor_involvement_id=me)
    add_event(people.officer, incident, "subject_behaviour", "talks", actor_subject_id=subject.pk)
    add_event(people.officer, incident, "resolution", "transported_for_care")
    services.incident_update(
        actor=people.officer, incident=incident, expected_version=None,
        fields={"de_escalation_attempted": True},
    )  # fmt: skip
    done = services.incident_submit(actor=people.officer, incident=incident, expected_version=None)
    assert (done.force_used, done.highest_force_level, done.arrest_made) == (False, None, False)
    assert done.supervisor_notified is None  # not asked without force
    assert done.resolution == "transported_for_care"
    assert done.highest_resistance == v.Resistance.COMPLIANT
