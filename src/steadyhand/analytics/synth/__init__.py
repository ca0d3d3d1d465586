"""Synthetic control (Abadie, Diamond & Hainmueller 2010; Abadie 2021).

Typical use::

    panel = read_panel_csv("smoking.csv", unit="state", time="year", outcome="cigsale")
    spec = SynthSpec(
        treated="California",
        treatment_start=1989,
        predictors=(Predictor("retprice", 1980, 1988),),
        special_predictors=(SpecialPredictor("cigsale", (1975,)),),
        fit_window=(1970, 1988),
    )
    fit = synth_fit(panel, spec)            # weights, V, gaps, RMSPEs, balance
    test = placebo_test(panel, spec, fit=fit)   # in-space placebos, p-value

Modules: :mod:`.data` (validated panel and specification), :mod:`.fit` (nested optimisation),
:mod:`.inference` (placebos, leave-one-out), :mod:`.results` (immutable results).
"""

from .data import Predictor, SpecialPredictor, SynthPanel, SynthSpec, read_panel_csv
from .fit import OptimiserOptions, simplex_weights, synth_fit, synth_from_weights
from .inference import PLACEBO_OPTIONS, in_time_placebo, leave_one_out, placebo_test
from .results import BalanceRow, LeaveOneOut, PlaceboTest, SynthFit

__all__ = [
    "PLACEBO_OPTIONS",
    "BalanceRow",
    "LeaveOneOut",
    "OptimiserOptions",
    "PlaceboTest",
    "Predictor",
    "SpecialPredictor",
    "SynthFit",
    "SynthPanel",
    "SynthSpec",
    "in_time_placebo",
    "leave_one_out",
    "placebo_test",
    "read_panel_csv",
    "simplex_weights",
    "synth_fit",
    "synth_from_weights",
]
