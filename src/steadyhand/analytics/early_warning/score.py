"""Combined early-intervention score, flags, and the explanation behind every flag.

Each factor — one per adverse outcome compared with peers (:mod:`.peer`), plus the
within-incident escalation comparison (:mod:`.within_incident`) — yields a shrunk rate ratio
``θ̂_ik`` (:mod:`.shrinkage`). The combined score is their weighted mean on the log scale,

    ``s_i = Σ_k w_k log θ̂_ik / Σ_k w_k``,

so ``exp(s_i)`` reads as "this member's adverse outcomes run at ``exp(s_i)`` times their peers'"
and each factor's contribution ``w_k log θ̂_ik / Σ w`` adds up to the score. A member is flagged
when ``exp(s_i)`` reaches the agency's configured ratio. The log scale keeps one factor from
dominating through a huge ratio, and shrinkage has already pulled thin evidence toward 1.

Several outcomes rather than force alone follows the DSSG police-eis finding that complaints,
injuries and prior adverse events jointly predict future adverse interactions better than any one
count (Helsby et al. 2018; Carton et al. 2016, "Identifying police officers at risk of adverse
events", KDD). Explanations list the three to five factors that contributed most, with the
numbers behind each, as Walker, Alpert & Kenney (2001, "Early Warning Systems: Responding to
the Problem Police Officer", NIJ) recommend: a supervisor must be able to see why.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from .data import CoAttendance, MemberPeriods
from .peer import peer_counts
from .shrinkage import GammaPrior, fit_gamma_prior, posterior_mean, posterior_prob_above
from .within_incident import within_incident

FloatArray = NDArray[np.float64]

WITHIN_INCIDENT = "within_incident_escalation"

__all__ = [
    "WITHIN_INCIDENT",
    "EarlyWarningResult",
    "Explanation",
    "FactorEvidence",
    "ScoringConfig",
    "score_members",
]


@dataclass(frozen=True)
class ScoringConfig:
    """The agency's configuration of the score.

    Attributes
    ----------
    flag_ratio : float, default 1.5
        Flag members whose combined ratio to peers is at least this (must exceed 1).
    weights : mapping of factor to float
        Weight of each factor; factors not named weigh 1. Feedback recalibration
        (:func:`.feedback.recalibrate`) returns a new mapping for this field.
    prior_method : {"ml", "moments"}
        How the gamma prior of each factor is estimated.
    peer_smoothing : float, default 5
        Pseudo-count pulling small peer cells toward their unit/shift/assignment main effects
        (:func:`.peer.peer_counts`).
    min_factors, max_factors : int
        Explanations show the positive contributors, at most ``max_factors``, and at least
        ``min_factors`` factors when that many exist (so a supervisor also sees what was
        unremarkable).
    """

    flag_ratio: float = 1.5
    weights: Mapping[str, float] = field(default_factory=dict)
    prior_method: str = "ml"
    peer_smoothing: float = 5.0
    min_factors: int = 3
    max_factors: int = 5

    def __post_init__(self) -> None:
        if not (math.isfinite(self.flag_ratio) and self.flag_ratio > 1):
            raise ValueError(f"flag_ratio must be a finite ratio above 1, not {self.flag_ratio}")
        for name, w in self.weights.items():
            if not (math.isfinite(w) and w >= 0):
                raise ValueError(f"weight of {name!r} must be finite and zero or more, not {w}")
        if self.prior_method not in ("ml", "moments"):
            raise ValueError(f"prior_method must be 'ml' or 'moments', not {self.prior_method!r}")
        if not 1 <= self.min_factors <= self.max_factors:
            raise ValueError("need 1 <= min_factors <= max_factors")

    def weight(self, factor: str) -> float:
        """The weight of ``factor`` (1 unless configured)."""
        return float(self.weights.get(factor, 1.0))


@dataclass(frozen=True)
class FactorEvidence:
    """One factor of one member's score, with the numbers behind it.

    Attributes
    ----------
    factor : str
        Outcome name, or ``WITHIN_INCIDENT``.
    contribution : float
        This factor's share of the log score (positive pushes toward a flag).
    weight : float
    observed, expected : float
        Member's count, and the count expected from peers (or, for the within-incident factor,
        from the others at the same incidents).
    shrunk_ratio : float
        Posterior mean rate ratio after empirical-Bayes shrinkage.
    prob_above_peers : float
        Posterior probability that the member's true ratio exceeds 1.
    peer_rate : float or None
        Events per unit of exposure among the others of the member's main peer group
        (``None`` for the within-incident factor).
    incidents : int or None
        Shared informative incidents (within-incident factor only).
    """

    factor: str
    contribution: float
    weight: float
    observed: float
    expected: float
    shrunk_ratio: float
    prob_above_peers: float
    peer_rate: float | None
    incidents: int | None

    @property
    def raw_ratio(self) -> float | None:
        """``observed / expected`` before shrinkage (``None`` when nothing was expected)."""
        return self.observed / self.expected if self.expected > 0 else None


@dataclass(frozen=True)
class Explanation:
    """Why a member scored as they did: peer group, exposure and the leading factors."""

    member: str
    score: float
    combined_ratio: float
    flagged: bool
    peer_group: str
    peer_size: int
    exposure: float
    factors: tuple[FactorEvidence, ...]


@dataclass(frozen=True, eq=False)
class EarlyWarningResult:
    """Scores of every member (arrays aligned with ``members``; all read-only).

    Attributes
    ----------
    members : ndarray of str, shape (n,)
    factors : tuple of str, length K
    score : ndarray, shape (n,)
        ``Σ w log θ̂ / Σ w``; ``combined_ratio = exp(score)``.
    contributions : ndarray, shape (n, K)
    observed, expected, shrunk_ratio, prob_above : ndarray, shape (n, K)
    priors : mapping of factor to GammaPrior
    flagged : ndarray of bool, shape (n,)
    config : ScoringConfig
    skipped_factors : tuple of str
        Outcomes with no events at all in the window, left out of the score.
    """

    members: NDArray[np.str_]
    factors: tuple[str, ...]
    score: FloatArray
    contributions: FloatArray
    observed: FloatArray
    expected: FloatArray
    shrunk_ratio: FloatArray
    prob_above: FloatArray
    priors: Mapping[str, GammaPrior]
    flagged: NDArray[np.bool_]
    config: ScoringConfig
    exposure: FloatArray
    peer_group: NDArray[np.str_]
    peer_size: NDArray[np.int64]
    peer_rate: FloatArray  # (n, K), nan for the within-incident factor
    incidents: NDArray[np.int64]
    skipped_factors: tuple[str, ...] = ()

    @property
    def combined_ratio(self) -> FloatArray:
        """``exp(score)``: the weighted geometric mean of the shrunk ratios."""
        result: FloatArray = np.exp(self.score)
        return result

    def ranking(self) -> NDArray[np.str_]:
        """Members from highest to lowest score (ties in member order)."""
        return self.members[np.argsort(-self.score, kind="stable")]

    def top(self, k: int) -> NDArray[np.str_]:
        """The ``k`` highest-scoring members."""
        if k < 0:
            raise ValueError(f"k must be zero or more, not {k}")
        return self.ranking()[:k]

    def explain(self, member: str) -> Explanation:
        """The explanation of one member's score.

        Raises
        ------
        KeyError
            If ``member`` was not scored.
        """
        i = int(np.searchsorted(self.members, member))
        if i >= self.members.size or self.members[i] != member:
            raise KeyError(f"member {member!r} was not scored")
        order = np.argsort(-self.contributions[i], kind="stable")
        positive = int((self.contributions[i] > 0).sum())
        shown = min(max(positive, self.config.min_factors), self.config.max_factors, order.size)
        evidence = []
        for k in order[:shown]:
            name = self.factors[k]
            within = name == WITHIN_INCIDENT
            evidence.append(
                FactorEvidence(
                    factor=name,
                    contribution=float(self.contributions[i, k]),
                    weight=self.config.weight(name),
                    observed=float(self.observed[i, k]),
                    expected=float(self.expected[i, k]),
                    shrunk_ratio=float(self.shrunk_ratio[i, k]),
                    prob_above_peers=float(self.prob_above[i, k]),
                    peer_rate=None if within else float(self.peer_rate[i, k]),
                    incidents=int(self.incidents[i]) if within else None,
                )
            )
        return Explanation(
            member=member,
            score=float(self.score[i]),
            combined_ratio=float(math.exp(self.score[i])),
            flagged=bool(self.flagged[i]),
            peer_group=str(self.peer_group[i]),
            peer_size=int(self.peer_size[i]),
            exposure=float(self.exposure[i]),
            factors=tuple(evidence),
        )

    def flags(self) -> tuple[Explanation, ...]:
        """Explanations of every flagged member, highest score first."""
        order = np.argsort(-self.score, kind="stable")
        return tuple(self.explain(str(self.members[i])) for i in order if self.flagged[i])


def _frozen(array: NDArray[np.generic]) -> NDArray[np.generic]:
    array.setflags(write=False)
    return array


def score_members(
    data: MemberPeriods,
    co_attendance: CoAttendance | None = None,
    *,
    config: ScoringConfig | None = None,
) -> EarlyWarningResult:
    """Score every member against peers and, where available, co-attending colleagues.

    Parameters
    ----------
    data : MemberPeriods
        Exposure and adverse-event counts of the window being scored.
    co_attendance : CoAttendance, optional
        Who escalated at which shared incidents in the same window; adds the
        ``WITHIN_INCIDENT`` factor.
    config : ScoringConfig, optional

    Returns
    -------
    EarlyWarningResult

    Raises
    ------
    ValueError
        If no outcome has any event (nothing to compare with) or every factor weighs 0.
    """
    config = config or ScoringConfig()
    peers = peer_counts(data, smoothing=config.peer_smoothing)
    names = list(data.outcomes)
    observed = [peers.observed[k] for k in names]
    expected = [peers.expected[k] for k in names]
    rates = [peers.peer_rate[k] for k in names]
    # Counts that inform the shrinkage; equal to the shown counts except within incidents.
    fit_observed, fit_expected = list(observed), list(expected)
    n = peers.members.size
    incidents = np.zeros(n, dtype=np.int64)
    if co_attendance is not None:
        within = within_incident(co_attendance, peers.members)
        if within.informative_incidents:
            names.append(WITHIN_INCIDENT)
            observed.append(within.observed)
            expected.append(within.expected)
            fit_observed.append(within.effective_observed)
            fit_expected.append(within.effective_expected)
            rates.append(np.full(n, np.nan))
            incidents = within.incidents
    # An outcome nobody had in the window (a quiet month for complaints) says nothing about
    # anyone; it is left out rather than failing the nightly run.
    keep = [k for k in range(len(names)) if float(np.sum(observed[k])) > 0]
    skipped = tuple(names[k] for k in range(len(names)) if k not in keep)
    if not keep:
        raise ValueError("no adverse events in any outcome; there is nothing to compare")
    names = [names[k] for k in keep]
    observed, expected, rates = ([a[k] for k in keep] for a in (observed, expected, rates))
    fit_observed, fit_expected = ([a[k] for k in keep] for a in (fit_observed, fit_expected))
    weights = np.array([config.weight(k) for k in names])
    if weights.sum() <= 0:
        raise ValueError("every factor has weight 0; at least one must count")
    obs = np.column_stack(observed)
    exp_ = np.column_stack(expected)
    priors: dict[str, GammaPrior] = {}
    shrunk = np.empty_like(obs)
    prob = np.empty_like(obs)
    method: Literal["ml", "moments"] = "ml" if config.prior_method == "ml" else "moments"
    for k, name in enumerate(names):
        o, e = fit_observed[k], fit_expected[k]
        try:
            prior = fit_gamma_prior(o, e, method=method)
        except ValueError as exc:
            raise ValueError(f"factor {name!r}: {exc}") from exc
        priors[name] = prior
        shrunk[:, k] = posterior_mean(prior, o, e)
        prob[:, k] = posterior_prob_above(prior, o, e)
    contributions = np.log(shrunk) * weights / weights.sum()
    score = contributions.sum(axis=1)
    flagged = score >= math.log(config.flag_ratio)
    return EarlyWarningResult(
        members=_frozen(peers.members),  # type: ignore[arg-type]
        factors=tuple(names),
        score=_frozen(score),  # type: ignore[arg-type]
        contributions=_frozen(contributions),  # type: ignore[arg-type]
        observed=_frozen(obs),  # type: ignore[arg-type]
        expected=_frozen(exp_),  # type: ignore[arg-type]
        shrunk_ratio=_frozen(shrunk),  # type: ignore[arg-type]
        prob_above=_frozen(prob),  # type: ignore[arg-type]
        priors=priors,
        flagged=_frozen(flagged),  # type: ignore[arg-type]
        config=config,
        exposure=_frozen(peers.exposure),  # type: ignore[arg-type]
        peer_group=_frozen(peers.primary_peer_group),  # type: ignore[arg-type]
        peer_size=_frozen(peers.peer_size),  # type: ignore[arg-type]
        peer_rate=_frozen(np.column_stack(rates)),  # type: ignore[arg-type]
        incidents=_frozen(incidents),  # type: ignore[arg-type]
        skipped_factors=skipped,
    )
