"""The example policies the demo publishes."""

from datetime import UTC, datetime

import pytest

from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import PermissionDenied
from steadyhand.policy import services
from steadyhand.policy.examples import EXAMPLE_DOCUMENTS, EXAMPLE_NOTICE
from steadyhand.policy.models import PolicyDocument, VersionStatus
from steadyhand.policy.tests.conftest import People

pytestmark = pytest.mark.django_db


def test_seeding_publishes_two_labelled_examples(people: People) -> None:
    versions = services.policy_seed_examples(actor=people.commander)
    assert [v.document.code for v in versions] == ["EX-DE-1", "EX-UOF-1"]
    for version in versions:
        assert (version.number, version.status) == (1, VersionStatus.PUBLISHED)
        assert version.ack_due_date is not None
        sections = list(version.sections.order_by("position"))
        assert [s.number for s in sections] == ["1", "2", "3", "4", "5", "6"]
        assert EXAMPLE_NOTICE in sections[0].text
        assert EXAMPLE_NOTICE in version.summary
        assert "example" in version.document.title.lower()
    assert versions[0].document.applies_to_ranks == []
    assert "civilian" not in versions[1].document.applies_to_ranks
    # Through the normal workflow, so every step is audited.
    assert AuditEvent.objects.filter(action="policy_version.publish").count() == 2
    assert AuditEvent.objects.filter(action="policy_section.add").count() == 12


def test_seeding_twice_leaves_the_first_ones_alone(people: People) -> None:
    services.policy_seed_examples(actor=people.commander)
    assert services.policy_seed_examples(actor=people.commander) == []
    assert PolicyDocument.objects.count() == len(EXAMPLE_DOCUMENTS)


def test_the_demo_may_seed_them_in_the_past(people: People) -> None:
    when = datetime(2024, 6, 1, 15, tzinfo=UTC)
    versions = services.policy_seed_examples(actor=people.system, published_at=when)
    assert {str(v.ack_due_date) for v in versions} == {"2024-07-01"}


@pytest.mark.parametrize("who", ["trainer", "officer"])
def test_only_someone_who_may_publish_can_seed(people: People, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.policy_seed_examples(actor=getattr(people, who))
    assert not PolicyDocument.objects.exists()
