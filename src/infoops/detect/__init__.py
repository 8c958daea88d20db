"""Detection: coordination traces → null model → fusion → clustering → roles.

The public API, as networkx's packages offer theirs::

    from infoops.detect import DetectParams, detect
    run_id = detect(store, DetectParams(resolution=0.8), seed=1)

Names are imported on first use (module ``__getattr__``, PEP 562), so
``import infoops.detect`` stays cheap for the command line's start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infoops._lazy import lazy_exports

#: Public name -> the module that defines it.
_EXPORTS = {
    "detect": "infoops.detect.pipeline",
    "run_summary": "infoops.detect.pipeline",
    "DetectParams": "infoops.detect.params",
    "TraceParams": "infoops.detect.params",
    "TextParams": "infoops.detect.params",
    "RoleParams": "infoops.detect.params",
    "TRACE_NAMES": "infoops.detect.params",
    "check_trace": "infoops.detect.params",
    "TRACES": "infoops.detect.traces",
    "run_trace": "infoops.detect.traces",
    "raw_edges": "infoops.detect.trace_edges",
    "significant_edges": "infoops.detect.nullmodel",
    "fuse": "infoops.detect.fusion",
    "cluster": "infoops.detect.fusion",
    "naive_coretweet": "infoops.detect.baselines",
    "zero_followers": "infoops.detect.baselines",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from infoops.detect.baselines import naive_coretweet as naive_coretweet
    from infoops.detect.baselines import zero_followers as zero_followers
    from infoops.detect.fusion import cluster as cluster
    from infoops.detect.fusion import fuse as fuse
    from infoops.detect.nullmodel import significant_edges as significant_edges
    from infoops.detect.params import TRACE_NAMES as TRACE_NAMES
    from infoops.detect.params import DetectParams as DetectParams
    from infoops.detect.params import RoleParams as RoleParams
    from infoops.detect.params import TextParams as TextParams
    from infoops.detect.params import TraceParams as TraceParams
    from infoops.detect.params import check_trace as check_trace
    from infoops.detect.pipeline import detect as detect
    from infoops.detect.pipeline import run_summary as run_summary
    from infoops.detect.trace_edges import raw_edges as raw_edges
    from infoops.detect.traces import TRACES as TRACES
    from infoops.detect.traces import run_trace as run_trace

__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
