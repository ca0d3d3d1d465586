"""Nested optimisation of donor weights W and predictor weights V.

Abadie, Diamond & Hainmueller (2010, JASA 105:493-505) and Abadie (2021, JEL 59:391-425,
sec. 3.2): for predictor weights ``V = diag(v)`` the donor weights are

    W(V) = argmin_W (X1 - X0 W)' V (X1 - X0 W)   subject to  W >= 0, sum(W) = 1,      (inner)

and V minimises the outcome fit over the pre-treatment fit window,

    V* = argmin_V (Z1 - Z0 W(V))' (Z1 - Z0 W(V)).                                   (outer)

Shapes: ``X1`` (K,), ``X0`` (K, J) for K predictors and J donors; ``Z1`` (T0,), ``Z0`` (T0, J).

The inner problem is solved exactly. On the simplex, ``X1 - X0 W = -C W`` with
``C = X0 - X1 1'``, so it asks for the point of the convex hull of C's columns nearest the
origin. That equals the non-negative least squares problem

    u* = argmin_{u >= 0} ||C u||^2 + (1'u - 1)^2,      W = u* / 1'u*,

because for ``u = t W`` the objective is minimised over t at ``t = 1 / (1 + ||C W||^2)``, where
it equals ``||C W||^2 / (1 + ||C W||^2)``, increasing in ``||C W||^2`` (Lawson & Hanson 1974,
ch. 23, least-distance programming). scipy's Lawson-Hanson active-set NNLS solves it to machine
precision in tens of microseconds, with no penalty parameter to tune.

The outer problem is non-convex and piecewise smooth; local optimisers started from one V stop
in local optima (pysyncon's default reaches RMSPE 4.66 on Proposition 99 where 1.75 exists). We
standardise predictors by their standard deviation across units (as R ``Synth`` does), search
over ``log v`` with Nelder-Mead from several starts — equal weights, the regression-based V of
``Synth``, and seeded random draws — restart the best once, and keep the best fit found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize, nnls

from .data import DesignMatrices, SynthPanel, SynthSpec, design, predictor_values
from .results import BalanceRow, SynthFit

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class OptimiserOptions:
    """How hard the outer search for V works.

    Attributes
    ----------
    n_screen : int
        Seeded random V's scored before the local searches.
    n_local : int
        Nelder-Mead searches, started from the best-scoring candidates.
    n_hops : int
        Random perturbations of the best V, each followed by a Nelder-Mead search.
    seed : int
        Seed of the random candidates (fits are deterministic given the seed).
    max_evaluations : int
        Nelder-Mead evaluation budget per search, per predictor.
    """

    n_screen: int = 1000
    n_local: int = 4
    n_hops: int = 0
    seed: int = 0
    max_evaluations: int = 300

    def __post_init__(self) -> None:
        if self.n_screen < 0 or self.n_local < 1 or self.n_hops < 0:
            raise ValueError("n_screen and n_hops must be >= 0, n_local >= 1")
        if self.max_evaluations < 1:
            raise ValueError("max_evaluations must be >= 1")


def simplex_weights(x1: FloatArray, x0: FloatArray, v: FloatArray) -> FloatArray:
    """Solve the inner problem exactly: W on the simplex minimising ``(X1-X0 W)'V(X1-X0 W)``.

    Parameters
    ----------
    x1 : ndarray, shape (K,)
        Treated unit's predictors.
    x0 : ndarray, shape (K, J)
        Donors' predictors.
    v : ndarray, shape (K,)
        Non-negative predictor weights (the diagonal of V).

    Returns
    -------
    ndarray, shape (J,)
        Non-negative weights summing to one.
    """
    c = np.sqrt(v)[:, None] * (x0 - x1[:, None])
    scale = float(np.abs(c).max())
    if scale > 0:
        c = c / scale
    a = np.vstack([c, np.ones((1, c.shape[1]))])
    b = np.zeros(a.shape[0])
    b[-1] = 1.0
    u = nnls(a, b, maxiter=50 * a.shape[1])[0]
    total = u.sum()
    if total <= 0:  # cannot happen for a finite problem; keep a valid answer anyway
        return np.full(c.shape[1], 1.0 / c.shape[1])
    w: FloatArray = u / total
    return w


def standardise(x: FloatArray) -> FloatArray:
    """Divide each predictor (row) by its standard deviation across units, as ``Synth`` does.

    Rows with zero spread are left as they are (they cannot discriminate between donors).
    """
    sd = x.std(axis=1, ddof=1) if x.shape[1] > 1 else np.ones(x.shape[0])
    sd = np.where(sd > 0, sd, 1.0)
    out: FloatArray = x / sd[:, None]
    return out


def regression_v(xs: FloatArray, z: FloatArray) -> FloatArray:
    """The regression-based starting V of R ``Synth``.

    Regress every fit-window outcome on an intercept and the standardised predictors across
    units; predictor k's weight is the sum over times of its squared coefficients, normalised.

    Parameters
    ----------
    xs : ndarray, shape (K, N)
        Standardised predictors of all N units (treated and donors).
    z : ndarray, shape (T0, N)
        Fit-window outcomes of the same units.
    """
    design_matrix = np.column_stack([np.ones(xs.shape[1]), xs.T])
    try:
        beta = np.linalg.lstsq(design_matrix, z.T, rcond=None)[0][1:]
    except np.linalg.LinAlgError:  # non-finite inputs: SVD does not converge
        return np.full(xs.shape[0], 1.0 / xs.shape[0])
    v = (beta**2).sum(axis=1)
    total = v.sum()
    if not np.isfinite(total) or total <= 0:
        return np.full(xs.shape[0], 1.0 / xs.shape[0])
    out: FloatArray = v / total
    return out


def _softmax(theta: FloatArray) -> FloatArray:
    e = np.exp(theta - theta.max())
    out: FloatArray = e / e.sum()
    return out


def optimise_v(
    xs: FloatArray, z1: FloatArray, z0: FloatArray, options: OptimiserOptions
) -> tuple[FloatArray, FloatArray, float]:
    """Search for the V whose W(V) best fits the outcome over the fit window.

    The search runs on ``theta = log v`` (V is normalised to sum to one, so only directions
    matter). Candidate starts are the equal V, the regression-based V, each single predictor
    (V concentrated on it; the other weights act as tie-breakers, which is where the best fits
    of Abadie et al.'s examples lie) and ``n_screen`` seeded random draws. All candidates are
    scored; Nelder-Mead runs from the best candidate of each of the ``n_local`` best distinct
    W's (candidates giving the same W lie in one basin). The winner is then perturbed
    ``n_hops`` times (basin hopping) and restarted once.

    Parameters
    ----------
    xs : ndarray, shape (K, 1 + J)
        Standardised predictors; column 0 is the treated unit.
    z1 : ndarray, shape (T0,)
        Treated unit's fit-window outcomes.
    z0 : ndarray, shape (T0, J)
        Donors' fit-window outcomes.
    options : OptimiserOptions

    Returns
    -------
    v : ndarray, shape (K,)
        Predictor weights, summing to one.
    w : ndarray, shape (J,)
        Donor weights W(v).
    mspe : float
        Mean squared outcome gap over the fit window.
    """
    k, n_donors = xs.shape[0], xs.shape[1] - 1
    diff = xs[:, 1:] - xs[:, :1]
    a = np.ones((k + 1, n_donors), order="F")
    b = np.zeros(k + 1)
    b[-1] = 1.0
    maxiter = 50 * n_donors
    t0 = z1.size

    def weights_of(theta: FloatArray) -> FloatArray:
        # simplex_weights() inlined: this runs tens of thousands of times per fit.
        root_v = np.exp(0.5 * (theta - theta.max()))
        c = root_v[:, None] * diff
        a[:k] = c / np.abs(c).max()
        u = nnls(a, b, maxiter=maxiter)[0]
        out: FloatArray = u / u.sum()
        return out

    def objective_and_weights(theta: FloatArray) -> tuple[float, FloatArray]:
        w = weights_of(theta)
        r = z1 - z0 @ w
        return float(r @ r) / t0, w

    def objective(theta: FloatArray) -> float:
        return objective_and_weights(theta)[0]

    if k == 1:
        w = simplex_weights(xs[:, 0], xs[:, 1:], np.ones(1))
        r = z1 - z0 @ w
        return np.ones(1), w, float(r @ r) / t0

    rng = np.random.default_rng(options.seed)
    reg = np.log(np.maximum(regression_v(xs, np.column_stack([z1, z0])), 1e-8))
    corners = [np.where(np.arange(k) == i, 0.0, -12.0) for i in range(k)]
    candidates = [np.zeros(k), reg, *corners]
    # Log-weights spread at two scales: moderate mixtures and near-corner V's.
    spread = np.where(np.arange(options.n_screen) % 2 == 0, 2.0, 6.0)[:, None]
    candidates += list(rng.normal(0.0, 1.0, size=(options.n_screen, k)) * spread)
    scored = [(objective_and_weights(t), i) for i, t in enumerate(candidates)]
    # Many candidates fall in the same basin (same W); start local searches in distinct ones.
    order: list[int] = []
    seen: set[bytes] = set()
    for (_, w), i in sorted(scored, key=lambda item: item[0][0]):
        key = np.round(w, 4).tobytes()
        if key not in seen:
            seen.add(key)
            order.append(i)
    scores = np.array([f for (f, _), _ in scored])
    nm = {
        "xatol": 5e-2,
        "fatol": 1e-9 * max(float(scores.min()), 1e-12),
        "maxfev": options.max_evaluations * k,
        "adaptive": k > 4,
    }
    best_theta, best_f = candidates[order[0]], float(scores[order[0]])
    for i in order[: options.n_local]:
        res = minimize(objective, candidates[i], method="Nelder-Mead", options=nm)
        if res.fun < best_f:
            best_theta, best_f = np.asarray(res.x), float(res.fun)
    for _ in range(options.n_hops):
        res = minimize(
            objective, best_theta + rng.normal(0.0, 2.0, k), method="Nelder-Mead", options=nm
        )
        if res.fun < best_f:
            best_theta, best_f = np.asarray(res.x), float(res.fun)
    # A fresh simplex around the best point escapes Nelder-Mead's premature collapses.
    res = minimize(objective, best_theta, method="Nelder-Mead", options=nm)
    if res.fun < best_f:
        best_theta, best_f = np.asarray(res.x), float(res.fun)
    v = _softmax(best_theta)
    return v, weights_of(best_theta), best_f


def synth_fit(
    panel: SynthPanel,
    spec: SynthSpec,
    *,
    options: OptimiserOptions | None = None,
    v: FloatArray | None = None,
) -> SynthFit:
    """Fit a synthetic control by the nested optimisation of V and W.

    Parameters
    ----------
    panel : SynthPanel
        The data.
    spec : SynthSpec
        Treated unit, treatment start, predictors, fit window and donors.
    options : OptimiserOptions, optional
        Effort of the search over V.
    v : ndarray, shape (K,), optional
        Fixed predictor weights (on the standardised predictors); skips the search.

    Returns
    -------
    SynthFit

    Raises
    ------
    ValueError
        If the specification does not fit the panel (see :func:`design`).

    References
    ----------
    Abadie, A., Diamond, A. & Hainmueller, J. (2010). Synthetic control methods for comparative
    case studies. JASA 105(490), 493-505. Abadie, A. (2021). Using synthetic controls. Journal of
    Economic Literature 59(2), 391-425.
    """
    return _fit_design(panel, spec, design(panel, spec), options or OptimiserOptions(), v)


def _fit_design(
    panel: SynthPanel,
    spec: SynthSpec,
    d: DesignMatrices,
    options: OptimiserOptions,
    v: FloatArray | None,
) -> SynthFit:
    xs = standardise(d.predictors)
    y = panel.outcome
    z1 = y[d.fit_times, d.treated]
    z0 = y[d.fit_times][:, d.donors]
    if v is None:
        v_opt, w, _ = optimise_v(xs, z1, z0, options)
    else:
        v_opt = np.asarray(v, dtype=np.float64)
        if v_opt.shape != (xs.shape[0],) or (v_opt < 0).any() or v_opt.sum() <= 0:
            raise ValueError(f"v must be {xs.shape[0]} non-negative numbers, not all zero")
        v_opt = v_opt / v_opt.sum()
        w = simplex_weights(xs[:, 0], xs[:, 1:], v_opt)
    r = xs[:, 0] - xs[:, 1:] @ w
    loss = float(r @ (v_opt * r))
    labels = spec.predictor_labels
    return _assemble(panel, spec, d, w, dict(zip(labels, v_opt.tolist(), strict=True)), loss)


def synth_from_weights(
    panel: SynthPanel, spec: SynthSpec, weights: Mapping[str, float]
) -> SynthFit:
    """Evaluate a synthetic control with given donor weights (e.g. published ones).

    Parameters
    ----------
    panel : SynthPanel
    spec : SynthSpec
    weights : Mapping[str, float]
        Weight of each donor; donors not named get zero. Must be non-negative; they are used as
        given (not renormalised), so rounded published weights reproduce published numbers.

    Raises
    ------
    ValueError
        If a named unit is not a donor or a weight is negative.
    """
    d = design(panel, spec)
    pos = {panel.units[j]: i for i, j in enumerate(d.donors)}
    w = np.zeros(d.donors.size)
    for name, value in weights.items():
        if name not in pos:
            raise ValueError(f"weight given for {name!r}, which is not in the donor pool")
        if value < 0:
            raise ValueError(f"weight for {name!r} is negative")
        w[pos[name]] = value
    return _assemble(panel, spec, d, w, {}, float("nan"))


def _assemble(
    panel: SynthPanel,
    spec: SynthSpec,
    d: DesignMatrices,
    w: FloatArray,
    v: dict[str, float],
    loss: float,
) -> SynthFit:
    y = panel.outcome
    treated = y[:, d.treated].copy()
    synthetic = y[:, d.donors] @ w
    gap = treated - synthetic
    post = ~d.pre_times

    def rms(mask: NDArray[np.bool_]) -> float:
        return float(np.sqrt(np.mean(gap[mask] ** 2))) if mask.any() else float("nan")

    x = d.predictors
    balance = tuple(
        BalanceRow(label, float(x[i, 0]), float(x[i, 1:] @ w), float(x[i, 1:].mean()))
        for i, label in enumerate(spec.predictor_labels)
    )
    for arr in (treated, synthetic):
        arr.flags.writeable = False
    weights = {panel.units[j]: float(wj) for j, wj in zip(d.donors, w, strict=True)}
    return SynthFit(
        treated=spec.treated,
        treatment_start=spec.treatment_start,
        weights=MappingProxyType(weights),
        v=MappingProxyType(v),
        times=panel.times,
        treated_outcome=treated,
        synthetic_outcome=synthetic,
        fit_times=d.fit_times,
        pre_rmspe=rms(d.fit_times),
        pre_rmspe_all=rms(d.pre_times),
        post_rmspe=rms(post),
        predictor_loss=loss,
        balance=balance,
    )


__all__ = [
    "OptimiserOptions",
    "predictor_values",
    "regression_v",
    "simplex_weights",
    "standardise",
    "synth_fit",
    "synth_from_weights",
]
