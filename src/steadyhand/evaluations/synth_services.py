"""Synthetic-control studies: the agency against a weighted blend of peer agencies.

The analyst uploads every agency's outcome by period (one CSV, long format) and names this
agency's row label and the first treated period. The fit uses the outcome in every period of the
fit window as its predictors (the outcome-only specification, Abadie 2021, sec. 4), then runs
in-space placebos for the p-value and the ridge augmentation as a check on the fit.
"""

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

import steadyhand
from steadyhand.access.actor import Actor
from steadyhand.access.policy import ensure
from steadyhand.analytics.synth import (
    SpecialPredictor,
    SynthSpec,
    placebo_test,
    read_panel_csv,
    synth_fit,
)
from steadyhand.analytics.synth.augmented import augmented_synth
from steadyhand.audit.services import audit_record
from steadyhand.core.errors import InvalidInput, NotFound
from steadyhand.evaluations.models import EvaluationStatus, SynthStudy
from steadyhand.jobs.services import ProgressCallback, job_create

MAX_BYTES = 20 * 2**20


def synth_study_request(
    *,
    actor: Actor,
    title: str,
    file_name: str,
    content: bytes,
    unit_column: str,
    time_column: str,
    outcome_column: str,
    treated: str,
    treatment_start: float,
    fit_from: float,
    fit_to: float,
) -> SynthStudy:
    """Store the upload and the specification, and queue the fit."""
    ensure(actor, "evaluation.run")
    errors: dict[str, list[str]] = {}
    if not content:
        errors["file"] = [f"{file_name} is empty."]
    elif len(content) > MAX_BYTES:
        errors["file"] = [f"{file_name} is larger than {MAX_BYTES // 2**20} MiB."]
    if not fit_from < fit_to < treatment_start:
        errors["fit_to"] = [
            "The fit window must end before the first treated period and start before it ends."
        ]
    if not title.strip():
        errors["title"] = ["Give the study a title."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        study = SynthStudy.objects.create(
            agency_id=actor.agency_id,
            title=title.strip(),
            file_name=file_name,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            unit_column=unit_column,
            time_column=time_column,
            outcome_column=outcome_column,
            treated=treated,
            treatment_start=treatment_start,
            fit_from=fit_from,
            fit_to=fit_to,
            created_by_id=actor.user_id,
        )
        study.job = job_create(
            actor=actor,
            kind="evaluation.synth",
            title=f"Synthetic control: {study.title}",
            params={"synth_study_id": study.pk},
            total=3,
        )
        study.save(update_fields=["job"])
        audit_record(
            actor=actor,
            action="synth_study.request",
            obj=study,
            changes={"file": file_name, "sha256": study.sha256, "treated": treated,
                     "treatment_start": treatment_start, "fit": [fit_from, fit_to]},
        )  # fmt: skip
        study_id, job_id = study.pk, study.job.pk
        transaction.on_commit(lambda: _enqueue(study_id, job_id))
    return study


def _enqueue(study_id: int, job_id: int) -> None:
    from steadyhand.evaluations.tasks import synth_study_task

    synth_study_task.enqueue(study_id, job_id)


def _fit(study: SynthStudy, progress: ProgressCallback) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "panel.csv"
        path.write_bytes(bytes(study.content))
        try:
            panel = read_panel_csv(
                path, unit=study.unit_column, time=study.time_column, outcome=study.outcome_column
            )
        except ValueError as exc:
            raise ValueError(str(exc).replace(str(path), study.file_name)) from None
    if study.treated not in panel.units:
        raise ValueError(
            f"{study.file_name}: no unit called {study.treated!r} in column {study.unit_column}."
        )
    fit_times = tuple(float(t) for t in panel.times if study.fit_from <= t <= study.fit_to)
    spec = SynthSpec(
        treated=study.treated,
        treatment_start=study.treatment_start,
        special_predictors=tuple(SpecialPredictor(panel.outcome_name, (t,)) for t in fit_times),
        fit_window=(study.fit_from, study.fit_to),
    )
    progress(0, 3, "Fitting the synthetic control")
    fit = synth_fit(panel, spec)
    progress(1, 3, f"Placebos: refitting each of {len(fit.weights)} peers as if treated")
    test = placebo_test(panel, spec, fit=fit)
    progress(2, 3, "Augmenting (ridge bias correction)")
    augmented = augmented_synth(panel, fit)
    times = [float(t) for t in panel.times]
    return {
        "fit": fit.to_dict(),
        "times": times,
        "treated_outcome": [float(v) for v in fit.treated_outcome],
        "synthetic_outcome": [float(v) for v in fit.synthetic_outcome],
        "gaps": [float(v) for v in fit.gap_values],
        "placebo_gaps": {
            name: [float(v) for v in p.gap_values] for name, p in test.placebos.items()
        },
        "placebo_p_value": test.p_value,
        "placebo_ratios": dict(test.ratios),
        "augmented": augmented.to_dict(),
        "augmented_gaps": [float(v) for v in augmented.gap_values],
    }


def synth_study_run(*, actor: Actor, study: SynthStudy, progress: ProgressCallback) -> SynthStudy:
    ensure(actor, "evaluation.run", study)
    if study.status != EvaluationStatus.QUEUED:
        raise InvalidInput({"status": [f"Study #{study.pk} has already run."]})
    try:
        result, status, failure = _fit(study, progress), EvaluationStatus.DONE, ""
    except ValueError as exc:
        result, status, failure = {}, EvaluationStatus.FAILED, str(exc)
    with transaction.atomic():
        locked = SynthStudy.objects.select_for_update().filter(pk=study.pk).first()
        if locked is None:
            raise NotFound(f"No study {study.pk}.")
        locked.status, locked.result, locked.failure = status, result, failure
        locked.code_version = steadyhand.__version__
        locked.finished_at = timezone.now()
        locked.save()
        audit_record(actor=actor, action="synth_study.finish", obj=locked,
                     changes={"status": status, "failure": failure})  # fmt: skip
    return locked
