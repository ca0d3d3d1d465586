"""Complaint writes and reads: who may, what is filed where, what is logged, what is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.complaints import selectors, services
from steadyhand.complaints.models import ComplaintStatus
from steadyhand.complaints.services import Demographics
from steadyhand.complaints.tests.conftest import People
from steadyhand.complaints.tests.factories import accuse, make_complaint, make_incident
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user

pytestmark = pytest.mark.django_db


# Intake ---------------------------------------------------------------------------------------


def test_staff_intake_records_and_audits(people: People) -> None:
    complaint = services.complaint_intake(
        actor=people.supervisor,
        channel="in_person",
        narrative="  Was called names at the front desk.  ",
        complainant_name="A. Person",
        demographics=Demographics(race="asian", sex="male"),
    )
    assert complaint.narrative == "Was called names at the front desk."
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.created_by_id == people.supervisor.user_id
    assert complaint.people.get().race == "asian"
    event = AuditEvent.objects.get(action="complaint.intake")
    assert event.actor_user_id == people.supervisor.user_id
    # Names stay out of the audit log.
    assert "A. Person" not in event.changes
    assert "front desk" not in event.changes


def test_officers_and_analysts_cannot_record_complaints(people: People) -> None:
    for actor in (people.officer, people.analyst):
        with pytest.raises(PermissionDenied):
            make_complaint(actor)


def test_intake_refuses_the_public_channel_an_empty_narrative_and_the_future(
    people: People,
) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.complaint_intake(actor=people.ia, channel="public_form", narrative="x")
    assert "channel" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        services.complaint_intake(actor=people.ia, channel="phone", narrative="   ")
    assert "narrative" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        services.complaint_intake(
            actor=people.ia,
            channel="phone",
            narrative="x",
            occurred_at=timezone.now() + timedelta(days=2),
        )
    assert "occurred_at" in exc.value.errors


# Allegations and where the complaint is filed ------------------------------------------------


def test_naming_a_member_files_the_complaint_under_their_unit(people: People) -> None:
    a = people.agency
    complaint = make_complaint(people.ia)
    assert complaint.unit is None
    accuse(people.ia, complaint, None)  # an officer not identified yet: still agency level
    complaint.refresh_from_db()
    assert complaint.unit is None
    assert complaint.status == ComplaintStatus.INVESTIGATING
    accuse(people.ia, complaint, a.officer_a2, "excessive_force")
    accuse(people.ia, complaint, a.officer_b1)
    complaint.refresh_from_db()
    assert complaint.unit == a.squad_a2  # the first member named
    event = AuditEvent.objects.filter(action="allegation.add").order_by("seq")[1]
    assert event.changes["unit"] == [None, a.squad_a2.pk]


def test_changing_the_member_refiles_the_complaint(people: People) -> None:
    a = people.agency
    complaint = make_complaint(people.ia)
    allegation = accuse(people.ia, complaint, a.officer_a1)
    complaint.refresh_from_db()
    services.allegation_update(
        actor=people.ia,
        allegation=allegation,
        expected_version=complaint.version,
        category="discourtesy",
        description="",
        member=a.officer_b1,
        external_officer_id="",
    )
    complaint.refresh_from_db()
    assert complaint.unit == a.squad_b1


def test_an_allegation_cannot_name_another_agencys_member(
    people: People, other_agency: SmallAgency
) -> None:
    complaint = make_complaint(people.ia)
    with pytest.raises(InvalidInput) as exc:
        accuse(people.ia, complaint, other_agency.officer_a1)
    assert "member" in exc.value.errors
    assert not complaint.allegations.exists()


def test_a_stale_version_is_refused(people: People) -> None:
    complaint = make_complaint(people.ia)
    seen = complaint.version
    accuse(people.ia, complaint, people.agency.officer_a1)  # someone else's change
    with pytest.raises(ConflictError):
        services.complaint_update(
            actor=people.ia,
            complaint=complaint,
            expected_version=seen,
            narrative="Rewritten",
            occurred_at=None,
            location="",
            complainant_name="",
            complainant_contact="",
            officer_description="",
        )
    complaint.refresh_from_db()
    assert complaint.narrative != "Rewritten"


def test_commanders_read_but_do_not_manage(people: People) -> None:
    complaint = make_complaint(people.ia)
    with pytest.raises(PermissionDenied):
        accuse(people.commander, complaint, people.agency.officer_a1)


# Findings and closing -------------------------------------------------------------------------


def _find(people: People, allegation: object, finding: str = "not_sustained") -> None:
    complaint = allegation.complaint  # type: ignore[attr-defined]
    complaint.refresh_from_db()
    services.allegation_record_finding(
        actor=people.ia,
        allegation=allegation,  # type: ignore[arg-type]
        expected_version=complaint.version,
        finding=finding,
    )


def test_closing_needs_a_finding_on_every_allegation(people: People) -> None:
    complaint = make_complaint(people.ia)
    with pytest.raises(InvalidInput, match="at least one allegation"):
        services.complaint_close(actor=people.ia, complaint=complaint, expected_version=None)
    first = accuse(people.ia, complaint, people.agency.officer_a1)
    second = accuse(people.ia, complaint, None, "bias")
    _find(people, first, "sustained")
    with pytest.raises(InvalidInput, match="1 allegation still has no finding"):
        services.complaint_close(actor=people.ia, complaint=complaint, expected_version=None)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING
    _find(people, second, "unfounded")
    complaint.refresh_from_db()
    services.complaint_close(
        actor=people.ia, complaint=complaint, expected_version=complaint.version, reason="Done"
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    assert complaint.closed_at is not None
    first.refresh_from_db()
    assert first.finding == "sustained"
    assert first.finding_at == timezone.localdate()
    assert AuditEvent.objects.get(action="complaint.close").reason == "Done"


def test_a_closed_complaint_is_reopened_before_it_changes(people: People) -> None:
    complaint = make_complaint(people.ia)
    allegation = accuse(people.ia, complaint, None)
    _find(people, allegation, "withdrawn")
    services.complaint_close(actor=people.ia, complaint=complaint, expected_version=None)
    with pytest.raises(InvalidInput, match="reopen"):
        accuse(people.ia, complaint, None)
    with pytest.raises(InvalidInput, match="why"):
        services.complaint_reopen(
            actor=people.ia, complaint=complaint, expected_version=None, reason=" "
        )
    services.complaint_reopen(
        actor=people.ia, complaint=complaint, expected_version=None, reason="New witness"
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING
    assert complaint.closed_at is None


def test_a_finding_must_be_a_real_one(people: People) -> None:
    complaint = make_complaint(people.ia)
    allegation = accuse(people.ia, complaint, None)
    for finding in ("pending", "guilty"):
        with pytest.raises(InvalidInput) as exc:
            services.allegation_record_finding(
                actor=people.ia, allegation=allegation, expected_version=None, finding=finding
            )
        assert "finding" in exc.value.errors


# Linking an incident --------------------------------------------------------------------------


def test_linking_an_incident_the_actor_may_see(people: People, other_agency: SmallAgency) -> None:
    a = people.agency
    in_a = make_incident(agency_id=a.agency.pk, unit=a.squad_a1, case_number="2026-000001")
    elsewhere = make_incident(
        agency_id=other_agency.agency.pk, unit=other_agency.squad_a1, case_number="2026-000001"
    )
    complaint = make_complaint(people.ia)
    with pytest.raises(InvalidInput):
        services.complaint_link_incident(
            actor=people.ia, complaint=complaint, expected_version=None, incident=elsewhere
        )
    services.complaint_link_incident(
        actor=people.ia, complaint=complaint, expected_version=None, incident=in_a
    )
    complaint.refresh_from_db()
    assert complaint.incident == in_a
    # Internal affairs over precinct B cannot link precinct A's incident to its complaint.
    complaint_b = make_complaint(people.ia)
    accuse(people.ia, complaint_b, a.officer_b1)
    assert selectors.incident_by_case_number(actor=people.ia_b, case_number="2026-000001") is None
    with pytest.raises(InvalidInput):
        services.complaint_link_incident(
            actor=people.ia_b, complaint=complaint_b, expected_version=None, incident=in_a
        )


# Who sees what --------------------------------------------------------------------------------


def test_visibility_follows_the_chain_of_command(people: People) -> None:
    a = people.agency
    agency_level = make_complaint(people.ia)
    in_a = make_complaint(people.ia)
    accuse(people.ia, in_a, a.officer_a1)

    def seen(actor: object) -> set[int]:
        return set(
            selectors.complaints_visible(actor=actor).values_list("pk", flat=True)  # type: ignore[arg-type]
        )

    assert seen(people.ia) == {agency_level.pk, in_a.pk}  # agency-wide
    assert seen(people.commander) == {agency_level.pk, in_a.pk}
    assert seen(people.commander_a) == {in_a.pk}  # agency-level complaints need agency-wide
    assert seen(people.commander_b) == set()  # outside the chain
    assert seen(people.ia_b) == set()
    for actor in (people.officer, people.supervisor, people.analyst):
        assert seen(actor) == set()
        with pytest.raises(NotFound):
            selectors.complaint_get_visible(actor=actor, complaint_id=in_a.pk)
    with pytest.raises(NotFound):
        selectors.complaint_get_visible(actor=people.commander_b, complaint_id=in_a.pk)


def test_other_agencies_see_nothing(people: People, other_agency: SmallAgency) -> None:
    complaint = make_complaint(people.ia)
    outsider = actor_of(make_user(other_agency.agency, [Role.INTERNAL_AFFAIRS]))
    with pytest.raises(NotFound):
        selectors.complaint_get_visible(actor=outsider, complaint_id=complaint.pk)
    with pytest.raises(NotFound):
        accuse(outsider, complaint, None)
    assert not selectors.complaints_visible(actor=outsider).exists()


def test_opening_a_complaint_is_logged(people: People) -> None:
    complaint = make_complaint(people.ia)
    selectors.complaint_get_visible(actor=people.commander, complaint_id=complaint.pk)
    event = AuditEvent.objects.get(kind="read")
    assert event.action == "complaint.read"
    assert (event.actor_user_id, event.object_id) == (people.commander.user_id, str(complaint.pk))
    # A refused read is not logged (nothing was read).
    with pytest.raises(NotFound):
        selectors.complaint_get_visible(actor=people.commander_b, complaint_id=complaint.pk)
    assert AuditEvent.objects.filter(kind="read").count() == 1


def test_list_filters(people: People) -> None:
    open_one = make_complaint(people.ia)
    sustained = make_complaint(people.ia)
    allegation = accuse(people.ia, sustained, None)
    _find(people, allegation, "sustained")
    pks = {
        "received": {open_one.pk},
        "investigating": {sustained.pk},
    }
    for status, expected in pks.items():
        found = selectors.complaint_list(actor=people.ia, status=status)
        assert {c.pk for c in found} == expected
    found = selectors.complaint_list(actor=people.ia, finding="sustained")
    assert [(c.pk, c.allegation_count, c.pending_count) for c in found] == [(sustained.pk, 1, 0)]
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert not selectors.complaint_list(actor=people.ia, received_from=tomorrow).exists()
    assert selectors.complaint_list(actor=people.ia, received_to=tomorrow).count() == 2
