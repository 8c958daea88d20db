"""Simulated worlds with ground truth, and scoring against them.

>>> from infoops.simulate import simulate, evaluate   # doctest: +SKIP
>>> simulate("world", seed=7, scale="tiny")            # doctest: +SKIP
>>> evaluate("world/truth.csv", flagged="flagged.csv")  # doctest: +SKIP

Names are imported on first use (module ``__getattr__``, PEP 562), so the
command line starts without loading pandas or DuckDB it does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Public name -> the module that defines it.
_EXPORTS = {
    "SCALES": "infoops.simulate.config",
    "SimulationError": "infoops.simulate.config",
    "WorldParams": "infoops.simulate.config",
    "draw_params": "infoops.simulate.config",
    "EvaluationResult": "infoops.simulate.evaluate",
    "adjusted_rand_index": "infoops.simulate.evaluate",
    "evaluate": "infoops.simulate.evaluate",
    "format_evaluation": "infoops.simulate.evaluate",
    "SimulationSummary": "infoops.simulate.world",
    "simulate": "infoops.simulate.world",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from infoops.simulate.config import SCALES as SCALES
    from infoops.simulate.config import SimulationError as SimulationError
    from infoops.simulate.config import WorldParams as WorldParams
    from infoops.simulate.config import draw_params as draw_params
    from infoops.simulate.evaluate import EvaluationResult as EvaluationResult
    from infoops.simulate.evaluate import adjusted_rand_index as adjusted_rand_index
    from infoops.simulate.evaluate import evaluate as evaluate
    from infoops.simulate.evaluate import format_evaluation as format_evaluation
    from infoops.simulate.world import SimulationSummary as SimulationSummary
    from infoops.simulate.world import simulate as simulate


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
