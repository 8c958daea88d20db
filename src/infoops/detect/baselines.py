"""Two naive detectors, kept as baselines the real pipeline must beat.

- :func:`naive_coretweet`: link accounts that retweeted the same post within
  ``window_s`` seconds at least ``min_weight`` times; connected components are
  the networks. This is the raw co-retweet trace (Keller et al., *Political
  Communication* 2020; Pacheco et al., ICWSM 2021) with no null model, so any
  crowd that retweets one popular account quickly gets flagged.
- :func:`zero_followers`: every account with no followers that posted — the
  headline statistic of the June 2020 PRC takedown (78.5 % zero followers)
  turned into a rule.

Both read only the store's ``posts`` and ``accounts`` tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from infoops.errors import DetectionError
from infoops.store import Store

COLUMNS = ["account_id", "network_id", "role", "score"]


def _retweet_share(store: Store) -> pd.DataFrame:
    return store.sql(
        "SELECT account_id, avg(CASE WHEN kind = 'retweet' THEN 1.0 ELSE 0.0 END) AS rt_share "
        "FROM posts GROUP BY account_id"
    )


def _check(store: Store) -> None:
    if store.count("posts") == 0:
        raise DetectionError(f"{store.path}: no posts; run `infoops ingest` first")


def naive_coretweet(store: Store, window_s: int = 60, min_weight: int = 3) -> pd.DataFrame:
    """Flag connected components of the thresholded co-retweet graph.

    Parameters
    ----------
    store: the store to read (``posts``).
    window_s: two retweets of the same post count when at most this many seconds apart.
    min_weight: an edge needs at least this many distinct co-retweeted posts.

    Returns
    -------
    DataFrame with ``account_id, network_id, role, score``: networks numbered by
    size (``naive-1`` is the largest); role ``amplifier`` when most of an
    account's posts are retweets, else ``core``; score is the account's weighted
    degree over the largest in its network.
    """
    if window_s < 0 or min_weight < 1:
        raise DetectionError("window_s must be >= 0 and min_weight >= 1")
    _check(store)
    edges = store.sql(
        """
        WITH rt AS (
            SELECT account_id, ref_post_id, epoch(created_at) AS s
            FROM posts WHERE kind = 'retweet' AND ref_post_id IS NOT NULL AND created_at IS NOT NULL
        )
        SELECT a.account_id AS u, b.account_id AS v, count(DISTINCT a.ref_post_id) AS w
        FROM rt a JOIN rt b
          ON a.ref_post_id = b.ref_post_id AND a.account_id < b.account_id AND abs(a.s - b.s) <= ?
        GROUP BY 1, 2 HAVING count(DISTINCT a.ref_post_id) >= ?
        ORDER BY 1, 2
        """,
        [window_s, min_weight],
    )
    if edges.empty:
        return pd.DataFrame(columns=COLUMNS)
    nodes = np.unique(np.concatenate([edges["u"].to_numpy(), edges["v"].to_numpy()]))
    u = np.searchsorted(nodes, edges["u"].to_numpy())
    v = np.searchsorted(nodes, edges["v"].to_numpy())
    w = edges["w"].to_numpy(dtype=float)
    g = coo_matrix((w, (u, v)), shape=(len(nodes), len(nodes))).tocsr()
    _, comp = connected_components(g, directed=False)
    degree = np.bincount(u, w, len(nodes)) + np.bincount(v, w, len(nodes))
    sizes = np.bincount(comp)
    rank = np.empty(len(sizes), np.int64)
    rank[np.lexsort((np.arange(len(sizes)), -sizes))] = np.arange(1, len(sizes) + 1)
    top = np.zeros(len(sizes))
    np.maximum.at(top, comp, degree)
    out = pd.DataFrame(
        {
            "account_id": nodes,
            "network_id": [f"naive-{r}" for r in rank[comp]],
            "score": degree / top[comp],
        }
    )
    share = _retweet_share(store).set_index("account_id")["rt_share"]
    out["role"] = np.where(out["account_id"].map(share).fillna(1.0) >= 0.5, "amplifier", "core")
    return out[COLUMNS].sort_values(["network_id", "account_id"]).reset_index(drop=True)


def zero_followers(store: Store) -> pd.DataFrame:
    """Flag every account with zero followers that posted, as one network.

    Returns ``account_id, network_id ('zero-followers'), role, score (1.0)``;
    role ``amplifier`` when most of the account's posts are retweets.
    """
    _check(store)
    df = store.sql(
        """
        SELECT a.account_id,
               avg(CASE WHEN p.kind = 'retweet' THEN 1.0 ELSE 0.0 END) AS rt_share
        FROM accounts a JOIN posts p ON p.account_id = a.account_id
        WHERE a.followers = 0
        GROUP BY a.account_id ORDER BY a.account_id
        """
    )
    return pd.DataFrame(
        {
            "account_id": df["account_id"],
            "network_id": "zero-followers",
            "role": np.where(df["rt_share"] >= 0.5, "amplifier", "core"),
            "score": 1.0,
        }
    )[COLUMNS]
