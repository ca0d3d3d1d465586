"""Documents and versions: draft → approved → published, editing drafts, and the refusals —
who may not, what state may not, and that a published version never changes (service, model,
and bulk ORM writes)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from steadyhand.audit.models import AuditEvent
from steadyhand.audit.verify import verify_chain
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency
from steadyhand.policy import services
from steadyhand.policy.models import (
    ImmutableVersionError,
    PolicySection,
    PolicyVersion,
    VersionStatus,
)
from steadyhand.policy.selectors import agency_local_date
from steadyhand.policy.tests.conftest import People
from steadyhand.policy.tests.factories import (
    SECTIONS,
    make_document,
    make_draft,
    make_published,
    noon,
    policy_system,
)

pytestmark = pytest.mark.django_db


def _texts(version: PolicyVersion) -> list[tuple[str, str, str]]:
    return [(s.number, s.heading, s.text) for s in version.sections.order_by("position")]


def _actions(agency_id: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(agency_id=agency_id, action__startswith="policy").values_list(
            "action", flat=True
        )
    )


# Documents ---------------------------------------------------------------------------------


def test_an_editor_creates_a_document_with_an_audit_event(people: People) -> None:
    document = make_document(people.trainer, code=" DE-1 ", ranks=["sergeant", "officer"])
    assert document.code == "DE-1"
    assert document.applies_to_ranks == ["officer", "sergeant"]  # rank order
    event = AuditEvent.objects.get(action="policy_document.create", object_id=str(document.pk))
    assert event.actor_user_id == people.trainer.user_id
    assert event.changes["code"] == [None, "DE-1"]


def test_document_codes_are_unique_in_the_agency(people: People) -> None:
    make_document(people.commander, code="DE-1")
    with pytest.raises(InvalidInput) as exc:
        make_document(people.commander, code="DE-1")
    assert "already used" in exc.value.errors["code"][0]


def test_unknown_ranks_are_refused(people: People) -> None:
    with pytest.raises(InvalidInput) as exc:
        make_document(people.commander, ranks=["general"])
    assert "general" in exc.value.errors["applies_to_ranks"][0]


@pytest.mark.parametrize("who", ["officer", "supervisor_a", "auditor"])
def test_roles_without_policy_edit_cannot_create_documents(people: People, who: str) -> None:
    with pytest.raises(PermissionDenied):
        make_document(getattr(people, who))


# The whole workflow ------------------------------------------------------------------------


def test_draft_approve_publish(people: People) -> None:
    document = make_document(people.trainer)
    draft = make_draft(people.trainer, document, ack_due_days=14)
    assert (draft.number, draft.status) == (1, VersionStatus.DRAFT)
    assert _texts(draft) == list(SECTIONS)

    approved = services.policy_version_approve(actor=people.commander, version=draft)
    assert approved.status == VersionStatus.APPROVED
    assert approved.approved_by_id == people.commander.user_id
    assert approved.approved_at is not None

    published = services.policy_version_publish(actor=people.commander, version=approved)
    today = agency_local_date(agency_id=people.agency.agency.pk)
    assert published.status == VersionStatus.PUBLISHED
    assert published.published_by_id == people.commander.user_id
    assert published.published_at is not None
    assert published.effective_date == today
    assert published.ack_due_date == today + timedelta(days=14)

    assert _actions(people.agency.agency.pk) == [
        "policy_document.create",
        "policy_version.create",
        "policy_section.add",
        "policy_section.add",
        "policy_section.add",
        "policy_version.approve",
        "policy_version.publish",
    ]
    assert verify_chain(people.agency.agency.pk).first_break is None


def test_the_due_date_counts_from_the_publication_date_in_the_agencys_timezone(
    people: People,
) -> None:
    document = make_document(people.system)
    # 03:00 UTC on 2 March is still 1 March in Chicago (the default agency timezone).
    from datetime import UTC, datetime

    version = make_draft(people.system, document, ack_due_days=30)
    version = services.policy_version_approve(actor=people.system, version=version)
    version = services.policy_version_publish(
        actor=people.system,
        version=version,
        published_at=datetime(2025, 3, 2, 3, 0, tzinfo=UTC),
    )
    assert version.effective_date == date(2025, 3, 1)
    assert version.ack_due_date == date(2025, 3, 31)


def test_an_effective_date_may_be_later_but_not_earlier_than_publication(people: People) -> None:
    document = make_document(people.commander)
    version = services.policy_version_approve(
        actor=people.commander, version=make_draft(people.commander, document)
    )
    today = agency_local_date(agency_id=people.agency.agency.pk)
    with pytest.raises(InvalidInput) as exc:
        services.policy_version_publish(
            actor=people.commander, version=version, effective_date=today - timedelta(days=1)
        )
    assert "before the publication date" in exc.value.errors["effective_date"][0]
    published = services.policy_version_publish(
        actor=people.commander, version=version, effective_date=today + timedelta(days=10)
    )
    assert published.effective_date == today + timedelta(days=10)
    assert published.ack_due_date == today + timedelta(days=30)  # from publication, not effect


def test_only_the_command_line_may_backdate_a_publication(people: People) -> None:
    document = make_document(people.commander)
    version = services.policy_version_approve(
        actor=people.commander, version=make_draft(people.commander, document)
    )
    with pytest.raises(PermissionDenied):
        services.policy_version_publish(
            actor=people.commander, version=version, published_at=noon(date(2024, 1, 1))
        )
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED


# Refusals: who -----------------------------------------------------------------------------


def test_a_trainer_may_draft_but_not_approve_or_publish(people: People) -> None:
    document = make_document(people.trainer)
    draft = make_draft(people.trainer, document)
    with pytest.raises(PermissionDenied):
        services.policy_version_approve(actor=people.trainer, version=draft)
    approved = services.policy_version_approve(actor=people.commander, version=draft)
    with pytest.raises(PermissionDenied):
        services.policy_version_publish(actor=people.trainer, version=approved)
    approved.refresh_from_db()
    assert approved.status == VersionStatus.APPROVED


@pytest.mark.parametrize("who", ["officer", "supervisor_a", "auditor"])
def test_roles_without_policy_edit_cannot_touch_a_draft(people: People, who: str) -> None:
    actor = getattr(people, who)
    document = make_document(people.commander)
    draft = make_draft(people.commander, document)
    section = draft.sections.first()
    assert section is not None
    refusals = [
        lambda: services.policy_version_create(actor=actor, document=document),
        lambda: services.policy_section_add(
            actor=actor, version=draft, expected_version=None, number="9", heading="x", text="y"
        ),
        lambda: services.policy_section_update(
            actor=actor, section=section, expected_version=None, number="1", heading="x", text="y"
        ),
        lambda: services.policy_section_delete(actor=actor, section=section, expected_version=None),
        lambda: services.policy_section_move(
            actor=actor, section=section, expected_version=None, direction="down"
        ),
        lambda: services.policy_version_update(
            actor=actor, version=draft, expected_version=None, summary="x", ack_due_days=5
        ),
        lambda: services.policy_version_discard(actor=actor, version=draft, expected_version=None),
        lambda: services.policy_version_approve(actor=actor, version=draft),
    ]
    for refusal in refusals:
        with pytest.raises(PermissionDenied):
            refusal()
    draft.refresh_from_db()
    assert _texts(draft) == list(SECTIONS)
    assert draft.status == VersionStatus.DRAFT


def test_another_agencys_version_is_not_found(people: People, other_agency: SmallAgency) -> None:
    theirs = make_published(
        policy_system(other_agency.agency), make_document(policy_system(other_agency.agency))
    )
    with pytest.raises(NotFound):
        services.policy_version_acknowledge(actor=people.officer, version=theirs)
    draft_elsewhere = make_draft(
        policy_system(other_agency.agency),
        make_document(policy_system(other_agency.agency), code="X"),
    )
    with pytest.raises(NotFound):
        services.policy_version_approve(actor=people.commander, version=draft_elsewhere)
    with pytest.raises(NotFound):
        services.policy_section_add(
            actor=people.commander,
            version=draft_elsewhere,
            expected_version=None,
            number="9",
            heading="x",
            text="y",
        )


# Refusals: state ---------------------------------------------------------------------------


def test_publishing_a_draft_that_is_not_approved_is_refused(people: People) -> None:
    draft = make_draft(people.commander, make_document(people.commander))
    with pytest.raises(InvalidInput) as exc:
        services.policy_version_publish(actor=people.commander, version=draft)
    assert "must be approved before it is published" in exc.value.errors["status"][0]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert draft.published_at is None


def test_approve_refuses_anything_but_a_draft(people: People) -> None:
    document = make_document(people.commander)
    published = make_published(people.commander, document)
    with pytest.raises(InvalidInput):
        services.policy_version_approve(actor=people.commander, version=published)
    approved = services.policy_version_approve(
        actor=people.commander, version=make_draft(people.commander, document)
    )
    with pytest.raises(InvalidInput) as exc:
        services.policy_version_approve(actor=people.commander, version=approved)
    assert "it is approved" in exc.value.errors["status"][0]


def test_publishing_twice_is_refused(people: People) -> None:
    published = make_published(people.commander, make_document(people.commander))
    with pytest.raises(InvalidInput):
        services.policy_version_publish(actor=people.commander, version=published)


def test_a_version_without_sections_cannot_be_approved(people: People) -> None:
    draft = make_draft(people.commander, make_document(people.commander), sections=[])
    with pytest.raises(InvalidInput) as exc:
        services.policy_version_approve(actor=people.commander, version=draft)
    assert "without sections" in exc.value.errors["status"][0]


def test_an_approved_version_can_no_longer_be_edited(people: People) -> None:
    draft = make_draft(people.commander, make_document(people.commander))
    approved = services.policy_version_approve(actor=people.commander, version=draft)
    with pytest.raises(InvalidInput):
        services.policy_section_add(
            actor=people.commander,
            version=approved,
            expected_version=None,
            number="9",
            heading="Late",
            text="Too late.",
        )


def test_only_one_unpublished_version_at_a_time(people: People) -> None:
    document = make_document(people.commander)
    draft = make_draft(people.commander, document)
    with pytest.raises(InvalidInput) as exc:
        services.policy_version_create(actor=people.commander, document=document)
    assert "v1 is draft and not yet published" in exc.value.errors["status"][0]
    services.policy_version_approve(actor=people.commander, version=draft)
    with pytest.raises(InvalidInput):  # an approved version also blocks a new draft
        services.policy_version_create(actor=people.commander, document=document)
    assert document.versions.count() == 1


def test_a_new_draft_starts_from_the_current_text(people: People) -> None:
    document = make_document(people.commander)
    v1 = make_published(people.commander, document)
    v2 = services.policy_version_create(actor=people.trainer, document=document, summary="Edits")
    assert v2.number == 2
    assert v2.status == VersionStatus.DRAFT
    assert _texts(v2) == _texts(v1)
    # The copies are new rows: editing them leaves v1 alone.
    section = v2.sections.get(number="1")
    services.policy_section_update(
        actor=people.trainer,
        section=section,
        expected_version=v2.version,
        number="1",
        heading="Purpose",
        text="A new purpose.",
    )
    assert v1.sections.get(number="1").text == SECTIONS[0][2]
    event = AuditEvent.objects.get(action="policy_version.create", object_id=str(v2.pk))
    assert event.changes["copied_from"] == [None, v1.pk]
    assert event.changes["sections_copied"] == [None, 3]


# Editing sections --------------------------------------------------------------------------


def test_editing_sections_with_optimistic_locking_and_audit(people: People) -> None:
    draft = make_draft(people.trainer, make_document(people.trainer))
    seen = draft.version
    added = services.policy_section_add(
        actor=people.trainer,
        version=draft,
        expected_version=seen,
        number="4",
        heading="Training",
        text="Every year.",
    )
    draft.refresh_from_db()
    assert draft.version == seen + 1
    # Someone still holding the old page is refused instead of overwriting.
    with pytest.raises(ConflictError) as exc:
        services.policy_section_update(
            actor=people.trainer,
            section=added,
            expected_version=seen,
            number="4",
            heading="Training",
            text="Stale edit.",
        )
    assert "changed by someone else" in str(exc.value)
    services.policy_section_update(
        actor=people.trainer,
        section=added,
        expected_version=draft.version,
        number="4.1",
        heading="Training",
        text="Every year, in service.",
    )
    added.refresh_from_db()
    assert (added.number, added.text) == ("4.1", "Every year, in service.")
    draft.refresh_from_db()
    services.policy_section_move(
        actor=people.trainer, section=added, expected_version=draft.version, direction="up"
    )
    assert [n for n, _, _ in _texts(draft)] == ["1", "2", "4.1", "3"]
    draft.refresh_from_db()
    services.policy_section_delete(
        actor=people.trainer, section=draft.sections.get(number="2"), expected_version=draft.version
    )
    assert [n for n, _, _ in _texts(draft)] == ["1", "4.1", "3"]
    actions = _actions(people.agency.agency.pk)
    for action in ("policy_section.add", "policy_section.update", "policy_section.move"):
        assert action in actions
    delete = AuditEvent.objects.get(action="policy_section.delete")
    assert delete.changes["number"] == ["2", None]


def test_section_numbers_are_unique_in_a_version(people: People) -> None:
    draft = make_draft(people.commander, make_document(people.commander))
    with pytest.raises(InvalidInput) as exc:
        services.policy_section_add(
            actor=people.commander,
            version=draft,
            expected_version=None,
            number="2",
            heading="Again",
            text="Duplicate.",
        )
    assert "Section 2 already exists" in exc.value.errors["number"][0]


def test_moving_past_either_end_is_refused(people: People) -> None:
    draft = make_draft(people.commander, make_document(people.commander))
    first = draft.sections.get(number="1")
    with pytest.raises(InvalidInput) as exc:
        services.policy_section_move(
            actor=people.commander, section=first, expected_version=None, direction="up"
        )
    assert "already the first" in exc.value.errors["direction"][0]


def test_editing_the_summary_and_deadline_of_a_draft(people: People) -> None:
    draft = make_draft(people.commander, make_document(people.commander))
    seen = draft.version
    saved = services.policy_version_update(
        actor=people.commander,
        version=draft,
        expected_version=seen,
        summary="Clearer duty",
        ack_due_days=10,
    )
    assert (saved.summary, saved.ack_due_days, saved.version) == ("Clearer duty", 10, seen + 1)
    with pytest.raises(ConflictError):
        services.policy_version_update(
            actor=people.commander,
            version=draft,
            expected_version=seen,
            summary="Stale",
            ack_due_days=10,
        )
    with pytest.raises(InvalidInput):
        services.policy_version_update(
            actor=people.commander,
            version=draft,
            expected_version=seen + 1,
            summary="x",
            ack_due_days=0,
        )
    assert PolicyVersion.objects.get(pk=draft.pk).summary == "Clearer duty"


def test_discarding_a_draft_removes_it_and_its_sections(people: People) -> None:
    document = make_document(people.commander)
    draft = make_draft(people.trainer, document)
    services.policy_version_discard(
        actor=people.trainer, version=draft, expected_version=draft.version
    )
    assert not PolicyVersion.objects.filter(pk=draft.pk).exists()
    assert not PolicySection.objects.filter(version_id=draft.pk).exists()
    event = AuditEvent.objects.get(action="policy_version.discard")
    assert event.changes["sections"] == [3, None]
    # With the draft gone, a new one may start.
    assert services.policy_version_create(actor=people.trainer, document=document).number == 1


# A published version never changes ---------------------------------------------------------


@pytest.fixture
def published(people: People) -> PolicyVersion:
    return make_published(people.commander, make_document(people.commander))


def test_services_refuse_every_change_to_a_published_version(
    people: People, published: PolicyVersion
) -> None:
    section = published.sections.get(number="1")
    refusals = [
        lambda: services.policy_section_add(
            actor=people.commander,
            version=published,
            expected_version=None,
            number="9",
            heading="x",
            text="y",
        ),
        lambda: services.policy_section_update(
            actor=people.commander,
            section=section,
            expected_version=None,
            number="1",
            heading="Purpose",
            text="Rewritten after publication.",
        ),
        lambda: services.policy_section_delete(
            actor=people.commander, section=section, expected_version=None
        ),
        lambda: services.policy_section_move(
            actor=people.commander, section=section, expected_version=None, direction="down"
        ),
        lambda: services.policy_version_update(
            actor=people.commander,
            version=published,
            expected_version=None,
            summary="x",
            ack_due_days=5,
        ),
        lambda: services.policy_version_discard(
            actor=people.commander, version=published, expected_version=None
        ),
    ]
    for refusal in refusals:
        with pytest.raises(InvalidInput) as exc:
            refusal()
        assert "published" in str(exc.value)
    assert _texts(published) == list(SECTIONS)
    assert PolicyVersion.objects.get(pk=published.pk).version == published.version


def test_the_model_refuses_to_save_or_delete_a_published_version(
    published: PolicyVersion,
) -> None:
    published.summary = "Quietly changed"
    with pytest.raises(ImmutableVersionError):
        published.save()
    with pytest.raises(ImmutableVersionError):
        published.delete()
    section = published.sections.get(number="1")
    section.text = "Quietly changed"
    with pytest.raises(ImmutableVersionError):
        section.save()
    with pytest.raises(ImmutableVersionError):
        section.delete()
    with pytest.raises(ImmutableVersionError):
        PolicySection(version=published, number="9", heading="x", text="y").save()
    assert PolicyVersion.objects.get(pk=published.pk).summary == "test"
    assert _texts(published) == list(SECTIONS)


def test_bulk_orm_writes_are_refused_too(people: People, published: PolicyVersion) -> None:
    with pytest.raises(ImmutableVersionError):
        PolicyVersion.objects.filter(pk=published.pk).update(summary="Bulk change")
    with pytest.raises(ImmutableVersionError):
        PolicyVersion.objects.filter(pk=published.pk).delete()
    with pytest.raises(ImmutableVersionError):
        PolicySection.objects.filter(version=published).update(text="Bulk change")
    with pytest.raises(ImmutableVersionError):
        PolicySection.objects.filter(version=published).delete()
    with pytest.raises(ImmutableVersionError):
        PolicySection.objects.bulk_create(
            [PolicySection(version=published, number="9", heading="x", text="y")]
        )
    sections = list(published.sections.all())
    for s in sections:
        s.text = "Bulk change"
    with pytest.raises(ImmutableVersionError):
        PolicySection.objects.bulk_update(sections, ["text"])
    # Nor can a draft's section be moved into the published version.
    draft = make_draft(people.commander, published.document)
    with pytest.raises(ImmutableVersionError):
        PolicySection.objects.filter(version=draft).update(version=published)
    assert PolicyVersion.objects.get(pk=published.pk).summary == "test"
    assert _texts(published) == list(SECTIONS)
    # Drafts stay freely editable through the same paths.
    assert PolicySection.objects.filter(version=draft).update(text="Fine") == 3


def test_a_section_read_before_publication_cannot_be_saved_after_it(people: People) -> None:
    draft = make_draft(people.commander, make_document(people.commander))
    stale_section = draft.sections.get(number="1")  # its cached version says "draft"
    services.policy_version_publish(
        actor=people.commander,
        version=services.policy_version_approve(actor=people.commander, version=draft),
    )
    stale_section.text = "Changed through a stale copy"
    with pytest.raises(ImmutableVersionError):
        stale_section.save()


def test_publication_time_is_recorded(published: PolicyVersion) -> None:
    assert published.published_at is not None
    assert abs((timezone.now() - published.published_at).total_seconds()) < 3600
