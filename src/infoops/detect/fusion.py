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
    # each trace is one bit; a pair appears at most once per trace, so the sum
    # of its bits names its set of traces (no Python call per pair)
    names = sorted(allp["trace"].unique())
    allp["bit"] = allp["trace"].map({t: 1 << i for i, t in enumerate(names)}).astype("int64")
    out = allp.groupby(["a", "b"], sort=True).agg(
        weight=("s", "sum"), p_value=("p", "min"), mask=("bit", "sum")).reset_index()
    masks = out["mask"].unique()
    label = {int(m): ",".join(t for i, t in enumerate(names) if int(m) >> i & 1) for m in masks}
    out["traces"] = out["mask"].map(label)
    out["p_value"] = np.minimum(out["p_value"] * n_layers, 1.0)
    return out.drop(columns="mask")


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
    g = ig.Graph(n=n, edges=list(zip(rank[ia].tolist(), rank[ib].tolist(), strict=False)))
    g.es["weight"] = w.tolist()
    part = leidenalg.find_partition(
        g, leidenalg.RBConfigurationVertexPartition, weights="weight",
        resolution_parameter=resolution, seed=int(seed), n_iterations=-1,
    )
    membership = np.asarray(part.membership)
    labels = membership[rank]  # back to the order of ``names``
    groups: dict[int, list[str]] = {}
    for name, lab in zip(names.tolist(), labels.tolist(), strict=False):
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


def _by_trace(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with one row per trace named in its ``traces`` column (few
    distinct trace sets, so each is split once)."""
    codes, sets = pd.factorize(frame["traces"])
    names = [t.split(",") for t in sets]
    lookup = pd.DataFrame({
        "code": np.repeat(np.arange(len(names)), [len(n) for n in names]),
        "trace": [t for n in names for t in n],
    })
    return frame.drop(columns="traces").assign(code=codes).merge(lookup, on="code")


def _member_weights(internal: pd.DataFrame) -> tuple[pd.Series, dict[int, dict[str, int]],
                                                     dict[int, dict[str, dict[str, int]]]]:
    """Per community: each member's summed edge weight, edges per trace, and each member's
    edges per trace, from the internal edges (``c, a, b, weight, traces``)."""
    # one row per (community, endpoint) and per (community, endpoint, trace)
    ends = pd.DataFrame({
        "c": np.concatenate([internal["c"].to_numpy(), internal["c"].to_numpy()]),
        "acc": np.concatenate([internal["a"].to_numpy(), internal["b"].to_numpy()]),
        "w": np.concatenate([internal["weight"].to_numpy(), internal["weight"].to_numpy()]),
        "traces": np.concatenate([internal["traces"].to_numpy(), internal["traces"].to_numpy()]),
    })
    strength = ends.groupby(["c", "acc"], sort=False)["w"].sum()
    member_traces = _by_trace(ends).groupby(["c", "acc", "trace"], sort=True).size()
    # every internal edge has two ends: a community's edges per trace are half its ends'
    trace_counts = member_traces.groupby(level=["c", "trace"], sort=True).sum() // 2
    counts_of: dict[int, dict[str, int]] = {}
    tc = trace_counts.reset_index(name="k")
    for c, t, k in zip(tc["c"].tolist(), tc["trace"].tolist(), tc["k"].tolist(), strict=True):
        counts_of.setdefault(int(c), {})[str(t)] = int(k)
    traces_of: dict[int, dict[str, dict[str, int]]] = {}
    mtr = member_traces.reset_index(name="k")
    for c, acc, t, k in zip(mtr["c"].tolist(), mtr["acc"].tolist(), mtr["trace"].tolist(),
                            mtr["k"].tolist(), strict=True):
        traces_of.setdefault(int(c), {}).setdefault(str(acc), {})[str(t)] = int(k)
    return strength, counts_of, traces_of


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
    ca = fused["a"].map(communities).to_numpy()
    cb = fused["b"].map(communities).to_numpy()
    same = ca == cb
    internal = fused.loc[same, ["a", "b", "weight", "traces"]].assign(c=ca[same])
    sizes = Counter(communities.values())
    n_edges = internal.groupby("c").size()
    kept = [int(c) for c, m in n_edges.items()
            if sizes[c] >= min_size and m >= min_edges and 2 * m / sizes[c] >= min_mean_degree]
    if not kept:
        return []
    internal = internal[internal["c"].isin(kept)]
    # weight leaving each community: a boundary edge counts for both its ends' communities
    boundary = fused.loc[~same, "weight"].to_numpy()
    out_w = (pd.Series(boundary).groupby(ca[~same]).sum()
             .add(pd.Series(boundary).groupby(cb[~same]).sum(), fill_value=0.0))
    strength, counts_of, traces_of = _member_weights(internal)
    members_of: dict[int, list[str]] = {}
    for acc, c in communities.items():
        members_of.setdefault(c, []).append(acc)
    mean_w = internal.groupby("c")["weight"].mean()
    out = []
    for c in kept:
        n, m = sizes[c], int(n_edges[c])
        density = m / (n * (n - 1) / 2)
        w = float(mean_w[c])
        counts = counts_of[c]
        members = sorted(members_of[c])
        st = strength.loc[c]
        top = float(st.max()) if len(st) else 1.0
        mt = traces_of.get(c, {})
        score = 0.5 * density + 0.5 * (1 - math.exp(-w / 10))
        out.append(
            Candidate(
                network_id="",
                accounts=members,
                score=round(float(score), 6),
                traces=[t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))],
                detail={
                    "internal_edges": m,
                    "density": round(density, 6),
                    "mean_weight": round(w, 6),
                    "boundary_weight": round(float(out_w.get(c, 0.0)), 6),
                    "trace_edges": counts,
                },
                member_strength={a: round(float(st.get(a, 0.0)) / top, 6) for a in members},
                member_traces={a: mt.get(a, {}) for a in members},
            )
        )
    out.sort(key=lambda cand: (-len(cand.accounts), cand.accounts[0]))
    for i, cand in enumerate(out, 1):
        cand.network_id = f"N{i}"
    return out
