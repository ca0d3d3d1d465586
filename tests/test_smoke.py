from steadyhand.access.policy import can
from steadyhand.access.roles import Role
from steadyhand.audit.verify import verify_chain
from steadyhand.core.testing import SmallAgency, actor_of, make_user


def test_small_agency_builds_an_audited_tree(small_agency: SmallAgency) -> None:
    a = small_agency
    assert a.squad_a1.path.startswith(a.precinct_a.path)
    report = verify_chain(a.agency.pk)
    assert report.ok
    assert report.events_checked > 10


def test_sergeant_sees_only_their_subtree(small_agency: SmallAgency) -> None:
    a = small_agency
    user = make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)], member=a.sergeant_a1)
    actor = actor_of(user)
    assert can(actor, "member.view", a.officer_a2)
    assert not can(actor, "member.view", a.officer_b1)
