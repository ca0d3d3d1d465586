"""The home page tells a member what training they are behind on and which surveys wait for
them, and tells a supervisor how many in their chain are overdue."""

import pytest

from steadyhand.access.actor import Actor
from steadyhand.access.roles import Role
from steadyhand.accounts.home import HomeSection
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.training.home import home_sections
from steadyhand.training.services.catalogue import training_setup_agency
from steadyhand.training.services.mandates import mandate_load_example_rule_sets
from steadyhand.training.services.surveys import survey_create, survey_invite

pytestmark = pytest.mark.django_db


def _titles(sections: list[HomeSection]) -> dict[str, HomeSection]:
    return {s.title: s for s in sections}


@pytest.fixture
def trainer(small_agency: SmallAgency) -> Actor:
    trainer = actor_of(make_user(small_agency.agency, [Role.TRAINER, Role.COMMANDER]))
    training_setup_agency(actor=trainer)
    mandate_load_example_rule_sets(actor=trainer)
    return trainer


def test_an_untrained_officer_sees_the_mandates_they_are_behind_on(
    small_agency: SmallAgency, trainer: Actor
) -> None:
    officer = actor_of(make_user(small_agency.agency, [Role.OFFICER],
                                 member=small_agency.officer_a1))  # fmt: skip
    due = _titles(home_sections(officer))["Training due"]
    assert due.items, "an officer hired in 2015 with no training is behind"
    assert all("h missing" in item.note for item in due.items)


def test_a_survey_invitation_shows_until_answered(
    small_agency: SmallAgency, trainer: Actor
) -> None:
    survey = survey_create(actor=trainer, title="Attitudes to force",
                           items=[{"key": "risk", "text": "Waiting puts me at risk."}])  # fmt: skip
    survey_invite(actor=trainer, survey=survey, phase="pre", members=[small_agency.officer_a1])
    officer = actor_of(make_user(small_agency.agency, [Role.OFFICER],
                                 member=small_agency.officer_a1))  # fmt: skip
    waiting = _titles(home_sections(officer))["Surveys waiting for your answer (anonymous)"]
    assert [i.label for i in waiting.items] == ["Attitudes to force"]


def test_a_supervisor_sees_overdue_counts_only_for_their_chain(
    small_agency: SmallAgency, trainer: Actor
) -> None:
    a = small_agency
    supervisor = actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.squad_b1)]))
    chain = _titles(home_sections(supervisor))["Training overdue in your scope"]
    # Squad B1 has one sworn member (officer_b1): no mandate can count more than one overdue.
    assert chain.items
    assert all(item.note.startswith(("0 overdue", "1 overdue")) for item in chain.items)
    nobody = actor_of(make_user(a.agency, [Role.ANALYST]))
    assert "Training due" not in _titles(home_sections(nobody))
