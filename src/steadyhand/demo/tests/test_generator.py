"""The demo agency is created through the real services: deterministic, whole and audited."""

import pytest

from steadyhand.access.policy import can
from steadyhand.access.roles import Role
from steadyhand.accounts.models import RoleAssignment, User
from steadyhand.agencies.models import Agency, Member, MemberStatus, Rank
from steadyhand.audit.models import AuditEvent
from steadyhand.audit.verify import verify_chain
from steadyhand.core.testing import actor_of, make_user
from steadyhand.demo.generator import DEMO_PASSWORD, DemoError, build_demo_agency
from steadyhand.demo.plan import AGENCY_NAME, RANK_LEVEL, login_username, plan_demo_agency

OFFICERS = 60


def build(seed: int, slug: str) -> Agency:
    return build_demo_agency(plan=plan_demo_agency(seed=seed, officers=OFFICERS), slug=slug).agency


def roster(agency: Agency) -> list[tuple[str, str, str, str, str | None]]:
    members = Member.objects.filter(agency=agency).select_related("unit", "supervisor")
    return sorted(
        (m.badge, m.full_name, m.rank, m.unit.code, m.supervisor.badge if m.supervisor else None)
        for m in members
    )


@pytest.mark.django_db
def test_same_seed_in_two_fresh_agencies_gives_the_same_roster() -> None:
    first = build(seed=11, slug="demo-a")
    second = build(seed=11, slug="demo-b")
    assert first.pk != second.pk
    assert roster(first) == roster(second)
    assert len(roster(first)) > OFFICERS


@pytest.mark.django_db
def test_a_different_seed_gives_a_different_roster() -> None:
    assert roster(build(seed=11, slug="demo-a")) != roster(build(seed=12, slug="demo-b"))


@pytest.mark.django_db
def test_every_member_but_the_chief_has_a_higher_ranked_supervisor_in_the_agency() -> None:
    agency = build(seed=3, slug="demo-a")
    other = build(seed=3, slug="demo-b")
    members = list(Member.objects.filter(agency=agency).select_related("supervisor"))
    chief = next(m for m in members if m.rank == Rank.CHIEF)
    assert chief.supervisor is None
    for member in members:
        if member.pk == chief.pk:
            continue
        supervisor = member.supervisor
        assert supervisor is not None, f"{member} has no supervisor"
        assert supervisor.agency_id == agency.pk != other.pk
        assert RANK_LEVEL[supervisor.rank] > RANK_LEVEL[member.rank], f"{member} ← {supervisor}"
    # Following supervisors from any member ends at the chief.
    by_id = {m.pk: m for m in members}
    for member in members:
        current = member
        while current.supervisor_id is not None:
            current = by_id[current.supervisor_id]
        assert current.pk == chief.pk


@pytest.mark.django_db
def test_the_agency_is_marked_as_a_demo_and_some_members_are_not_active() -> None:
    agency = build(seed=1, slug="demo-a")
    assert agency.name == AGENCY_NAME
    assert agency.is_demo
    statuses = set(Member.objects.filter(agency=agency).values_list("status", flat=True))
    assert MemberStatus.ACTIVE in statuses
    assert statuses - {MemberStatus.ACTIVE}, "a few members are on leave or separated"


EXPECTED_ROLES = {
    "officer": (Role.OFFICER, None, Rank.OFFICER),
    "sergeant": (Role.SUPERVISOR, "P1-S1", Rank.SERGEANT),
    "lieutenant": (Role.SUPERVISOR, "P1", Rank.LIEUTENANT),
    "captain": (Role.COMMANDER, "P1", Rank.CAPTAIN),
    "chief": (Role.COMMANDER, None, Rank.CHIEF),
    "trainer": (Role.TRAINER, None, Rank.SERGEANT),
    "ia": (Role.INTERNAL_AFFAIRS, None, Rank.LIEUTENANT),
    "analyst": (Role.ANALYST, None, Rank.CIVILIAN),
    "auditor": (Role.AUDITOR, None, None),
    "admin": (Role.AGENCY_ADMIN, None, Rank.CIVILIAN),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("base", "expected"), EXPECTED_ROLES.items())
def test_each_role_has_a_demo_user_with_that_role_and_scope(
    base: str, expected: tuple[Role, str | None, str | None]
) -> None:
    role, unit_code, rank = expected
    agency = build(seed=1, slug="demo-a")
    user = User.objects.get(username=login_username("demo-a", base))
    assert user.agency_id == agency.pk
    assert user.check_password(DEMO_PASSWORD)
    assignments = list(RoleAssignment.objects.filter(user=user).select_related("unit"))
    assert [(a.role, a.unit.code if a.unit else None) for a in assignments] == [(role, unit_code)]
    if rank is None:
        assert user.member is None
    else:
        assert user.member is not None
        assert user.member.rank == rank
        assert user.member.status == MemberStatus.ACTIVE


@pytest.mark.django_db
def test_the_demo_sergeant_sees_their_squad_but_not_the_next() -> None:
    agency = build(seed=1, slug="demo-a")
    sergeant = actor_of(User.objects.get(username="demo-a-sergeant"))
    in_s1 = Member.objects.filter(agency=agency, unit__code="P1-S1").first()
    in_s2 = Member.objects.filter(agency=agency, unit__code="P1-S2").first()
    assert in_s1 is not None
    assert in_s2 is not None
    assert can(sergeant, "member.view", in_s1)
    assert not can(sergeant, "member.view", in_s2)


@pytest.mark.django_db
def test_the_audit_chain_verifies_and_records_every_member() -> None:
    agency = build(seed=1, slug="demo-a")
    report = verify_chain(agency.pk)
    assert report.ok, report.first_break
    members = Member.objects.filter(agency=agency).count()
    created = AuditEvent.objects.filter(agency_id=agency.pk, action="member.create").count()
    assert created == members
    assert report.events_checked > members


@pytest.mark.django_db
def test_an_existing_slug_is_refused() -> None:
    build(seed=1, slug="demo-a")
    with pytest.raises(DemoError, match="already exists"):
        build(seed=2, slug="demo-a")
    assert Agency.objects.filter(slug="demo-a").count() == 1


@pytest.mark.django_db
def test_a_taken_username_is_refused_before_anything_is_created() -> None:
    agency = build(seed=1, slug="demo-a")
    make_user(agency, [Role.ANALYST], username="demo-b-auditor")
    with pytest.raises(DemoError, match="demo-b-auditor"):
        build(seed=1, slug="demo-b")
    assert not Agency.objects.filter(slug="demo-b").exists()


@pytest.mark.django_db
def test_a_failure_half_way_leaves_no_half_built_agency(monkeypatch: pytest.MonkeyPatch) -> None:
    from steadyhand.demo import generator

    def refuse(**kwargs: object) -> User:
        raise RuntimeError("disk full")

    monkeypatch.setattr(generator, "user_create", refuse)
    with pytest.raises(RuntimeError, match="disk full"):
        build(seed=1, slug="demo-a")
    assert not Agency.objects.filter(slug="demo-a").exists()
    assert not Member.objects.filter(agency__slug="demo-a").exists()
