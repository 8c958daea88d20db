"""Parameters of a detect run: every trace's window and threshold, the null
model and the clustering settings, serialised into ``detect_runs.params`` so
each run can be reproduced and compared.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from infoops.errors import DetectionError

#: Trace names in the order they run (kebab-case, the public registry keys).
TRACE_NAMES = (
    "co-retweet",
    "fast-retweet",
    "co-url",
    "co-domain",
    "co-hashtag",
    "hashtag-sequence",
    "co-mention",
    "co-reply",
    "text-similarity",
    "synchronized",
)


@dataclass
class TraceParams:
    """Settings of one trace.

    Attributes
    ----------
    window:
        Seconds. Co-action traces: two actions on the same object count when
        at most ``window`` seconds apart. ``fast-retweet``: the largest delay
        between a post and its retweet. ``synchronized``: the width of a time
        bin.
    min_weight:
        Smallest raw weight (distinct objects; fast retweets) an edge needs
        before the null model tests it.
    max_burst:
        Objects acted on by more accounts than this are hubs and skipped (a
        post retweeted by 10k accounts would give 50M pairs and, under
        TF-IDF weighting, carries almost no information; Pacheco et al., 2021).
        On the medium simulated world (4.7M posts) the co-retweet cap of 200
        keeps 2.6M co-actions; 500 would give 39M. 0 means no cap.
    enabled:
        Run this trace in ``detect``.
    """

    window: float = 60.0
    min_weight: int = 2
    max_burst: int = 2000
    enabled: bool = True


def _default_traces() -> dict[str, TraceParams]:
    return {
        "co-retweet": TraceParams(window=1800, min_weight=2, max_burst=100),
        "fast-retweet": TraceParams(window=1800, min_weight=3, max_burst=0),
        "co-url": TraceParams(window=3600, min_weight=3, max_burst=100),
        "co-domain": TraceParams(window=600, min_weight=3, max_burst=50),
        "co-hashtag": TraceParams(window=600, min_weight=3, max_burst=50),
        "hashtag-sequence": TraceParams(window=3600, min_weight=2, max_burst=100),
        "co-mention": TraceParams(window=600, min_weight=3, max_burst=50),
        "co-reply": TraceParams(window=1800, min_weight=2, max_burst=100),
        "text-similarity": TraceParams(window=3600, min_weight=3, max_burst=100),
        "synchronized": TraceParams(window=60, min_weight=5, max_burst=30),
    }


@dataclass
class TextParams:
    """Near-duplicate text settings (character shingles + MinHash/LSH;
    Broder, 1997; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3)."""

    shingle: int = 4
    threshold: float = 0.7
    num_perm: int = 64
    bands: int = 16
    min_chars: int = 12


@dataclass
class DetectParams:
    """Everything a detect run depends on (besides the store and the seed).

    Attributes
    ----------
    traces:
        Per-trace settings keyed by trace name (see :data:`TRACE_NAMES`).
    text:
        Near-duplicate text settings.
    alpha:
        False-discovery rate of the null-model test (Benjamini & Hochberg, 1995)
        over the candidate pairs of a trace.
    resolution:
        Leiden resolution (RB configuration / modularity when 1.0).
    min_network_size:
        Smallest cluster reported as a network.
    min_network_edges:
        Fewest significant fused edges inside a cluster for it to count.
    min_mean_degree:
        Lowest mean number of significant fused edges per member inside a
        cluster.
    evidence_per_pair:
        Evidence rows kept per (trace, pair): the closest co-actions.
    """

    traces: dict[str, TraceParams] = field(default_factory=_default_traces)
    text: TextParams = field(default_factory=TextParams)
    alpha: float = 0.01
    resolution: float = 1.0
    min_network_size: int = 3
    min_network_edges: int = 3
    min_mean_degree: float = 2.0
    evidence_per_pair: int = 5

    def __post_init__(self) -> None:
        full = _default_traces()
        for name, tp in self.traces.items():
            if name not in full:
                raise DetectionError(
                    f"unknown trace {name!r}; choose from {', '.join(TRACE_NAMES)}"
                )
            full[name] = tp if isinstance(tp, TraceParams) else TraceParams(**tp)
        self.traces = full
        if isinstance(self.text, dict):
            self.text = TextParams(**self.text)
        if not 0 < self.alpha < 1:
            raise DetectionError(f"alpha must be in (0, 1), got {self.alpha}")
        for name, tp in self.traces.items():
            if tp.window < 0:
                raise DetectionError(f"{name}: window must be >= 0 seconds, got {tp.window}")
        t = self.text
        if t.num_perm % t.bands:
            raise DetectionError(
                f"text: num_perm ({t.num_perm}) must be a multiple of bands ({t.bands})"
            )

    def enabled(self) -> list[str]:
        return [n for n in TRACE_NAMES if self.traces[n].enabled]

    def with_overrides(
        self,
        windows: dict[str, float] | None = None,
        min_weights: dict[str, int] | None = None,
        only: list[str] | None = None,
    ) -> DetectParams:
        """A copy with some traces' windows/min weights changed or a subset enabled."""
        new = dataclasses.replace(
            self, traces={k: dataclasses.replace(v) for k, v in self.traces.items()}
        )
        for what, values in (("window", windows or {}), ("min_weight", min_weights or {})):
            for name, value in values.items():
                if name not in new.traces:
                    raise DetectionError(
                        f"unknown trace {name!r}; choose from {', '.join(TRACE_NAMES)}"
                    )
                setattr(new.traces[name], what, value)
        if only is not None:
            for name in only:
                if name not in new.traces:
                    raise DetectionError(
                        f"unknown trace {name!r}; choose from {', '.join(TRACE_NAMES)}"
                    )
            for name, tp in new.traces.items():
                tp.enabled = name in only
        new.__post_init__()
        return new

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> DetectParams:
        data = json.loads(text) if isinstance(text, str) else dict(text)
        return cls(**data)
