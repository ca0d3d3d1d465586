"""``incident_record`` on its own: the checks any caller (API, script) gets, not only the API's."""

from dataclasses import replace
from decimal import Decimal

import pytest

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.api.tests.factories import WHEN
from steadyhand.core.errors import InvalidInput, PermissionDenied
from steadyhand.core.testing import SmallAgency
from steadyhand.incidents.intake_services import (
    EventRecord,
    IncidentRecord,
    InvolvementRecord,
    SubjectRecord,
    incident_record,
)
from steadyhand.incidents.models import Incident

BASE = IncidentRecord(
    occurred_at=WHEN,
    contact_type="self_initiated",
    involvements=(InvolvementRecord(badge="O101"),),
    subjects=(SubjectRecord(),),
    events=(
        EventRecord(code="arrives", offset_seconds=0, actor_badge="O101"),
        EventRecord(code="complies", offset_seconds=30, actor_subject=1),
        EventRecord(code="voluntary_compliance", offset_seconds=60),
    ),
)


def _errors(sa: SmallAgency, record: IncidentRecord) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as caught:
        incident_record(actor=sa.system, record=record)
    assert not Incident.objects.exists()
    return caught.value.errors


def test_a_success_without_force_is_recorded(small_agency: SmallAgency) -> None:
    incident = incident_record(actor=small_agency.system, record=BASE)
    assert incident.force_used is False
    assert incident.resolution == "voluntary_compliance"
    assert incident.highest_resistance == 0
    assert incident.de_escalation_attempted is False
    assert incident.case_number == "2026-000001"


def test_lengths_and_coordinates_are_checked(small_agency: SmallAgency) -> None:
    record = replace(BASE, district="D" * 41, latitude=Decimal("91"), longitude=Decimal("-87.6"))
    assert set(_errors(small_agency, record)) == {"district", "latitude"}


def test_a_kind_must_match_its_code(small_agency: SmallAgency) -> None:
    events = (EventRecord(code="takedown", kind="communication", actor_badge="O101"),)
    errors = _errors(small_agency, replace(BASE, events=events))
    assert errors == {"events[0].kind": ["'takedown' is a 'force' event, not 'communication'."]}


def test_ladders_and_single_actors(small_agency: SmallAgency) -> None:
    events = (
        EventRecord(code="pulls_away", actor_subject=1, resistance=9),
        EventRecord(code="arrives", actor_badge="O101", actor_subject=1),
        EventRecord(code="talks", actor_subject=1, force_level=2),
    )
    errors = _errors(small_agency, replace(BASE, events=events))
    assert set(errors) == {
        "events[0].resistance",
        "events[1].actor",
        "events[1].actor_subject",
        "events[2].force_level",
    }


def test_a_naive_time_is_refused(small_agency: SmallAgency) -> None:
    errors = _errors(small_agency, replace(BASE, occurred_at=WHEN.replace(tzinfo=None)))
    assert list(errors) == ["occurred_at"]


def test_an_actor_without_import_or_involvement_is_refused(small_agency: SmallAgency) -> None:
    trainer = Actor.system(agency_id=small_agency.agency.pk, label="t", roles=(Role.TRAINER,))
    with pytest.raises(PermissionDenied):
        incident_record(actor=trainer, record=BASE)
    assert not Incident.objects.exists()
