"""Fusion and candidate description equal a per-edge reference on random graphs."""

from __future__ import annotations

import math
import random
from collections import Counter

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from infoops.detect.fusion import SIGNIFICANCE_CAP, describe, fuse

ACCOUNTS = [f"u{i:02d}" for i in range(10)]
TRACES = ["co-retweet", "co-url", "text-similarity"]


@st.composite
def layers(draw):
    tested = {}
    for name in TRACES:
        pairs = draw(st.sets(st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS))
                             .filter(lambda p: p[0] < p[1]), min_size=8, max_size=30))
        rows = sorted(pairs)
        tested[name] = pd.DataFrame({
            "a": [a for a, _ in rows], "b": [b for _, b in rows],
            "p_value": [draw(st.sampled_from([1e-9, 1e-4, 0.003, 0.2])) for _ in rows],
            "significant": [draw(st.sampled_from([True, True, True, False])) for _ in rows],
        })
    return tested


def ref_fuse(tested):
    acc: dict[tuple[str, str], list] = {}
    for name, df in tested.items():
        for a, b, p, sig in df[["a", "b", "p_value", "significant"]].itertuples(index=False):
            if sig:
                s = min(-math.log10(max(p, 1e-300)), SIGNIFICANCE_CAP)
                e = acc.setdefault((a, b), [0.0, 1.0, []])
                e[0] += s
                e[1] = min(e[1], p)
                e[2].append(name)
    n = max(len(tested), 1)
    return {k: (w, min(p * n, 1.0), ",".join(sorted(t))) for k, (w, p, t) in acc.items()}


def ref_describe(fused, communities, min_size=3, min_edges=3, min_mean_degree=2.0):
    out = {}
    for c in sorted(set(communities.values())):
        members = sorted(a for a, x in communities.items() if x == c)
        edges = [r for r in fused.itertuples(index=False)
                 if communities[r.a] == c and communities[r.b] == c]
        n, m = len(members), len(edges)
        if n < min_size or m < min_edges or 2 * m / n < min_mean_degree:
            continue
        traces, per, strength = Counter(), {}, Counter()
        for r in edges:
            strength[r.a] += r.weight
            strength[r.b] += r.weight
            for t in r.traces.split(","):
                traces[t] += 1
                per.setdefault(r.a, Counter())[t] += 1
                per.setdefault(r.b, Counter())[t] += 1
        boundary = sum(r.weight for r in fused.itertuples(index=False)
                       if (communities[r.a] == c) != (communities[r.b] == c))
        top = max(strength.values())
        out[tuple(members)] = {
            "internal_edges": m, "boundary_weight": round(boundary, 6),
            "trace_edges": dict(sorted(traces.items())),
            "strength": {a: round(strength[a] / top, 6) for a in members},
            "per_member": {a: dict(sorted(per.get(a, Counter()).items())) for a in members},
        }
    return out


def check(tested, k) -> int:
    """Compare fuse and describe with the references; the number of candidates."""
    fused = fuse(tested)
    ref = ref_fuse(tested)
    got = {(a, b): (w, p, t) for a, b, w, p, t in
           fused[["a", "b", "weight", "p_value", "traces"]].itertuples(index=False)}
    assert got.keys() == ref.keys()
    for key, (w, p, t) in ref.items():
        assert math.isclose(got[key][0], w) and math.isclose(got[key][1], p) and got[key][2] == t
    if fused.empty:
        return 0
    communities = {a: int(a[1:]) % k for a in ACCOUNTS
                   if a in set(fused["a"]) | set(fused["b"])}
    cands = describe(fused, communities)
    want = ref_describe(fused, communities)
    assert {tuple(c.accounts) for c in cands} == set(want)
    for c in cands:
        r = want[tuple(c.accounts)]
        assert c.detail["internal_edges"] == r["internal_edges"]
        assert math.isclose(c.detail["boundary_weight"], r["boundary_weight"], abs_tol=1e-5)
        assert c.detail["trace_edges"] == r["trace_edges"]
        assert c.member_traces == r["per_member"]
        assert all(math.isclose(c.member_strength[a], r["strength"][a], abs_tol=1e-5)
                   for a in c.accounts)
    return len(cands)


@settings(max_examples=60, deadline=None)
@given(tested=layers(), k=st.integers(1, 4))
def test_fuse_and_describe_equal_the_per_edge_reference(tested, k):
    check(tested, k)


def test_fuse_and_describe_on_dense_seeded_graphs():
    """Graphs dense enough that candidates form, so the comparison is not vacuous."""
    rng = random.Random(4)
    pairs = [(a, b) for a in ACCOUNTS for b in ACCOUNTS if a < b]
    seen = 0
    for _ in range(20):
        tested = {}
        for name in TRACES:
            rows = sorted(rng.sample(pairs, rng.randint(10, 30)))
            tested[name] = pd.DataFrame({
                "a": [a for a, _ in rows], "b": [b for _, b in rows],
                "p_value": [rng.choice([1e-9, 1e-4, 0.003, 0.2]) for _ in rows],
                "significant": [rng.random() < 0.8 for _ in rows],
            })
        seen += check(tested, rng.randint(1, 4))
    assert seen >= 20
