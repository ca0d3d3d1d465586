"""Scoring, responses, calibration, and the walls around flags."""

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from steadyhand.access.roles import Role
from steadyhand.core.errors import InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.intervention import selectors, services
from steadyhand.intervention.models import Flag, FlagStatus, SupervisorResponse
from steadyhand.intervention.tasks import ei_score_task
from steadyhand.intervention.tests.conftest import AS_OF, Scored

pytestmark = pytest.mark.django_db
APP = Path(__file__).resolve().parents[1]


def _score(scored: Scored) -> Flag:
    run = services.flags_score(actor=scored.agency.system, as_of=AS_OF, flag_ratio=1.3)
    assert run.members_scored == 10
    flags = list(Flag.objects.filter(agency=scored.agency.agency))
    assert [f.member_id for f in flags] == [scored.hot.pk]
    return flags[0]


def test_scoring_flags_the_officer_who_escalates_more_than_colleagues(scored: Scored) -> None:
    flag = _score(scored)
    assert flag.status == FlagStatus.OPEN
    # No complaints or injuries were recorded: those factors are left out, not zero-filled.
    assert {f["factor"] for f in flag.factors} == {"force", "within_incident_escalation"}
    assert flag.factors[0]["contribution"] > 0
    assert flag.peer_size == 9
    # Running again for the same date adds nothing.
    again = services.flags_score(actor=scored.agency.system, as_of=AS_OF, flag_ratio=1.3)
    assert (again.flags_created, again.already_flagged) == (0, 1)


def test_the_nightly_task_and_command_score(
    scored: Scored, capsys: pytest.CaptureFixture[str]
) -> None:
    result = ei_score_task.call(scored.agency.agency.pk)
    assert result["members_scored"] == 0  # the task scores the year up to today: no incidents
    call_command("ei_score", agency=scored.agency.agency.slug, as_of=AS_OF, flag_ratio=1.3)
    assert "1 new flags" in capsys.readouterr().out


def test_supervisor_agrees_and_completes_an_intervention(scored: Scored) -> None:
    flag = _score(scored)
    a: SmallAgency = scored.agency
    sergeant = actor_of(
        make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)], member=a.sergeant_a1)
    )
    assert selectors.flag_get_visible(actor=sergeant, flag_id=flag.pk) == flag
    response = services.flag_respond(
        actor=sergeant,
        flag=flag,
        agreed=True,
        intervention="coaching",
        due=date.today() + timedelta(days=30),
        version=flag.version,
    )
    assert response.intervention == "coaching"
    flag.refresh_from_db()
    assert flag.status == FlagStatus.AGREED
    services.intervention_complete(actor=sergeant, flag=flag)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLOSED


def test_a_dispute_needs_a_reason_and_shows_in_the_calibration_report(scored: Scored) -> None:
    flag = _score(scored)
    a = scored.agency
    sergeant = actor_of(
        make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)], member=a.sergeant_a1)
    )
    with pytest.raises(InvalidInput) as exc:
        services.flag_respond(actor=sergeant, flag=flag, agreed=False)
    assert "reason" in exc.value.errors
    with pytest.raises(InvalidInput):
        services.flag_respond(actor=sergeant, flag=flag, agreed=True)  # no intervention
    shown = flag.factors[0]["factor"]
    services.flag_respond(
        actor=sergeant,
        flag=flag,
        agreed=False,
        reason="Assigned to the entertainment district that month.",
        disputed_factors=[shown],
    )
    commander = actor_of(make_user(a.agency, [Role.COMMANDER]))
    report = selectors.calibration_report(actor=commander)
    row = next(r for r in report.factors if r.factor == shown)
    assert (row.shown, row.disputed, row.dispute_rate) == (1, 1, 1.0)
    assert not row.consistently_rejected  # one response is not "consistently"
    assert SupervisorResponse.objects.get(flag=flag).disputed_factors == [shown]


def test_internal_affairs_never_sees_or_touches_flags(scored: Scored) -> None:
    flag = _score(scored)
    a = scored.agency
    ia = actor_of(make_user(a.agency, [Role.INTERNAL_AFFAIRS, Role.COMMANDER]))
    assert not selectors.flags_visible(actor=ia).exists()
    with pytest.raises(NotFound):
        selectors.flag_get_visible(actor=ia, flag_id=flag.pk)
    with pytest.raises(PermissionDenied):
        services.flag_respond(actor=ia, flag=flag, agreed=True, intervention="coaching")
    with pytest.raises(PermissionDenied):
        selectors.calibration_report(actor=ia)


def test_outside_the_chain_and_the_flagged_officer_cannot_respond(scored: Scored) -> None:
    flag = _score(scored)
    a = scored.agency
    other = actor_of(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_b)]))
    with pytest.raises(NotFound):
        selectors.flag_get_visible(actor=other, flag_id=flag.pk)
    with pytest.raises(PermissionDenied):
        services.flag_respond(actor=other, flag=flag, agreed=True, intervention="coaching")
    officer = actor_of(make_user(a.agency, [Role.OFFICER], member=scored.hot))
    assert selectors.flag_get_visible(actor=officer, flag_id=flag.pk) == flag  # their own
    with pytest.raises(PermissionDenied):
        services.flag_respond(actor=officer, flag=flag, agreed=True, intervention="coaching")
    with pytest.raises(PermissionDenied):
        services.flags_score(actor=other)


def test_no_after_action_review_content_is_an_input() -> None:
    # Non-negotiable 1: nothing in this app imports the AAR app or names its models.
    for path in APP.rglob("*.py"):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("steadyhand.aar"), path
            if isinstance(node, ast.Import):
                assert not any(n.name.startswith("steadyhand.aar") for n in node.names), path
        assert "AfterActionReview" not in path.read_text(encoding="utf-8"), path
