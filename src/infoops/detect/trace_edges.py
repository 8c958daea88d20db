"""One trace's raw edges, before the null model, for comparison with other tools."""

from __future__ import annotations

import dataclasses

import pandas as pd

from infoops.detect.coaction import drop
from infoops.detect.params import DetectParams, check_range, check_trace, check_whole
from infoops.detect.traces import run_trace
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
    check_trace(trace)
    check_whole("--min-weight", min_weight, 1)
    params = DetectParams()
    tp = params.traces[trace]
    if window is not None:
        check_range("--window", window, 0.0, float("inf"))
        tp = dataclasses.replace(tp, window=float(window))
    if max_burst is not None:
        check_whole("--max-burst", max_burst, 0)
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
