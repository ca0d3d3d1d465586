"""Every public function of steadyhand.analytics fed hostile arrays and panels (NaN, ±inf, empty,
one unit, constant outcomes, huge values, mismatched lengths): it returns a result or raises a
documented error (ValueError or a project error), never ZeroDivisionError, IndexError, KeyError,
TypeError or numpy's LinAlgError leaking, and never hangs.

``CASES`` registers a strategy for every public function; a new public function without one
fails ``test_every_public_function_has_a_strategy``, so new functions are covered.
"""

import csv
import importlib
import inspect
import json
import pkgutil
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import steadyhand.analytics
from steadyhand.core.errors import SteadyhandError
from tests.hostile.support import assert_clear

A = "steadyhand.analytics."
# The CSV and study files the file-reading functions get; removed when the module is unloaded.
_FILES = tempfile.TemporaryDirectory(prefix="hostile-analytics-")
SECONDS = 20  # per call: a hang is a failure, not a slow test

floats = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 1e308, -1e308, 5e-324]),
)
counts = st.one_of(st.integers(0, 50), st.sampled_from([-1, 10**12]))


def public_functions() -> list[str]:
    found = []
    for info in pkgutil.walk_packages(steadyhand.analytics.__path__, A):
        if ".tests" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                found.append(f"{module.__name__.removeprefix(A)}.{name}")
    return sorted(found)


def fn(path: str) -> Callable[..., Any]:
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(A + module), name)  # type: ignore[no-any-return]


# --- hostile inputs ----------------------------------------------------------------------------


@st.composite
def long_panel(draw: Any) -> dict[str, list[Any]]:
    """Long rows (unit, period, outcome, cohort): 0-5 units × 0-6 periods, hostile values,
    sometimes a row missing (unbalanced) or a column one short (mismatched lengths)."""
    n_units = draw(st.integers(0, 5))
    periods = list(range(draw(st.integers(0, 6))))
    constant = draw(st.booleans())
    value = draw(floats)
    cohorts = st.one_of(st.sampled_from(periods or [0]), st.sampled_from([0, np.inf, np.nan, 99]))
    rows: dict[str, list[Any]] = {"unit": [], "time": [], "outcome": [], "cohort": []}
    for u in range(n_units):
        cohort = draw(cohorts)
        for t in periods:
            rows["unit"].append(f"u{u}")
            rows["time"].append(t)
            rows["outcome"].append(value if constant else draw(floats))
            rows["cohort"].append(cohort)
    if rows["unit"] and draw(st.integers(0, 4)) == 0:
        drop = draw(st.integers(0, len(rows["unit"]) - 1))
        for column in rows.values():
            del column[drop]
    if rows["unit"] and draw(st.integers(0, 6)) == 0:
        rows[draw(st.sampled_from(sorted(rows)))].pop()
    return rows


def staggered_panel(rows: dict[str, list[Any]]) -> Any:
    from steadyhand.analytics.staggered.panel import StaggeredPanel

    return StaggeredPanel.from_long(**rows)


def rollout_panel(rows: dict[str, list[Any]]) -> Any:
    from steadyhand.analytics.efficient.panel import RolloutPanel

    return RolloutPanel.from_long(rows["unit"], rows["time"], rows["outcome"], rows["cohort"])


def synth_panel(rows: dict[str, list[Any]]) -> Any:
    from steadyhand.analytics.synth.data import SynthPanel

    return SynthPanel.from_long(
        unit=rows["unit"],
        time=rows["time"],
        outcome=rows["outcome"],
        covariates={"x": rows["cohort"]},
    )


def synth_spec(d: Any) -> Any:
    from steadyhand.analytics.synth.data import Predictor, SynthSpec

    start = d.draw(st.sampled_from([0.0, 2.0, 3.0, 5.0, 100.0, np.nan]))
    predictors = d.draw(
        st.sampled_from(
            [
                (),
                (Predictor("outcome", 0.0, 2.0),),
                (Predictor("x", 0.0, 1.0, "mean"),),
                (Predictor("nope", 0.0, 1.0),),
            ]
        )
    )
    return SynthSpec(
        treated=d.draw(st.sampled_from(["u0", "u1", "zz"])),
        treatment_start=start,
        predictors=predictors,
    )


def synth_options() -> Any:
    from steadyhand.analytics.synth.fit import OptimiserOptions

    return OptimiserOptions(n_screen=20, n_local=1, max_evaluations=40)


def csv_file(rows: dict[str, list[Any]], extra: dict[str, list[Any]] | None = None) -> str:
    columns = {**rows, **(extra or {})}
    n = max((len(v) for v in columns.values()), default=0)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        "w", suffix=".csv", dir=_FILES.name, delete=False, newline=""
    )
    with handle:
        writer = csv.writer(handle)
        writer.writerow(list(columns))
        for i in range(n):
            writer.writerow([v[i] if i < len(v) else "" for v in columns.values()])
    return handle.name


def member_periods(d: Any) -> Any:
    from steadyhand.analytics.early_warning.data import MemberPeriods

    n = d.draw(st.integers(0, 8))
    short = d.draw(st.integers(0, 6)) == 0
    return MemberPeriods.from_arrays(
        member=[f"m{d.draw(st.integers(0, 3))}" for _ in range(n)],
        period=[d.draw(st.integers(-1, 3)) for _ in range(n)],
        peer_group=[d.draw(st.sampled_from(["g1", "g2", ""])) for _ in range(n - short)],
        exposure=[d.draw(floats) for _ in range(n)],
        events={
            k: [d.draw(counts) for _ in range(n)]
            for k in d.draw(st.sampled_from([(), ("force",), ("force", "complaint")]))
        },
    )


def co_attendance(d: Any) -> Any:
    from steadyhand.analytics.early_warning.data import CoAttendance

    n = d.draw(st.integers(0, 8))
    return CoAttendance.from_arrays(
        incident=[f"i{d.draw(st.integers(0, 3))}" for _ in range(n)],
        member=[f"m{d.draw(st.integers(0, 3))}" for _ in range(n)],
        escalated=[d.draw(st.booleans()) for _ in range(n - (d.draw(st.integers(0, 6)) == 0))],
    )


def array(d: Any, *, shape: Any = None, dtype: Any = float) -> Any:
    if shape is None:
        shape = (d.draw(st.integers(0, 5)),)
    size = int(np.prod(shape))
    if dtype is float:
        return np.array([d.draw(floats) for _ in range(size)], dtype=float).reshape(shape)
    return np.array([d.draw(st.integers(-1, 6)) for _ in range(size)], dtype=dtype).reshape(shape)


def matrix(d: Any) -> Any:
    return array(d, shape=(d.draw(st.integers(0, 4)), d.draw(st.integers(0, 4))))


def estimand(d: Any) -> str:
    return d.draw(st.sampled_from(["simple", "cohort", "calendar", "eventstudy", "nope"]))


def event_times(d: Any) -> Any:
    return d.draw(st.sampled_from([None, (-2, 2), (0, 0), (3, -3), (-100, 100)]))


def cs_fit(d: Any) -> Any:
    from steadyhand.analytics.staggered.callaway_santanna import fit_group_time

    return fit_group_time(
        staggered_panel(d.draw(long_panel())),
        control=d.draw(st.sampled_from(["never", "notyet", "x"])),
    )


def synth_fit(d: Any) -> tuple[Any, Any, Any]:
    from steadyhand.analytics.synth.fit import synth_fit as fit

    panel = synth_panel(d.draw(long_panel()))
    spec = synth_spec(d)
    return panel, spec, fit(panel, spec, options=synth_options())


def gamma_prior(d: Any) -> Any:
    from steadyhand.analytics.early_warning.shrinkage import fit_gamma_prior

    n = d.draw(st.integers(0, 6))
    return fit_gamma_prior(array(d, shape=(n,)), array(d, shape=(n,)))


# --- one strategy per public function: (data) -> a call to make ------------------------------

Case = Callable[[Any], Callable[[], Any]]


def c(path: str, *args: Callable[[Any], Any], **kwargs: Callable[[Any], Any]) -> Case:
    """A case calling ``path`` with each argument drawn by its builder."""

    def build(d: Any) -> Callable[[], Any]:
        def call() -> Any:
            a = [make(d) for make in args]
            k = {key: make(d) for key, make in kwargs.items()}
            return fn(path)(*a, **k)

        return call

    return build


def draw(strategy: Any) -> Callable[[Any], Any]:
    return lambda d: d.draw(strategy)


groups = st.sampled_from(["white", "black", "asian", ""])
panel_rows = draw(long_panel())


def _csv_rows(d: Any) -> str:
    return csv_file(d.draw(long_panel()), {"weight": [d.draw(floats) for _ in range(3)]})


CASES: dict[str, Case] = {
    "disparity.disparity": c(
        "disparity.disparity",
        draw(st.dictionaries(groups, counts, max_size=4)),
        draw(st.dictionaries(groups, floats, max_size=4)),
        benchmark_name=draw(st.just("population")),
        benchmark_kind=draw(st.sampled_from(["population", "encounters"])),
        reference=draw(groups),
        per=draw(floats),
        level=draw(st.sampled_from([0.95, 0.0, 1.0, np.nan])),
    ),
    "early_warning.data.peer_key": c(
        "early_warning.data.peer_key", draw(st.text()), draw(st.text()), draw(st.text())
    ),
    "early_warning.data.weighted_counts": c(
        "early_warning.data.weighted_counts",
        lambda d: array(d, shape=(3,), dtype=np.int64),
        weights=lambda d: array(d, shape=(d.draw(st.sampled_from([3, 2])),)),
        minlength=draw(st.integers(-1, 5)),
    ),
    "early_warning.feedback.recalibrate": c(
        "early_warning.feedback.recalibrate",
        lambda d: [
            fn("early_warning.feedback.SupervisorResponse")(
                d.draw(
                    st.lists(st.sampled_from(["force", "complaint", "x"]), max_size=3).map(tuple)
                ),
                d.draw(st.booleans()),
            )
            for _ in range(d.draw(st.integers(0, 12)))
        ],
        draw(st.dictionaries(st.sampled_from(["force", "complaint"]), floats, max_size=2)),
        min_responses=draw(st.integers(0, 3)),
        reject_level=draw(floats),
        confidence=draw(st.sampled_from([0.9, 0.0, 1.0, np.nan])),
        floor=draw(floats),
    ),
    "early_warning.peer.peer_counts": c(
        "early_warning.peer.peer_counts", member_periods, smoothing=draw(floats)
    ),
    "early_warning.score.score_members": c(
        "early_warning.score.score_members",
        member_periods,
        lambda d: co_attendance(d) if d.draw(st.booleans()) else None,
    ),
    "early_warning.shrinkage.fit_gamma_prior": c(
        "early_warning.shrinkage.fit_gamma_prior",
        lambda d: array(d, shape=(4,)),
        lambda d: array(d, shape=(d.draw(st.sampled_from([4, 3])),)),
        method=draw(st.sampled_from(["ml", "moments", "x"])),
    ),
    "early_warning.shrinkage.posterior_mean": c(
        "early_warning.shrinkage.posterior_mean",
        gamma_prior,
        lambda d: array(d, shape=(3,)),
        lambda d: array(d, shape=(3,)),
    ),
    "early_warning.shrinkage.posterior_prob_above": c(
        "early_warning.shrinkage.posterior_prob_above",
        gamma_prior,
        lambda d: array(d, shape=(3,)),
        lambda d: array(d, shape=(3,)),
        draw(floats),
    ),
    "early_warning.simulate.simulate_agency": c(
        "early_warning.simulate.simulate_agency",
        n_members=draw(st.integers(0, 30)),
        months=draw(st.integers(0, 6)),
        unit_size=draw(st.integers(0, 10)),
        planted_share=draw(st.sampled_from([0.0, 0.05, 1.0, -1.0, np.nan])),
        heterogeneity=draw(st.sampled_from([0.0, 0.25, -1.0, np.inf])),
    ),
    "early_warning.threshold.threshold_rule": c(
        "early_warning.threshold.threshold_rule",
        lambda d: [f"m{x}" for x in array(d, shape=(4,), dtype=np.int64)],
        lambda d: array(d, shape=(d.draw(st.sampled_from([4, 3])),), dtype=np.int64),
        window_days=draw(st.integers(-1, 100)),
        count=draw(st.integers(-1, 4)),
    ),
    "early_warning.within_incident.within_incident": c(
        "early_warning.within_incident.within_incident",
        co_attendance,
        lambda d: np.array([f"m{i}" for i in range(d.draw(st.integers(0, 4)))]),
    ),
    "efficient.estimands.build_all_contrasts": c(
        "efficient.estimands.build_all_contrasts",
        lambda d: array(d, dtype=np.intp),
        draw(st.integers(0, 6)),
    ),
    # Kernel: documented preconditions (pos sorted, 1 <= pos <= T) hold; sizes are hostile.
    "efficient.estimands.build_targets": lambda d: (
        lambda t: c(
            "efficient.estimands.build_targets",
            lambda d: np.array(
                sorted(d.draw(st.lists(st.integers(1, t), min_size=3, max_size=3))), dtype=np.intp
            ),
            lambda d: array(d, shape=(3,)),
            lambda _d: t,
            estimand,
            event_times,
        )(d)
    )(d.draw(st.integers(1, 6))),
    "efficient.estimator.efficient_estimate": c(
        "efficient.estimator.efficient_estimate",
        lambda d: rollout_panel(d.draw(long_panel())),
        estimand,
        event_times=event_times,
        never_treated=draw(st.sampled_from(["include", "exclude", "x"])),
        xhat=draw(st.sampled_from(["did", "es", "x"])),
        level=draw(st.sampled_from([0.95, 0.0, 1.5])),
    ),
    "efficient.fisher.fisher_test": c(
        "efficient.fisher.fisher_test",
        lambda d: rollout_panel(d.draw(long_panel())),
        estimand,
        n_permutations=draw(st.integers(0, 20)),
    ),
    "efficient.moments.functional_moments": c(
        "efficient.moments.functional_moments",
        matrix,
        lambda d: array(d, dtype=np.intp),
        matrix,
    ),
    # Kernels: documented shapes (outcomes (N, T), functionals (m, G, T)), hostile values.
    "efficient.moments.project_units": c(
        "efficient.moments.project_units",
        lambda d: array(d, shape=(3, 2)),
        lambda d: array(d, shape=(2, d.draw(st.integers(0, 3)), 2)),
    ),
    "efficient.moments.projected_moments": c(
        "efficient.moments.projected_moments",
        lambda d: fn("efficient.moments.project_units")(
            array(d, shape=(3, 2)), array(d, shape=(2, 2, 2))
        ),
        lambda d: np.array([0, d.draw(st.integers(0, 3)), 3], dtype=np.intp),  # G + 1 bounds
        lambda d: np.array(d.draw(st.permutations([0, 1, 2])), dtype=np.intp),  # N rows
        draw(st.just(2)),
    ),
    "efficient.run.read_rollout_csv": c(
        "efficient.run.read_rollout_csv",
        _csv_rows,
        unit=draw(st.sampled_from(["unit", "nope"])),
        time=draw(st.just("time")),
        cohort=draw(st.just("cohort")),
        outcome=draw(st.sampled_from(["outcome", "weight"])),
    ),
    "efficient.run.run_efficient": c(
        "efficient.run.run_efficient",
        _csv_rows,
        unit=draw(st.just("unit")),
        time=draw(st.just("time")),
        cohort=draw(st.just("cohort")),
        outcome=draw(st.just("outcome")),
        estimand=estimand,
        fisher=draw(st.integers(0, 5)),
    ),
    "efficient.run.summarise_efficient": c(
        "efficient.run.summarise_efficient",
        lambda d: rollout_panel(d.draw(long_panel())),
        estimand=estimand,
        event_times=event_times,
    ),
    "its.interrupted_time_series": c(
        "its.interrupted_time_series",
        lambda d: array(d, shape=(d.draw(st.integers(0, 30)),)),
        draw(st.integers(-2, 32)),
        exposure=lambda d: None if d.draw(st.booleans()) else array(d, shape=(4,)),
        seasonality=draw(st.sampled_from(["none", "month", "fourier"])),
        model=draw(st.sampled_from(["auto", "poisson", "negative_binomial"])),
    ),
    "power.simulate_power": c(
        "power.simulate_power",
        units=draw(st.integers(0, 4)),
        waves=draw(st.integers(0, 3)),
        months=draw(st.integers(0, 8)),
        rate=draw(floats),
        effects=draw(st.lists(floats, max_size=2)),
        pre_months=draw(st.integers(0, 3)),
        wave_months=draw(st.integers(0, 2)),
        replications=draw(st.integers(0, 3)),
    ),
    "rates.rate_with_exact_poisson_ci": c(
        "rates.rate_with_exact_poisson_ci",
        draw(counts),
        draw(floats),
        per=draw(floats),
        level=draw(st.sampled_from([0.95, 0.0, 1.0, np.nan])),
    ),
    "staggered.cs_aggregate": c(
        "staggered.cs_aggregate",
        lambda d: staggered_panel(d.draw(long_panel())),
        estimand,
        control=draw(st.sampled_from(["never", "notyet", "x"])),
        event_times=event_times,
        bootstrap=draw(st.integers(0, 5)),
        seed=draw(st.just(1)),
    ),
    "staggered.aggregate.aggregate_fit": c(
        "staggered.aggregate.aggregate_fit", cs_fit, estimand, event_times=event_times
    ),
    "staggered.bootstrap.bootstrap_draws": c(
        "staggered.bootstrap.bootstrap_draws",
        matrix,
        reps=draw(st.integers(0, 5)),
        multiplier=draw(st.sampled_from(["rademacher", "mammen", "x"])),
        seed=draw(st.just(1)),
    ),
    "staggered.bootstrap.multiplier_blocks": lambda d: (
        lambda: list(
            fn("staggered.bootstrap.multiplier_blocks")(
                d.draw(st.integers(0, 5)),
                reps=d.draw(st.integers(0, 5)),
                multiplier=d.draw(st.sampled_from(["rademacher", "mammen", "x"])),
                seed=1,
            )
        )
    ),
    "staggered.bootstrap.sup_t_critical_value": c(
        "staggered.bootstrap.sup_t_critical_value",
        matrix,
        lambda d: array(d, shape=(d.draw(st.integers(0, 4)),)),
        draw(st.sampled_from([0.95, 0.0, 1.0, np.nan])),
    ),
    "staggered.callaway_santanna.callaway_santanna": c(
        "staggered.callaway_santanna.callaway_santanna",
        lambda d: staggered_panel(d.draw(long_panel())),
        base=draw(st.sampled_from(["varying", "universal", "x"])),
        bootstrap=draw(st.integers(0, 4)),
        seed=draw(st.just(1)),
    ),
    "staggered.callaway_santanna.fit_group_time": c(
        "staggered.callaway_santanna.fit_group_time",
        lambda d: staggered_panel(d.draw(long_panel())),
        control=draw(st.sampled_from(["never", "notyet", "x"])),
    ),
    "staggered.callaway_santanna.group_time_draws": c(
        "staggered.callaway_santanna.group_time_draws", cs_fit, reps=draw(st.integers(0, 4))
    ),
    "staggered.run.parse_event_times": c(
        "staggered.run.parse_event_times",
        draw(
            st.one_of(st.text(max_size=8), st.sampled_from(["-2,2", "2:-2", "a,b", ",", "1e99,1"]))
        ),
    ),
    "staggered.run.read_panel_csv": c(
        "staggered.run.read_panel_csv",
        _csv_rows,
        unit=draw(st.just("unit")),
        time=draw(st.just("time")),
        cohort=draw(st.sampled_from(["cohort", "nope"])),
        outcome=draw(st.just("outcome")),
        weight=draw(st.sampled_from([None, "weight"])),
    ),
    "staggered.run.run_staggered": c(
        "staggered.run.run_staggered",
        _csv_rows,
        unit=draw(st.just("unit")),
        time=draw(st.just("time")),
        cohort=draw(st.just("cohort")),
        outcome=draw(st.just("outcome")),
        method=draw(st.sampled_from(["cs", "sa", "twfe", "x"])),
        estimand=estimand,
    ),
    "staggered.run.summarise_staggered": c(
        "staggered.run.summarise_staggered",
        lambda d: staggered_panel(d.draw(long_panel())),
        method=draw(st.sampled_from(["cs", "sa", "twfe", "x"])),
        estimand=estimand,
        event_times=event_times,
    ),
    "staggered.simulate.constant_effect": lambda d: (
        lambda: fn("staggered.simulate.constant_effect")(d.draw(floats))(
            d.draw(st.integers(-3, 3)), d.draw(st.integers(-3, 3))
        )
    ),
    "staggered.simulate.simulate_panel": c(
        "staggered.simulate.simulate_panel",
        n_units=draw(st.integers(0, 5)),
        n_periods=draw(st.integers(0, 5)),
        cohorts=draw(st.lists(st.integers(-1, 6), max_size=3)),
        never_share=draw(st.sampled_from([0.0, 0.5, 1.0, -0.1, np.nan])),
        effect=lambda d: fn("staggered.simulate.constant_effect")(d.draw(floats)),
        seed=draw(st.just(1)),
        noise_sd=draw(floats),
    ),
    "staggered.simulate.true_event_study": c(
        "staggered.simulate.true_event_study",
        lambda d: staggered_panel(d.draw(long_panel())),
        lambda d: fn("staggered.simulate.constant_effect")(d.draw(floats)),
        draw(st.lists(st.integers(-5, 5), max_size=3)),
    ),
    "staggered.sun_abraham.last_treated_as_control": c(
        "staggered.sun_abraham.last_treated_as_control",
        lambda d: staggered_panel(d.draw(long_panel())),
    ),
    "staggered.sun_abraham.sun_abraham": c(
        "staggered.sun_abraham.sun_abraham",
        lambda d: staggered_panel(d.draw(long_panel())),
        control=draw(st.sampled_from(["never", "last", "x"])),
        event_times=event_times,
        bootstrap=draw(st.integers(0, 3)),
        seed=draw(st.just(1)),
    ),
    "staggered.twfe.twfe": c(
        "staggered.twfe.twfe", lambda d: staggered_panel(d.draw(long_panel()))
    ),
    "staggered.twfe.two_way_demean": c(
        "staggered.twfe.two_way_demean",
        lambda d: array(d, shape=(3, 2)),
        lambda d: None if d.draw(st.booleans()) else array(d, shape=(3, 2)),
    ),
    "suppression.pinned_mask": c(
        "suppression.pinned_mask",
        lambda d: array(d, shape=(3, 3)),
        lambda d: array(d, shape=(d.draw(st.sampled_from([3, 2])),), dtype=np.int64) > 2,
    ),
    "suppression.suppress_table": c(
        "suppression.suppress_table",
        draw(st.lists(st.lists(counts, max_size=4), max_size=4)),
        threshold=draw(st.integers(-1, 20)),
        column_totals=draw(st.booleans()),
    ),
    "suppression.suppress_tables": c(
        "suppression.suppress_tables",
        lambda d: [
            fn("suppression.CountTable")(
                key=d.draw(st.sampled_from(["a", "b"])),
                row_labels=("m1", "m2"),
                column_labels=("x", "y"),
                counts=tuple(
                    tuple(d.draw(counts) for _ in range(2))
                    for _ in range(d.draw(st.sampled_from([2, 1])))
                ),
                margin=d.draw(st.sampled_from([None, "month"])),
            )
            for _ in range(d.draw(st.integers(0, 3)))
        ],
        threshold=draw(st.integers(-1, 20)),
        column_totals=draw(st.booleans()),
    ),
    "synth.augmented.augmented_synth": lambda d: (
        lambda: (
            lambda p, _s, f: fn("synth.augmented.augmented_synth")(
                p, f, holdout=d.draw(st.sampled_from([None, 0, 1, 50]))
            )
        )(*synth_fit(d))
    ),
    "synth.data.design": c(
        "synth.data.design", lambda d: synth_panel(d.draw(long_panel())), synth_spec
    ),
    "synth.data.predictor_values": c(
        "synth.data.predictor_values", lambda d: synth_panel(d.draw(long_panel())), synth_spec
    ),
    "synth.data.read_panel_csv": c(
        "synth.data.read_panel_csv",
        _csv_rows,
        unit=draw(st.just("unit")),
        time=draw(st.just("time")),
        outcome=draw(st.sampled_from(["outcome", "nope"])),
        covariates=draw(st.sampled_from([None, ["cohort"], ["weight", "nope"]])),
    ),
    "synth.fit.optimise_v": c(
        "synth.fit.optimise_v",
        lambda d: array(d, shape=(2, 3)),
        lambda d: array(d, shape=(4,)),
        lambda d: array(d, shape=(4, 2)),
        lambda _d: synth_options(),
    ),
    "synth.fit.regression_v": c(
        "synth.fit.regression_v", lambda d: array(d, shape=(2, 3)), lambda d: array(d, shape=(4, 3))
    ),
    "synth.fit.simplex_weights": c(
        "synth.fit.simplex_weights",
        lambda d: array(d, shape=(2,)),
        lambda d: array(d, shape=(2, d.draw(st.integers(0, 3)))),
        lambda d: array(d, shape=(2,)),
    ),
    "synth.fit.standardise": c("synth.fit.standardise", matrix),
    "synth.fit.synth_fit": lambda d: lambda: synth_fit(d)[2],
    "synth.fit.synth_from_weights": c(
        "synth.fit.synth_from_weights",
        lambda d: synth_panel(d.draw(long_panel())),
        synth_spec,
        draw(st.dictionaries(st.sampled_from(["u0", "u1", "u2", "zz"]), floats, max_size=3)),
    ),
    "synth.inference.in_time_placebo": lambda d: (
        lambda: (
            lambda p, s, _f: fn("synth.inference.in_time_placebo")(
                p, s, d.draw(floats), options=synth_options()
            )
        )(*synth_fit(d))
    ),
    "synth.inference.leave_one_out": lambda d: (
        lambda: (
            lambda p, s, f: fn("synth.inference.leave_one_out")(
                p, s, fit=f, options=synth_options()
            )
        )(*synth_fit(d))
    ),
    "synth.inference.placebo_test": lambda d: (
        lambda: (
            lambda p, s, f: fn("synth.inference.placebo_test")(
                p, s, fit=f, options=synth_options(), placebo_options=synth_options()
            )
        )(*synth_fit(d))
    ),
    "synth.study.run_synth_study": lambda d: (
        lambda: fn("synth.study.run_synth_study")(_study_file(d))
    ),
    "synth.study.study_spec": c(
        "synth.study.study_spec",
        draw(
            st.dictionaries(
                st.sampled_from(
                    [
                        "treated",
                        "treatment_start",
                        "predictors",
                        "fit_window",
                        "donors",
                        "special_predictors",
                    ]
                ),
                st.one_of(
                    st.text(max_size=3),
                    st.integers(),
                    st.none(),
                    st.lists(
                        st.one_of(
                            st.integers(),
                            st.dictionaries(
                                st.sampled_from(["column", "from", "to", "times"]),
                                st.one_of(st.text(max_size=3), st.integers()),
                            ),
                        ),
                        max_size=2,
                    ),
                ),
            )
        ),
    ),
    "table_runs.run_disparity": lambda d: (
        lambda: fn("table_runs.run_disparity")(
            csv_file(
                {
                    "group": [d.draw(groups) for _ in range(4)],
                    "events": [
                        d.draw(st.one_of(counts, floats, st.text(max_size=3)))
                        for _ in range(d.draw(st.sampled_from([4, 3])))
                    ],
                    "pop": [d.draw(floats) for _ in range(4)],
                }
            ),
            group="group",
            events="events",
            benchmark=d.draw(st.sampled_from(["pop", "nope"])),
            benchmark_name="population",
            benchmark_kind="population",
            reference=d.draw(groups),
        )
    ),
    "table_runs.run_its": lambda d: (
        lambda: fn("table_runs.run_its")(
            csv_file(
                {
                    "month": [
                        d.draw(st.sampled_from(["2020-01", "2020-02", "bad", ""])) for _ in range(n)
                    ],
                    "count": [d.draw(st.one_of(counts, floats)) for _ in range(n)],
                }
            )
            if (n := d.draw(st.integers(0, 30))) >= 0
            else "",
            time="month",
            outcome="count",
            intervention=d.draw(st.sampled_from(["2020-02", "x"])),
        )
    ),
}


def _study_file(d: Any) -> str:
    rows = d.draw(long_panel())
    study = {
        "data": csv_file(rows),
        "unit": "unit",
        "time": "time",
        "outcome": d.draw(st.sampled_from(["outcome", "nope"])),
        "treated": d.draw(st.sampled_from(["u0", "zz"])),
        "treatment_start": d.draw(st.sampled_from([2, "x", None])),
    }
    path = Path(csv_file({}))
    path.write_text(json.dumps(study), encoding="utf-8")
    return str(path)


# ValueError covers the project's ValueError subclasses; LinAlgError is a ValueError too in
# numpy, and is exactly what must not leak.
DOCUMENTED = (ValueError, SteadyhandError)
LEAKS = (
    np.linalg.LinAlgError,
    ZeroDivisionError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    FloatingPointError,
    OverflowError,
    RecursionError,
)


# Errors a function documents besides ValueError (its docstring's Raises section says when).
ALSO_DOCUMENTED: dict[str, tuple[type[Exception], ...]] = {
    "staggered.twfe.two_way_demean": (RuntimeError,),  # projections did not converge
}


class Hang(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise Hang(f"no answer within {SECONDS} s")


def test_every_public_function_has_a_strategy() -> None:
    missing = sorted(set(public_functions()) - set(CASES))
    assert not missing, f"register a hostile-input strategy in CASES for: {missing}"
    assert not sorted(set(CASES) - set(public_functions())), "CASES names a function gone"


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=12)
@given(d=st.data())
def test_hostile_input_gives_a_result_or_a_documented_error(name: str, d: Any) -> None:
    call = CASES[name](d)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS)
    try:
        with np.errstate(all="ignore"):
            call()
    except ALSO_DOCUMENTED.get(name, ()) as exc:
        event(f"refused: {type(exc).__name__}")
    except LEAKS as exc:
        raise AssertionError(f"{name} leaked {type(exc).__name__}: {exc}") from exc
    except DOCUMENTED as exc:
        assert_clear(exc)
        event(f"refused: {type(exc).__name__}")
    else:
        event("result")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
