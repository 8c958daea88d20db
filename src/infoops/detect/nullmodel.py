"""Null models: which trace edges are more than chance.

Organic crowds co-act too: fans retweet the same celebrity posts, readers
share the same breaking-news link, busy hours put everyone in the same time
bins. An edge is kept only when its weight is improbable given how active the
two accounts are and how popular the objects are.

* Co-action traces use the bipartite configuration model (Saracco et al.,
  "Inferring monopartite projections of bipartite networks", New J. Phys.
  2017; used for coordination by the coordinationz project): accounts and
  objects keep their degrees, links are otherwise random. In its sparse
  (Chung–Lu) approximation the chance that account ``a`` (degree ``d_a``)
  touches object ``o`` (degree ``k_o``) is ``d_a k_o / E``, so the number of
  objects two accounts share is approximately Poisson with mean
  ``d_a d_b sum_o k_o^2 / E^2``. Popular objects raise ``sum k_o^2`` and
  active accounts raise ``d_a d_b``, which is how celebrity fans and news
  readers are discounted. Because the trace counts only co-actions within the
  time window, each object's term is multiplied by the share of its account
  pairs that did co-act within the window (a time-shuffle-free estimate of the
  chance that two random actors of that object are synchronous), so
  ``lambda_ab = d_a d_b sum_o k_o^2 s_o / E^2``: a breaking post that everyone
  reposts within a minute keeps its full weight, a post reposted over days
  loses most of it.
* ``fast-retweet`` uses a binomial test: of the ``n`` retweets between two
  accounts, ``k`` were fast; under the null each is fast with the store-wide
  share ``q``.

p-values are corrected with the Benjamini–Hochberg procedure (1995) over the
whole family of tests — every pair of accounts that could reach ``min_weight``
(both with at least ``min_weight`` objects), not only the pairs observed — and
an edge is significant when it passes at false-discovery rate ``alpha`` and
its raw weight reaches ``min_weight``.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from infoops.detect.coaction import TraceResult
from infoops.store.sql import scalar


def benjamini_hochberg(p: np.ndarray, m: int | None = None) -> np.ndarray:
    """BH-adjusted p-values (q-values) for ``p``, out of ``m >= len(p)`` tests."""
    n = len(p)
    if n == 0:
        return np.empty(0)
    m = max(int(m or n), n)
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def significant_edges(
    con: duckdb.DuckDBPyConnection, result: TraceResult, min_weight: int, alpha: float
) -> pd.DataFrame:
    """The candidate edges of one trace with p-values and a significance flag.

    Parameters
    ----------
    con:
        Connection holding the trace's temp tables.
    result:
        A trace result (see :class:`infoops.detect.coaction.TraceResult`).
    min_weight:
        Pairs below this raw weight are not tested (and not returned).
    alpha:
        False-discovery rate.

    Returns
    -------
    DataFrame
        ``a, b, weight, p_value, q_value, significant, expected`` and the
        trace's own columns.
    """
    m = scalar(con, f"SELECT count(*) FROM {result.pairs}")
    if result.model == "binomial":
        df = con.sql(f"SELECT * FROM {result.pairs} WHERE weight >= {int(min_weight)}").df()
        m = max(m, int(result.stats.get("pairs_any", 0)))
        q = float(result.stats.get("q", 0.0))
        k = df["weight"].to_numpy(dtype=float)
        n = df["n_retweets"].to_numpy(dtype=float)
        p = stats.binom.sf(k - 1, n, q) if q < 1 else np.ones(len(df))
        expected = n * q
    else:
        degs = result.stats["degrees"]
        df = con.sql(
            f"""
            SELECT p.*, da.d AS d_a, db.d AS d_b FROM {result.pairs} p
            JOIN {degs} da ON da.account_id = p.a JOIN {degs} db ON db.account_id = p.b
            WHERE p.weight >= {int(min_weight)}
            """
        ).df()
        # the family of tests: every pair of accounts that could reach min_weight
        at_risk = scalar(con, f"SELECT count(*) FROM {degs} WHERE d >= {int(min_weight)}")
        m = max(m, at_risk * (at_risk - 1) // 2)
        c = float(result.stats.get("c", 0.0))
        expected = df["d_a"].to_numpy(float) * df["d_b"].to_numpy(float) * c
        k = df["weight"].to_numpy(dtype=float)
        p = stats.poisson.sf(k - 1, np.maximum(expected, 1e-300))
    df["expected"] = expected
    df["p_value"] = p
    df["q_value"] = benjamini_hochberg(np.asarray(p, dtype=float), m)
    df["significant"] = (df["q_value"] <= alpha) & (df["weight"] >= min_weight)
    return df.sort_values(["a", "b"], kind="stable").reset_index(drop=True)
