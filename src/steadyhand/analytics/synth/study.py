"""A synthetic-control study described in JSON, run from end to end (``steadyhand analyze
synth STUDY.json``).

The JSON object has ``data`` (a long-format CSV, relative to the JSON file), ``unit``,
``time``, ``outcome``, ``treated``, ``treatment_start``, ``predictors`` (a list of
``{"column", "from", "to", "op": "mean"}``), ``special_predictors`` (a list of
``{"column", "times": [...]}``), ``fit_window`` (``[from, to]``) and optionally ``donors``.
"""

import json
from pathlib import Path
from typing import Any

from .data import Predictor, SpecialPredictor, SynthSpec, read_panel_csv
from .fit import synth_fit
from .inference import placebo_test

REQUIRED = ("data", "unit", "time", "outcome", "treated", "treatment_start")


def _study(path: Path) -> dict[str, Any]:
    try:
        study = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}).") from exc
    if not isinstance(study, dict):
        raise ValueError(f"{path}: the study must be a JSON object.")
    missing = [key for key in REQUIRED if key not in study]
    if missing:
        raise ValueError(f"{path}: missing {', '.join(missing)}.")
    return study


def study_spec(study: dict[str, Any], *, source: str = "study") -> SynthSpec:
    """Turn the JSON object into a :class:`SynthSpec`, naming the entry that is wrong."""
    try:
        predictors = tuple(
            Predictor(p["column"], float(p["from"]), float(p["to"]), p.get("op", "mean"))
            for p in study.get("predictors", [])
        )
        special = tuple(
            SpecialPredictor(s["column"], tuple(float(t) for t in s["times"]))
            for s in study.get("special_predictors", [])
        )
        window = study.get("fit_window")
        donors = study.get("donors")
        return SynthSpec(
            treated=str(study["treated"]),
            treatment_start=float(study["treatment_start"]),
            predictors=predictors,
            special_predictors=special,
            fit_window=(float(window[0]), float(window[1])) if window else None,
            donors=tuple(str(d) for d in donors) if donors else None,
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(
            f"{source}: a predictor, window or donor entry is malformed ({exc})."
        ) from exc


def run_synth_study(
    study_path: str | Path, *, placebos: bool = False, augmented: bool = False
) -> dict[str, Any]:
    """Fit the study and return ``weights``, ``gaps``, ``pre_rmspe``, ``post_rmspe`` (and
    ``placebo_p_value`` and ``placebo_ratios`` with ``placebos``; ``augmented`` with the ridge
    ASCM's gaps and penalty) as a JSON-ready dict."""
    path = Path(study_path)
    study = _study(path)
    spec = study_spec(study, source=str(path))
    columns = {p.column for p in spec.predictors} | {s.column for s in spec.special_predictors}
    panel = read_panel_csv(
        path.parent / study["data"],
        unit=study["unit"],
        time=study["time"],
        outcome=study["outcome"],
        covariates=sorted(columns - {study["outcome"]}),
    )
    fit = synth_fit(panel, spec)
    result: dict[str, Any] = fit.to_dict()
    if placebos:
        test = placebo_test(panel, spec, fit=fit)
        result["placebo_p_value"] = test.p_value
        result["placebo_ratios"] = dict(test.ratios)
    if augmented:
        from .augmented import augmented_synth

        result["augmented"] = augmented_synth(panel, fit).to_dict()
    return result
