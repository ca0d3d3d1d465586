"""Efficient estimation for staggered roll-outs with random timing (Roth & Sant'Anna 2023).

``efficient_estimate`` gives the plug-in efficient estimate with standard errors (and percent
changes); ``fisher_test`` gives the randomization p-value. Input is a ``RolloutPanel``.
"""

from .estimator import EfficientResult, EstimateRow, efficient_estimate
from .fisher import FisherResult, fisher_test
from .panel import RolloutPanel

__all__ = [
    "EfficientResult",
    "EstimateRow",
    "FisherResult",
    "RolloutPanel",
    "efficient_estimate",
    "fisher_test",
]
