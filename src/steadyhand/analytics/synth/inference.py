"""Placebo inference and robustness checks for a synthetic control.

In-space placebos: Abadie, Diamond & Hainmueller (2010, sec. 4-5) and Abadie (2021, sec. 7.2).
In-time placebos and leave-one-donor-out: Abadie, Diamond & Hainmueller (2015, AJPS 59:495-510,
sec. 5).
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np

from .data import SynthPanel, SynthSpec, design, predictor_values
from .fit import OptimiserOptions, _fit_design, synth_fit
from .results import LeaveOneOut, PlaceboTest, SynthFit

#: Lighter search used for each placebo refit: it reaches the same optimum on the published
#: examples, and placebos only need each unit's fit to be good, not certified.
PLACEBO_OPTIONS = OptimiserOptions(n_screen=100, n_local=2, max_evaluations=150)


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
        raise ValueError("max_pre_rmspe_ratio must be positive")
    values = predictor_values(panel, spec)
    d = design(panel, spec, values)
    if fit is None:
        fit = _fit_design(panel, spec, d, options or OptimiserOptions(), None)
    donor_names = tuple(panel.units[j] for j in d.donors)
    popts = placebo_options or PLACEBO_OPTIONS
    placebos: dict[str, SynthFit] = {}
    for name in donor_names:
        pspec = replace(
            spec, treated=name, donors=tuple(u for u in donor_names if u != name)
        )
        placebos[name] = _fit_design(panel, pspec, design(panel, pspec, values), popts, None)
    ratios = {spec.treated: fit.rmspe_ratio} | {n: f.rmspe_ratio for n, f in placebos.items()}
    excluded: tuple[str, ...] = ()
    if max_pre_rmspe_ratio is not None:
        limit = max_pre_rmspe_ratio * fit.pre_rmspe
        excluded = tuple(n for n, f in placebos.items() if f.pre_rmspe > limit)
    kept = [ratios[n] for n in donor_names if n not in excluded]
    treated_ratio = ratios[spec.treated]
    p = (1 + sum(r >= treated_ratio for r in kept)) / (1 + len(kept))
    return PlaceboTest(
        treated=fit,
        placebos=MappingProxyType(placebos),
        ratios=MappingProxyType(ratios),
        p_value=float(p),
        excluded=excluded,
        max_pre_rmspe_ratio=max_pre_rmspe_ratio,
    )


def in_time_placebo(
    panel: SynthPanel,
    spec: SynthSpec,
    placebo_start: float,
    *,
    options: OptimiserOptions | None = None,
) -> SynthFit:
    """Refit as if treatment had started at ``placebo_start``, before the real start.

    Only data before the real ``spec.treatment_start`` are used. Predictor windows, special
    predictor times and the fit window are cut to times before ``placebo_start``; a predictor
    left with no time is dropped. A large gap between ``placebo_start`` and the real start
    signals anticipation or a poor design (ADH 2015, fig. 4).

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
    keep = times < spec.treatment_start
    rows = np.nonzero(keep)[0]
    cut = SynthPanel(
        units=panel.units,
        times=panel.times[rows],
        outcome_name=panel.outcome_name,
        outcome=panel.outcome[rows],
        covariates={k: v[rows] for k, v in panel.covariates.items()},
    )
    last = float(pre_times[pre_times < placebo_start][-1])
    predictors = tuple(
        replace(p, end=min(p.end, last)) for p in spec.predictors if p.start <= last
    )
    specials = tuple(
        replace(s, times=tuple(t for t in s.times if t < placebo_start))
        for s in spec.special_predictors
        if any(t < placebo_start for t in s.times)
    )
    if not predictors and not specials:
        raise ValueError(f"no predictor has data before placebo_start {placebo_start}")
    fit_window = None
    if spec.fit_window is not None:
        lo = spec.fit_window[0]
        if lo > last:
            raise ValueError(f"the fit window starts after placebo_start {placebo_start}")
        fit_window = (lo, min(spec.fit_window[1], last))
    pspec = replace(
        spec,
        treatment_start=placebo_start,
        predictors=predictors,
        special_predictors=specials,
        fit_window=fit_window,
    )
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
