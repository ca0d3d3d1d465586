"""Early intervention: peer-adjusted, shrunk, explained — and corrected by supervisors.

Typical use::

    data = MemberPeriods.from_arrays(member=..., period=..., peer_group=..., exposure=...,
                                     events={"force": ..., "complaint": ..., "injury": ...})
    co = CoAttendance.from_arrays(incident=..., member=..., escalated=...)
    result = score_members(data, co, config=ScoringConfig(flag_ratio=1.5))
    for explanation in result.flags():      # the 3–5 factors behind each flag
        ...
    new = recalibrate(responses, result.config.weights)   # supervisors' disputes
    baseline = threshold_rule(event_member, event_day)     # "3 uses of force in 90 days"

Modules: :mod:`.data` (validated inputs), :mod:`.peer` (leave-one-out peer expectations),
:mod:`.within_incident` (the incident as stratum), :mod:`.shrinkage` (gamma-Poisson empirical
Bayes), :mod:`.score` (combined score, flags, explanations), :mod:`.feedback` (dispute rates,
recalibration), :mod:`.threshold` (the baseline rule), :mod:`.simulate` (a synthetic agency
with planted high-risk members, for tests and the benchmark).

No input can carry after-action-review content: only counts, exposure, peer keys and who used
force where (product non-negotiable 1).
"""

from .data import CoAttendance, MemberPeriods, peer_key
from .feedback import FactorCalibration, Recalibration, SupervisorResponse, recalibrate
from .peer import PeerCounts, peer_counts
from .score import (
    WITHIN_INCIDENT,
    EarlyWarningResult,
    Explanation,
    FactorEvidence,
    ScoringConfig,
    score_members,
)
from .shrinkage import GammaPrior, fit_gamma_prior, posterior_mean, posterior_prob_above
from .threshold import ThresholdResult, threshold_rule
from .within_incident import WithinIncident, within_incident

__all__ = [
    "WITHIN_INCIDENT",
    "CoAttendance",
    "EarlyWarningResult",
    "Explanation",
    "FactorCalibration",
    "FactorEvidence",
    "GammaPrior",
    "MemberPeriods",
    "PeerCounts",
    "Recalibration",
    "ScoringConfig",
    "SupervisorResponse",
    "ThresholdResult",
    "WithinIncident",
    "fit_gamma_prior",
    "peer_counts",
    "peer_key",
    "posterior_mean",
    "posterior_prob_above",
    "recalibrate",
    "score_members",
    "threshold_rule",
    "within_incident",
]
