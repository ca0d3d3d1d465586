"""What the policy app puts on home pages: reminders to acknowledge, and overdue counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from steadyhand.access.actor import Actor
from steadyhand.accounts.home import HomeSection
from steadyhand.agencies.models import Rank
from steadyhand.policy import services
from steadyhand.policy.home import home_sections
from steadyhand.policy.models import PolicyVersion
from steadyhand.policy.tests.conftest import People
from steadyhand.policy.tests.factories import client_for, make_document, make_published

pytestmark = pytest.mark.django_db

TO_ACKNOWLEDGE = "Policies to acknowledge"
OVERDUE_IN_CHAIN = "Overdue policy acknowledgements in your chain"


def _titles(actor: Actor) -> list[str]:
    return [s.title for s in home_sections(actor)]


def _section(actor: Actor, title: str) -> HomeSection:
    return next(s for s in home_sections(actor) if s.title == title)


@pytest.fixture
def late(people: People) -> PolicyVersion:
    """Published in 2020, due 31 January 2020: overdue for everyone."""
    return make_published(
        people.system, make_document(people.system, code="OLD-1"), published_on=date(2020, 1, 1)
    )


@pytest.fixture
def fresh(people: People) -> PolicyVersion:
    """Published today: due in 30 days."""
    return make_published(people.commander, make_document(people.commander, code="NEW-1"))


def test_a_member_sees_what_to_acknowledge_overdue_first(
    people: People, fresh: PolicyVersion, late: PolicyVersion
) -> None:
    section = _section(people.officer, TO_ACKNOWLEDGE)
    assert [i.url for i in section.items] == [
        reverse("policy:version_detail", args=[late.pk]),
        reverse("policy:version_detail", args=[fresh.pk]),
    ]
    assert section.items[0].note.startswith("OVERDUE since 2020-01-31")
    assert section.items[1].note == f"due {fresh.ack_due_date}"
    assert "OLD-1" in section.items[0].label


def test_acknowledging_clears_the_reminder(people: People, late: PolicyVersion) -> None:
    services.policy_version_acknowledge(actor=people.officer, version=late)
    section = _section(people.officer, TO_ACKNOWLEDGE)
    assert section.items == []
    assert section.empty_text.startswith("You have acknowledged every policy")


def test_a_login_without_a_member_gets_no_reminder_section(
    people: People, late: PolicyVersion
) -> None:
    assert TO_ACKNOWLEDGE not in _titles(people.commander)  # no member record linked
    assert TO_ACKNOWLEDGE not in _titles(people.supervisor_b)


def test_a_policy_for_other_ranks_is_not_a_reminder(people: People) -> None:
    make_published(
        people.system,
        make_document(people.system, code="SGT-1", ranks=[Rank.SERGEANT]),
        published_on=date(2020, 1, 1),
    )
    assert _section(people.officer, TO_ACKNOWLEDGE).items == []
    assert len(_section(people.supervisor_a, TO_ACKNOWLEDGE).items) == 1  # a sergeant


def test_supervisors_see_overdue_counts_for_their_chain(
    people: People, late: PolicyVersion, fresh: PolicyVersion
) -> None:
    services.policy_version_acknowledge(actor=people.officer, version=late)
    section = _section(people.supervisor_a, OVERDUE_IN_CHAIN)
    [item] = section.items  # the fresh version has no one overdue yet
    assert "OLD-1" in item.label
    assert item.label.endswith("2 overdue")  # precinct A: sergeant and officer A2
    assert item.note == "1 of 3 acknowledged"
    assert item.url == f"{reverse('policy:compliance')}?version={late.pk}"
    [item_b] = _section(people.supervisor_b, OVERDUE_IN_CHAIN).items
    assert item_b.label.endswith("1 overdue")  # precinct B: officer B1


def test_officers_get_no_compliance_section(people: People, late: PolicyVersion) -> None:
    assert OVERDUE_IN_CHAIN not in _titles(people.officer)


def test_nothing_overdue_says_so(people: People, fresh: PolicyVersion) -> None:
    section = _section(people.commander, OVERDUE_IN_CHAIN)
    assert section.items == []
    assert section.empty_text.startswith("No one in your chain is overdue")


def test_the_number_of_queries_does_not_grow_with_policies_or_members(people: People) -> None:
    def queries(actor: Actor) -> int:
        with CaptureQueriesContext(connection) as captured:
            home_sections(actor)
        return len(captured)

    make_published(
        people.system, make_document(people.system, code="P-1"), published_on=date(2020, 1, 1)
    )
    one = (queries(people.supervisor_a), queries(people.commander))
    for n in range(2, 6):
        make_published(
            people.system,
            make_document(people.system, code=f"P-{n}"),
            published_on=date(2020, 1, 1),
        )
    assert (queries(people.supervisor_a), queries(people.commander)) == one


def test_the_home_page_shows_the_sections(people: People, late: PolicyVersion) -> None:
    html = client_for(people.supervisor_a).get(reverse("accounts:home")).content.decode()
    assert TO_ACKNOWLEDGE in html
    assert OVERDUE_IN_CHAIN in html
    assert reverse("policy:version_detail", args=[late.pk]) in html
