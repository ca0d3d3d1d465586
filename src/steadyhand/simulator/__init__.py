"""The scenario simulator: role-play encounters that respond to the trainee's tactics.

Pure Python (no Django). The public API, used by the web app (``steadyhand.scenarios``) and the
``steadyhand drill`` command, is re-exported here and described in docs/simulator.md.
"""

from steadyhand.simulator.api import (
    ScenarioSummary,
    default_model,
    get_scenario,
    list_scenarios,
    run_from_dict,
    scenarios,
    start_run,
)
from steadyhand.simulator.counterfactual import CONTINUATION_POLICY, DecisionPoint
from steadyhand.simulator.engine import Run, RunOver, UnknownAction
from steadyhand.simulator.scenario import Scenario, ScenarioError
from steadyhand.simulator.scoring import Debrief, RubricItem, score_run
from steadyhand.simulator.state import (
    ActionOption,
    Outcome,
    OutcomeKind,
    SceneView,
    TurnResult,
)

__all__ = [
    "CONTINUATION_POLICY",
    "ActionOption",
    "Debrief",
    "DecisionPoint",
    "Outcome",
    "OutcomeKind",
    "RubricItem",
    "Run",
    "RunOver",
    "Scenario",
    "ScenarioError",
    "ScenarioSummary",
    "SceneView",
    "TurnResult",
    "UnknownAction",
    "default_model",
    "get_scenario",
    "list_scenarios",
    "run_from_dict",
    "scenarios",
    "score_run",
    "start_run",
]
