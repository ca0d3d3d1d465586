"""A report returned for correction: the reporter edits it through the report services and
resubmits it; nobody else may, nor after the review moves on; stale copies are refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from steadyhand.access.actor import Actor
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import ConflictError, InvalidInput, NotFound, PermissionDenied
from steadyhand.incidents import services
from steadyhand.incidents.models import Incident, IncidentStatus, Statement, StatementStatus
from steadyhand.incidents.services import EventInput
from steadyhand.incidents.tests.report_factories import add_event, force_report, fresh
from steadyhand.reviews import services as review_services
from steadyhand.reviews.models import Decision, ForceReview, Notification, ReviewStatus
from steadyhand.reviews.routing import RouteStep
from steadyhand.reviews.services import FindingsInput
from steadyhand.reviews.tests.factories import Chain, force_incident, make_chain

pytestmark = pytest.mark.django_db

GOOD = FindingsInput(within_policy=True, de_escalation="yes", duty_to_intervene="na")


@pytest.fixture
def chain(small_agency: object) -> Chain:
    return make_chain(small_agency)  # type: ignore[arg-type]


def _review(incident: Incident) -> ForceReview:
    return ForceReview.objects.select_related("current_step").get(incident=incident)


def _submitted(chain: Chain) -> Incident:
    """A complete force report, submitted by officer A1; its review is open at the sergeant."""
    incident = force_report(chain.officer)
    return services.incident_submit(
        actor=chain.officer, incident=fresh(incident), expected_version=None
    )


def _decide(actor: Actor, incident: Incident, decision: str, reason: str = "") -> ForceReview:
    review = _review(incident)
    return review_services.review_decide(
        actor=actor, review=review, expected_version=review.version, decision=decision,
        reason=reason, findings=GOOD,
    )  # fmt: skip


def _returned(
    chain: Chain, reason: str = "Say what warning was given before the hold."
) -> Incident:
    incident = _submitted(chain)
    _decide(chain.sergeant, incident, Decision.RETURN, reason)
    return fresh(incident)


def _edit_narrative(actor: Actor, incident: Incident, text: str) -> Incident:
    incident = fresh(incident)
    return services.incident_update(
        actor=actor, incident=incident, expected_version=incident.version,
        fields={"narrative": text},
    )  # fmt: skip


def _resubmit(actor: Actor, incident: Incident, note: str = "") -> Incident:
    incident = fresh(incident)
    return services.incident_resubmit(
        actor=actor, incident=incident, expected_version=incident.version, note=note
    )


# The return ----------------------------------------------------------------------------------


def test_a_return_puts_the_report_back_in_its_reporters_hands(chain: Chain) -> None:
    submitted = _submitted(chain)
    version = fresh(submitted).version
    _decide(chain.sergeant, submitted, Decision.RETURN, "Say what warning was given.")
    incident = fresh(submitted)
    assert incident.status == IncidentStatus.RETURNED
    assert incident.version == version + 1  # a copy from before the return is stale
    event = AuditEvent.objects.get(action="incident.return", object_id=str(incident.pk))
    assert event.actor_user_id == chain.sergeant.user_id
    assert event.reason == "Say what warning was given."
    assert event.changes["status"] == ["submitted", "returned"]
    # The report as it was returned is kept with the return, for the list of changes.
    assert "Arrives on scene at 0:00" in " ".join(
        event.changes["returned_report"]["events"].values()
    )
    note = Notification.objects.get(recipient__member=chain.a.officer_a1)
    assert note.link == f"/incidents/{incident.pk}/report/review/"


# Correcting and resubmitting -------------------------------------------------------------------


def test_the_reporter_corrects_and_the_review_continues_at_the_level_that_returned_it(
    chain: Chain,
) -> None:
    # A route with a lieutenant step, so that the return comes from the second level.
    incident = force_report(chain.officer)
    level = 2  # a control hold
    review_services.review_route_set(
        actor=chain.board, force_level=level,
        steps=(RouteStep("sergeant", 7), RouteStep("lieutenant", 10), RouteStep("captain", 14)),
        expected_version=None,
    )  # fmt: skip
    incident = services.incident_submit(
        actor=chain.officer, incident=fresh(incident), expected_version=None
    )
    assert fresh(incident).highest_force_level == level
    _decide(chain.sergeant, incident, Decision.APPROVE)
    _decide(chain.lieutenant_actor, incident, Decision.RETURN, "Add the warning you gave.")
    review = _review(incident)
    assert review.status == ReviewStatus.RETURNED
    # The lieutenant's step was due long ago: the resubmission gets a fresh due date.
    review.steps.update(due_on=timezone.now().date() - timedelta(days=30))

    me = incident.involvements.get(member_id=incident.reported_by_id).pk
    add_event(
        chain.officer, incident, "command", "force_warning", actor_involvement_id=me,
        offset_seconds=70, position=4,
    )  # fmt: skip
    _edit_narrative(chain.officer, incident, "I warned him twice before the hold.")
    resubmitted = _resubmit(chain.officer, incident, note="Added the warning at 1:10.")

    assert resubmitted.status == IncidentStatus.SUBMITTED
    review = _review(incident)
    assert review.status == ReviewStatus.OPEN
    steps = list(review.steps.order_by("pk"))
    assert [(s.level, s.decision) for s in steps] == [
        ("sergeant", "approve"),
        ("lieutenant", "return"),
        ("lieutenant", ""),
    ]
    assert review.current_step == steps[-1]
    assert steps[-1].due_on == timezone.now().date() + timedelta(days=10)
    # The lieutenant reads the note and, line by line, what changed.
    response = steps[1].response
    assert response.startswith("Added the warning at 1:10.")
    assert "Narrative: was “”, now “I warned him twice before the hold.”" in response
    assert "Timeline event 4 added: Warning of force at 1:10" in response
    # The history: return, the corrections, the resubmission — each with its actor.
    actions = list(
        AuditEvent.objects.filter(action__in=[
            "force_review.return", "incident.return", "incident.event_add", "incident.update",
            "incident.resubmit", "force_review.resubmit",
        ]).order_by("seq").values_list("action", "actor_user_id")
    )  # fmt: skip
    officer, lieutenant = chain.officer.user_id, chain.lieutenant_actor.user_id
    assert actions[-6:] == [
        ("incident.return", lieutenant),
        ("force_review.return", lieutenant),
        ("incident.event_add", officer),
        ("incident.update", officer),
        ("incident.resubmit", officer),
        ("force_review.resubmit", officer),
    ]
    resubmit = AuditEvent.objects.get(action="incident.resubmit")
    assert resubmit.changes["status"] == ["returned", "submitted"]
    assert len(resubmit.changes["corrected"][1]) == 2
    # The review goes on: the lieutenant approves, then the captain closes it.
    _decide(chain.lieutenant_actor, incident, Decision.APPROVE)
    review = _decide(chain.captain_actor, incident, Decision.APPROVE)
    assert review.status == ReviewStatus.CLOSED


def test_the_submission_checks_run_again_on_a_corrected_report(chain: Chain) -> None:
    incident = _returned(chain)
    ending = incident.events.get(kind="resolution")
    services.event_remove(actor=chain.officer, event=ending, expected_version=None)
    with pytest.raises(InvalidInput, match="does not say how the encounter ended"):
        _resubmit(chain.officer, incident, note="Removed the ending by mistake.")
    assert fresh(incident).status == IncidentStatus.RETURNED
    assert _review(incident).status == ReviewStatus.RETURNED


def test_an_unchanged_report_goes_back_only_with_a_note_saying_why(chain: Chain) -> None:
    incident = _returned(chain)
    with pytest.raises(InvalidInput, match="Nothing in the report has changed"):
        _resubmit(chain.officer, incident)
    assert fresh(incident).status == IncidentStatus.RETURNED
    _resubmit(chain.officer, incident, note="The warning is event 2; no change is needed.")
    returning = _review(incident).steps.order_by("pk").first()
    assert returning is not None
    assert returning.response == (
        "The warning is event 2; no change is needed.\n\nThe report itself was not changed."
    )


def test_a_member_who_made_a_statement_stays_on_the_corrected_report(chain: Chain) -> None:
    incident = force_report(chain.officer)
    partner = services.involvement_add(
        actor=chain.officer, incident=fresh(incident), expected_version=None,
        badge=chain.a.officer_a2.badge, role_on_scene="cover",
    )  # fmt: skip
    services.incident_submit(actor=chain.officer, incident=fresh(incident), expected_version=None)
    Statement.objects.filter(involvement=partner).update(
        status=StatementStatus.SUBMITTED, text="I held the left arm."
    )
    _decide(chain.sergeant, incident, Decision.RETURN, "Check who was on scene.")
    with pytest.raises(InvalidInput, match="has submitted a statement"):
        services.involvement_remove(actor=chain.officer, involvement=partner, expected_version=None)
    assert Statement.objects.filter(involvement=partner).exists()


# Refusals ------------------------------------------------------------------------------------


def test_only_the_reporter_may_correct_a_returned_report(chain: Chain) -> None:
    incident = _returned(chain)
    # The sergeant sees the report but may not change it.
    with pytest.raises(PermissionDenied):
        _edit_narrative(chain.sergeant, incident, "Edited by the sergeant.")
    with pytest.raises(PermissionDenied):
        _resubmit(chain.sergeant, incident, note="Resubmitted by the sergeant.")
    # An officer who was not there cannot even find it.
    with pytest.raises(NotFound):
        _edit_narrative(chain.partner, incident, "Edited by a colleague.")
    assert fresh(incident).narrative == ""
    assert fresh(incident).status == IncidentStatus.RETURNED


def test_a_stale_copy_of_a_returned_report_is_refused(chain: Chain) -> None:
    submitted = _submitted(chain)
    before_return = fresh(submitted).version
    _decide(chain.sergeant, submitted, Decision.RETURN, "Add the warning.")
    with pytest.raises(ConflictError):
        services.incident_update(
            actor=chain.officer, incident=fresh(submitted), expected_version=before_return,
            fields={"narrative": "From a tab opened before the return."},
        )  # fmt: skip
    opened = fresh(submitted).version
    _edit_narrative(chain.officer, submitted, "First tab.")
    with pytest.raises(ConflictError):
        services.incident_update(
            actor=chain.officer, incident=fresh(submitted), expected_version=opened,
            fields={"narrative": "Second tab."},
        )  # fmt: skip
    with pytest.raises(ConflictError):
        services.incident_resubmit(
            actor=chain.officer, incident=fresh(submitted), expected_version=opened, note="x"
        )
    assert fresh(submitted).narrative == "First tab."


def test_no_one_changes_the_report_once_resubmitted_or_closed(chain: Chain) -> None:
    incident = _returned(chain)
    _edit_narrative(chain.officer, incident, "Warned twice.")
    _resubmit(chain.officer, incident)
    with pytest.raises(InvalidInput, match="no longer changes"):
        _edit_narrative(chain.officer, incident, "After the resubmission.")
    with pytest.raises(InvalidInput, match="no longer changes"):
        _resubmit(chain.officer, incident, note="Again.")
    review = _decide(chain.sergeant, incident, Decision.APPROVE)
    assert review.status == ReviewStatus.CLOSED
    with pytest.raises(InvalidInput, match="no longer changes"):
        _edit_narrative(chain.officer, incident, "After the close.")
    first = incident.events.order_by("sequence").first()
    assert first is not None
    with pytest.raises(InvalidInput, match="no longer changes"):
        services.event_update(
            actor=chain.officer, event=first, expected_version=None,
            data=EventInput(kind="arrival", code="arrives", offset_seconds=5,
                            actor_involvement_id=first.actor_involvement_id),
        )  # fmt: skip


def test_a_returned_report_is_resubmitted_not_submitted_and_a_draft_is_not_resubmitted(
    chain: Chain,
) -> None:
    incident = _returned(chain)
    with pytest.raises(InvalidInput, match="resubmit it"):
        services.incident_submit(actor=chain.officer, incident=incident, expected_version=None)
    draft = force_report(chain.officer)
    with pytest.raises(InvalidInput, match="not waiting for a correction"):
        _resubmit(chain.officer, draft, note="x")


def test_a_reviewer_cannot_return_the_report_outside_a_review(chain: Chain) -> None:
    incident = _submitted(chain)
    # An officer not on scene cannot find it; the reporter may not return their own report.
    with pytest.raises(NotFound):
        services.incident_return_for_correction(actor=chain.partner, incident=incident, reason="x")
    with pytest.raises(PermissionDenied):
        services.incident_return_for_correction(actor=chain.officer, incident=incident, reason="x")
    with pytest.raises((PermissionDenied, NotFound)):
        services.incident_return_for_correction(actor=chain.ia, incident=incident, reason="x")
    assert fresh(incident).status == IncidentStatus.SUBMITTED


def test_an_imported_record_is_answered_with_a_note_and_stays_submitted(chain: Chain) -> None:
    incident = force_incident(chain.a)
    Incident.objects.filter(pk=incident.pk).update(source="import:seattle", source_key="K1")
    review = review_services.review_open_for_incident(actor=chain.officer, incident=incident)
    assert review is not None
    _decide(chain.sergeant, incident, Decision.RETURN, "Check the source record.")
    assert fresh(incident).status == IncidentStatus.SUBMITTED
    with pytest.raises(InvalidInput):
        _edit_narrative(chain.officer, incident, "Not editable here.")
    review = _review(incident)
    review = review_services.review_resubmit(
        actor=chain.officer, review=review, expected_version=review.version,
        correction="Corrected in the records system.",
    )  # fmt: skip
    assert review.status == ReviewStatus.OPEN


# Still a filed report -------------------------------------------------------------------------


def test_a_returned_report_still_counts_as_an_encounter_that_happened(chain: Chain) -> None:
    """While its officer corrects it, the report stays in the evaluation's counts and its
    statements stay owed: a return is not an un-filing."""
    from zoneinfo import ZoneInfo

    from steadyhand.agencies.models import Agency
    from steadyhand.evaluations.models import Outcome
    from steadyhand.evaluations.panels import first_data_month, month_index
    from steadyhand.incidents.home import home_sections

    agency_id = chain.officer.agency_id
    assert not Incident.objects.filter(agency_id=agency_id).exists()
    submitted = _submitted(chain)
    owed_before = [[i.url for i in s.items] for s in home_sections(chain.officer)]
    tz = ZoneInfo(Agency.objects.get(pk=agency_id).timezone)

    returned = _returned_after(chain, submitted)

    assert returned.status == IncidentStatus.RETURNED
    assert first_data_month(agency_id=agency_id, outcome=Outcome.FORCE) == month_index(
        returned.occurred_at.astimezone(tz)
    )
    assert [[i.url for i in s.items] for s in home_sections(chain.officer)] == owed_before


def _returned_after(chain: Chain, incident: Incident) -> Incident:
    _decide(chain.sergeant, incident, Decision.RETURN, "Say what warning was given.")
    return fresh(incident)
