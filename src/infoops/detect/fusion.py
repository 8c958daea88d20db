"""Fuse trace layers into one graph, cluster it, and describe each cluster.

Fusion (multiplex aggregation, as in Pacheco et al., ICWSM 2021 and Luceri et
al., WWW 2024): the fused weight of a pair is the sum over traces of its
significance, ``min(-log10 p, 30)``, over the traces where the edge is
significant, so pairs backed by several independent traces weigh more.

Clustering: Leiden (Traag, Waltman & van Eck, "From Louvain to Leiden:
guaranteeing well-connected communities", Sci. Rep. 2019) on the fused graph
with the RB configuration (modularity) quality function, seeded. Vertices are
ordered by a label-free key (strength, degree) before clustering, so relabelling
the accounts does not change the partition except on exact ties.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Cap on one trace's contribution (-log10 p) to a fused weight.
SIGNIFICANCE_CAP = 30.0


def fuse(tested: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Sum the significance of every significant trace edge into one layer.

    Parameters
    ----------
    tested:
        Trace name -> output of :func:`infoops.detect.nullmodel.significant_edges`.

    Returns
    -------
    DataFrame
        ``a, b, weight, p_value, traces`` (``traces``: comma-separated names),
        ``p_value`` the smallest trace p-value times the number of traces
        (Bonferroni across layers, at most 1).
    """
    parts = []
    for name, df in tested.items():
        sig = df[df["significant"]]
        if sig.empty:
            continue
        lp = -np.log10(np.maximum(sig["p_value"].to_numpy(float), 1e-300))
        parts.append(
            pd.DataFrame(
                {
                    "a": sig["a"].to_numpy(),
                    "b": sig["b"].to_numpy(),
                    "s": np.minimum(lp, SIGNIFICANCE_CAP),
                    "p": sig["p_value"].to_numpy(float),
                    "trace": name,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["a", "b", "weight", "p_value", "traces"])
    allp = pd.concat(parts, ignore_index=True)
    n_layers = max(len(tested), 1)
    g = allp.groupby(["a", "b"], sort=True)
    out = g.agg(weight=("s", "sum"), p_value=("p", "min"),
                traces=("trace", lambda t: ",".join(sorted(t)))).reset_index()
    out["p_value"] = np.minimum(out["p_value"] * n_layers, 1.0)
    return out


def cluster(fused: pd.DataFrame, resolution: float = 1.0, seed: int = 0) -> dict[str, int]:
    """Leiden communities of the fused graph: account -> community index.

    Communities are numbered by decreasing size, ties broken by their
    smallest member id, so numbering is reproducible.
    """
    import igraph as ig
    import leidenalg

    if fused.empty:
        return {}
    a = fused["a"].to_numpy()
    b = fused["b"].to_numpy()
    w = fused["weight"].to_numpy(float)
    names, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
    n = len(names)
    ia, ib = inv[: len(a)], inv[len(a):]
    strength = np.bincount(ia, w, n) + np.bincount(ib, w, n)
    degree = np.bincount(ia, minlength=n) + np.bincount(ib, minlength=n)
    # label-free vertex order: strongest first (ids only break exact ties)
    order = np.lexsort((names, -degree, -np.round(strength, 9)))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    g = ig.Graph(n=n, edges=list(zip(rank[ia].tolist(), rank[ib].tolist())))
    g.es["weight"] = w.tolist()
    part = leidenalg.find_partition(
        g, leidenalg.RBConfigurationVertexPartition, weights="weight",
        resolution_parameter=resolution, seed=int(seed), n_iterations=-1,
    )
    membership = np.asarray(part.membership)
    labels = membership[rank]  # back to the order of ``names``
    groups: dict[int, list[str]] = {}
    for name, lab in zip(names.tolist(), labels.tolist()):
        groups.setdefault(lab, []).append(name)
    ordered = sorted(groups.values(), key=lambda m: (-len(m), min(m)))
    return {acc: i for i, members in enumerate(ordered) for acc in members}


@dataclass
class Candidate:
    """A cluster that qualifies as a candidate network."""

    network_id: str
    accounts: list[str]
    score: float
    traces: list[str]
    detail: dict
    member_strength: dict[str, float] = field(default_factory=dict)
    member_traces: dict[str, dict[str, int]] = field(default_factory=dict)


def describe(
    fused: pd.DataFrame,
    communities: dict[str, int],
    min_size: int = 3,
    min_edges: int = 3,
    min_mean_degree: float = 2.0,
) -> list[Candidate]:
    """Turn communities into candidate networks, keeping those with enough evidence.

    A community qualifies with at least ``min_size`` accounts, ``min_edges``
    significant internal edges and a mean internal degree (2 edges / size) of
    at least ``min_mean_degree`` (a density bar would reject large sparse
    operations: amplifier teams that each boost a few cores). Its
    score in [0, 1] averages the density and ``1 - exp(-w/10)`` of the mean
    internal fused weight ``w``; ``traces`` lists the traces behind its
    internal edges, most frequent first.
    """
    if fused.empty or not communities:
        return []
    ca = fused["a"].map(communities)
    cb = fused["b"].map(communities)
    internal = fused[ca.to_numpy() == cb.to_numpy()].assign(c=ca[ca == cb])
    out = []
    sizes = Counter(communities.values())
    boundary = fused[ca.to_numpy() != cb.to_numpy()]
    for c, edges in internal.groupby("c", sort=True):
        n = sizes[c]
        if n < min_size or len(edges) < min_edges:
            continue
        density = len(edges) / (n * (n - 1) / 2)
        if 2 * len(edges) / n < min_mean_degree:
            continue
        mean_w = float(edges["weight"].mean())
        trace_counts: Counter[str] = Counter()
        strength: Counter[str] = Counter()
        per_member: dict[str, Counter[str]] = {}
        for a, b, w, tr in edges[["a", "b", "weight", "traces"]].itertuples(index=False):
            strength[a] += w
            strength[b] += w
            for t in tr.split(","):
                trace_counts[t] += 1
                per_member.setdefault(a, Counter())[t] += 1
                per_member.setdefault(b, Counter())[t] += 1
        members = sorted(acc for acc, cc in communities.items() if cc == c)
        top = max(strength.values()) if strength else 1.0
        out_w = float(
            boundary.loc[boundary["a"].isin(members) | boundary["b"].isin(members), "weight"].sum()
        )
        score = 0.5 * density + 0.5 * (1 - math.exp(-mean_w / 10))
        out.append(
            Candidate(
                network_id="",
                accounts=members,
                score=round(float(score), 6),
                traces=[t for t, _ in sorted(trace_counts.items(), key=lambda kv: (-kv[1], kv[0]))],
                detail={
                    "internal_edges": len(edges),
                    "density": round(density, 6),
                    "mean_weight": round(mean_w, 6),
                    "boundary_weight": round(out_w, 6),
                    "trace_edges": dict(sorted(trace_counts.items())),
                },
                member_strength={m: round(strength.get(m, 0.0) / top, 6) for m in members},
                member_traces={m: dict(sorted(per_member.get(m, Counter()).items()))
                               for m in members},
            )
        )
    out.sort(key=lambda cand: (-len(cand.accounts), cand.accounts[0]))
    for i, cand in enumerate(out, 1):
        cand.network_id = f"N{i}"
    return out
