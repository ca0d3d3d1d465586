"""Placebo inference and robustness checks for a synthetic control.

In-space placebos: Abadie, Diamond & Hainmueller (2010, sec. 4-5) and Abadie (2021, sec. 7.2).
In-time placebos and leave-one-donor-out: Abadie, Diamond & Hainmueller (2015, AJPS 59:495-510,
sec. 5).
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from .data import SynthPanel, SynthSpec, design, predictor_values
from .fit import OptimiserOptions, _fit_design, synth_fit
from .results import LeaveOneOut, PlaceboTest, SynthFit

#: Search used for each placebo refit: the default screening and local searches with a smaller
#: Nelder-Mead budget (on Proposition 99 the 38 placebo fits are as good as with the default).
#: Do not cut the screening: a weaker search fits placebos worse, shrinks their RMSPE ratios
#: and so overstates significance.
PLACEBO_OPTIONS = OptimiserOptions(max_evaluations=150)


def placebo_test(
    panel: SynthPanel,
    spec: SynthSpec,
    *,
    fit: SynthFit | None = None,
    options: OptimiserOptions | None = None,
    placebo_options: OptimiserOptions | None = None,
    max_pre_rmspe_ratio: float | None = None,
) -> PlaceboTest:
    """In-space placebo test: refit treating every donor as the treated unit.

    Each placebo's donor pool is the real donor pool minus itself; the real treated unit never
    donates. The p-value is ``(1 + #{placebos with ratio >= treated ratio}) / (1 + N)`` with
    ratio = post/pre RMSPE (pre over the fit window), i.e. the treated unit's rank from the top
    over the number of units; for California this is 1/39 ≈ 0.026 (Abadie, Diamond &
    Hainmueller 2010, sec. 5). Ties count against the treated unit.

    Parameters
    ----------
    panel, spec : SynthPanel, SynthSpec
        As for :func:`synth_fit`.
    fit : SynthFit, optional
        An existing fit of ``spec`` (saves refitting the treated unit).
    options : OptimiserOptions, optional
        Search effort for the treated unit's fit (if ``fit`` is not given).
    placebo_options : OptimiserOptions, optional
        Search effort for each placebo; defaults to :data:`PLACEBO_OPTIONS`.
    max_pre_rmspe_ratio : float, optional
        Leave out of the p-value the placebos whose pre-period RMSPE exceeds this many times the
        treated unit's (ADH 2010 use 20, 5 and 2 in fig. 5-7).

    Returns
    -------
    PlaceboTest
    """
    if max_pre_rmspe_ratio is not None and not max_pre_rmspe_ratio > 0:
        raise ValueError("max_pre_rmspe_ratio must be positive")  # before the slow part
    values = predictor_values(panel, spec)
    d = design(panel, spec, values)
    if fit is None:
        fit = _fit_design(panel, spec, d, options or OptimiserOptions(), None)
    donor_names = tuple(panel.units[j] for j in d.donors)
    popts = placebo_options or PLACEBO_OPTIONS
    placebos: dict[str, SynthFit] = {}
    for name in donor_names:
        pspec = replace(spec, treated=name, donors=tuple(u for u in donor_names if u != name))
        placebos[name] = _fit_design(panel, pspec, design(panel, pspec, values), popts, None)
    ratios = {spec.treated: fit.rmspe_ratio} | {n: f.rmspe_ratio for n, f in placebos.items()}
    unfiltered = PlaceboTest(
        treated=fit,
        placebos=MappingProxyType(placebos),
        ratios=MappingProxyType(ratios),
        p_value=float("nan"),
        excluded=(),
        max_pre_rmspe_ratio=None,
    )
    return unfiltered.excluding(max_pre_rmspe_ratio)


def in_time_placebo(
    panel: SynthPanel,
    spec: SynthSpec,
    placebo_start: float,
    *,
    placebo_spec: SynthSpec | None = None,
    options: OptimiserOptions | None = None,
) -> SynthFit:
    """Refit as if treatment had started at ``placebo_start``, before the real start.

    Only data before the real ``spec.treatment_start`` are used, so the "post-period" of the
    placebo is all pre-treatment: a large gap there signals anticipation or a poor design
    (Abadie, Diamond & Hainmueller 2015, sec. 5, fig. 4).

    By default every predictor window, special-predictor time and the fit window are moved
    back by ``spec.treatment_start - placebo_start`` (as ADH 2015 do) and cut to the data;
    predictors left without a value for some unit (e.g. a covariate not yet recorded) are
    dropped. The predictors used are the keys of the result's ``v``. Pass ``placebo_spec`` to
    choose them yourself.

    Raises
    ------
    ValueError
        If ``placebo_start`` is not strictly inside the pre-period, or no predictor survives.
    """
    times = panel.times
    pre_times = times[times < spec.treatment_start]
    if not (pre_times.size and pre_times[0] < placebo_start < spec.treatment_start):
        raise ValueError(
            f"placebo_start {placebo_start} must fall strictly inside the pre-period "
            f"(after {pre_times[0] if pre_times.size else '?'}, before {spec.treatment_start})"
        )
    rows = np.flatnonzero(times < spec.treatment_start)
    cut = SynthPanel(
        units=panel.units,
        times=panel.times[rows],
        outcome_name=panel.outcome_name,
        outcome=panel.outcome[rows],
        covariates={k: v[rows] for k, v in panel.covariates.items()},
    )
    if placebo_spec is not None:
        return synth_fit(cut, replace(placebo_spec, treatment_start=placebo_start), options=options)
    shift = spec.treatment_start - placebo_start
    first = float(pre_times[0])
    predictors = [
        replace(p, start=max(p.start - shift, first), end=p.end - shift)
        for p in spec.predictors
        if p.end - shift >= first
    ]
    specials = [
        replace(s, times=kept)
        for s in spec.special_predictors
        if (kept := tuple(t - shift for t in s.times if t - shift in set(pre_times.tolist())))
    ]
    fit_window = None
    if spec.fit_window is not None:
        lo, hi = spec.fit_window[0] - shift, spec.fit_window[1] - shift
        if hi < first:
            raise ValueError(f"the fit window moved back by {shift} ends before the data start")
        fit_window = (max(lo, first), hi)
    pspec = replace(
        spec,
        treatment_start=placebo_start,
        predictors=tuple(predictors),
        special_predictors=tuple(specials),
        fit_window=fit_window,
    )
    # Drop predictors with no value for some unit of the design.
    values = predictor_values(cut, pspec)
    d_units = [cut.unit_index(spec.treated)] + [
        j
        for j in range(len(cut.units))
        if cut.units[j] != spec.treated and (spec.donors is None or cut.units[j] in spec.donors)
    ]
    ok: NDArray[np.bool_] = np.asarray(np.isfinite(values[:, d_units]).all(axis=1))
    n_p = len(predictors)
    pspec = replace(
        pspec,
        predictors=tuple(p for p, good in zip(predictors, ok[:n_p], strict=True) if good),
        special_predictors=tuple(s for s, good in zip(specials, ok[n_p:], strict=True) if good),
    )
    if not ok.any():
        raise ValueError(f"no predictor has data when moved back to placebo_start {placebo_start}")
    return synth_fit(cut, pspec, options=options)


def leave_one_out(
    panel: SynthPanel,
    spec: SynthSpec,
    *,
    fit: SynthFit | None = None,
    options: OptimiserOptions | None = None,
    min_weight: float = 1e-6,
) -> LeaveOneOut:
    """Refit once without each donor that has weight above ``min_weight`` (ADH 2015, fig. 5).

    Returns
    -------
    LeaveOneOut
        The full fit and, for each such donor, the fit without it.
    """
    if fit is None:
        fit = synth_fit(panel, spec, options=options)
    pool = tuple(fit.weights)
    without: dict[str, SynthFit] = {}
    for name, weight in fit.weights.items():
        if weight <= min_weight:
            continue
        rest = tuple(u for u in pool if u != name)
        if not rest:
            continue
        without[name] = synth_fit(panel, replace(spec, donors=rest), options=options)
    return LeaveOneOut(full=fit, without=MappingProxyType(without))
