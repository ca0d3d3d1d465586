"""Evaluation engine benchmarks, against the Python peers where they are installed.

1. Proposition 99 synthetic control: our fit against pysyncon 1.7's ``Synth.fit`` on the same
   specification (ADH 2010), both timed in this run, with each fit's pre-period RMSPE computed
   by the same code. Then our 38 in-space placebos (pysyncon's take ~646 s; run them with
   ``--full`` to measure here).
2. A 35,000-officer × 120-month randomized roll-out: Callaway & Sant'Anna and the efficient
   estimator, time and peak memory.
3. Callaway & Sant'Anna against csdid and differences on one panel (5,000 × 36; 35,000 × 120
   with ``--full``), same estimand and controls: ratio of times and whether estimates agree.

The peers are not dependencies of Steadyhand: ``pip install pysyncon csdid differences`` in the
virtualenv to compare (``pip install -e .[bench]`` installs them; ``make bench`` runs without
them and says so).
"""

import importlib.util
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).parents[1] / "src/steadyhand/analytics/tests/data"


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    """Result, wall seconds, and the process's peak resident memory so far (bytes).

    tracemalloc would slow the Python-heavy optimisers several-fold, so memory is the OS's
    high-water mark instead: it only grows, so read it as "peak up to this step".
    """
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    return result, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _line(label: str, seconds: float, peak: int, extra: str = "") -> None:
    print(f"  {label:<46} {seconds:9.2f} s   peak RSS {peak / 2**20:7.0f} MiB  {extra}")


def bench_synth(full: bool) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "src"))
    from steadyhand.analytics.synth import placebo_test, synth_fit
    from steadyhand.analytics.synth.fit import synth_from_weights
    from steadyhand.analytics.tests.synth_specs import smoking

    panel, spec = smoking()
    print("\nProposition 99 synthetic control (ADH 2010 specification)")
    ours, ours_s, ours_peak = _timed(lambda: synth_fit(panel, spec))
    _line("ours: fit", ours_s, ours_peak, f"pre-RMSPE {ours.pre_rmspe:.3f}")
    if importlib.util.find_spec("pysyncon") is None:
        print("  pysyncon not installed: `pip install pysyncon` to compare in this run.")
    else:
        peer, peer_s, peer_peak = _timed(_pysyncon_fit)
        peer_fit = synth_from_weights(panel, spec, peer)
        _line("pysyncon 1.7 Synth.fit", peer_s, peer_peak, f"pre-RMSPE {peer_fit.pre_rmspe:.3f}")
        print(f"  ratio pysyncon/ours: {peer_s / ours_s:.0f}x faster, fit "
              f"{'better' if ours.pre_rmspe <= peer_fit.pre_rmspe else 'worse'}")  # fmt: skip
    test, placebo_s, placebo_peak = _timed(lambda: placebo_test(panel, spec, fit=ours))
    _line("ours: 38 placebos", placebo_s, placebo_peak, f"p = {test.p_value:.4f}")
    total = ours_s + placebo_s
    print(f"  fit + placebos {total:.1f} s; pysyncon's placebos took 646 s on a machine like "
          f"this: {646 / total:.0f}x (--full times them here)")  # fmt: skip
    if full and importlib.util.find_spec("pysyncon") is not None:
        _, peer_placebo_s, _ = _timed(_pysyncon_placebos)
        print(f"  pysyncon placebos measured here: {peer_placebo_s:.0f} s; "
              f"ratio {peer_placebo_s / total:.0f}x")  # fmt: skip


def _pysyncon_dataprep() -> Any:
    import pandas as pd
    from pysyncon import Dataprep

    df = pd.read_csv(DATA / "smoking.csv")
    controls = sorted(set(df["state"]) - {"California"})
    return Dataprep(
        foo=df, predictors=["lnincome", "age15to24", "retprice"], predictors_op="mean",
        time_predictors_prior=range(1980, 1989),
        special_predictors=[("beer", range(1984, 1989), "mean"), ("cigsale", [1975], "mean"),
                            ("cigsale", [1980], "mean"), ("cigsale", [1988], "mean")],
        dependent="cigsale", unit_variable="state", time_variable="year",
        treatment_identifier="California", controls_identifier=controls,
        time_optimize_ssr=range(1970, 1989),
    )  # fmt: skip


def _pysyncon_fit() -> dict[str, float]:
    from pysyncon import Synth

    synth = Synth()
    synth.fit(dataprep=_pysyncon_dataprep())
    return {str(k): float(v) for k, v in synth.weights(round=6).items()}


def _pysyncon_placebos() -> None:
    from pysyncon import PlaceboTest, Synth

    PlaceboTest().fit(dataprep=_pysyncon_dataprep(), scm=Synth())


def bench_staggered() -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "src"))
    import numpy as np

    from steadyhand.analytics.efficient.estimator import efficient_estimate
    from steadyhand.analytics.efficient.panel import RolloutPanel
    from steadyhand.analytics.staggered.aggregate import aggregate_fit
    from steadyhand.analytics.staggered.callaway_santanna import fit_group_time
    from steadyhand.analytics.staggered.panel import StaggeredPanel

    n, t = 35_000, 120
    rng = np.random.default_rng(1)
    cohorts = np.where(rng.random(n) < 0.2, np.inf, rng.choice(np.arange(13, 121, 9), n))
    base = rng.gamma(2.0, 0.05, n)[:, None] * np.ones((1, t))
    treated = np.arange(1, t + 1)[None, :] >= cohorts[:, None]
    y = rng.poisson(base * np.where(treated, 0.72, 1.0)).astype(float)
    units = np.repeat(np.arange(n), t)
    periods = np.tile(np.arange(1, t + 1), n)
    cohort_long = np.repeat(cohorts, t)
    print(f"\nStaggered roll-out, {n:,} officers × {t} months, planted effect −28%")
    stag, build_s, build_peak = _timed(lambda: StaggeredPanel.from_long(
        unit=units, time=periods, outcome=y.ravel(),
        cohort=np.where(np.isinf(cohort_long), np.nan, cohort_long)))  # fmt: skip
    _line("ours: validate panel", build_s, build_peak)
    fit, cs_s, cs_peak = _timed(lambda: fit_group_time(stag, control="notyet"))
    _line("ours: Callaway-Sant'Anna ATT(g,t) + SEs", cs_s, cs_peak)
    agg, agg_s, agg_peak = _timed(lambda: aggregate_fit(fit, "simple"))
    _line("ours: CS simple aggregation", agg_s, agg_peak, f"estimate {agg.estimate:.5f}")
    first = np.where(np.isinf(cohort_long), np.nan, cohort_long)
    rollout = RolloutPanel.from_long(units, periods, y.ravel(), first)
    eff, eff_s, eff_peak = _timed(lambda: efficient_estimate(rollout, "simple"))
    _line("ours: efficient estimator (simple)", eff_s, eff_peak,
          f"{eff.overall.percent_change:.1f}% [{eff.overall.percent_ci_lower:.1f}, "
          f"{eff.overall.percent_ci_upper:.1f}]")  # fmt: skip


def _peer_panel(n: int, t: int) -> Any:
    """A randomized roll-out as a pandas frame (what csdid and differences read)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    cohorts = np.where(rng.random(n) < 0.2, 0, rng.choice(np.arange(4, t + 1, 3), n))
    base = rng.gamma(2.0, 0.5, n)[:, None] * np.ones((1, t))
    treated = (np.arange(1, t + 1)[None, :] >= cohorts[:, None]) & (cohorts[:, None] > 0)
    y = rng.poisson(base * np.where(treated, 0.72, 1.0)).astype(float)
    return pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(1, t + 1), n),
                         "y": y.ravel(), "g": np.repeat(cohorts, t)})  # fmt: skip


def bench_cs_peers(n: int, t: int) -> None:
    """Callaway & Sant'Anna (not-yet-treated controls, outcome regression, simple ATT) by us,
    csdid and differences on the same frame: time, ratio, and whether the estimates agree."""
    import numpy as np

    from steadyhand.analytics.staggered.aggregate import aggregate_fit
    from steadyhand.analytics.staggered.callaway_santanna import fit_group_time
    from steadyhand.analytics.staggered.panel import StaggeredPanel

    df = _peer_panel(n, t)
    print(f"\nCallaway & Sant'Anna against the Python peers, {n:,} units × {t} periods")

    def ours() -> Any:
        panel = StaggeredPanel.from_long(
            unit=df["id"].to_numpy(), time=df["t"].to_numpy(), outcome=df["y"].to_numpy(),
            cohort=np.where(df["g"].to_numpy() == 0, np.nan, df["g"].to_numpy()))  # fmt: skip
        return aggregate_fit(fit_group_time(panel, control="notyet"), "simple")

    agg, ours_s, ours_peak = _timed(ours)
    _line("ours: validate + ATT(g,t) + simple", ours_s, ours_peak,
          f"ATT {agg.estimate:.6f} (se {agg.se:.6f})")  # fmt: skip
    peers: dict[str, Callable[[], float]] = {"csdid": lambda: _csdid(df),
                                             "differences": lambda: _differences(df)}  # fmt: skip
    for name, run in peers.items():
        if importlib.util.find_spec(name) is None:
            print(f"  {name} not installed: `pip install {name}` to compare in this run.")
            continue
        estimate, peer_s, peer_peak = _timed(run)
        same = abs(estimate - agg.estimate) < 1e-9
        _line(f"{name}", peer_s, peer_peak, f"ATT {estimate:.6f}")
        print(f"  ratio {name}/ours: {peer_s / ours_s:.1f}x; estimates "
              f"{'identical (|diff| < 1e-9)' if same else 'DIFFER'}")  # fmt: skip


def _csdid(df: Any) -> float:
    import contextlib
    import io

    from csdid.att_gt import ATTgt

    with contextlib.redirect_stdout(io.StringIO()):  # it prints its tables
        fit = ATTgt(yname="y", tname="t", idname="id", gname="g", data=df,
                    control_group="notyettreated").fit(est_method="reg", bstrap=False)  # fmt: skip
        aggregated = fit.aggte(typec="simple")
    return float(aggregated.atte["overall_att"])


def _differences(df: Any) -> float:
    import numpy as np
    from differences import ATTgt

    frame = df.assign(g=df["g"].replace(0, np.nan)).set_index(["id", "t"])
    att = ATTgt(data=frame, cohort_column="g")
    att.fit(formula="y", est_method="reg", control_group="not_yet_treated", progress_bar=False)
    return float(att.aggregate("simple").iloc[0, 0])


def main() -> None:
    full = "--full" in sys.argv
    bench_synth(full)
    bench_staggered()
    # differences needs ~7 minutes at 10,000 x 60 and far longer at full size (--full).
    bench_cs_peers(35_000, 120) if full else bench_cs_peers(5_000, 36)


if __name__ == "__main__":
    main()
