"""Simulated worlds with ground truth, and scoring against them.

>>> from infoops.simulate import simulate, evaluate   # doctest: +SKIP
>>> simulate("world", seed=7, scale="tiny")            # doctest: +SKIP
>>> evaluate("world/truth.csv", flagged="flagged.csv")  # doctest: +SKIP

Names are imported on first use (module ``__getattr__``, PEP 562), so the
command line starts without loading pandas or DuckDB it does not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infoops._lazy import lazy_exports

#: Public name -> the module that defines it.
_EXPORTS = {
    "SCALES": "infoops.simulate.config",
    "SimulationError": "infoops.simulate.config",
    "WorldParams": "infoops.simulate.config",
    "draw_params": "infoops.simulate.config",
    "EvaluationResult": "infoops.simulate.evaluation",
    "adjusted_rand_index": "infoops.simulate.evaluation",
    "evaluate": "infoops.simulate.evaluation",
    "format_evaluation": "infoops.simulate.evaluation",
    "SimulationSummary": "infoops.simulate.world",
    "simulate": "infoops.simulate.world",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from infoops.simulate.config import SCALES as SCALES
    from infoops.simulate.config import SimulationError as SimulationError
    from infoops.simulate.config import WorldParams as WorldParams
    from infoops.simulate.config import draw_params as draw_params
    from infoops.simulate.evaluation import EvaluationResult as EvaluationResult
    from infoops.simulate.evaluation import adjusted_rand_index as adjusted_rand_index
    from infoops.simulate.evaluation import evaluate as evaluate
    from infoops.simulate.evaluation import format_evaluation as format_evaluation
    from infoops.simulate.world import SimulationSummary as SimulationSummary
    from infoops.simulate.world import simulate as simulate

__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
