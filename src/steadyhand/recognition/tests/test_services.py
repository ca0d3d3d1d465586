"""Nominating, the approval chain, declines, consent and publication, and the refusals."""

import pytest
from django.db import IntegrityError, transaction

from steadyhand.access.decorators import public_actor
from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.recognition import selectors, services
from steadyhand.recognition.models import Channel, NameDisplay, Nomination, NominationStatus
from steadyhand.recognition.tests.factories import (
    People,
    approved,
    award,
    fresh,
    incident,
    make_people,
    nominate,
)
from steadyhand.reviews.models import Notification

pytestmark = pytest.mark.django_db


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


# Nominating ----------------------------------------------------------------------------------


def test_a_member_nominates_a_colleague_and_it_is_audited(people: People) -> None:
    n = nominate(people)
    assert n.status == NominationStatus.NOMINATED
    assert n.channel == Channel.MEMBER
    assert n.unit == people.a.squad_a1  # the member's chain approves
    assert n.nominated_by_id == people.partner.user_id
    (event,) = _events("commendation.nominate")
    assert event.object_id == str(n.pk)
    assert event.actor_user_id == people.partner.user_id


def test_nobody_nominates_themselves(people: People) -> None:
    with pytest.raises(InvalidInput) as exc:
        nominate(people, by=people.officer, member=people.a.officer_a1)
    assert "member" in exc.value.errors


def test_a_supervisor_nominates_with_an_incident_they_can_see(people: People) -> None:
    seen = incident(people.a)
    n = services.nomination_create(
        actor=people.sergeant, member=people.a.officer_a1, narrative="Calm voice.", incident=seen
    )
    assert n.incident == seen


def test_an_incident_the_nominator_cannot_see_is_refused(people: People) -> None:
    hidden = incident(people.a)  # officer_a1's; the partner was not there
    with pytest.raises(InvalidInput) as exc:
        services.nomination_create(
            actor=people.partner, member=people.a.officer_a1, narrative="x", incident=hidden
        )
    assert "incident" in exc.value.errors


def test_a_member_of_another_agency_cannot_be_nominated(
    people: People, other_agency: SmallAgency
) -> None:
    with pytest.raises(InvalidInput):
        nominate(people, member=other_agency.officer_a1)


def test_an_empty_narrative_is_refused(people: People) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.nomination_create(actor=people.partner, member=people.a.officer_a1, narrative=" ")
    assert "narrative" in exc.value.errors


def test_the_public_nominates_through_the_anonymous_actor(people: People) -> None:
    actor = public_actor(agency_id=people.a.agency.pk)
    n = services.nomination_submit_public(
        actor=actor,
        narrative="The officer bought my son lunch and walked him home.",
        officer_description="Tall officer, Main St, badge 4411",
        public_name="",
    )
    assert n.member is None
    assert n.channel == Channel.PUBLIC
    assert n.unit == people.a.root  # agency level until identified
    (event,) = _events("commendation.nominate_public")
    assert event.actor_label == "public:web-form"
    assert event.actor_user_id is None
    assert event.changes["anonymous"] == [None, True]


def test_the_public_must_say_who_the_officer_was(people: People) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.nomination_submit_public(
            actor=public_actor(agency_id=people.a.agency.pk), narrative="x", officer_description=""
        )
    assert "officer_description" in exc.value.errors


# The approval chain --------------------------------------------------------------------------


def test_the_chain_approves_supervisor_then_commander(people: People) -> None:
    prize = award(people)
    n = nominate(people)
    n = services.nomination_approve(actor=people.sergeant, nomination=n, expected_version=1)
    assert n.status == NominationStatus.SUPERVISOR_APPROVED
    assert n.supervisor_approved_by_id == people.sergeant.user_id
    # The sergeant cannot take the commander's step.
    with pytest.raises(PermissionDenied, match="commander"):
        services.nomination_approve(actor=people.sergeant, nomination=n, expected_version=n.version)
    n = services.nomination_approve(
        actor=people.captain_actor, nomination=n, expected_version=n.version, award_type=prize
    )
    assert n.status == NominationStatus.APPROVED
    assert n.award_type == prize
    assert n.approved_by_id == people.captain_actor.user_id
    assert [e.changes["status"][1] for e in _events("commendation.approve")] == [
        "supervisor_approved",
        "approved",
    ]


def test_the_final_approval_needs_an_award(people: People) -> None:
    n = nominate(people)
    n = services.nomination_approve(actor=people.sergeant, nomination=n, expected_version=1)
    with pytest.raises(InvalidInput) as exc:
        services.nomination_approve(
            actor=people.captain_actor, nomination=n, expected_version=n.version
        )
    assert "award_type" in exc.value.errors
    assert fresh(n).status == NominationStatus.SUPERVISOR_APPROVED


def test_one_person_cannot_take_both_steps(people: People) -> None:
    a = people.a
    both = actor_of(
        make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a), (Role.COMMANDER, a.bureau)])
    )
    n = nominate(people)
    n = services.nomination_approve(actor=both, nomination=n, expected_version=1)
    with pytest.raises(PermissionDenied, match="different commander"):
        services.nomination_approve(
            actor=both, nomination=n, expected_version=n.version, award_type=award(people)
        )


def test_concurrent_approval_of_the_same_nomination_the_second_is_refused(
    people: People,
) -> None:
    a = people.a
    lieutenant = actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)]))
    n = nominate(people)
    seen_by_both = n.version
    services.nomination_approve(actor=people.sergeant, nomination=n, expected_version=seen_by_both)
    with pytest.raises(ConflictError):
        services.nomination_approve(actor=lieutenant, nomination=n, expected_version=seen_by_both)
    after = fresh(n)
    assert after.supervisor_approved_by_id == people.sergeant.user_id
    assert after.version == seen_by_both + 1
    assert len(_events("commendation.approve")) == 1


def test_decline_with_a_reason_the_nominator_reads(people: People) -> None:
    n = nominate(people)
    with pytest.raises(InvalidInput) as exc:
        services.nomination_decline(
            actor=people.sergeant, nomination=n, expected_version=1, reason=""
        )
    assert "reason" in exc.value.errors
    n = services.nomination_decline(
        actor=people.sergeant, nomination=n, expected_version=1, reason="Already commended."
    )
    assert n.status == NominationStatus.DECLINED
    seen = selectors.nomination_get_visible(actor=people.partner, nomination_id=n.pk)
    assert seen.decline_reason == "Already commended."
    (event,) = _events("commendation.decline")
    assert event.reason == "Already commended."
    with pytest.raises(PermissionDenied, match="declined"):
        services.nomination_approve(actor=people.sergeant, nomination=n, expected_version=n.version)


def test_a_commander_declines_at_the_second_step(people: People) -> None:
    n = nominate(people)
    n = services.nomination_approve(actor=people.sergeant, nomination=n, expected_version=1)
    n = services.nomination_decline(
        actor=people.captain_actor, nomination=n, expected_version=n.version, reason="No."
    )
    assert n.status == NominationStatus.DECLINED


@pytest.mark.parametrize("who", ["officer", "partner", "ia", "analyst", "admin", "supervisor_b"])
def test_roles_and_chains_that_may_not_approve_are_refused(people: People, who: str) -> None:
    n = nominate(people, by=people.officer_b)
    with pytest.raises(PermissionDenied):
        services.nomination_approve(actor=getattr(people, who), nomination=n, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.nomination_decline(
            actor=getattr(people, who), nomination=n, expected_version=1, reason="no"
        )
    assert fresh(n).status == NominationStatus.NOMINATED


def test_another_agency_cannot_approve(people: People, other_agency: SmallAgency) -> None:
    n = nominate(people)
    outsider = actor_of(make_user(other_agency.agency, [Role.COMMANDER]))
    with pytest.raises((PermissionDenied, NotFound)):
        services.nomination_approve(actor=outsider, nomination=n, expected_version=1)
    with pytest.raises(NotFound):
        selectors.nomination_get_visible(actor=outsider, nomination_id=n.pk)


def test_a_supervisor_cannot_approve_their_own_nomination_as_nominee(people: People) -> None:
    n = nominate(people, by=people.officer, member=people.a.sergeant_a1)
    with pytest.raises(PermissionDenied, match="yourself"):
        services.nomination_approve(actor=people.sergeant, nomination=n, expected_version=1)


def test_a_public_nomination_is_identified_then_approved_in_the_members_chain(
    people: People,
) -> None:
    n = services.nomination_submit_public(
        actor=public_actor(agency_id=people.a.agency.pk),
        narrative="Patient and kind.",
        officer_description="Officer O101",
    )
    # Only agency-wide approvers see it until the member is known.
    with pytest.raises(NotFound):
        selectors.nomination_get_visible(actor=people.sergeant, nomination_id=n.pk)
    assert n in selectors.nominations_to_identify(actor=people.board)
    with pytest.raises(PermissionDenied, match="Identify"):
        services.nomination_approve(actor=people.board, nomination=n, expected_version=1)
    n = services.nomination_identify(
        actor=people.board, nomination=n, expected_version=1, member=people.a.officer_a1
    )
    assert n.unit == people.a.squad_a1
    assert n in selectors.nominations_awaiting(actor=people.sergeant)
    services.nomination_approve(actor=people.sergeant, nomination=n, expected_version=n.version)


# Visibility ----------------------------------------------------------------------------------


def test_an_open_nomination_is_seen_by_the_chain_and_nominator_only(people: People) -> None:
    n = nominate(people)
    for who in ("sergeant", "captain_actor", "board", "partner"):
        assert selectors.nomination_get_visible(actor=getattr(people, who), nomination_id=n.pk)
    for who in ("officer", "officer_b", "supervisor_b", "ia", "analyst"):
        with pytest.raises(NotFound):
            selectors.nomination_get_visible(actor=getattr(people, who), nomination_id=n.pk)
    assert not selectors.recognition_list(actor=people.officer_b).exists()


def test_an_approved_commendation_is_on_everyones_recognition_page(people: People) -> None:
    n = approved(people)
    for who in ("officer", "officer_b", "ia", "analyst", "admin"):
        assert list(selectors.recognition_list(actor=getattr(people, who))) == [n]
    assert list(selectors.my_commendations(actor=people.officer)) == [n]


# Consent and publication ---------------------------------------------------------------------


def test_publication_needs_the_members_own_consent(people: People) -> None:
    n = approved(people)
    with pytest.raises(InvalidInput, match="consented"):
        services.nomination_publish(
            actor=people.captain_actor,
            nomination=n,
            expected_version=n.version,
            citation="Well done.",
        )
    # Nobody but the member may consent for them, not even their commander.
    for who in ("captain_actor", "sergeant", "partner"):
        with pytest.raises(PermissionDenied):
            services.nomination_consent(
                actor=getattr(people, who), nomination=n, expected_version=n.version, consent=True
            )
    assert selectors.published_commendations(people.a.agency) == []
    n = services.nomination_consent(
        actor=people.officer, nomination=n, expected_version=n.version, consent=True
    )
    assert selectors.published_commendations(people.a.agency) == []  # consent is not publishing
    n = services.nomination_publish(
        actor=people.captain_actor,
        nomination=n,
        expected_version=n.version,
        citation="Talked a man in crisis into putting down a knife.",
    )
    (shown,) = selectors.published_commendations(people.a.agency)
    assert shown.name == "Police officer Test O."  # first name and last initial by default
    assert "O101" not in f"{shown}"  # never a badge number
    assert shown.award == "Preservation of life"


def test_withdrawing_consent_unpublishes_at_once(people: People) -> None:
    n = approved(people)
    n = services.nomination_consent(
        actor=people.officer,
        nomination=n,
        expected_version=n.version,
        consent=True,
        name_display=NameDisplay.UNNAMED,
    )
    n = services.nomination_publish(
        actor=people.captain_actor, nomination=n, expected_version=n.version, citation="Calm."
    )
    assert [c.name for c in selectors.published_commendations(people.a.agency)] == ["An officer"]
    n = services.nomination_consent(
        actor=people.officer, nomination=n, expected_version=n.version, consent=False
    )
    assert not n.published
    assert selectors.published_commendations(people.a.agency) == []


def test_consent_is_asked_only_after_approval_and_publishing_is_a_commanders(
    people: People,
) -> None:
    n = nominate(people)
    with pytest.raises((InvalidInput, NotFound, PermissionDenied)):
        services.nomination_consent(
            actor=people.officer, nomination=n, expected_version=1, consent=True
        )
    n = approved(people)
    n = services.nomination_consent(
        actor=people.officer, nomination=n, expected_version=n.version, consent=True
    )
    with pytest.raises(PermissionDenied):
        services.nomination_publish(
            actor=people.sergeant, nomination=n, expected_version=n.version, citation="x"
        )
    with pytest.raises(InvalidInput, match="badge"):
        services.nomination_publish(
            actor=people.captain_actor, nomination=n, expected_version=n.version,
            citation="Officer #O101 was great.",
        )  # fmt: skip


def test_the_public_list_is_scoped_to_one_agency(people: People, other_agency: SmallAgency) -> None:
    n = approved(people)
    n = services.nomination_consent(
        actor=people.officer, nomination=n, expected_version=n.version, consent=True,
        name_display=NameDisplay.FULL_NAME,
    )  # fmt: skip
    services.nomination_publish(
        actor=people.captain_actor, nomination=n, expected_version=n.version, citation="Calm."
    )
    assert [c.name for c in selectors.published_commendations(people.a.agency)] == [
        "Police officer Test O101"
    ]
    assert selectors.published_commendations(other_agency.agency) == []


# Award types ---------------------------------------------------------------------------------


def test_award_types_are_configured_by_commanders(people: People) -> None:
    prize = award(people)
    with pytest.raises(InvalidInput, match="already"):
        award(people, name="preservation of LIFE")
    for who in ("sergeant", "officer", "admin"):
        with pytest.raises(PermissionDenied):
            services.award_type_create(actor=getattr(people, who), name="Other")
    prize = services.award_type_update(
        actor=people.board, award_type=prize, expected_version=prize.version,
        name="Preservation of life", description="", active=False,
    )  # fmt: skip
    assert list(selectors.award_types(actor=people.board)) == []
    n = nominate(people)
    with pytest.raises(InvalidInput):
        services.nomination_create(
            actor=people.partner, member=people.a.officer_b1,
            narrative="x", award_type=prize,
        )  # fmt: skip
    assert n.award_type is None


def test_people_fixture_builds_in_another_agency(other_agency: SmallAgency) -> None:
    assert make_people(other_agency).a.agency == other_agency.agency


# Notifications -------------------------------------------------------------------------------


def test_each_step_tells_whoever_acts_next(people: People) -> None:

    def told(actor: object) -> list[str]:
        user_id = actor.user_id  # type: ignore[attr-defined]
        return list(
            Notification.objects.filter(recipient_id=user_id).values_list("text", flat=True)
        )

    n = nominate(people)
    assert told(people.sergeant) == ["A commendation nomination of Test O101 awaits your approval."]
    assert told(people.captain_actor) == []  # a supervisor can take the first step
    assert told(people.supervisor_b) == []  # another chain
    assert told(people.officer) == []  # the nominee learns of it once approved
    n = services.nomination_approve(actor=people.sergeant, nomination=n, expected_version=1)
    assert "final approval" in told(people.captain_actor)[0]
    assert "final approval" in told(people.board)[0]
    services.nomination_approve(
        actor=people.captain_actor, nomination=n, expected_version=n.version,
        award_type=award(people),
    )  # fmt: skip
    assert "public page" in told(people.officer)[0]
    assert told(people.partner) == ["Your nomination of Test O101 was approved."]


def test_the_database_refuses_publication_without_consent(people: People) -> None:
    n = approved(people)
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.filter(pk=n.pk).update(published=True)
    assert selectors.published_commendations(people.a.agency) == []
