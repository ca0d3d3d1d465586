"""Acknowledging published policy, who must, by when, and who in a chain is overdue."""

from datetime import date, timedelta

import pytest

from steadyhand.agencies.models import Member, MemberStatus, Rank
from steadyhand.agencies.services import member_create
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, PermissionDenied
from steadyhand.core.testing import SmallAgency, system_actor
from steadyhand.policy import selectors, services
from steadyhand.policy.models import Acknowledgement, PolicyVersion
from steadyhand.policy.tests.conftest import People
from steadyhand.policy.tests.factories import (
    make_document,
    make_draft,
    make_published,
    noon,
    policy_system,
)

pytestmark = pytest.mark.django_db

PUBLISHED_ON = date(2025, 1, 1)
DUE = date(2025, 1, 31)  # 30 days later
DAY_AFTER = DUE + timedelta(days=1)


@pytest.fixture
def version(people: People) -> PolicyVersion:
    """Published on 1 January 2025 for every rank, due 31 January 2025."""
    return make_published(people.system, make_document(people.system), published_on=PUBLISHED_ON)


def _badges(members: object) -> set[str]:
    return {m.badge for m in members}  # type: ignore[attr-defined]


# Acknowledging -----------------------------------------------------------------------------


def test_a_member_acknowledges_a_version_once(people: People, version: PolicyVersion) -> None:
    ack = services.policy_version_acknowledge(actor=people.officer, version=version)
    assert ack.member == people.agency.officer_a1
    assert ack.recorded_by_id == people.officer.user_id
    event = AuditEvent.objects.get(action="policy_acknowledgement.create")
    assert event.changes["member"] == [None, people.agency.officer_a1.pk]
    assert event.actor_user_id == people.officer.user_id

    with pytest.raises(ConflictError) as exc:
        services.policy_version_acknowledge(actor=people.officer, version=version)
    assert "already acknowledged" in str(exc.value)
    assert Acknowledgement.objects.count() == 1
    assert AuditEvent.objects.filter(action="policy_acknowledgement.create").count() == 1


def test_an_old_version_cannot_be_acknowledged_once_a_newer_one_is_published(
    people: People, version: PolicyVersion
) -> None:
    v2 = make_published(people.system, version.document, published_on=date(2025, 6, 1))
    with pytest.raises(InvalidInput) as exc:
        services.policy_version_acknowledge(actor=people.officer, version=version)
    assert "acknowledge the current version" in str(exc.value)
    assert not Acknowledgement.objects.exists()
    services.policy_version_acknowledge(actor=people.officer, version=v2)
    # Only the current version is asked for: nothing is pending any more.
    assert selectors.pending_acknowledgements(member=people.agency.officer_a1) == []


def test_drafts_cannot_be_acknowledged(people: People) -> None:
    draft = make_draft(people.commander, make_document(people.commander))
    with pytest.raises(InvalidInput) as exc:
        services.policy_version_acknowledge(actor=people.officer, version=draft)
    assert "Only a published version" in str(exc.value)


def test_a_login_without_a_member_record_has_nothing_to_acknowledge(
    people: People, version: PolicyVersion
) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.policy_version_acknowledge(actor=people.supervisor_b, version=version)
    assert "not linked to a member record" in exc.value.errors["member"][0]


def test_applicability_by_rank(people: People) -> None:
    sergeants_only = make_published(
        people.system,
        make_document(people.system, code="SGT-1", ranks=[Rank.SERGEANT]),
        published_on=PUBLISHED_ON,
    )
    with pytest.raises(InvalidInput) as exc:
        services.policy_version_acknowledge(actor=people.officer, version=sergeants_only)
    assert "does not apply to the rank Police officer" in str(exc.value)
    assert selectors.pending_acknowledgements(member=people.agency.officer_a1, today=DUE) == []
    [pending] = selectors.pending_acknowledgements(member=people.agency.sergeant_a1, today=DUE)
    assert pending.version == sergeants_only
    services.policy_version_acknowledge(actor=people.supervisor_a, version=sergeants_only)
    [counts] = selectors.compliance_counts(actor=people.commander, today=DUE)
    assert (counts.applicable, counts.acknowledged) == (1, 1)


def test_members_who_are_not_active_are_not_asked(people: People, version: PolicyVersion) -> None:
    Member.objects.filter(pk=people.agency.officer_a1.pk).update(status=MemberStatus.LEAVE)
    people.agency.officer_a1.refresh_from_db()
    assert selectors.pending_acknowledgements(member=people.agency.officer_a1) == []
    with pytest.raises(InvalidInput) as exc:
        services.policy_version_acknowledge(actor=people.officer, version=version)
    assert "on leave, not active" in str(exc.value)
    [counts] = selectors.compliance_counts(actor=people.commander, today=DUE)
    assert counts.applicable == 3  # four members, one on leave


def test_other_agencies_policies_are_never_pending(
    people: People, other_agency: SmallAgency
) -> None:
    make_published(
        policy_system(other_agency.agency),
        make_document(policy_system(other_agency.agency)),
        published_on=PUBLISHED_ON,
    )
    assert selectors.pending_acknowledgements(member=people.agency.officer_a1) == []
    assert selectors.compliance_counts(actor=people.commander) == []


# Due dates ---------------------------------------------------------------------------------


def test_the_due_day_itself_is_not_overdue_and_the_day_after_is(
    people: People, version: PolicyVersion
) -> None:
    assert version.ack_due_date == DUE
    member = people.agency.officer_a1
    [on_due_day] = selectors.pending_acknowledgements(member=member, today=DUE)
    assert (on_due_day.due_date, on_due_day.overdue, on_due_day.days_left) == (DUE, False, 0)
    [day_after] = selectors.pending_acknowledgements(member=member, today=DAY_AFTER)
    assert (day_after.overdue, day_after.days_overdue) == (True, 1)

    [counts] = selectors.compliance_counts(actor=people.commander, today=DUE)
    assert (counts.applicable, counts.acknowledged, counts.overdue, counts.pending) == (4, 0, 0, 4)
    [counts] = selectors.compliance_counts(actor=people.commander, today=DAY_AFTER)
    assert (counts.overdue, counts.pending) == (4, 0)

    assert not selectors.compliance_members(actor=people.commander, version=version, today=DUE)
    overdue = selectors.compliance_members(actor=people.commander, version=version, today=DAY_AFTER)
    assert len(overdue) == 4


def test_someone_hired_after_publication_gets_the_same_number_of_days(
    people: People, version: PolicyVersion
) -> None:
    recruit = member_create(
        actor=system_actor(people.agency.agency),
        badge="R900",
        first_name="New",
        last_name="Recruit",
        rank=Rank.RECRUIT,
        unit=people.agency.squad_a1,
        hire_date=date(2025, 1, 20),
    )
    own_due = date(2025, 2, 19)  # hire date + 30 days, later than the version's 31 January
    assert selectors.member_due_date(version=version, member=recruit) == own_due
    [pending] = selectors.pending_acknowledgements(member=recruit, today=own_due)
    assert not pending.overdue
    [pending] = selectors.pending_acknowledgements(member=recruit, today=own_due + timedelta(1))
    assert pending.overdue

    def overdue_badges(today: date) -> set[str]:
        return _badges(
            selectors.compliance_members(actor=people.commander, version=version, today=today)
        )

    assert "R900" not in overdue_badges(DAY_AFTER)
    assert "R900" not in overdue_badges(own_due)
    assert "R900" in overdue_badges(own_due + timedelta(days=1))
    [counts] = selectors.compliance_counts(actor=people.commander, today=own_due)
    assert (counts.applicable, counts.overdue) == (5, 4)


def test_pending_lists_overdue_first(people: People) -> None:
    old = make_published(
        people.system, make_document(people.system, code="A-OLD"), published_on=PUBLISHED_ON
    )
    recent = make_published(
        people.system, make_document(people.system, code="0-NEW"), published_on=date(2025, 3, 1)
    )
    pending = selectors.pending_acknowledgements(
        member=people.agency.officer_a1, today=date(2025, 3, 5)
    )
    assert [p.version for p in pending] == [old, recent]
    assert [p.overdue for p in pending] == [True, False]


def test_the_overdue_table_is_most_overdue_first(people: People, version: PolicyVersion) -> None:
    member_create(
        actor=system_actor(people.agency.agency),
        badge="R900",
        first_name="New",
        last_name="Aardvark",  # first by name, but least overdue
        rank=Rank.RECRUIT,
        unit=people.agency.squad_a1,
        hire_date=date(2025, 1, 20),
    )
    members = list(
        selectors.compliance_members(
            actor=people.commander, version=version, today=date(2025, 3, 1)
        )
    )
    assert members[-1].badge == "R900"
    rows = selectors.outstanding_rows(version=version, members=members, today=date(2025, 3, 1))
    assert [r.days_overdue for r in rows] == [29, 29, 29, 29, 10]


# Chains of command -------------------------------------------------------------------------


def test_a_supervisor_sees_only_their_chain(people: People, version: PolicyVersion) -> None:
    a = people.agency
    overdue_a = selectors.compliance_members(
        actor=people.supervisor_a, version=version, today=DAY_AFTER
    )
    assert _badges(overdue_a) == {a.sergeant_a1.badge, a.officer_a1.badge, a.officer_a2.badge}
    overdue_b = selectors.compliance_members(
        actor=people.supervisor_b, version=version, today=DAY_AFTER
    )
    assert _badges(overdue_b) == {a.officer_b1.badge}
    [counts_a] = selectors.compliance_counts(actor=people.supervisor_a, today=DAY_AFTER)
    assert (counts_a.applicable, counts_a.overdue) == (3, 3)
    [counts_b] = selectors.compliance_counts(actor=people.supervisor_b, today=DAY_AFTER)
    assert (counts_b.applicable, counts_b.overdue) == (1, 1)
    units_b = set(selectors.compliance_units(actor=people.supervisor_b))
    assert units_b == {a.precinct_b, a.squad_b1}


def test_acknowledging_removes_a_member_from_the_overdue_list(
    people: People, version: PolicyVersion
) -> None:
    services.policy_version_acknowledge(actor=people.officer, version=version)
    overdue = selectors.compliance_members(
        actor=people.supervisor_a, version=version, today=DAY_AFTER
    )
    assert people.agency.officer_a1.badge not in _badges(overdue)
    [counts] = selectors.compliance_counts(actor=people.supervisor_a, today=DAY_AFTER)
    assert (counts.applicable, counts.acknowledged, counts.overdue) == (3, 1, 2)


def test_a_unit_filter_narrows_to_its_subtree(people: People, version: PolicyVersion) -> None:
    a = people.agency
    members = selectors.compliance_members(
        actor=people.supervisor_a, version=version, unit=a.squad_a2, today=DAY_AFTER
    )
    assert _badges(members) == {a.officer_a2.badge}
    [counts] = selectors.compliance_counts(
        actor=people.supervisor_a, unit=a.squad_a2, today=DAY_AFTER
    )
    assert counts.applicable == 1


@pytest.mark.parametrize("who", ["commander", "trainer", "auditor"])
def test_agency_wide_roles_see_the_whole_agency(
    people: People, version: PolicyVersion, who: str
) -> None:
    members = selectors.compliance_members(
        actor=getattr(people, who), version=version, today=DAY_AFTER
    )
    assert len(members) == 4


def test_an_officer_sees_no_ones_compliance(people: People, version: PolicyVersion) -> None:
    assert selectors.compliance_counts(actor=people.officer, today=DAY_AFTER) == []
    assert not selectors.compliance_members(actor=people.officer, version=version, today=DAY_AFTER)


def test_everyone_outstanding_includes_those_not_yet_due(
    people: People, version: PolicyVersion
) -> None:
    outstanding = selectors.compliance_members(
        actor=people.supervisor_b, version=version, show=selectors.SHOW_OUTSTANDING, today=DUE
    )
    assert _badges(outstanding) == {people.agency.officer_b1.badge}


# Recording acknowledgements from the command line ------------------------------------------


def test_the_command_line_may_record_a_past_acknowledgement(
    people: People, version: PolicyVersion
) -> None:
    ack = services.acknowledgement_record_historical(
        actor=people.system,
        version=version,
        member=people.agency.officer_b1,
        acknowledged_at=noon(date(2025, 1, 10)),
    )
    assert ack.recorded_by_id is None
    assert AuditEvent.objects.filter(action="policy_acknowledgement.create").count() == 1
    with pytest.raises(ConflictError):
        services.acknowledgement_record_historical(
            actor=people.system,
            version=version,
            member=people.agency.officer_b1,
            acknowledged_at=noon(date(2025, 1, 11)),
        )


def test_a_past_acknowledgement_must_fall_after_publication(
    people: People, version: PolicyVersion
) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.acknowledgement_record_historical(
            actor=people.system,
            version=version,
            member=people.agency.officer_b1,
            acknowledged_at=noon(date(2024, 12, 1)),
        )
    assert "outside the time between publication" in exc.value.errors["acknowledged_at"][0]


@pytest.mark.parametrize("who", ["commander", "supervisor_a", "officer"])
def test_only_the_command_line_records_on_someone_elses_behalf(
    people: People, version: PolicyVersion, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.acknowledgement_record_historical(
            actor=getattr(people, who),
            version=version,
            member=people.agency.officer_a1,
            acknowledged_at=noon(date(2025, 1, 10)),
        )
    assert not Acknowledgement.objects.exists()
