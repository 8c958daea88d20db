"""One trace's raw edges, before the null model, for comparison with other tools."""

from __future__ import annotations

import dataclasses

import pandas as pd

from infoops.detect.coaction import drop
from infoops.detect.params import DetectParams
from infoops.detect.traces import TRACES, run_trace
from infoops.errors import DetectionError
from infoops.store import Store


def raw_edges(
    store: Store,
    trace: str,
    window: float | None = None,
    min_weight: int = 1,
    *,
    max_burst: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """The raw (unfiltered by significance) edges of one trace.

    Parameters
    ----------
    store:
        The store.
    trace:
        A name from :data:`infoops.detect.traces.TRACES`.
    window:
        Seconds (the trace's default when None).
    min_weight:
        Keep pairs with at least this raw weight.
    max_burst:
        Skip (object, window) cells with more accounts than this; None: the
        trace's default; 0: no cap (exact comparison with other tools).

    Returns
    -------
    DataFrame
        ``account_a, account_b, weight`` (``account_a < account_b``) and the
        trace's own columns, sorted by ``account_a, account_b``.
    """
    if trace not in TRACES:
        raise DetectionError(f"unknown trace {trace!r}; choose from {', '.join(TRACES)}")
    if min_weight < 1:
        raise DetectionError(f"--min-weight must be >= 1, got {min_weight}")
    params = DetectParams()
    tp = params.traces[trace]
    if window is not None:
        if window < 0:
            raise DetectionError(f"--window must be >= 0 seconds, got {window}")
        tp = dataclasses.replace(tp, window=float(window))
    if max_burst is not None:
        if max_burst < 0:
            raise DetectionError(f"--max-burst must be >= 0, got {max_burst}")
        tp = dataclasses.replace(tp, max_burst=int(max_burst))
    res = run_trace(store.con, trace, params, tp, seed=seed)
    try:
        # through Arrow: DuckDB's own .df() builds Python string objects, ~3x slower
        df = store.con.sql(
            f"SELECT * FROM {res.pairs} WHERE weight >= {int(min_weight)} ORDER BY a, b"
        ).to_arrow_table().to_pandas()
    finally:
        drop(store.con, res)
    df = df.rename(columns={"a": "account_a", "b": "account_b"})
    df["weight"] = df["weight"].astype("int64")
    return df.reset_index(drop=True)
