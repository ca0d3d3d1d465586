"""Synthetic-control studies from an uploaded CSV to the stored result and its page."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from steadyhand.access.roles import Role
from steadyhand.core.errors import InvalidInput, NotFound, PermissionDenied
from steadyhand.core.testing import SmallAgency, actor_of, make_user
from steadyhand.evaluations import synth_services
from steadyhand.evaluations.models import EvaluationStatus, SynthStudy
from steadyhand.evaluations.selectors import synth_study_get_visible

pytestmark = pytest.mark.django_db


def _csv(effect: float = -3.0) -> bytes:
    """Eight peers and "Our PD" over 2010-2024 on a shared factor; ours falls by ``effect``
    from 2020."""
    rng = np.random.default_rng(9)
    factor = np.cumsum(rng.normal(0, 1, 15)) + 20
    lines = ["agency,year,force_rate"]
    loadings = {f"Peer {k}": w for k, w in enumerate(np.linspace(0.6, 1.4, 8))}
    loadings["Our PD"] = 1.0
    for name, b in loadings.items():
        for i, year in enumerate(range(2010, 2025)):
            value = 5 + b * factor[i] + rng.normal(0, 0.2)
            if name == "Our PD" and year >= 2020:
                value += effect
            lines.append(f"{name},{year},{value:.4f}")
    return ("\n".join(lines) + "\n").encode()


def _request(sa: SmallAgency, captured, content: bytes | None = None, **kw) -> SynthStudy:  # type: ignore[no-untyped-def]
    actor = actor_of(make_user(sa.agency, [Role.ANALYST]))
    options = dict(
        title="Against peer agencies", file_name="peers.csv", content=content or _csv(),
        unit_column="agency", time_column="year", outcome_column="force_rate",
        treated="Our PD", treatment_start=2020, fit_from=2010, fit_to=2019,
    )  # fmt: skip
    with captured(execute=True):
        study = synth_services.synth_study_request(actor=actor, **{**options, **kw})
    return SynthStudy.objects.get(pk=study.pk)


def test_a_study_finds_the_planted_fall_ranks_it_among_placebos_and_shows_it(
    small_agency: SmallAgency,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    study = _request(small_agency, django_capture_on_commit_callbacks)
    assert study.status == EvaluationStatus.DONE, study.failure
    gaps = dict(zip(study.result["times"], study.result["gaps"], strict=True))
    assert gaps[2022] == pytest.approx(-3.0, abs=1.0)
    assert study.result["fit"]["pre_rmspe"] < 0.5
    assert len(study.result["placebo_gaps"]) == 8
    assert study.result["placebo_p_value"] == pytest.approx(1 / 9)
    assert study.code_version
    # The page: the gap among its placebos, the weights, the table (an auditor may read it).
    client = Client()
    client.force_login(make_user(small_agency.agency, [Role.AUDITOR]))
    body = client.get(reverse("evaluations:synth_detail", args=[study.pk])).content.decode()
    assert f'id="synth-gap-{study.pk}' in body
    assert "Placebo p-value" in body
    assert "Peer " in body


def test_an_unknown_treated_unit_fails_with_the_file_and_column(
    small_agency: SmallAgency,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    study = _request(small_agency, django_capture_on_commit_callbacks, treated="Their PD")
    assert study.status == EvaluationStatus.FAILED
    assert study.failure == "peers.csv: no unit called 'Their PD' in column agency."


def test_a_missing_column_names_the_file_not_a_temporary_path(
    small_agency: SmallAgency,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    study = _request(small_agency, django_capture_on_commit_callbacks, outcome_column="rate")
    assert study.status == EvaluationStatus.FAILED
    assert "peers.csv" in study.failure
    assert "/tmp" not in study.failure


def test_a_fit_window_after_the_start_is_refused(
    small_agency: SmallAgency,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _request(small_agency, django_capture_on_commit_callbacks, fit_to=2021)
    assert "fit_to" in refused.value.errors
    assert not SynthStudy.objects.exists()


def test_only_analysts_run_and_other_agencies_see_nothing(
    small_agency: SmallAgency,
    other_agency: SmallAgency,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    commander = actor_of(make_user(small_agency.agency, [Role.COMMANDER]))
    with pytest.raises(PermissionDenied):
        synth_services.synth_study_request(
            actor=commander, title="x", file_name="p.csv", content=_csv(), unit_column="agency",
            time_column="year", outcome_column="force_rate", treated="Our PD",
            treatment_start=2020, fit_from=2010, fit_to=2019,
        )  # fmt: skip
    # (A study that fails at once is enough to test who may see it.)
    study = _request(small_agency, django_capture_on_commit_callbacks, treated="Their PD")
    outsider = actor_of(make_user(other_agency.agency, [Role.ANALYST]))
    with pytest.raises(NotFound):
        synth_study_get_visible(actor=outsider, study_id=study.pk)


def test_the_upload_form_starts_a_study(
    client,
    small_agency: SmallAgency,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client.force_login(make_user(small_agency.agency, [Role.ANALYST]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evaluations:synth_request"),
            {"title": "Peers", "file": SimpleUploadedFile("peers.csv", _csv()),
             "unit_column": "agency", "time_column": "year", "outcome_column": "force_rate",
             "treated": "Our PD", "treatment_start": 2020, "fit_from": 2010, "fit_to": 2019},
        )  # fmt: skip
    study = SynthStudy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:synth_detail", args=[study.pk])
    assert study.status == EvaluationStatus.DONE
