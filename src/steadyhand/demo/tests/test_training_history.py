"""The demo's training history: reproducible, consistent with the reports, and with the
situations the pages need (overdue acknowledgements, trained and untrained squads)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from steadyhand.access.actor import Actor, Grant
from steadyhand.access.roles import Role
from steadyhand.agencies.models import Agency
from steadyhand.audit.verify import verify_chain
from steadyhand.demo.tests.conftest import AS_OF
from steadyhand.policy.models import Acknowledgement, PolicyVersion
from steadyhand.training.models import Enrolment, RolloutPlan, WaveAssignment
from steadyhand.training.selectors.reports import parity_by_unit
from steadyhand.training.selectors.rollouts import rollout_verify

pytestmark = pytest.mark.django_db


def history(agency: Agency) -> list[tuple[str, str, str, date | None, Decimal | None]]:
    rows = Enrolment.objects.filter(member__agency=agency).select_related("member", "course")
    return sorted((e.member.badge, e.course.code, e.status, e.completed_on, e.hours) for e in rows)


def waves(agency: Agency) -> dict[str, int]:
    rows = WaveAssignment.objects.filter(plan__agency=agency).select_related("unit", "wave")
    return {a.unit.code: a.wave.number for a in rows if a.unit is not None}


def test_same_seed_and_date_give_the_same_history_and_waves(
    demo_pair: tuple[Agency, Agency],
) -> None:
    first, second = demo_pair
    assert history(first) == history(second)
    assert waves(first) == waves(second)
    assert len(set(waves(first).values())) == 8


def test_the_randomized_waves_reproduce_from_their_seed(demo_a: Agency) -> None:
    agency = demo_a
    plan = RolloutPlan.objects.get(agency=agency)
    assert plan.locked
    assert plan.randomized
    assert rollout_verify(plan=plan).reproduces


def test_earlier_waves_are_trained_and_later_ones_only_enrolled(demo_a: Agency) -> None:
    agency = demo_a
    icat = Enrolment.objects.filter(member__agency=agency, course__code="ICAT-16")
    completed = icat.filter(status="completed")
    assert completed.exists()
    assert all(e.completed_on < AS_OF for e in completed)
    assert icat.filter(status="enrolled", session__starts_on__gte=AS_OF).exists()


def test_some_members_are_overdue_on_policy_acknowledgements(demo_a: Agency) -> None:
    agency = demo_a
    for version in PolicyVersion.objects.filter(document__agency=agency):
        assert version.ack_due_date is not None
        assert version.ack_due_date < AS_OF
        assert Acknowledgement.objects.filter(version=version).exists()
    active = agency.members.filter(status="active").count()
    total_acks = Acknowledgement.objects.filter(version__document__agency=agency).count()
    assert total_acks < 2 * active  # someone has not acknowledged: overdue


def test_parity_page_numbers_match_a_count_by_hand(demo_a: Agency) -> None:
    agency = demo_a
    chief = Actor(agency_id=agency.pk, user_id=None, label="chief",
                  grants=(Grant(role=Role.COMMANDER),))  # fmt: skip
    year = AS_OF.year - 1
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for e in Enrolment.objects.filter(
        member__agency=agency, status="completed", completed_on__year=year
    ).select_related("course__topic"):
        hours = e.hours if e.hours is not None else sum(m.hours for m in e.course.modes.all())
        expected[(e.course.setting, e.course.topic.parity_group)] += hours
    report = parity_by_unit(actor=chief, year=year)
    assert report.total.academy.de_escalation == expected[("academy", "de_escalation")]
    assert report.total.academy.use_of_force == expected[("academy", "use_of_force")]
    assert report.total.in_service.de_escalation == expected[("in_service", "de_escalation")]
    assert report.total.in_service.use_of_force == expected[("in_service", "use_of_force")]
    assert report.total.combined.de_escalation > 0
    assert report.total.combined.use_of_force > 0


def test_the_history_is_audited(demo_a: Agency) -> None:
    agency = demo_a
    assert verify_chain(agency.pk).ok
