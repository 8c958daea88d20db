"""Simulated worlds with ground truth, and scoring against them.

>>> from infoops.simulate import simulate, evaluate   # doctest: +SKIP
>>> simulate("world", seed=7, scale="tiny")            # doctest: +SKIP
>>> evaluate("world/truth.csv", flagged="flagged.csv")  # doctest: +SKIP
"""

from infoops.simulate.config import SCALES, SimulationError, WorldParams, draw_params
from infoops.simulate.evaluate import (
    EvaluationResult,
    adjusted_rand_index,
    evaluate,
    format_evaluation,
)
from infoops.simulate.world import SimulationSummary, simulate

__all__ = [
    "SCALES", "EvaluationResult", "SimulationError", "SimulationSummary", "WorldParams",
    "adjusted_rand_index", "draw_params", "evaluate", "format_evaluation", "simulate",
]
