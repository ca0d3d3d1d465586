"""Culture-check surveys: defining, inviting, answering anonymously, and aggregate results with
minimum group size and complementary suppression."""

from datetime import date

import pytest
from django.db import models

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.agencies.models import Member, MemberStatus, Unit
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.training.models import (
    Enrolment,
    EnrolmentStatus,
    Session,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from steadyhand.training.selectors.surveys import (
    members_of_session,
    members_of_unit,
    members_of_wave,
    suppressed_groups,
    survey_invitations_for_member,
    survey_results,
)
from steadyhand.training.services import surveys as services
from steadyhand.training.services.rollouts import rollout_randomize
from steadyhand.training.services.surveys import (
    EXAMPLE_ITEMS,
    survey_close,
    survey_create,
    survey_invite,
    survey_respond,
)
from steadyhand.training.tests.factories_rollouts import (
    add_members,
    analyst,
    change_member,
    make_course,
    make_plan,
    trainer,
)

pytestmark = pytest.mark.django_db

ITEMS = [
    {"text": "Holding back from force puts me at risk.", "reverse": True},
    {"text": "Talking first keeps me safer.", "reverse": False},
]


def _survey(sa: SmallAgency, **kwargs: object) -> Survey:
    return survey_create(actor=trainer(sa), title="Culture check", items=ITEMS, **kwargs)  # type: ignore[arg-type]


def _officer(sa: SmallAgency, member: Member) -> Actor:
    return actor_of(make_user(sa.agency, [Role.OFFICER], member=member))


# Defining ------------------------------------------------------------------------------------


def test_trainer_creates_a_survey_with_keys_and_an_audit_event(small_agency: SmallAgency) -> None:
    survey = _survey(small_agency)
    assert survey.items == [
        {"key": "q1", "text": ITEMS[0]["text"], "reverse": True},
        {"key": "q2", "text": ITEMS[1]["text"], "reverse": False},
    ]
    assert (survey.scale_points, survey.min_group_size, survey.open) == (5, 10, True)
    assert AuditEvent.objects.filter(action="survey.create", object_id=str(survey.pk)).exists()


def test_the_example_item_set_is_labelled_and_usable(small_agency: SmallAgency) -> None:
    assert "example" in services.EXAMPLE_TITLE.lower()
    survey = survey_create(
        actor=trainer(small_agency), title=services.EXAMPLE_TITLE, items=EXAMPLE_ITEMS
    )
    assert len(survey.items) == len(EXAMPLE_ITEMS) >= 4
    assert any(item["reverse"] for item in survey.items)
    assert any(not item["reverse"] for item in survey.items)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COMMANDER, Role.ANALYST, Role.SUPERVISOR])
def test_only_trainers_define_surveys(small_agency: SmallAgency, role: Role) -> None:
    actor = actor_of(make_user(small_agency.agency, [role]))
    with pytest.raises(PermissionDenied):
        survey_create(actor=actor, title="x", items=ITEMS)
    assert not Survey.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [{"text": " "}]}, "items"),
        ({"scale_points": 2}, "scale_points"),
        ({"min_group_size": 3}, "min_group_size"),
        ({"title": ""}, "title"),
    ],
)
def test_invalid_surveys_are_refused(
    small_agency: SmallAgency, kwargs: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {"title": "x", "items": ITEMS, **kwargs}
    with pytest.raises(InvalidInput) as exc:
        survey_create(actor=trainer(small_agency), **arguments)  # type: ignore[arg-type]
    assert field in exc.value.errors


def test_a_course_of_another_agency_is_refused(
    small_agency: SmallAgency, other_agency: SmallAgency
) -> None:
    with pytest.raises(InvalidInput):
        _survey(small_agency, course=make_course(other_agency.agency.pk))


# Inviting ------------------------------------------------------------------------------------


def test_invite_a_unit_skips_duplicates_and_inactive_members(small_agency: SmallAgency) -> None:
    sa = small_agency
    change_member(sa, sa.officer_a2, status=MemberStatus.LEAVE)
    survey = _survey(sa)
    members = members_of_unit(unit=sa.precinct_a)
    assert {m.pk for m in members} == {sa.sergeant_a1.pk, sa.officer_a1.pk}
    assert survey_invite(actor=trainer(sa), survey=survey, phase="pre", members=members) == (2, 0)
    again = [*members, sa.officer_b1, sa.officer_a2]
    assert survey_invite(actor=trainer(sa), survey=survey, phase="pre", members=again) == (1, 2)
    assert survey_invite(actor=trainer(sa), survey=survey, phase="post", members=members) == (2, 0)
    assert survey.invitations.count() == 5
    event = AuditEvent.objects.filter(action="survey.invite").order_by("-seq").first()
    assert event is not None
    assert event.changes["phase"] == "post"


def test_invite_everyone_in_a_session(small_agency: SmallAgency) -> None:
    sa = small_agency
    course = make_course(sa.agency.pk)
    session = Session.objects.create(
        course=course, starts_on=date(2026, 2, 2), ends_on=date(2026, 2, 3)
    )
    for member, status in [
        (sa.officer_a1, EnrolmentStatus.ENROLLED),
        (sa.officer_b1, EnrolmentStatus.COMPLETED),
        (sa.officer_a2, EnrolmentStatus.WITHDRAWN),
    ]:
        Enrolment.objects.create(
            member=member,
            course=course,
            session=session,
            status=status,
            completed_on=date(2026, 2, 3) if status == EnrolmentStatus.COMPLETED else None,
        )
    assert {m.pk for m in members_of_session(session=session)} == {
        sa.officer_a1.pk,
        sa.officer_b1.pk,
    }


def test_invite_everyone_in_a_wave(small_agency: SmallAgency) -> None:
    sa = small_agency
    actor = analyst(sa)
    plan = make_plan(sa, actor, level="unit", strata=())
    rollout_randomize(actor=actor, plan=plan, unit=sa.root, seed=3)
    wave = plan.assignments.get(unit=sa.squad_a1).wave
    members = {m.pk for m in members_of_wave(wave=wave)}
    assert {sa.sergeant_a1.pk, sa.officer_a1.pk} <= members


def test_a_closed_survey_takes_no_more_invitations(small_agency: SmallAgency) -> None:
    survey = _survey(small_agency)
    survey_close(actor=trainer(small_agency), survey=survey)
    with pytest.raises(ConflictError):
        survey_invite(
            actor=trainer(small_agency),
            survey=survey,
            phase="pre",
            members=[small_agency.officer_a1],
        )


def test_commander_cannot_invite(small_agency: SmallAgency) -> None:
    survey = _survey(small_agency)
    commander = actor_of(make_user(small_agency.agency, [Role.COMMANDER]))
    with pytest.raises(PermissionDenied):
        survey_invite(actor=commander, survey=survey, phase="pre", members=[])


# Answering -----------------------------------------------------------------------------------


@pytest.fixture
def invited(small_agency: SmallAgency) -> tuple[Survey, SurveyInvitation, Actor]:
    sa = small_agency
    survey = _survey(sa)
    survey_invite(actor=trainer(sa), survey=survey, phase="pre", members=[sa.officer_a1])
    invitation = survey.invitations.get(member=sa.officer_a1)
    return survey, invitation, _officer(sa, sa.officer_a1)


def test_an_answer_is_stored_anonymously_and_the_invitation_marked(
    small_agency: SmallAgency, invited: tuple[Survey, SurveyInvitation, Actor]
) -> None:
    survey, invitation, officer = invited
    assert survey_invitations_for_member(small_agency.officer_a1) == [invitation]
    survey_respond(actor=officer, invitation=invitation, answers={"q1": 2, "q2": 5})
    response = SurveyResponse.objects.get(survey=survey)
    assert response.phase == "pre"
    assert response.answers == {"q1": 2, "q2": 5}
    assert response.group_unit == small_agency.precinct_a  # the precinct, not squad A1
    assert response.submitted_month.day == 1
    invitation.refresh_from_db()
    assert invitation.responded
    assert survey_invitations_for_member(small_agency.officer_a1) == []


def test_the_audit_event_of_an_answer_carries_no_answers(
    invited: tuple[Survey, SurveyInvitation, Actor],
) -> None:
    _, invitation, officer = invited
    survey_respond(actor=officer, invitation=invitation, answers={"q1": 4, "q2": 3})
    event = AuditEvent.objects.get(action="survey.respond")
    assert event.object_type == "training.surveyinvitation"
    assert event.object_id == str(invitation.pk)
    assert event.changes == {"responded": True}
    response = SurveyResponse.objects.get()
    for record in AuditEvent.objects.all():
        assert record.object_type != "training.surveyresponse"
        assert "answers" not in record.changes
        assert str(response.pk) not in str(record.changes)


def test_the_response_table_cannot_identify_anyone() -> None:
    fields = {f.name: f for f in SurveyResponse._meta.get_fields()}
    related = {f.related_model for f in fields.values() if f.is_relation}
    assert Member not in related
    assert User not in related
    assert related <= {Survey, Unit}
    assert not any(isinstance(f, models.DateTimeField) for f in fields.values())
    assert not any(isinstance(f, models.TimeField) for f in fields.values())
    assert set(fields) == {"id", "survey", "phase", "group_unit", "answers", "submitted_month"}


def test_response_ids_do_not_follow_the_order_of_answering(small_agency: SmallAgency) -> None:
    sa = small_agency
    survey = _survey(sa)
    members = add_members(sa, sa.squad_a1, 12)
    survey_invite(actor=trainer(sa), survey=survey, phase="pre", members=members)
    ids: list[int] = []  # in the order the answers were given
    for member in members:
        survey_respond(
            actor=_officer(sa, member),
            invitation=survey.invitations.get(member=member),
            answers={"q1": 3, "q2": 3},
        )
        ids.extend(SurveyResponse.objects.exclude(pk__in=ids).values_list("pk", flat=True))
    # Random ids: matching the n-th answer with the n-th "responded" audit event is hopeless.
    assert len(ids) == len(set(ids)) == 12
    assert ids != sorted(ids)  # answering order is not id order (a 1 in 12! chance)…
    assert max(ids) - min(ids) > 10**6  # …and ids are not a dense sequence


def test_nobody_answers_for_someone_else(
    small_agency: SmallAgency, invited: tuple[Survey, SurveyInvitation, Actor]
) -> None:
    _, invitation, _ = invited
    other = _officer(small_agency, small_agency.officer_b1)
    trainer_actor = trainer(small_agency)
    for actor in (other, trainer_actor):
        with pytest.raises(PermissionDenied):
            survey_respond(actor=actor, invitation=invitation, answers={"q1": 1, "q2": 1})
    assert not SurveyResponse.objects.exists()


def test_one_answer_per_invitation(invited: tuple[Survey, SurveyInvitation, Actor]) -> None:
    _, invitation, officer = invited
    survey_respond(actor=officer, invitation=invitation, answers={"q1": 1, "q2": 1})
    with pytest.raises(ConflictError, match="already answered"):
        survey_respond(actor=officer, invitation=invitation, answers={"q1": 5, "q2": 5})
    assert SurveyResponse.objects.count() == 1


def test_a_closed_survey_takes_no_answers(
    small_agency: SmallAgency, invited: tuple[Survey, SurveyInvitation, Actor]
) -> None:
    survey, invitation, officer = invited
    survey_close(actor=trainer(small_agency), survey=survey)
    with pytest.raises(ConflictError, match="closed"):
        survey_respond(actor=officer, invitation=invitation, answers={"q1": 1, "q2": 1})


@pytest.mark.parametrize(
    "answers",
    [
        {"q1": 1},
        {"q1": 0, "q2": 1},
        {"q1": 6, "q2": 1},
        {"q1": "x", "q2": 1},
        {"q1": 1, "q2": 1, "q9": 2},
    ],
)
def test_incomplete_or_invalid_answers_store_nothing(
    invited: tuple[Survey, SurveyInvitation, Actor], answers: dict[str, object]
) -> None:
    _, invitation, officer = invited
    with pytest.raises(InvalidInput):
        survey_respond(actor=officer, invitation=invitation, answers=answers)
    invitation.refresh_from_db()
    assert not invitation.responded
    assert not SurveyResponse.objects.exists()


def test_answer_and_invitation_commit_together(
    invited: tuple[Survey, SurveyInvitation, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, invitation, officer = invited

    def failing_audit(**kwargs: object) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_record", failing_audit)
    with pytest.raises(RuntimeError):
        survey_respond(actor=officer, invitation=invitation, answers={"q1": 1, "q2": 1})
    invitation.refresh_from_db()
    assert not invitation.responded
    assert not SurveyResponse.objects.exists()


def test_closing_is_final_and_audited(small_agency: SmallAgency) -> None:
    survey = _survey(small_agency)
    survey_close(actor=trainer(small_agency), survey=survey)
    with pytest.raises(ConflictError):
        survey_close(actor=trainer(small_agency), survey=survey)
    assert AuditEvent.objects.filter(action="survey.close").count() == 1


# Results -------------------------------------------------------------------------------------


def _responses(
    survey: Survey, phase: str, group: Unit | None, answers: list[tuple[int, int]]
) -> None:
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            survey=survey,
            phase=phase,
            group_unit=group,
            answers={"q1": a, "q2": b},
            submitted_month=date(2026, 1, 1),
        )
        for a, b in answers
    )


def test_results_wait_until_the_survey_is_closed(small_agency: SmallAgency) -> None:
    survey = _survey(small_agency, min_group_size=5)
    _responses(survey, "pre", small_agency.precinct_a, [(1, 5)] * 20)
    results = survey_results(survey=survey)
    assert not results.available
    assert results.phases == []


def test_means_are_scored_and_distributions_raw(small_agency: SmallAgency) -> None:
    sa = small_agency
    survey = _survey(sa, min_group_size=5)
    # q1 is reverse-scored on 5 points: answers 1,1,2,4,5 score 5,5,4,2,1 (mean 3.4).
    _responses(survey, "pre", sa.precinct_a, [(1, 2), (1, 2), (2, 3), (4, 4), (5, 5)])
    _responses(survey, "post", sa.precinct_a, [(1, 5)] * 5)
    survey = survey_close(actor=trainer(sa), survey=survey)
    results = survey_results(survey=survey)
    pre, post = results.phases
    q1, q2 = pre.overall.items
    assert q1.distribution == [2, 1, 0, 1, 1]
    assert q1.mean == 3.4
    assert q2.mean == 3.2
    # Scale score: each response's mean of scored items, then the mean of those.
    assert pre.overall.scale_mean == round((3.5 + 3.5 + 3.5 + 3 + 3) / 5, 2)
    assert post.overall.items[0].mean == 5.0
    assert results.change() == [
        (ITEMS[0]["text"], 3.4, 5.0, 1.6),
        (ITEMS[1]["text"], 3.2, 5.0, 1.8),
    ]


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({}, set()),
        ({1: 12, 2: 15}, set()),
        ({1: 12, 2: 3, 3: 15}, {1, 2}),  # 2 is small; 1 (smallest shown) protects it
        ({1: 4, 2: 3, 3: 40, 4: 11}, {1, 2, 4}),  # 4 + 3 < 10: add the smallest shown
        ({1: 4, 2: 3}, {1, 2}),
        ({None: 2, 1: 30, 2: 30}, {None, 1}),
        ({1: 9}, {1}),
    ],
)
def test_suppressed_groups(counts: dict[int | None, int], hidden: set[int | None]) -> None:
    assert suppressed_groups(counts, 10) == hidden


def test_small_groups_are_hidden_and_cannot_be_recovered_from_the_total(
    small_agency: SmallAgency,
) -> None:
    sa = small_agency
    survey = _survey(sa)  # minimum 10
    precinct_c = Unit.objects.create(
        agency=sa.agency, parent=sa.bureau, name="Precinct C", code="PC", kind="precinct"
    )
    _responses(survey, "pre", sa.precinct_a, [(1, 1)] * 12)
    _responses(survey, "pre", sa.precinct_b, [(5, 5)] * 3)  # too small
    _responses(survey, "pre", precinct_c, [(3, 3)] * 15)
    survey = survey_close(actor=trainer(sa), survey=survey)
    pre = survey_results(survey=survey).phases[0]
    groups = {g.label: g for g in pre.groups}
    assert groups["Precinct B"].suppressed
    assert groups["Precinct B"].items == []
    assert groups["Precinct A"].suppressed  # complementary: else B = total - A - C
    assert not groups["Precinct C"].suppressed
    assert pre.overall.n == 30
    assert not pre.overall.suppressed
    # What a reader can compute: total minus the shown groups mixes at least two groups and
    # at least the minimum number of answers.
    shown_n = sum(g.n for g in pre.groups if not g.suppressed)
    block = [g for g in pre.groups if g.suppressed]
    assert len(block) >= 2
    assert pre.overall.n - shown_n >= survey.min_group_size
    # And Precinct B's answers (all 5s on q1) are not what the block shows.
    total_q1 = pre.overall.items[0].mean * pre.overall.n  # type: ignore[operator]
    shown_q1 = sum(g.items[0].mean * g.n for g in pre.groups if not g.suppressed)  # type: ignore[operator]
    block_mean = (total_q1 - shown_q1) / (pre.overall.n - shown_n)
    assert block_mean != 1.0  # B scores 1 on reverse-scored q1; the block blurs it with A


def test_a_phase_with_too_few_answers_shows_nothing(small_agency: SmallAgency) -> None:
    survey = _survey(small_agency)
    _responses(survey, "post", small_agency.precinct_a, [(2, 2)] * 9)
    survey = survey_close(actor=trainer(small_agency), survey=survey)
    post = survey_results(survey=survey).phases[1]
    assert post.overall.suppressed
    assert post.overall.items == []
    assert all(g.suppressed for g in post.groups)


def test_change_before_and_after_leaves_a_hidden_phase_blank(small_agency: SmallAgency) -> None:
    survey = _survey(small_agency)
    _responses(survey, "pre", small_agency.precinct_a, [(2, 4)] * 10)
    _responses(survey, "post", small_agency.precinct_a, [(1, 5)] * 3)
    survey = survey_close(actor=trainer(small_agency), survey=survey)
    assert survey_results(survey=survey).change() == [
        (ITEMS[0]["text"], 4.0, None, None),
        (ITEMS[1]["text"], 4.0, None, None),
    ]
