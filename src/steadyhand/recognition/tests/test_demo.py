"""The demo agency's commendations: every state, through the services."""

import pytest

from steadyhand import vocabulary as v
from steadyhand.agencies.models import Rank
from steadyhand.agencies.services import member_create
from steadyhand.recognition import selectors
from steadyhand.recognition.demo import build_commendations
from steadyhand.recognition.models import NominationStatus
from steadyhand.recognition.tests.factories import People, incident

pytestmark = pytest.mark.django_db


def test_the_demo_builds_commendations_in_every_state(people: People) -> None:
    a = people.a
    member_create(
        actor=a.system, badge="C900", first_name="Chief", last_name="Demo", rank=Rank.CHIEF,
        unit=a.root, supervisor=None, hire_date=a.officer_a1.hire_date,
    )  # fmt: skip
    for _ in range(8):
        incident(a, members=(a.officer_a1, a.officer_a2), armed_with="edged")
        incident(a, force=int(v.ForceLevel.VERBAL), resistance=int(v.Resistance.DEADLY))
    counts = build_commendations(a.agency)
    assert counts.awards == 3
    statuses = set(a.agency.nominations.values_list("status", flat=True))
    assert statuses == set(NominationStatus.values)
    assert counts.published >= 1
    (shown, *_) = selectors.published_commendations(a.agency)
    assert shown.name.endswith("O.")  # first name and last initial
    assert a.agency.nominations.filter(member__isnull=True).count() == 1  # the public's
