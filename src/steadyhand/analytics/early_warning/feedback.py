"""Supervisors' feedback on flags: how often each factor is disputed, and recalibration.

DSSG's police-eis partners asked for a way to disagree with a flag and have the system learn
from it (Helsby et al. 2018, section on deployment). Here a supervisor's response names the
factors they reject; a disagreement that names none rejects every factor shown. For each factor

    dispute rate = times disputed / times shown in a responded flag.

Recalibration rule (documented in docs/early-intervention.md, tested):

1. A factor is judged only after ``min_responses`` responses that showed it.
2. With a uniform prior, the dispute rate has posterior ``Beta(1 + d, 1 + a)`` (``d`` disputes,
   ``a`` acceptances). The factor is *consistently rejected* when the posterior probability
   that its dispute rate exceeds ``reject_level`` is at least ``confidence``.
3. A consistently rejected factor's weight is multiplied by
   ``(1 − r̄) / (1 − reject_level)``, with ``r̄`` the posterior mean dispute rate, and never
   falls below ``floor`` times its current weight in one recalibration.
4. Weights are only ever lowered by feedback. Agreement does not raise a weight: feedback may
   make the system more cautious about a factor, never more aggressive about members.

A factor is down-weighted rather than dropped so that it still shows in explanations and its
dispute rate keeps being measured; an agency can restore a weight in its configuration.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scipy.stats import beta

__all__ = ["FactorCalibration", "Recalibration", "SupervisorResponse", "recalibrate"]


@dataclass(frozen=True)
class SupervisorResponse:
    """A supervisor's response to one flag.

    Attributes
    ----------
    shown_factors : tuple of str
        The factors the flag's explanation showed.
    agreed : bool
        Whether the supervisor agreed with the flag.
    disputed_factors : frozenset of str
        Factors the supervisor says are wrong; empty with ``agreed=False`` means all shown.
    """

    shown_factors: tuple[str, ...]
    agreed: bool
    disputed_factors: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.shown_factors:
            raise ValueError("a response must say which factors the flag showed")
        unknown = self.disputed_factors - set(self.shown_factors)
        if unknown:
            raise ValueError(f"disputed factors {sorted(unknown)} were not shown on the flag")

    def disputed(self) -> frozenset[str]:
        """The factors this response rejects."""
        if self.disputed_factors:
            return self.disputed_factors
        return frozenset() if self.agreed else frozenset(self.shown_factors)


@dataclass(frozen=True)
class FactorCalibration:
    """Feedback on one factor and what recalibration did to it."""

    factor: str
    shown: int
    disputed: int
    dispute_rate: float
    prob_above_reject_level: float
    consistently_rejected: bool
    old_weight: float
    new_weight: float


@dataclass(frozen=True)
class Recalibration:
    """Dispute rates per factor and the recalibrated weights."""

    factors: tuple[FactorCalibration, ...]
    weights: Mapping[str, float]
    min_responses: int
    reject_level: float
    confidence: float


def recalibrate(
    responses: Iterable[SupervisorResponse],
    weights: Mapping[str, float],
    *,
    min_responses: int = 10,
    reject_level: float = 0.5,
    confidence: float = 0.9,
    floor: float = 0.25,
) -> Recalibration:
    """Dispute rate of every factor and weights lowered for consistently rejected factors.

    Parameters
    ----------
    responses : iterable of SupervisorResponse
    weights : mapping of factor to float
        Current weights (factors absent weigh 1, as in :class:`.score.ScoringConfig`).
    min_responses : int, default 10
    reject_level : float, default 0.5
    confidence : float, default 0.9
    floor : float, default 0.25
        Smallest multiplier applied in one recalibration.

    Returns
    -------
    Recalibration
        ``weights`` holds every factor seen in responses or in the input weights.
    """
    if min_responses < 1:
        raise ValueError("min_responses must be at least 1")
    if not 0 < reject_level < 1 or not 0 < confidence < 1 or not 0 < floor <= 1:
        raise ValueError("reject_level and confidence must lie in (0, 1), floor in (0, 1]")
    shown: dict[str, int] = {}
    disputed: dict[str, int] = {}
    for response in responses:
        rejected = response.disputed()
        for factor in response.shown_factors:
            shown[factor] = shown.get(factor, 0) + 1
            disputed[factor] = disputed.get(factor, 0) + (factor in rejected)
    new_weights = {k: float(v) for k, v in weights.items()}
    rows = []
    for factor in sorted(shown):
        n, d = shown[factor], disputed[factor]
        old = float(weights.get(factor, 1.0))
        post = beta(1 + d, 1 + n - d)
        p_above = float(post.sf(reject_level))
        judged = n >= min_responses and p_above >= confidence
        new = old
        if judged:
            multiplier = max((1 - float(post.mean())) / (1 - reject_level), floor)
            new = old * min(multiplier, 1.0)
        new_weights[factor] = new
        rows.append(
            FactorCalibration(
                factor=factor,
                shown=n,
                disputed=d,
                dispute_rate=d / n,
                prob_above_reject_level=p_above,
                consistently_rejected=judged,
                old_weight=old,
                new_weight=new,
            )
        )
    return Recalibration(
        factors=tuple(rows),
        weights=new_weights,
        min_responses=min_responses,
        reject_level=reject_level,
        confidence=confidence,
    )
