"""Peers share unit, shift and assignment (issue 8): the roster's values reach the score."""

import pytest

from steadyhand.agencies.models import Assignment, Member, Shift
from steadyhand.intervention import services
from steadyhand.intervention.inputs import member_peer_key
from steadyhand.intervention.models import Flag
from steadyhand.intervention.tests.conftest import AS_OF, Scored

pytestmark = pytest.mark.django_db


def test_the_peer_key_uses_shift_and_assignment(scored: Scored) -> None:
    hot = scored.hot
    assert member_peer_key(hot).endswith(" / shift not recorded / assignment not recorded")
    Member.objects.filter(pk=hot.pk).update(shift=Shift.NIGHT, assignment=Assignment.PATROL)
    hot.refresh_from_db()
    assert member_peer_key(hot) == f"{hot.unit.path} / night / patrol"


def test_members_are_compared_with_their_own_shift(scored: Scored) -> None:
    night = [m.pk for m in scored.squad[:5]]
    Member.objects.filter(pk__in=night).update(shift=Shift.NIGHT, assignment=Assignment.PATROL)
    Member.objects.filter(pk__in=[m.pk for m in scored.squad[5:]]).update(
        shift=Shift.DAY, assignment=Assignment.PATROL
    )
    services.flags_score(actor=scored.agency.system, as_of=AS_OF, flag_ratio=1.3)
    flag = Flag.objects.get(member=scored.hot)
    assert flag.peer_group.endswith(" / night / patrol")
    assert flag.peer_size == 4
