"""Evaluations from the request to the stored result, on data with a planted effect."""

import pytest
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.audit.models import AuditEvent
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.evaluations import services
from steadyhand.evaluations.estimate import PRE_WAVE_MONTHS_SHOWN
from steadyhand.evaluations.models import Evaluation, EvaluationStatus
from steadyhand.evaluations.panels import build_panel, month_index
from steadyhand.evaluations.selectors import evaluation_get_visible
from steadyhand.evaluations.summary import headline
from steadyhand.evaluations.tests.factories import (
    FIRST_DATA_MONTH,
    LAST_DATA_MONTH,
    PlantedRollout,
    planted_rollout,
)
from steadyhand.jobs.models import JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(small_agency: SmallAgency) -> PlantedRollout:
    return planted_rollout(small_agency)


def _request(sa: SmallAgency, planted: PlantedRollout, captured, **kw) -> Evaluation:  # type: ignore[no-untyped-def]
    actor = actor_of(make_user(sa.agency, [Role.ANALYST]))
    options = {
        "outcome": "force",
        "unit_of_analysis": "squad",
        "method": "efficient",
        "pre_months": 12,
        "last_month": month_index(LAST_DATA_MONTH),
        "fisher": 99,
        **kw,
    }
    with captured(execute=True):
        evaluation = services.evaluation_request(actor=actor, plan=planted.plan, **options)
    return Evaluation.objects.get(pk=evaluation.pk)


def test_the_panel_counts_every_incident_in_its_squad_and_month(
    small_agency: SmallAgency, planted: PlantedRollout
) -> None:
    panel = build_panel(
        plan=planted.plan,
        outcome="force",
        unit_of_analysis="squad",
        first_month=month_index(FIRST_DATA_MONTH),
        last_month=month_index(LAST_DATA_MONTH),
    )
    assert panel.counts.shape == (16, 24)
    assert int(panel.counts.sum()) == planted.incidents
    assert sorted(set(panel.first_treated.tolist())) == [
        month_index(FIRST_DATA_MONTH) + 12 + 3 * k for k in range(4)
    ]
    assert (
        panel.input_hash()
        == build_panel(
            plan=planted.plan,
            outcome="force",
            unit_of_analysis="squad",
            first_month=month_index(FIRST_DATA_MONTH),
            last_month=month_index(LAST_DATA_MONTH),
        ).input_hash()
    )


@pytest.mark.parametrize("method", ["efficient", "cs"])
def test_an_evaluation_recovers_the_planted_effect(
    small_agency: SmallAgency,
    planted: PlantedRollout,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    method: str,
) -> None:
    evaluation = _request(small_agency, planted, django_capture_on_commit_callbacks, method=method)
    assert evaluation.status == EvaluationStatus.DONE, evaluation.failure
    assert evaluation.job is not None
    assert evaluation.job.status == JobStatus.SUCCEEDED
    overall = evaluation.result["overall"]
    planted_percent = (planted.effect - 1) * 100  # -40%
    assert overall["percent_lower"] < planted_percent < overall["percent_upper"]
    assert overall["estimate"] < 0
    # Four quarterly waves in 2025, data to December: event times 0..8 are identified.
    # (Callaway & Sant'Anna adds the pre-wave months, a check of parallel trends.)
    event_times = [r["event_time"] for r in evaluation.result["event_study"]]
    assert set(range(9)) <= set(event_times)
    assert min(event_times) >= -PRE_WAVE_MONTHS_SHOWN
    assert evaluation.input_hash
    assert evaluation.code_version
    if method == "efficient":
        # With 16 squads only the efficient estimator is precise enough to exclude no change
        # (its standard error here is about a quarter of Callaway & Sant'Anna's).
        assert overall["upper"] < 0
        assert overall["fisher_p_value"] <= 0.05
    actions = set(
        AuditEvent.objects.filter(object_id=str(evaluation.pk)).values_list("action", flat=True)
    )
    assert {"evaluation.request", "evaluation.finish"} <= actions


def test_a_rerun_on_the_same_data_reproduces_the_result(
    small_agency: SmallAgency,
    planted: PlantedRollout,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    first = _request(small_agency, planted, django_capture_on_commit_callbacks)
    actor = actor_of(make_user(small_agency.agency, [Role.ANALYST]))
    with django_capture_on_commit_callbacks(execute=True):
        again = services.evaluation_rerun(actor=actor, evaluation=first)
    again.refresh_from_db()
    assert again.pk != first.pk
    assert again.input_hash == first.input_hash
    assert again.result == first.result


def test_the_efficient_estimator_is_refused_for_a_plan_that_was_not_randomized(
    small_agency: SmallAgency,
    planted: PlantedRollout,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    type(planted.plan).objects.filter(pk=planted.plan.pk).update(randomized=False)
    planted.plan.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        _request(small_agency, planted, django_capture_on_commit_callbacks)
    assert "randomized" in str(refused.value.errors["method"])
    assert not Evaluation.objects.exists()


def test_data_that_cannot_be_estimated_fails_with_the_reason(
    small_agency: SmallAgency,
    planted: PlantedRollout,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    # A window that ends before any wave: nobody is ever treated.
    evaluation = _request(
        small_agency,
        planted,
        django_capture_on_commit_callbacks,
        last_month=month_index(FIRST_DATA_MONTH) + 6,
    )
    assert evaluation.status == EvaluationStatus.FAILED
    assert evaluation.failure


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.SUPERVISOR, Role.INTERNAL_AFFAIRS, Role.AGENCY_ADMIN]
)
def test_roles_without_evaluation_run_are_refused(
    small_agency: SmallAgency, planted: PlantedRollout, role: Role
) -> None:
    from steadyhand.core.errors import PermissionDenied

    actor = actor_of(make_user(small_agency.agency, [role]))
    with pytest.raises(PermissionDenied):
        services.evaluation_request(
            actor=actor, plan=planted.plan, outcome="force", unit_of_analysis="squad", method="cs"
        )


def test_another_agency_cannot_see_an_evaluation(
    small_agency: SmallAgency,
    other_agency: SmallAgency,
    planted: PlantedRollout,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    evaluation = _request(small_agency, planted, django_capture_on_commit_callbacks)
    outsider = actor_of(make_user(other_agency.agency, [Role.ANALYST]))
    with pytest.raises(NotFound):
        evaluation_get_visible(actor=outsider, evaluation_id=evaluation.pk)


def test_the_page_shows_the_headline_charts_and_tables(
    client,
    small_agency: SmallAgency,
    planted: PlantedRollout,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    evaluation = _request(small_agency, planted, django_capture_on_commit_callbacks)
    viewer = make_user(small_agency.agency, [Role.COMMANDER])
    client.force_login(viewer)
    page = client.get(reverse("evaluations:detail", args=[evaluation.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "fewer incidents with force" in body
    assert 'id="event-study-' in body
    assert 'id="trend-' in body
    assert "What this does not show" in body
    assert evaluation.input_hash in body
    # A commander may read but not run evaluations: no re-run button.
    assert reverse("evaluations:rerun", args=[evaluation.pk]) not in body


def test_an_analyst_requests_an_evaluation_from_the_page(
    client,
    small_agency: SmallAgency,
    planted: PlantedRollout,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client.force_login(make_user(small_agency.agency, [Role.ANALYST]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evaluations:request"),
            {
                "plan": planted.plan.pk,
                "outcome": "force",
                "unit_of_analysis": "squad",
                "method": "cs",
                "pre_months": 12,
                "fisher": 0,
            },
        )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert response["Location"] == reverse("evaluations:detail", args=[evaluation.pk])
    assert evaluation.status in (EvaluationStatus.DONE, EvaluationStatus.FAILED)


def test_a_bad_request_names_the_field(
    client, small_agency: SmallAgency, planted: PlantedRollout
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(small_agency.agency, [Role.ANALYST]))
    response = client.post(
        reverse("evaluations:request"),
        {"plan": planted.plan.pk, "outcome": "force", "unit_of_analysis": "squad",
         "method": "efficient", "pre_months": 0, "fisher": 10},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Months of data before the first wave" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_an_interrupted_time_series_of_the_whole_agency(
    small_agency: SmallAgency,
    planted: PlantedRollout,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    # Waves start in 2025 and the data begin in 2024: 12 months before, Fourier seasons.
    evaluation = _request(
        small_agency, planted, django_capture_on_commit_callbacks, method="its", fisher=0
    )
    assert evaluation.status == EvaluationStatus.DONE, evaluation.failure
    overall = evaluation.result["overall"]
    assert overall["seasonality"] == "fourier"
    assert overall["percent"] < 0
    assert len(evaluation.result["series"]) == 24
    assert sum(r["observed"] for r in evaluation.result["series"]) == planted.incidents
    assert "no comparison group" in headline(evaluation)


def test_an_interrupted_time_series_needs_a_year_before(
    small_agency: SmallAgency,
    planted: PlantedRollout,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _request(small_agency, planted, django_capture_on_commit_callbacks, method="its",
                 pre_months=6)  # fmt: skip
    assert "12 months" in str(refused.value.errors["pre_months"])


def test_months_before_the_first_record_are_not_counted_as_zeros(
    small_agency: SmallAgency,
    planted: PlantedRollout,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    # Asking for 18 months before the first wave when the records start 12 months before it:
    # the panel starts with the records (a six-month run of zeros would look like a rise).
    evaluation = _request(
        small_agency, planted, django_capture_on_commit_callbacks, method="cs", pre_months=18
    )
    assert evaluation.result["first_month"] == "2024-01"
    assert evaluation.result["n_months"] == 24
