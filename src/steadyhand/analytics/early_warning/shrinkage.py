"""Empirical-Bayes shrinkage of rate ratios: the gamma-Poisson model.

Each member's count is ``O_i ~ Poisson(θ_i E_i)``, with ``E_i`` the count expected from peers
given the member's exposure and ``θ_i`` the member's rate ratio. Rate ratios vary across
members as ``θ_i ~ Gamma(shape=α, rate=α/μ)`` (mean ``μ``, variance ``μ²/α``). Marginally
``O_i`` is negative binomial, so ``μ`` and ``α`` are estimated from all members together, and
each member's posterior is ``Gamma(α + O_i, α/μ + E_i)`` with mean

    ``θ̂_i = (α + O_i) / (α/μ + E_i)``,

a weighted average of the member's own ratio ``O_i/E_i`` and the peer mean ``μ``, weighted by
``E_i`` against ``α/μ``. A member with little exposure has small ``E_i`` and stays near the peer
mean, so one incident does not make an outlier (Clayton & Kaldor 1987, "Empirical Bayes
estimates of age-standardized relative risks for use in disease mapping", Biometrics 43;
Greenland & Robins 1991). Ridgeway & MacDonald (2009) apply the same logic of borrowing
strength and false-discovery control to flagging individual officers.
"""

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize_scalar
from scipy.special import gammaln
from scipy.stats import gamma

FloatArray = NDArray[np.float64]

__all__ = ["GammaPrior", "fit_gamma_prior", "posterior_mean", "posterior_prob_above"]

# Bounds on the prior shape α. Large α means almost no real variation between members (all
# ratios shrink to μ); below 0.01 the prior is so diffuse that shrinkage stops protecting
# against one-incident outliers.
ALPHA_MIN = 0.01
ALPHA_MAX = 1e4


@dataclass(frozen=True)
class GammaPrior:
    """The fitted population distribution of members' rate ratios.

    Attributes
    ----------
    mean : float
        ``μ``, the average rate ratio (near 1 when expected counts come from the same members).
    shape : float
        ``α``; the between-member variance of the ratio is ``μ²/α``.
    method : str
        ``"ml"`` (negative-binomial maximum likelihood) or ``"moments"``.
    members : int
        Members with positive expected count that informed the fit.
    """

    mean: float
    shape: float
    method: str
    members: int

    @property
    def rate(self) -> float:
        """The gamma rate parameter ``α/μ``."""
        return self.shape / self.mean


def _check(observed: FloatArray, expected: FloatArray) -> None:
    if observed.shape != expected.shape or observed.ndim != 1:
        raise ValueError(
            f"observed {observed.shape} and expected {expected.shape} must be equal 1-d shapes"
        )
    if (observed < 0).any() or (expected < 0).any():
        raise ValueError("observed and expected counts must be zero or more")
    if not (np.isfinite(observed).all() and np.isfinite(expected).all()):
        raise ValueError("observed and expected counts must be finite")


def fit_gamma_prior(
    observed: FloatArray,
    expected: FloatArray,
    *,
    method: Literal["ml", "moments"] = "ml",
) -> GammaPrior:
    """Estimate the gamma prior of rate ratios from all members' observed and expected counts.

    Parameters
    ----------
    observed, expected : ndarray, shape (n,)
        Each member's count and the count expected from peers. Members with ``expected == 0``
        carry no information about rates and are left out of the fit.
    method : {"ml", "moments"}
        ``"ml"`` maximises the negative-binomial marginal likelihood in ``α`` with ``μ`` set to
        ``ΣO/ΣE`` (its ML value in the Poisson part); ``"moments"`` uses the estimator of
        Clayton & Kaldor (1987): ``τ² = Σ E_i (O_i/E_i − μ)² / ΣE − μ / Ē``.

    Returns
    -------
    GammaPrior

    Raises
    ------
    ValueError
        If no member has a positive expected count, or no events were observed at all.
    """
    observed = np.asarray(observed, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    _check(observed, expected)
    keep = expected > 0
    o, e = observed[keep], expected[keep]
    if o.size == 0:
        raise ValueError("no member has a positive expected count; nothing to compare with")
    mu = float(o.sum() / e.sum())
    if mu == 0:
        raise ValueError("no events were observed; a rate ratio cannot be estimated")
    if method == "moments":
        smr = o / e
        s2 = float((e * (smr - mu) ** 2).sum() / e.sum())
        tau2 = s2 - mu / float(e.mean())
        alpha = ALPHA_MAX if tau2 <= 0 else min(max(mu * mu / tau2, ALPHA_MIN), ALPHA_MAX)
        return GammaPrior(mean=mu, shape=alpha, method="moments", members=int(o.size))
    if method != "ml":
        raise ValueError(f"method must be 'ml' or 'moments', not {method!r}")
    m = mu * e
    const = -gammaln(o + 1)

    def negloglik(log_alpha: float) -> float:
        a = math.exp(log_alpha)
        ll = gammaln(o + a) - gammaln(a) + const + a * np.log(a / (a + m)) + o * np.log(m / (a + m))
        return -float(ll.sum())

    res = minimize_scalar(
        negloglik, bounds=(math.log(ALPHA_MIN), math.log(ALPHA_MAX)), method="bounded"
    )
    return GammaPrior(mean=mu, shape=float(math.exp(res.x)), method="ml", members=int(o.size))


def posterior_mean(prior: GammaPrior, observed: FloatArray, expected: FloatArray) -> FloatArray:
    """Posterior mean rate ratio ``(α + O) / (α/μ + E)`` for every member.

    Parameters
    ----------
    prior : GammaPrior
    observed, expected : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (n,)
        Shrunk rate ratios; a member with ``E = 0`` gets the prior mean.
    """
    observed = np.asarray(observed, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    _check(observed, expected)
    result: FloatArray = (prior.shape + observed) / (prior.rate + expected)
    return result


def posterior_prob_above(
    prior: GammaPrior, observed: FloatArray, expected: FloatArray, ratio: float = 1.0
) -> FloatArray:
    """Posterior probability that a member's rate ratio exceeds ``ratio``.

    Parameters
    ----------
    prior : GammaPrior
    observed, expected : ndarray, shape (n,)
    ratio : float, default 1.0

    Returns
    -------
    ndarray, shape (n,)
        ``P(θ_i > ratio | O_i)`` under ``Gamma(α + O_i, α/μ + E_i)``.
    """
    observed = np.asarray(observed, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    _check(observed, expected)
    result: FloatArray = gamma.sf(
        ratio, prior.shape + observed, scale=1.0 / (prior.rate + expected)
    )
    return result
