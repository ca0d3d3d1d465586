"""Survey pages: a trainer defines and invites, a member answers from their own page, readers
of results see aggregates only."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.training.models import Survey, SurveyInvitation, SurveyResponse
from steadyhand.training.services.surveys import EXAMPLE_TITLE, survey_create, survey_invite
from steadyhand.training.tests.factories_rollouts import trainer

pytestmark = pytest.mark.django_db

ITEMS = [
    {"text": "Holding back from force puts me at risk.", "reverse": True},
    {"text": "Talking first keeps me safer.", "reverse": False},
]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _as(sa: SmallAgency, role: Role) -> Client:
    return _client(make_user(sa.agency, [role]))


@pytest.fixture
def survey(small_agency: SmallAgency) -> Survey:
    return survey_create(
        actor=trainer(small_agency), title="Culture check", items=ITEMS, min_group_size=5
    )


@pytest.fixture
def officer_a1(small_agency: SmallAgency) -> Client:
    return _client(make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_a1))


@pytest.fixture
def invitation(small_agency: SmallAgency, survey: Survey) -> SurveyInvitation:
    survey_invite(
        actor=trainer(small_agency), survey=survey, phase="pre", members=[small_agency.officer_a1]
    )
    return survey.invitations.get()


# Defining and inviting -----------------------------------------------------------------------


def test_the_create_form_offers_the_labelled_example_items(small_agency: SmallAgency) -> None:
    body = _as(small_agency, Role.TRAINER).get(reverse("training:survey_create")).content.decode()
    assert EXAMPLE_TITLE in body
    assert "example" in body.lower()
    assert "(R) Holding off on force" in body


def test_trainer_creates_a_survey_with_reverse_marks(small_agency: SmallAgency) -> None:
    client = _as(small_agency, Role.TRAINER)
    response = client.post(
        reverse("training:survey_create"),
        {
            "title": "Before and after DE-16",
            "items": "(R) Restraint is risky.\n\nTalking works.\n",
            "scale_points": 5,
            "min_group_size": 10,
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert survey.items == [
        {"key": "q1", "text": "Restraint is risky.", "reverse": True},
        {"key": "q2", "text": "Talking works.", "reverse": False},
    ]


@pytest.mark.parametrize("role", [Role.COMMANDER, Role.ANALYST, Role.OFFICER])
def test_only_trainers_create_surveys(small_agency: SmallAgency, role: Role) -> None:
    client = _as(small_agency, role)
    assert client.get(reverse("training:survey_create")).status_code == 403
    assert client.post(reverse("training:survey_create"), {"title": "x"}).status_code == 403
    assert not Survey.objects.exists()


def test_invite_a_unit_from_the_page(small_agency: SmallAgency, survey: Survey) -> None:
    client = _as(small_agency, Role.TRAINER)
    url = reverse("training:survey_invite", args=[survey.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"phase": "pre", "source": "unit", "unit": small_agency.precinct_a.pk}
    )
    assert response.status_code == 302
    assert survey.invitations.filter(phase="pre").count() == 3
    missing = client.post(url, {"phase": "post", "source": "session"})
    assert missing.status_code == 400
    assert "Choose the session" in missing.content.decode()


def test_commander_cannot_invite_or_close(small_agency: SmallAgency, survey: Survey) -> None:
    client = _as(small_agency, Role.COMMANDER)
    url = reverse("training:survey_invite", args=[survey.pk])
    assert client.post(url, {"phase": "pre", "source": "unit", "unit": 1}).status_code == 403
    assert client.post(reverse("training:survey_close", args=[survey.pk])).status_code == 403
    survey.refresh_from_db()
    assert survey.open


# Answering -----------------------------------------------------------------------------------


def test_a_member_finds_and_answers_their_survey(
    officer_a1: Client, invitation: SurveyInvitation
) -> None:
    mine = officer_a1.get(reverse("training:survey_mine")).content.decode()
    url = reverse("training:survey_respond", args=[invitation.pk])
    assert url in mine
    form = officer_a1.get(url).content.decode()
    assert "Your answers are anonymous" in form
    assert "Strongly agree" in form
    response = officer_a1.post(url, {"q1": "2", "q2": "4"})
    assert response.status_code == 302
    assert SurveyResponse.objects.get().answers == {"q1": 2, "q2": 4}
    assert url not in officer_a1.get(reverse("training:survey_mine")).content.decode()
    again = officer_a1.post(url, {"q1": "5", "q2": "5"})
    assert again.status_code == 409
    assert "already answered" in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_an_incomplete_answer_is_shown_again(
    officer_a1: Client, invitation: SurveyInvitation
) -> None:
    url = reverse("training:survey_respond", args=[invitation.pk])
    response = officer_a1.post(url, {"q1": "2"})
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_someone_elses_invitation_is_not_found(
    small_agency: SmallAgency, invitation: SurveyInvitation
) -> None:
    other = _client(make_user(small_agency.agency, [Role.OFFICER], member=small_agency.officer_b1))
    url = reverse("training:survey_respond", args=[invitation.pk])
    assert other.get(url).status_code == 404
    assert other.post(url, {"q1": "1", "q2": "1"}).status_code == 404
    trainer_client = _as(small_agency, Role.TRAINER)
    assert trainer_client.post(url, {"q1": "1", "q2": "1"}).status_code == 404
    assert not SurveyResponse.objects.exists()


# Results -------------------------------------------------------------------------------------


def _answers(survey: Survey, group: object, n: int, q1: int) -> None:
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            survey=survey,
            phase="pre",
            group_unit=group,  # type: ignore[misc]
            answers={"q1": q1, "q2": 3},
            submitted_month=date(2026, 1, 1),
        )
        for _ in range(n)
    )


def test_results_are_hidden_while_open_and_aggregated_when_closed(
    small_agency: SmallAgency, survey: Survey
) -> None:
    sa = small_agency
    _answers(survey, sa.precinct_a, 6, 1)
    _answers(survey, sa.precinct_b, 2, 5)
    commander = _as(sa, Role.COMMANDER)
    url = reverse("training:survey_detail", args=[survey.pk])
    pending = commander.get(url).content.decode()
    assert 'id="results-pending"' in pending
    assert 'id="overall-pre"' not in pending
    _as(sa, Role.TRAINER).post(reverse("training:survey_close", args=[survey.pk]))
    body = commander.get(url).content.decode()
    assert 'id="overall-pre"' in body
    assert "8 answers" in body
    # Precinct B has 2 answers (< 5): hidden, and Precinct A with it, or B = total - A.
    assert body.count("Not shown (small group, or needed to protect one)") == 2


def test_officer_cannot_see_results(small_agency: SmallAgency, survey: Survey) -> None:
    client = _as(small_agency, Role.OFFICER)
    assert client.get(reverse("training:survey_list")).status_code == 403
    assert client.get(reverse("training:survey_detail", args=[survey.pk])).status_code == 403


def test_a_survey_of_another_agency_is_not_found(other_agency: SmallAgency, survey: Survey) -> None:
    client = _as(other_agency, Role.ANALYST)
    assert client.get(reverse("training:survey_detail", args=[survey.pk])).status_code == 404
    assert survey.title not in client.get(reverse("training:survey_list")).content.decode()
