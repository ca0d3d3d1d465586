"""The early-intervention pages: a supervisor reads a flag's reasons and responds; disputes
reach the calibration report; remedial training is a real enrolment; the walls hold."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.accounts.models import User
from steadyhand.core.testing import SmallAgency, make_user
from steadyhand.intervention import services
from steadyhand.intervention.models import Flag, FlagStatus, SupervisorResponse
from steadyhand.intervention.tests.conftest import AS_OF, Scored
from steadyhand.jobs.models import Job, JobStatus
from steadyhand.training.models import Enrolment, EnrolmentStatus
from steadyhand.training.tests.factories_rollouts import make_course

pytestmark = pytest.mark.django_db

DUE = (date.today() + timedelta(days=30)).isoformat()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _flag(scored: Scored) -> Flag:
    services.flags_score(actor=scored.agency.system, as_of=AS_OF, flag_ratio=1.3)
    return Flag.objects.get(agency=scored.agency.agency, member=scored.hot)


def _sergeant(a: SmallAgency) -> User:
    return make_user(a.agency, [(Role.SUPERVISOR, a.precinct_a)], member=a.sergeant_a1)


def _routes(flag: Flag) -> list[tuple[str, str]]:
    """Every intervention page, with the method it answers."""
    return [
        ("get", reverse("intervention:list")),
        ("get", reverse("intervention:detail", args=[flag.pk])),
        ("post", reverse("intervention:respond", args=[flag.pk])),
        ("post", reverse("intervention:complete", args=[flag.pk])),
        ("get", reverse("intervention:calibration")),
        ("get", reverse("intervention:score")),
        ("post", reverse("intervention:score")),
    ]


def test_supervisor_sees_the_flag_with_its_reasons_and_the_baseline(scored: Scored) -> None:
    flag = _flag(scored)
    client = _client(_sergeant(scored.agency))
    listing = client.get(reverse("intervention:list")).content.decode()
    assert f"#{scored.hot.badge}" in listing
    assert "Uses of force" in listing
    page = client.get(reverse("intervention:detail", args=[flag.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    force = next(f for f in flag.factors if f["factor"] == "force")
    # The data behind the factor: the member's count, the peers' mean rate, the shrunken rate.
    assert f"{100 * force['peer_rate']:.2f}" in html
    assert f"{100 * force['peer_rate'] * force['shrunk_ratio']:.2f}" in html
    assert "Force compared with colleagues at the same incidents" in html
    assert "shift: not recorded; assignment: not recorded — 9 other members" in html
    assert "Compared with the threshold rule" in html
    assert "3 uses of force in 90 days" in html
    assert "Record my response" in html
    # The incidents behind the force count, linked for a reader who may open them.
    assert html.count("/incidents/") >= int(force["observed"])


def test_a_disagreement_shows_in_the_calibration_report(scored: Scored) -> None:
    flag = _flag(scored)
    a = scored.agency
    client = _client(_sergeant(a))
    url = reverse("intervention:respond", args=[flag.pk])
    missing_reason = client.post(url, {"version": flag.version, "decision": "disagree"})
    assert missing_reason.status_code == 400
    assert "Say why you disagree" in missing_reason.content.decode()
    answer = client.post(
        url,
        {
            "version": flag.version,
            "decision": "disagree",
            "reason": "Works the entertainment district on Saturday nights.",
            "disputed_factors": ["force"],
        },
    )
    assert answer.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISPUTED
    commander = _client(make_user(a.agency, [Role.COMMANDER]))
    html = commander.get(reverse("intervention:calibration")).content.decode()
    assert 'role="img"' in html
    assert "<rect" in html
    assert "How often supervisors dispute each factor" in html
    row = html.split('<th scope="row">Uses of force</th>')[1].split("</tr>")[0]
    assert "<td>1</td><td>1</td>" in row
    assert "100%" in row
    assert "<dt>Disagreed</dt><dd>1</dd>" in html


def test_agreeing_to_remedial_training_enrols_the_member(scored: Scored) -> None:
    flag = _flag(scored)
    a = scored.agency
    course = make_course(a.agency.pk)
    client = _client(_sergeant(a))
    url = reverse("intervention:respond", args=[flag.pk])
    base = {"version": flag.version, "decision": "agree", "due": DUE}
    no_course = client.post(url, {**base, "intervention": "remedial_training"})
    assert no_course.status_code == 400
    assert "Choose the course of the remedial training" in no_course.content.decode()
    assert client.post(url, {**base, "intervention": "remedial_training", "course": course.pk})
    response = SupervisorResponse.objects.get(flag=flag)
    enrolment = Enrolment.objects.get(member=scored.hot, course=course)
    assert response.enrolment == enrolment
    assert (enrolment.remedial, enrolment.cause_type, enrolment.cause_id) == (
        True,
        "early_intervention",
        str(flag.pk),
    )
    # The intervention completes with the training, not before.
    flag.refresh_from_db()
    complete = reverse("intervention:complete", args=[flag.pk])
    early = client.post(complete, {"version": flag.version})
    assert early.status_code == 400
    assert "not completed yet" in early.content.decode()
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=EnrolmentStatus.COMPLETED, completed_on=date.today()
    )
    assert client.post(complete, {"version": flag.version}).status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLOSED


def test_agreeing_needs_an_intervention_and_a_due_date(scored: Scored) -> None:
    flag = _flag(scored)
    client = _client(_sergeant(scored.agency))
    url = reverse("intervention:respond", args=[flag.pk])
    answer = client.post(url, {"version": flag.version, "decision": "agree"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Choose a supportive intervention" in html
    assert "Give the date" in html
    assert not SupervisorResponse.objects.exists()


def test_a_stale_version_is_refused_with_a_clear_message(scored: Scored) -> None:
    flag = _flag(scored)
    client = _client(_sergeant(scored.agency))
    stale = flag.version
    Flag.objects.filter(pk=flag.pk).update(version=stale + 1)  # someone else saved meanwhile
    answer = client.post(
        reverse("intervention:respond", args=[flag.pk]),
        {"version": stale, "decision": "agree", "intervention": "coaching", "due": DUE},
    )
    assert answer.status_code == 409
    assert "changed by someone else" in answer.content.decode()
    assert not SupervisorResponse.objects.exists()
    fresh = flag.version + 1
    client.post(
        reverse("intervention:respond", args=[flag.pk]),
        {"version": fresh, "decision": "agree", "intervention": "coaching", "due": DUE},
    )
    stale_complete = client.post(
        reverse("intervention:complete", args=[flag.pk]), {"version": fresh}
    )
    assert stale_complete.status_code == 409
    flag.refresh_from_db()
    assert flag.status == FlagStatus.AGREED


@pytest.mark.parametrize(
    "roles",
    [[Role.INTERNAL_AFFAIRS], list(Role)],
    ids=["internal_affairs", "internal_affairs_with_every_role"],
)
def test_internal_affairs_is_refused_every_intervention_page(
    scored: Scored, roles: list[Role]
) -> None:
    flag = _flag(scored)
    client = _client(make_user(scored.agency.agency, roles, member=scored.agency.sergeant_a1))
    for method, url in _routes(flag):
        answer = getattr(client, method)(url)
        assert answer.status_code == 403, f"{method} {url}: {answer.status_code}"
        assert scored.hot.badge not in answer.content.decode()
    assert SupervisorResponse.objects.count() == 0
    assert not Job.objects.exists()


def test_another_agencys_flag_is_not_found(scored: Scored, other_agency: SmallAgency) -> None:
    flag = _flag(scored)
    client = _client(make_user(other_agency.agency, [Role.SUPERVISOR, Role.COMMANDER]))
    assert client.get(reverse("intervention:detail", args=[flag.pk])).status_code == 404
    answer = client.post(
        reverse("intervention:respond", args=[flag.pk]),
        {"version": flag.version, "decision": "agree", "intervention": "coaching", "due": DUE},
    )
    assert answer.status_code == 404
    assert f"#{scored.hot.badge}" not in client.get(reverse("intervention:list")).content.decode()


def test_outside_the_chain_is_refused_and_the_officer_sees_only_their_own(
    scored: Scored,
) -> None:
    flag = _flag(scored)
    a = scored.agency
    detail = reverse("intervention:detail", args=[flag.pk])
    respond = reverse("intervention:respond", args=[flag.pk])
    other_sergeant = _client(make_user(a.agency, [(Role.SUPERVISOR, a.precinct_b)]))
    assert other_sergeant.get(detail).status_code == 404
    body = {"version": flag.version, "decision": "disagree", "reason": "No."}
    assert other_sergeant.post(respond, body).status_code == 404
    colleague = _client(make_user(a.agency, [Role.OFFICER], member=scored.squad[1]))
    assert colleague.get(detail).status_code == 404
    assert colleague.post(respond, body).status_code == 403
    own = _client(make_user(a.agency, [Role.OFFICER], member=scored.hot))
    page = own.get(detail)
    assert page.status_code == 200
    assert "Record my response" not in page.content.decode()
    assert own.post(respond, body).status_code == 403
    assert not SupervisorResponse.objects.exists()


def test_the_run_scoring_button_starts_a_job(
    scored: Scored, django_capture_on_commit_callbacks: object
) -> None:
    admin = make_user(scored.agency.agency, [Role.AGENCY_ADMIN])
    client = _client(admin)
    assert client.get(reverse("intervention:score")).status_code == 200
    bad = client.post(reverse("intervention:score"), {"window_days": 5, "flag_ratio": 1.3})
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        answer = client.post(
            reverse("intervention:score"),
            {"as_of": AS_OF.isoformat(), "window_days": 365, "flag_ratio": 1.3},
        )
    job = Job.objects.get(kind="intervention.score")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"members_scored": 10, "flags_created": 1, "already_flagged": 0}
    assert Flag.objects.filter(member=scored.hot).exists()
