"""The review pages: who sees what, the step form, returns, the workbench, notifications."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.accounts.models import User
from steadyhand.audit.models import AuditEvent
from steadyhand.reviews import services
from steadyhand.reviews.models import (
    CorrectiveKind,
    Decision,
    ForceReview,
    Notification,
    ReviewStatus,
)
from steadyhand.reviews.services import FindingsInput
from steadyhand.reviews.tests.factories import Chain, force_incident, remedial_course

pytestmark = pytest.mark.django_db


def client_for(actor: Actor) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


def _review(chain: Chain, level: int = 2) -> ForceReview:
    review = services.review_open_for_incident(
        actor=chain.officer, incident=force_incident(chain.a, level=level)
    )
    assert review is not None
    return ForceReview.objects.get(pk=review.pk)


def _step_post(review: ForceReview, decision: str, **extra: str) -> dict[str, str]:
    data = {
        "version": str(review.version),
        "within_policy": "yes",
        "de_escalation": "yes",
        "duty_to_intervene": "na",
        "tactics_issues": "",
        "training_issues": "",
        "equipment_issues": "",
        "reason": "",
        "decision": decision,
    }
    data.update(extra)
    return data


def test_the_sergeant_reviews_in_the_browser_and_the_read_is_logged(chain: Chain) -> None:
    review = _review(chain)
    client = client_for(chain.sergeant)
    page = client.get(reverse("reviews:detail", args=[review.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert review.incident.case_number in html
    assert "Approve" in html
    assert AuditEvent.objects.filter(
        action="forcereview.read", object_id=str(review.pk), actor_user_id=chain.sergeant.user_id
    ).exists()
    response = client.post(
        reverse("reviews:act", args=[review.pk]), _step_post(review, Decision.APPROVE)
    )
    assert response.status_code == 302
    assert ForceReview.objects.get(pk=review.pk).status == ReviewStatus.CLOSED


def test_a_missing_finding_is_shown_next_to_its_field(chain: Chain) -> None:
    review = _review(chain)
    response = client_for(chain.sergeant).post(
        reverse("reviews:act", args=[review.pk]),
        _step_post(review, Decision.APPROVE, within_policy=""),
    )
    assert response.status_code == 400
    assert "Say whether the force was within policy." in response.content.decode()


def test_a_stale_page_gets_a_clear_conflict_message(chain: Chain) -> None:
    review = _review(chain)
    client = client_for(chain.sergeant)
    stale = _step_post(review, "save")
    client.post(reverse("reviews:act", args=[review.pk]), stale)
    response = client.post(reverse("reviews:act", args=[review.pk]), stale, follow=True)
    assert "changed by someone else" in response.content.decode()


def test_others_in_the_chain_see_the_review_but_not_the_step_form(chain: Chain) -> None:
    review = _review(chain)
    page = client_for(chain.lieutenant_actor).get(reverse("reviews:detail", args=[review.pk]))
    assert page.status_code == 200
    assert 'name="decision"' not in page.content.decode()
    refused = client_for(chain.lieutenant_actor).post(
        reverse("reviews:act", args=[review.pk]), _step_post(review, Decision.APPROVE)
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("who", ["supervisor_b", "officer", "partner", "trainer", "analyst"])
def test_outsiders_get_not_found_while_the_review_is_open(chain: Chain, who: str) -> None:
    review = _review(chain)
    response = client_for(getattr(chain, who)).get(reverse("reviews:detail", args=[review.pk]))
    assert response.status_code == 404


def test_the_involved_officer_reads_their_review_only_once_closed(chain: Chain) -> None:
    review = _review(chain)
    officer = client_for(chain.officer)
    assert officer.get(reverse("reviews:detail", args=[review.pk])).status_code == 404
    assert review.incident.case_number not in officer.get(reverse("reviews:list")).content.decode()
    services.review_decide(
        actor=chain.sergeant, review=review, expected_version=review.version,
        decision=Decision.APPROVE,
        findings=FindingsInput(within_policy=True, de_escalation="yes", duty_to_intervene="na"),
    )  # fmt: skip
    page = officer.get(reverse("reviews:detail", args=[review.pk]))
    assert page.status_code == 200
    assert 'name="decision"' not in page.content.decode()
    # A colleague who was not there still cannot.
    assert (
        client_for(chain.partner).get(reverse("reviews:detail", args=[review.pk])).status_code
        == 404
    )


def test_the_reporter_answers_a_return_from_their_home_page(chain: Chain) -> None:
    review = _review(chain)
    client_for(chain.sergeant).post(
        reverse("reviews:act", args=[review.pk]),
        _step_post(review, Decision.RETURN, reason="Add the commands given."),
    )
    officer = client_for(chain.officer)
    home = officer.get(reverse("accounts:home")).content.decode()
    assert "Reports returned to you for correction" in home
    assert "Add the commands given." in home
    url = reverse("reviews:resubmit", args=[review.pk])
    assert "Add the commands given." in officer.get(url).content.decode()
    response = officer.post(
        url, {"version": ForceReview.objects.get(pk=review.pk).version, "correction": "Added."}
    )
    assert response.status_code == 302
    assert ForceReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    # Someone else cannot reach the correction page.
    assert client_for(chain.partner).get(url).status_code == 404


def test_assigning_remedial_training_from_the_page(chain: Chain) -> None:
    review = _review(chain)
    course = remedial_course(chain.a)
    client = client_for(chain.sergeant)
    url = reverse("reviews:corrective_create", args=[review.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": CorrectiveKind.REMEDIAL_TRAINING,
            "member": chain.a.officer_a1.pk,
            "due_on": (timezone.now().date() + timedelta(days=30)).isoformat(),
            "note": "Refresher on time and distance.",
            "course": course.pk,
        },
    )
    assert response.status_code == 302
    detail = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert course.code in detail
    assert "training: enrolled" in detail
    assert client_for(chain.supervisor_b).get(url).status_code == 404


def test_the_workbench_lists_the_work_of_the_chain(chain: Chain) -> None:
    mine = _review(chain)
    services.corrective_action_create(
        actor=chain.sergeant, review=mine, kind=CorrectiveKind.COUNSELLING,
        member=chain.a.officer_a1, due_on=timezone.now().date() + timedelta(days=5),
        note="Talk it through.",
    )  # fmt: skip
    elsewhere = services.review_open_for_incident(
        actor=chain.board, incident=force_incident(chain.a, reporter=chain.a.officer_b1)
    )
    assert elsewhere is not None
    page = client_for(chain.sergeant).get(reverse("reviews:workbench"))
    assert page.status_code == 200
    html = page.content.decode()
    assert mine.incident.case_number in html
    assert elsewhere.incident.case_number not in html
    assert "Counselling (documented): #O101" in html
    assert "Overdue policy acknowledgements of your members" in html
    assert "Overdue training of your members" in html
    # The after-action review app's section, through WORKBENCH_PROVIDERS.
    assert "After-action reviews to facilitate" in html
    assert client_for(chain.officer).get(reverse("reviews:workbench")).status_code == 403


def test_the_workbench_marks_overdue_reviews_in_words(chain: Chain) -> None:
    review = _review(chain)
    ForceReview.objects.get(pk=review.pk).steps.update(
        due_on=timezone.now().date() - timedelta(days=3)
    )
    html = client_for(chain.captain_actor).get(reverse("reviews:workbench")).content.decode()
    assert review.incident.case_number in html
    assert "OVERDUE by 3 days" in html


def test_notifications_list_and_open(chain: Chain) -> None:
    review = _review(chain)
    client = client_for(chain.sergeant)
    note = Notification.objects.get(recipient_id=chain.sergeant.user_id)
    assert (
        review.incident.case_number in client.get(reverse("reviews:notifications")).content.decode()
    )
    response = client.post(reverse("reviews:notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == note.link
    assert Notification.objects.get(pk=note.pk).read
    # Someone else's notification is not found.
    other = client_for(chain.lieutenant_actor).post(
        reverse("reviews:notification_open", args=[note.pk])
    )
    assert other.status_code == 404


def test_the_routes_page_saves_a_route(chain: Chain) -> None:
    client = client_for(chain.board)
    assert client.get(reverse("reviews:routes")).status_code == 200
    response = client.post(
        reverse("reviews:route_save", args=[2]),
        {"level2-force_level": "2", "level2-version": "", "level2-use_sergeant": "on",
         "level2-days_sergeant": "5", "level2-use_lieutenant": "on",
         "level2-days_lieutenant": "9"},
    )  # fmt: skip
    assert response.status_code == 302
    review = _review(chain, 2)
    assert [s["level"] for s in review.route] == ["sergeant", "lieutenant"]
    assert client_for(chain.sergeant).get(reverse("reviews:routes")).status_code == 403


def test_email_goes_out_after_commit(
    chain: Chain, django_capture_on_commit_callbacks: object, mailoutbox: list[object]
) -> None:
    User.objects.filter(pk=chain.sergeant.user_id).update(email="sgt@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        review = _review(chain)
    assert len(mailoutbox) == 1
    assert review.incident.case_number in mailoutbox[0].subject  # type: ignore[attr-defined]


def test_review_pages_never_mention_after_action_reviews(chain: Chain) -> None:
    review = _review(chain)
    html = client_for(chain.sergeant).get(reverse("reviews:detail", args=[review.pk])).content
    # The navigation may link the AAR app for a supervisor; the review itself never does.
    text = html.decode().lower().split('<main id="main">', 1)[1]
    assert "after-action" not in text
    assert "/aar" not in text


def test_the_due_list_costs_the_same_queries_for_more_reviews(chain: Chain) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from steadyhand.reviews.selectors import reviews_due_in_chain

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = reviews_due_in_chain(actor=chain.captain_actor)
        assert rows
        return len(queries)

    _review(chain)
    few = count()
    for _ in range(5):
        _review(chain)
    assert count() == few


def test_another_agency_gets_not_found(chain: Chain, other_agency: object) -> None:
    from steadyhand.access.roles import Role
    from steadyhand.core.testing import SmallAgency, actor_of, make_user

    assert isinstance(other_agency, SmallAgency)
    review = _review(chain)
    outsider = actor_of(make_user(other_agency.agency, [Role.COMMANDER]))
    client = client_for(outsider)
    assert client.get(reverse("reviews:detail", args=[review.pk])).status_code == 404
    assert (
        client.post(
            reverse("reviews:act", args=[review.pk]), _step_post(review, Decision.APPROVE)
        ).status_code
        == 404
    )
    assert review.incident.case_number not in client.get(reverse("reviews:list")).content.decode()


def test_internal_affairs_reads_the_review_and_its_referrals(chain: Chain) -> None:
    review = _review(chain)
    services.corrective_action_create(
        actor=chain.sergeant, review=review, kind=CorrectiveKind.IA_REFERRAL,
        member=chain.a.officer_a1, due_on=timezone.now().date() + timedelta(days=10),
        note="Strike after handcuffing.",
    )  # fmt: skip
    client = client_for(chain.ia)
    listing = client.get(reverse("reviews:corrective_list") + "?kind=ia_referral").content.decode()
    assert review.incident.case_number in listing
    page = client.get(reverse("reviews:detail", args=[review.pk]))
    assert page.status_code == 200
    assert 'name="decision"' not in page.content.decode()


def test_the_workbench_names_members_overdue_on_policy(chain: Chain) -> None:
    from datetime import date

    from steadyhand.policy.tests.factories import make_document, make_published, policy_system

    system = policy_system(chain.a.agency)
    make_published(system, make_document(system), published_on=date(2020, 1, 1))
    html = client_for(chain.sergeant).get(reverse("reviews:workbench")).content.decode()
    section = html.split("Overdue policy acknowledgements of your members", 1)[1]
    section = section.split("</section>", 1)[0]
    assert "#O101" in section  # officer_a1, in the sergeant's precinct
    assert "#O301" not in section  # officer_b1, another precinct
