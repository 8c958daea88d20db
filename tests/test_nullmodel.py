"""The null model keeps coordination and drops organic crowds."""

from __future__ import annotations

import numpy as np
import pytest

from detect_fixtures import insert, scenario
from infoops.detect.coaction import drop
from infoops.detect.nullmodel import benjamini_hochberg, significant_edges
from infoops.detect.params import DetectParams
from infoops.detect.traces import run_trace


def test_benjamini_hochberg_matches_definition():
    p = np.array([0.01, 0.04, 0.03, 0.2])
    q = benjamini_hochberg(p)
    # sorted p: .01 .03 .04 .2 -> p*m/rank: .04 .06 .0533 .2 -> monotone from the top
    assert q == pytest.approx([0.04, 0.0533333, 0.0533333, 0.2], rel=1e-5)
    assert benjamini_hochberg(p, m=8) == pytest.approx(np.minimum(q * 2, 1))
    assert len(benjamini_hochberg(np.array([]))) == 0


def _tested(store, trace, **windows):
    params = DetectParams().with_overrides(windows={k.replace("_", "-"): v
                                                    for k, v in windows.items()})
    res = run_trace(store.con, trace, params)
    try:
        return significant_edges(store.con, res, params.traces[trace].min_weight, params.alpha)
    finally:
        drop(store.con, res)


def _groups(df):
    def g(acc):
        return "".join(ch for ch in acc if not ch.isdigit())
    sig = df[df["significant"]]
    return {(g(a), g(b)) for a, b in zip(sig["a"], sig["b"], strict=False)}


def test_fans_of_a_celebrity_are_not_significant_but_the_operation_is(store):
    insert(store, *scenario(seed=3))
    df = _tested(store, "co-retweet")
    groups = _groups(df)
    assert ("amp", "amp") in groups
    assert not any("fan" in a or "fan" in b for a, b in groups)
    # fans do co-retweet (many raw pairs) — the null model is what removes them
    fans = df[df["a"].str.startswith("fan") & df["b"].str.startswith("fan")]
    assert len(fans) > 0 and not fans["significant"].any()
    assert (fans["expected"] > 0).all()


def test_news_burst_readers_are_not_significant(store):
    insert(store, *scenario(seed=4))
    for trace in ("co-url", "co-domain", "synchronized"):
        groups = _groups(_tested(store, trace))
        assert not any("reader" in a or "reader" in b for a, b in groups), trace


def test_fast_retweet_binomial_flags_amplifiers_only(store):
    insert(store, *scenario(seed=5))
    # the scenario has second-resolution times: a one-minute "fast" window
    groups = _groups(_tested(store, "fast-retweet", fast_retweet=60))
    assert groups == {("amp", "core")}


def test_expected_count_grows_with_activity(store):
    insert(store, *scenario(seed=6))
    df = _tested(store, "co-retweet")
    c = df["expected"] / (df["d_a"] * df["d_b"])
    assert np.allclose(c, c.iloc[0])  # one second moment per trace; lambda = d_a d_b C
