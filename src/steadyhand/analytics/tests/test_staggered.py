"""Staggered roll-out estimators: published castle-doctrine numbers, brute-force references,
simulations with a known effect, and input validation."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from steadyhand.analytics.staggered import (
    ESTIMANDS,
    StaggeredPanel,
    callaway_santanna,
    cs_aggregate,
    fit_group_time,
    sun_abraham,
    twfe,
)
from steadyhand.analytics.staggered.aggregate import (
    _coefficients,
    _components,
    _linear_if,
    aggregate_fit,
)
from steadyhand.analytics.staggered.bootstrap import bootstrap_draws
from steadyhand.analytics.staggered.callaway_santanna import group_time_draws
from steadyhand.analytics.staggered.run import parse_event_times, run_staggered
from steadyhand.analytics.staggered.simulate import (
    constant_effect,
    simulate_panel,
    true_event_study,
)

DATA = Path(__file__).parent / "data"


def castle_panel(outcome: str = "l_homicide") -> StaggeredPanel:
    with (DATA / "castle.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    first: dict[str, int] = {}
    for r in rows:
        if float(r["post"]) > 0:
            first[r["sid"]] = min(first.get(r["sid"], 10_000), int(r["year"]))
    return StaggeredPanel.from_long(
        unit=[r["sid"] for r in rows],
        time=[r["year"] for r in rows],
        outcome=[r[outcome] for r in rows],
        cohort=[first.get(r["sid"]) for r in rows],
        weight=[r["popwt"] for r in rows],
        treatment=[r["post"] for r in rows],
    )


def dynamic_effect(g: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Effects that grow with exposure and differ by cohort: the case that breaks TWFE."""
    return 0.5 + 0.25 * e + 0.1 * (g - 5)


# --- Published results ---------------------------------------------------------------------


def test_castle_twfe_matches_cheng_hoekstra() -> None:
    panel = castle_panel()
    assert panel.n_units == 50
    assert panel.n_periods == 11
    assert round(twfe(panel).estimate, 4) == 0.0694
    assert round(twfe(panel, weighted=True).estimate, 4) == 0.0755


def test_castle_cohorts() -> None:
    panel = castle_panel()
    cohorts, counts = np.unique(panel.cohort[np.isfinite(panel.cohort)], return_counts=True)
    assert cohorts.tolist() == [2006, 2007, 2008, 2009, 2010]
    assert counts.sum() == 21


def test_castle_cs_and_sa_agree_where_they_must() -> None:
    # With never-treated controls and the universal base, SA's CATT(g, e) are CS's ATT(g, g+e).
    panel = castle_panel()
    sa = sun_abraham(panel)
    cs = cs_aggregate(panel, "eventstudy", base="universal")
    np.testing.assert_allclose(sa.estimates, cs.estimates, rtol=0, atol=1e-12)
    # Post-period ATT(g, t) do not depend on the base-period convention.
    varying = cs_aggregate(panel, "simple")
    universal = cs_aggregate(panel, "simple", base="universal")
    assert varying.estimate == pytest.approx(universal.estimate, abs=1e-12)
    assert varying.se == pytest.approx(universal.se, abs=1e-12)


# --- Brute-force references ----------------------------------------------------------------


def small_panel(seed: int = 3) -> StaggeredPanel:
    return simulate_panel(
        n_units=70,
        n_periods=7,
        cohorts=[3, 4, 6],
        never_share=0.3,
        effect=dynamic_effect,
        seed=seed,
    )


@pytest.mark.parametrize("control", ["never", "notyet"])
@pytest.mark.parametrize("base", ["varying", "universal"])
def test_att_gt_and_se_match_a_unit_by_unit_computation(control: str, base: str) -> None:
    panel = small_panel()
    fit = fit_group_time(panel, control=control, base=base)
    y, g, n = panel.outcome, panel.cohort, panel.n_units
    p0 = int(panel.periods[0])
    for k in range(fit.att.size):
        c = fit.cohort_values[fit.pair_group[k]]
        t, b = int(fit.pair_t[k]), int(fit.pair_b[k])
        treated = g == c
        ctrl = ~np.isfinite(g) if control == "never" else (g > p0 + max(t, b)) & ~treated
        dy = y[:, t] - y[:, b]
        att = dy[treated].mean() - dy[ctrl].mean()
        psi = n * (
            treated * (dy - dy[treated].mean()) / treated.sum()
            - ctrl * (dy - dy[ctrl].mean()) / ctrl.sum()
        )
        assert fit.att[k] == pytest.approx(att, abs=1e-12)
        assert fit.se[k] == pytest.approx(np.sqrt((psi**2).sum()) / n, abs=1e-12)


def test_aggregated_se_includes_the_share_estimation_term_as_did_does() -> None:
    panel = small_panel(5)
    fit = fit_group_time(panel, control="notyet")
    y, g, n = panel.outcome, panel.cohort, panel.n_units
    p0 = int(panel.periods[0])
    psis = []
    for k in range(fit.att.size):
        c = fit.cohort_values[fit.pair_group[k]]
        t, b = int(fit.pair_t[k]), int(fit.pair_b[k])
        d, ctrl = g == c, (g > p0 + max(t, b)) & (g != c)
        dy = y[:, t] - y[:, b]
        psis.append(
            n * (d * (dy - dy[d].mean()) / d.sum() - ctrl * (dy - dy[ctrl].mean()) / ctrl.sum())
        )
    psi = np.array(psis).T
    gk = fit.cohort_values[fit.pair_group]
    pg = {c: float(np.mean(g == c)) for c in fit.cohort_values}

    def reference(keep: np.ndarray) -> tuple[float, float]:
        pk = np.array([pg[x] for x in gk[keep]])
        total = pk.sum()
        dev = np.column_stack([(g == x) - pg[x] for x in gk[keep]])
        wif = (dev / total - np.outer(dev.sum(axis=1), pk / total**2)) @ fit.att[keep]
        inf = psi[:, keep] @ (pk / total) + wif
        return float(pk @ fit.att[keep] / total), float(np.sqrt((inf**2).sum()) / n)

    ev = fit.pair_t - fit.group_cohort_idx[fit.pair_group]
    simple = aggregate_fit(fit, "simple")
    assert (simple.estimate, simple.se) == pytest.approx(reference(ev >= 0), abs=1e-12)
    es = aggregate_fit(fit, "eventstudy")
    for e, est, se in zip(es.labels, es.estimates, es.ses, strict=True):
        assert (est, se) == pytest.approx(reference(ev == e), abs=1e-12)


def test_sun_abraham_equals_the_interaction_regression_with_clustered_se() -> None:
    panel = small_panel()
    fit = fit_group_time(panel, control="never", base="universal")
    n, n_t = panel.outcome.shape
    ev = panel.periods[None, :] - panel.cohort[:, None]
    keys, cols = [], []
    for c in fit.cohort_values:
        for e in range(-n_t, n_t):
            m = (panel.cohort[:, None] == c) & (ev == e)
            if e != -1 and m.any():
                keys.append((int(c), e))
                cols.append(m.ravel().astype(float))
    x = np.column_stack(
        [
            *cols,
            np.kron(np.eye(n), np.ones((n_t, 1))),
            np.kron(np.ones((n, 1)), np.eye(n_t))[:, 1:],
        ]
    )
    yv = panel.outcome.ravel()
    beta = np.linalg.lstsq(x, yv, rcond=None)[0]
    resid = yv - x @ beta
    bread = np.linalg.pinv(x.T @ x)
    scores = np.array(
        [x[i * n_t : (i + 1) * n_t].T @ resid[i * n_t : (i + 1) * n_t] for i in range(n)]
    )
    se = np.sqrt(np.diag(bread @ (scores.T @ scores) @ bread))
    ours = {
        (int(fit.cohort_values[j]), int(t - fit.group_cohort_idx[j])): (a, s)
        for j, t, a, s in zip(fit.pair_group, fit.pair_t, fit.att, fit.se, strict=True)
    }
    assert set(ours) == set(keys)
    for i, key in enumerate(keys):
        assert ours[key][0] == pytest.approx(beta[i], abs=1e-10)
        assert ours[key][1] == pytest.approx(se[i], rel=1e-8)


def test_aggregation_weights_sum_to_one() -> None:
    fit = fit_group_time(small_panel(), control="notyet")
    for estimand in ESTIMANDS:
        coef = _coefficients(fit, _components(fit, estimand, None))
        np.testing.assert_allclose(coef.sum(axis=1), 1.0)
        assert (coef >= 0).all()


# --- Simulations with a known effect -------------------------------------------------------


def test_all_estimators_recover_a_homogeneous_effect() -> None:
    panel = simulate_panel(
        n_units=3000,
        n_periods=10,
        cohorts=[4, 6, 8],
        never_share=0.3,
        effect=constant_effect(-0.4),
        seed=11,
        noise_sd=0.5,
    )
    estimates = {
        "twfe": twfe(panel).estimate,
        "sa never": sun_abraham(panel).estimate,
        "sa last": sun_abraham(panel, control="last").estimate,
    }
    for control in ("never", "notyet"):
        for estimand in ESTIMANDS:
            estimates[f"cs {control} {estimand}"] = cs_aggregate(
                panel, estimand, control=control
            ).estimate
    for name, est in estimates.items():
        assert est == pytest.approx(-0.4, abs=0.04), name


def test_event_studies_recover_dynamic_effects_where_twfe_is_biased() -> None:
    panel = simulate_panel(
        n_units=4000,
        n_periods=10,
        cohorts=[4, 6, 8],
        never_share=0.3,
        effect=dynamic_effect,
        seed=12,
        noise_sd=0.5,
    )
    window = (-3, 4)
    truth = true_event_study(panel, dynamic_effect, range(window[0], window[1] + 1))
    sa = sun_abraham(panel, event_times=window)
    cs_never = cs_aggregate(panel, "eventstudy", event_times=window, base="universal")
    cs_notyet = cs_aggregate(panel, "eventstudy", control="notyet", event_times=window)
    for res in (sa, cs_never, cs_notyet):
        got = dict(zip(res.labels.tolist(), res.estimates, strict=True))
        ses = dict(zip(res.labels.tolist(), res.ses, strict=True))
        for e, true in zip(range(window[0], window[1] + 1), truth, strict=True):
            if e in got:
                assert abs(got[e] - true) < 4 * ses[e], (res.estimand, e, got[e], true)
    # The average effect on the treated (simple) is recovered; static TWFE is far off it
    # because already-treated cohorts serve as controls for later ones (Goodman-Bacon 2021).
    simple = cs_aggregate(panel, "simple")
    ev = panel.periods[None, :] - panel.cohort[:, None]
    post = ev >= 0
    true_att = float(
        dynamic_effect(np.broadcast_to(panel.cohort[:, None], ev.shape), np.where(post, ev, 0))[
            post
        ].mean()
    )
    assert abs(simple.estimate - true_att) < 4 * simple.se
    static = twfe(panel)
    bias = static.estimate - true_att
    # About a quarter of the effect is lost, and TWFE's own interval excludes the truth.
    assert bias < -0.2 * true_att
    assert abs(bias) > 5 * static.se


def test_bootstrap_band_is_uniform_seeded_and_wider_than_pointwise() -> None:
    panel = small_panel(7)
    a = cs_aggregate(panel, "eventstudy", bootstrap=499, seed=1)
    b = cs_aggregate(panel, "eventstudy", bootstrap=499, seed=1)
    c = cs_aggregate(panel, "eventstudy", bootstrap=499, seed=1, multiplier="mammen")
    np.testing.assert_array_equal(a.lower, b.lower)
    assert a.critical_value == b.critical_value
    assert a.uniform
    z = norm.ppf(0.975)
    bonferroni = norm.ppf(1 - 0.025 / a.labels.size)
    for res in (a, c):
        assert z < res.critical_value < bonferroni + 0.3
    np.testing.assert_allclose(a.upper - a.estimates, a.critical_value * a.ses)


def test_percent_change_is_relative_to_the_treated_baseline() -> None:
    base = simulate_panel(
        n_units=2000,
        n_periods=8,
        cohorts=[4, 6],
        never_share=0.4,
        effect=constant_effect(-2.0),
        seed=4,
        noise_sd=0.5,
    )
    # Shift the outcome so the treated mean before adoption is about 10: -2 is then about -20%.
    panel = StaggeredPanel(
        units=base.units,
        periods=base.periods,
        outcome=base.outcome + 10.0 - base.outcome[:, :3].mean(),
        cohort=base.cohort,
        weights=None,
        treatment=None,
        notes=(),
    )
    res = cs_aggregate(panel, "simple")
    assert res.percent == pytest.approx(100 * res.estimate / res.baseline)
    assert res.percent == pytest.approx(-20.0, abs=2.0)
    assert res.percent_lower < res.percent < res.percent_upper


# --- Validation ----------------------------------------------------------------------------


def long(
    units: list[str], periods: list[int], cohorts: dict[str, object]
) -> dict[str, list[object]]:
    rows = [(u, t) for u in units for t in periods]
    return {
        "unit": [u for u, _ in rows],
        "time": [t for _, t in rows],
        "outcome": [float(i) for i in range(len(rows))],
        "cohort": [cohorts.get(u) for u, _ in rows],
    }


def test_builds_from_long_and_records_dropped_units() -> None:
    cols = long(["a", "b", "c", "d"], [1, 2, 3, 4], {"a": 3, "b": 1, "c": 9, "d": ""})
    panel = StaggeredPanel.from_long(**cols)  # type: ignore[arg-type]
    assert panel.units.tolist() == ["a", "c", "d"]
    assert panel.cohort[0] == 3
    assert not np.isfinite(panel.cohort[1:]).any()
    assert any("always-treated" in note for note in panel.notes)
    assert any("recoded as never treated" in note for note in panel.notes)
    assert not panel.outcome.flags.writeable


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c["time"].__setitem__(1, 1), "appear once"),
        (lambda c: [c[k].pop() for k in c], "unbalanced"),
        (lambda c: c["time"].__setitem__(0, 1.5), "must be integers"),
        (lambda c: c["outcome"].__setitem__(0, None), "missing"),
        (lambda c: c["cohort"].__setitem__(0, 4), "more than one cohort"),
        (lambda c: c["cohort"].__setitem__(slice(0, 4), [2.5] * 4), "integer periods"),
        (lambda c: c["cohort"].__setitem__(slice(0, 4), [None] * 4), "no treated cohort"),
        (lambda c: c["outcome"].pop(), "outcome has"),
    ],
)
def test_invalid_panels_are_refused(mutate: object, message: str) -> None:
    cols = long(["a", "b"], [1, 2, 3, 4], {"a": 3})
    mutate(cols)  # type: ignore[operator]
    with pytest.raises(ValueError, match=message):
        StaggeredPanel.from_long(**cols)  # type: ignore[arg-type]


def test_period_gaps_and_ambiguous_zero_cohort_are_refused() -> None:
    with pytest.raises(ValueError, match="consecutive"):
        StaggeredPanel.from_long(**long(["a", "b"], [1, 2, 4], {"a": 2}))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ambiguous"):
        StaggeredPanel.from_long(**long(["a", "b"], [0, 1, 2], {"a": 2, "b": 0}))  # type: ignore[arg-type]
    cols = long(["a", "b"], [1, 2, 3], {"a": 2, "b": 0})
    assert not np.isfinite(StaggeredPanel.from_long(**cols).cohort[1])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="weight must be"):
        StaggeredPanel.from_long(**cols, weight=[1, 1, 1, 1, 1, 0])  # type: ignore[arg-type]


def test_estimator_options_are_checked() -> None:
    panel = small_panel()
    with pytest.raises(ValueError, match="control must be"):
        fit_group_time(panel, control="later")
    with pytest.raises(ValueError, match="estimand must be"):
        cs_aggregate(panel, "overall")
    with pytest.raises(ValueError, match="no weights"):
        callaway_santanna(panel, weighted=True)
    with pytest.raises(ValueError, match="no ATT"):
        cs_aggregate(panel, "eventstudy", event_times=(40, 50))
    all_treated = StaggeredPanel(
        units=panel.units,
        periods=panel.periods,
        outcome=panel.outcome,
        cohort=np.where(np.isfinite(panel.cohort), panel.cohort, 6.0),
        weights=None,
        treatment=None,
        notes=(),
    )
    with pytest.raises(ValueError, match="no unit is never treated"):
        fit_group_time(all_treated)
    assert cs_aggregate(all_treated, "simple", control="notyet").se > 0


# --- Coverage (slow) -----------------------------------------------------------------------


@pytest.mark.slow
def test_coverage_and_bias_over_1000_replications() -> None:
    # Influence-function SEs carry no small-sample correction (as in the R package did): with
    # 400 units (about 90 per cohort) they run about 5% small and intervals cover 93-94%.
    tau, reps = -0.5, 1000
    names = ["cs never", "cs notyet", "sa never", "sa last", "cs eventstudy e=0", "twfe"]
    est = {k: np.empty(reps) for k in names}
    cover = {k: np.empty(reps, dtype=bool) for k in names}
    for r in range(reps):
        panel = simulate_panel(
            n_units=1000,
            n_periods=8,
            cohorts=[3, 5, 7],
            never_share=0.3,
            effect=constant_effect(tau),
            seed=1000 + r,
        )
        results = {
            "cs never": cs_aggregate(panel, "simple"),
            "cs notyet": cs_aggregate(panel, "simple", control="notyet"),
            "sa never": sun_abraham(panel),
            "sa last": sun_abraham(panel, control="last"),
        }
        es = cs_aggregate(panel, "eventstudy", control="notyet")
        i0 = int(np.flatnonzero(es.labels == 0)[0])
        pairs = {k: (v.estimate, v.se) for k, v in results.items()}
        pairs["cs eventstudy e=0"] = (float(es.estimates[i0]), float(es.ses[i0]))
        static = twfe(panel)  # unbiased here: the effect is homogeneous
        pairs["twfe"] = (static.estimate, static.se)
        for k, (e, s) in pairs.items():
            est[k][r] = e
            cover[k][r] = abs(e - tau) <= 1.959963984540054 * s
    for k in names:
        bias = abs(est[k].mean() - tau) / abs(tau)
        rate = cover[k].mean()
        print(f"{k}: bias {100 * bias:.2f}% coverage {100 * rate:.1f}%")
        assert bias < 0.10, k
        assert 0.93 <= rate <= 0.97, k


# --- CSV entry point for the command line --------------------------------------------------


@pytest.fixture
def castle_csv(tmp_path: Path) -> Path:
    with (DATA / "castle.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    first: dict[str, str] = {}
    for r in rows:
        if float(r["post"]) > 0 and r["sid"] not in first:
            first[r["sid"]] = r["year"]
    path = tmp_path / "castle_long.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["state", "year", "adopted", "l_homicide", "popwt"])
        for r in rows:
            writer.writerow(
                [r["sid"], r["year"], first.get(r["sid"], ""), r["l_homicide"], r["popwt"]]
            )
    return path


def test_run_staggered_from_csv_gives_json(castle_csv: Path) -> None:
    cols = {"unit": "state", "time": "year", "cohort": "adopted", "outcome": "l_homicide"}
    static = run_staggered(castle_csv, **cols, method="twfe", weight="popwt")
    assert round(static["estimate"], 4) == 0.0755
    es = run_staggered(
        castle_csv,
        **cols,
        method="cs",
        estimand="eventstudy",
        event_times=parse_event_times("-3:3"),
    )
    assert [row["event_time"] for row in es["event_study"]] == [-3, -2, -1, 0, 1, 2, 3]
    direct = cs_aggregate(castle_panel(), "eventstudy", event_times=(-3, 3))
    assert es["estimate"] == pytest.approx(direct.estimate)
    sa = run_staggered(castle_csv, **cols, method="sa", estimand="eventstudy", bootstrap=99, seed=2)
    assert sa["band"] == "uniform"
    json.loads(json.dumps(es))
    json.loads(json.dumps(sa))


def test_run_staggered_explains_bad_input(castle_csv: Path) -> None:
    cols = {"unit": "state", "time": "year", "cohort": "adopted", "outcome": "l_homicide"}
    with pytest.raises(ValueError, match="not found"):
        run_staggered(castle_csv, **{**cols, "outcome": "homicides"})
    with pytest.raises(ValueError, match="method must be"):
        run_staggered(castle_csv, **cols, method="efficient")
    with pytest.raises(ValueError, match="event-study estimator"):
        run_staggered(castle_csv, **cols, method="sa")
    with pytest.raises(ValueError, match="FROM:TO"):
        parse_event_times("0-23")


def test_group_time_bootstrap_equals_the_influence_function_bootstrap() -> None:
    fit = fit_group_time(small_panel(), control="notyet")
    psi = _linear_if(fit, np.eye(fit.att.size), baseline=False)
    for multiplier in ("rademacher", "mammen"):
        fast = group_time_draws(fit, reps=200, multiplier=multiplier, seed=9)
        slow = bootstrap_draws(psi, reps=200, multiplier=multiplier, seed=9)
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
    gt = callaway_santanna(small_panel(), control="notyet", bootstrap=499, seed=9)
    assert gt.uniform
    assert gt.critical_value > norm.ppf(0.975)
    np.testing.assert_allclose(gt.upper - gt.att, gt.critical_value * gt.se)
