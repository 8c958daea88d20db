"""Merge networks that push the same campaign: one operation, several clusters.

An operation's teams (retweet rings, core/amplifier teams) often never act
together, so clustering returns one network per team. What still ties them
is the campaign: the same distinctive hashtags and link domains — the
co-hashtag / co-domain idea of Pacheco et al. (ICWSM 2021) lifted from
accounts to networks. Each network is described by a TF-IDF vector
(Salton & Buckley, 1988) over hashtags and URL domains: the weight of a
token is the share of the network's members using it (in any post,
reposts included) times its inverse document frequency over every post in
the store, so tokens the whole platform uses (#COVID19, big news sites)
count for little. Networks whose vectors have cosine similarity of at
least ``min_similarity`` are linked, and each connected component becomes
one network, named after its largest part.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from infoops.detect.recruit import apply_renames
from infoops.store import Store


def campaign_vectors(store: Store, run_id: str) -> pd.DataFrame:
    """``network_id, token, weight`` (TF-IDF) for every network of the run."""
    return store.sql(
        """
        WITH m AS (SELECT DISTINCT network_id, account_id FROM members WHERE run_id = $run),
        size AS (SELECT network_id, count(*) AS n FROM m GROUP BY 1),
        toks AS (
            SELECT h.post_id, '#' || lower(h.tag) AS token FROM post_hashtags h
            UNION ALL
            SELECT u.post_id, 'domain:' || lower(u.domain) FROM post_urls u
            WHERE u.domain IS NOT NULL AND u.domain <> ''
        ),
        df AS (SELECT token, count(DISTINCT post_id) AS n FROM toks GROUP BY 1),
        total AS (SELECT count(*) AS n FROM posts),
        used AS (
            SELECT m.network_id, t.token, count(DISTINCT p.account_id) AS accounts
            FROM toks t JOIN posts p USING (post_id) JOIN m ON m.account_id = p.account_id
            GROUP BY ALL
        )
        SELECT used.network_id, used.token,
               used.accounts / size.n * ln(total.n / df.n) AS weight
        FROM used JOIN size USING (network_id) JOIN df USING (token) CROSS JOIN total
        WHERE df.n < total.n
        ORDER BY used.network_id, used.token
        """,
        {"run": run_id},
    )


def similar_networks(vectors: pd.DataFrame, min_similarity: float = 0.6) -> list[tuple[str, str, float]]:
    """Pairs of networks whose campaign vectors have cosine ≥ ``min_similarity``."""
    if vectors.empty:
        return []
    nets = sorted(vectors["network_id"].unique())
    toks = sorted(vectors["token"].unique())
    ni = {n: i for i, n in enumerate(nets)}
    ti = {t: i for i, t in enumerate(toks)}
    x = sparse.csr_matrix(
        (vectors["weight"].to_numpy(float),
         (vectors["network_id"].map(ni).to_numpy(), vectors["token"].map(ti).to_numpy())),
        shape=(len(nets), len(toks)),
    )
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x
    sim = sparse.triu(x @ x.T, k=1).tocoo()
    keep = sim.data >= min_similarity
    return sorted(
        (nets[i], nets[j], float(v)) for i, j, v in zip(sim.row[keep], sim.col[keep], sim.data[keep], strict=False)
    )


def merge_campaigns(store: Store, run_id: str, min_similarity: float = 0.6,
                    mergeable: set[str] | None = None) -> dict[str, str]:
    """Merge the run's networks that share a campaign; return ``{merged away: into}``.

    With ``mergeable``, only those networks take part (the others keep their own
    verdict: a crowd rejected on its evidence does not join an operation that
    pushes the same hashtags)."""
    vectors = campaign_vectors(store, run_id)
    if mergeable is not None:
        vectors = vectors[vectors["network_id"].isin(mergeable)]
    pairs = similar_networks(vectors, min_similarity)
    if not pairs:
        return {}
    sizes = dict(
        store.execute(
            "SELECT network_id, count(*) FROM members WHERE run_id = ? GROUP BY 1", [run_id]
        ).fetchall()
    )
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for n in sorted(parent):
        groups.setdefault(find(n), []).append(n)
    renames: dict[str, str] = {}
    for parts in groups.values():
        head = min(parts, key=lambda n: (-sizes.get(n, 0), n))
        renames.update({n: head for n in parts if n != head})
    apply_renames(store, run_id, renames)
    return renames
