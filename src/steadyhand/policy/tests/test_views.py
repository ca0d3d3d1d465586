"""The policy pages in a browser: each role doing its part, and the refusals."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.core.testing import SmallAgency
from steadyhand.policy.models import Acknowledgement, PolicyDocument, PolicyVersion, VersionStatus
from steadyhand.policy.tests.conftest import People
from steadyhand.policy.tests.factories import (
    client_for,
    make_document,
    make_draft,
    make_published,
    policy_system,
)

pytestmark = pytest.mark.django_db

LONG_AGO = date(2020, 1, 1)  # due 31 January 2020: overdue today for everyone hired before


@pytest.fixture
def overdue(people: People) -> PolicyVersion:
    return make_published(people.system, make_document(people.system), published_on=LONG_AGO)


def _messages(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


# Writing, approving and publishing ---------------------------------------------------------


def test_trainer_drafts_and_commander_approves_and_publishes(people: People) -> None:
    trainer = client_for(people.trainer)
    response = trainer.post(
        reverse("policy:document_create"),
        {"code": "DTI-1", "title": "Duty to intervene", "kind": "duty_to_intervene"},
    )
    document = PolicyDocument.objects.get(code="DTI-1")
    assert response["Location"] == reverse("policy:version_create", args=[document.pk])
    response = trainer.post(
        reverse("policy:version_create", args=[document.pk]),
        {"summary": "First version", "ack_due_days": 21},
    )
    version = document.versions.get()
    assert response["Location"] == reverse("policy:version_edit", args=[version.pk])
    response = trainer.post(
        reverse("policy:section_add", args=[version.pk]),
        {"number": "1", "heading": "Duty", "text": "Step in.", "version": version.version},
    )
    assert response.status_code == 302
    section = version.sections.get()
    version.refresh_from_db()
    response = trainer.post(
        reverse("policy:section_edit", args=[version.pk, section.pk]),
        {
            "number": "1",
            "heading": "Duty",
            "text": "Step in and report.",
            "version": version.version,
        },
    )
    assert response.status_code == 302
    page = trainer.get(reverse("policy:version_edit", args=[version.pk]))
    assert page.status_code == 200
    assert "Edit §1" in page.content.decode()

    # The trainer may not approve; the button is not even shown.
    detail = trainer.get(reverse("policy:version_detail", args=[version.pk])).content.decode()
    assert "Approve v1" not in detail
    assert trainer.post(reverse("policy:version_approve", args=[version.pk])).status_code == 403

    commander = client_for(people.commander)
    detail = commander.get(reverse("policy:version_detail", args=[version.pk])).content.decode()
    assert "Approve v1" in detail
    version.refresh_from_db()
    response = commander.post(
        reverse("policy:version_approve", args=[version.pk]), {"version": version.version}
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    response = commander.post(
        reverse("policy:version_publish", args=[version.pk]), {"version": version.version}
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.ack_due_days == 21


def test_a_stale_section_edit_is_refused_with_409(people: People) -> None:
    draft = make_draft(people.trainer, make_document(people.trainer))
    section = draft.sections.get(number="1")
    response = client_for(people.trainer).post(
        reverse("policy:section_edit", args=[draft.pk, section.pk]),
        {"number": "1", "heading": "Purpose", "text": "Stale.", "version": draft.version - 1},
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    section.refresh_from_db()
    assert section.text != "Stale."


def test_publishing_an_unapproved_draft_from_the_page_is_refused(people: People) -> None:
    draft = make_draft(people.commander, make_document(people.commander))
    response = client_for(people.commander).post(
        reverse("policy:version_publish", args=[draft.pk]), {"version": draft.version}
    )
    assert response.status_code == 400
    assert "must be approved before it is published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_the_editor_of_a_published_version_sends_you_back(
    people: People, overdue: PolicyVersion
) -> None:
    response = client_for(people.commander).get(reverse("policy:version_edit", args=[overdue.pk]))
    assert response["Location"] == reverse("policy:version_detail", args=[overdue.pk])
    response = client_for(people.commander).post(
        reverse("policy:section_delete", args=[overdue.pk, overdue.sections.first().pk]),  # type: ignore[union-attr]
        {"version": overdue.version},
        follow=True,
    )
    assert any("published" in m for m in _messages(response))
    assert overdue.sections.count() == 3


def test_an_officer_cannot_open_editing_pages(people: People) -> None:
    document = make_document(people.commander)
    draft = make_draft(people.commander, document)
    officer = client_for(people.officer)
    assert officer.get(reverse("policy:document_create")).status_code == 403
    assert officer.get(reverse("policy:version_edit", args=[draft.pk])).status_code == 403
    assert officer.post(reverse("policy:section_add", args=[draft.pk])).status_code == 403
    # Drafts are not shown to officers at all.
    assert officer.get(reverse("policy:version_detail", args=[draft.pk])).status_code == 404
    assert officer.get(reverse("policy:document_detail", args=[document.pk])).status_code == 404


# Reading and acknowledging -----------------------------------------------------------------


def test_the_list_shows_officers_published_policy_only(
    people: People, overdue: PolicyVersion
) -> None:
    make_document(people.commander, code="DRAFT-ONLY", title="Unpublished idea")
    officer_page = client_for(people.officer).get(reverse("policy:document_list")).content.decode()
    assert overdue.document.title in officer_page
    assert "Unpublished idea" not in officer_page
    assert "Overdue" in officer_page
    editor_page = client_for(people.trainer).get(reverse("policy:document_list")).content.decode()
    assert "Unpublished idea" in editor_page


def test_an_officer_reads_and_acknowledges(people: People, overdue: PolicyVersion) -> None:
    officer = client_for(people.officer)
    url = reverse("policy:version_detail", args=[overdue.pk])
    page = officer.get(url).content.decode()
    assert "I have read and acknowledge this version" in page
    assert "Overdue" in page
    assert "§1 Purpose" in page

    response = officer.post(reverse("policy:version_acknowledge", args=[overdue.pk]), follow=True)
    assert any("acknowledgement of DE-1 v1 is recorded" in m for m in _messages(response))
    assert Acknowledgement.objects.filter(member=people.agency.officer_a1).count() == 1
    page = officer.get(url).content.decode()
    assert "You acknowledged this version" in page
    assert "I have read and acknowledge" not in page

    again = officer.post(reverse("policy:version_acknowledge", args=[overdue.pk]), follow=True)
    assert any("already acknowledged" in m for m in _messages(again))
    assert Acknowledgement.objects.filter(member=people.agency.officer_a1).count() == 1


def test_an_acknowledgement_needs_a_post(people: People, overdue: PolicyVersion) -> None:
    officer = client_for(people.officer)
    response = officer.get(reverse("policy:version_acknowledge", args=[overdue.pk]))
    assert response.status_code == 405
    assert not Acknowledgement.objects.exists()


def test_a_replaced_version_points_to_the_current_one(
    people: People, overdue: PolicyVersion
) -> None:
    v2 = make_published(people.system, overdue.document, published_on=date(2021, 1, 1))
    officer = client_for(people.officer)
    page = officer.get(reverse("policy:version_detail", args=[overdue.pk])).content.decode()
    assert "Replaced by" in page
    assert "read and acknowledge the current version, v2" in page
    assert "I have read and acknowledge this version" not in page
    response = officer.post(reverse("policy:version_acknowledge", args=[overdue.pk]), follow=True)
    assert any("acknowledge the current version" in m for m in _messages(response))
    assert not Acknowledgement.objects.exists()
    assert v2.pk  # the current version is still open to acknowledge
    page = officer.get(reverse("policy:version_detail", args=[v2.pk])).content.decode()
    assert "I have read and acknowledge this version" in page


def test_the_changes_page_marks_added_and_removed_words(
    people: People, overdue: PolicyVersion
) -> None:
    make_published(
        people.system,
        overdue.document,
        sections=[
            ("1", "Purpose", "Members slow encounters down so that force is rarely needed."),
            ("2", "Definitions", "Time, distance and cover means putting space between people."),
            ("4", "Reporting", "Report every use of force."),
        ],
        published_on=date(2021, 1, 1),
    )
    v2 = overdue.document.versions.get(number=2)
    page = client_for(people.officer).get(reverse("policy:version_changes", args=[v2.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Compared with v1" in html
    assert '<del><span class="visually-hidden">[removed: </span>needed less often.' in html
    assert '<ins><span class="visually-hidden">[added: </span>rarely needed.' in html
    assert "1 section added, 1 removed, 1 changed" in html
    assert "1 unchanged section: §2" in html  # collapsed


# Compliance --------------------------------------------------------------------------------


def test_a_supervisor_sees_overdue_members_of_their_chain_only(
    people: People, overdue: PolicyVersion
) -> None:
    a = people.agency
    page = client_for(people.supervisor_a).get(reverse("policy:compliance"))
    html = page.content.decode()
    assert page.status_code == 200
    for member in (a.sergeant_a1, a.officer_a1, a.officer_a2):
        assert member.badge in html
    assert a.officer_b1.badge not in html
    assert "3 overdue" in html
    # A unit outside the chain is not a valid choice.
    refused = client_for(people.supervisor_a).get(
        reverse("policy:compliance"), {"unit": a.precinct_b.pk}
    )
    assert refused.status_code == 400
    assert a.officer_b1.badge not in refused.content.decode()


def test_compliance_filters_by_unit_and_shows_days_overdue(
    people: People, overdue: PolicyVersion
) -> None:
    a = people.agency
    html = (
        client_for(people.commander)
        .get(reverse("policy:compliance"), {"version": overdue.pk, "unit": a.squad_b1.pk})
        .content.decode()
    )
    assert a.officer_b1.badge in html
    assert a.officer_a1.badge not in html
    assert "days overdue" in html


def test_officers_cannot_see_compliance(people: People) -> None:
    assert client_for(people.officer).get(reverse("policy:compliance")).status_code == 403


# Other agencies ----------------------------------------------------------------------------


def test_another_agencys_records_are_not_found(people: People, other_agency: SmallAgency) -> None:
    theirs = policy_system(other_agency.agency)
    document = make_document(theirs)
    published = make_published(theirs, document, published_on=LONG_AGO)
    draft = make_draft(theirs, document)
    section = draft.sections.first()
    assert section is not None
    commander = client_for(people.commander)
    for url in (
        reverse("policy:document_detail", args=[document.pk]),
        reverse("policy:version_detail", args=[published.pk]),
        reverse("policy:version_changes", args=[published.pk]),
        reverse("policy:version_edit", args=[draft.pk]),
        reverse("policy:section_edit", args=[draft.pk, section.pk]),
        reverse("policy:version_publish", args=[draft.pk]),
    ):
        assert commander.get(url).status_code == 404, url
    for url in (
        reverse("policy:version_approve", args=[draft.pk]),
        reverse("policy:version_discard", args=[draft.pk]),
        reverse("policy:section_move", args=[draft.pk, section.pk]),
    ):
        assert commander.post(url, {"version": draft.version}).status_code == 404, url
    officer = client_for(people.officer)
    response = officer.post(reverse("policy:version_acknowledge", args=[published.pk]))
    assert response.status_code == 404
    assert not Acknowledgement.objects.exists()
    # Nor can it be chosen on the compliance page.
    response = commander.get(reverse("policy:compliance"), {"version": published.pk})
    assert response.status_code == 400


def test_pages_render_for_every_role(people: People, overdue: PolicyVersion) -> None:
    for actor in (people.officer, people.supervisor_a, people.trainer, people.auditor):
        client: Client = client_for(actor)
        for url in (
            reverse("policy:document_list"),
            reverse("policy:document_detail", args=[overdue.document_id]),
            reverse("policy:version_detail", args=[overdue.pk]),
            reverse("policy:version_changes", args=[overdue.pk]),
        ):
            assert client.get(url).status_code == 200, (actor.label, url)
