"""Each trace equals a brute-force reference on small random inputs (hypothesis)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detect_fixtures import (
    brute_actions,
    brute_coaction,
    brute_fast_retweet,
    brute_text_clusters,
    clear,
    insert,
)
from infoops.detect.coaction import drop
from infoops.detect.params import DetectParams, TraceParams
from infoops.detect.textsim import normalize
from infoops.detect.traces import TRACES, run_trace
from infoops.store import Store

ACCOUNTS = ["u0", "u1", "u2", "u3", "u4"]
ORIGINALS = ["o0", "o1", "o2"]
TAGS = ["HK", "hk", "covid", "taiwan", "guo"]
URLS = [("http://a.com/1", "a.com"), ("http://a.com/2", "A.com"), ("http://b.org/x", "b.org")]


@st.composite
def worlds(draw):
    n = draw(st.integers(1, 14))
    posts = [{"post_id": o, "account_id": ACCOUNTS[i % len(ACCOUNTS)], "ts": 5 * i,
              "kind": "original"} for i, o in enumerate(ORIGINALS)]
    hashtags, urls, mentions = [], [], []
    for i in range(n):
        pid = f"p{i}"
        kind = draw(st.sampled_from(["original", "retweet", "reply", "quote"]))
        p = {"post_id": pid, "account_id": draw(st.sampled_from(ACCOUNTS)),
             "ts": draw(st.integers(0, 400)), "kind": kind}
        if kind == "retweet":
            p["ref_post_id"] = draw(st.sampled_from([*ORIGINALS, "missing"]))
        if kind == "reply":
            p["reply_to_post_id"] = draw(st.sampled_from(ORIGINALS))
        posts.append(p)
        for tag in draw(st.sets(st.sampled_from(TAGS), max_size=4)):
            hashtags.append((pid, tag))
        for url, dom in draw(st.sets(st.sampled_from(URLS), max_size=2)):
            urls.append((pid, url, dom))
        for acc in draw(st.sets(st.sampled_from(ACCOUNTS), max_size=2)):
            mentions.append((pid, acc))
    return posts, hashtags, urls, mentions


_STORE: list[Store] = []


def _store() -> Store:
    if not _STORE:
        _STORE.append(Store(":memory:"))
    s = _STORE[0]
    clear(s)
    return s


def _pairs(store: Store, trace: str, window: float, cap: int = 0) -> dict[tuple[str, str], int]:
    params = DetectParams()
    tp = dataclasses.replace(params.traces[trace], window=window, max_burst=cap)
    res = run_trace(store.con, trace, params, tp)
    try:
        rows = store.con.execute(f"SELECT a, b, weight FROM {res.pairs}").fetchall()
    finally:
        drop(store.con, res)
    for a, b, _ in rows:
        assert a < b
    return {(a, b): int(w) for a, b, w in rows}


COACTION = ["co-retweet", "co-url", "co-domain", "co-hashtag", "hashtag-sequence",
            "co-mention", "co-reply", "synchronized"]


@pytest.mark.parametrize("trace", COACTION)
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(world=worlds(), window=st.sampled_from([0, 1, 30, 60, 150]), cap=st.sampled_from([0, 2, 3]))
def test_coaction_traces_equal_brute_force(trace, world, window, cap):
    posts, hashtags, urls, mentions = world
    store = _store()
    insert(store, posts, hashtags, urls, mentions)
    got = _pairs(store, trace, window, cap)
    actions = brute_actions(trace, posts, hashtags, urls, mentions, window)
    want = brute_coaction(actions, 0 if trace == "synchronized" else window, cap)
    assert got == want


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(world=worlds(), window=st.sampled_from([0, 10, 60, 300]))
def test_fast_retweet_equals_brute_force(world, window):
    posts, *_ = world
    store = _store()
    insert(store, posts)
    assert _pairs(store, "fast-retweet", window) == brute_fast_retweet(posts, window)


BASES = [
    "Hong Kong belongs to China, stop the riots now",
    "Гонконг — это Китай, прекратите беспорядки",
    "香港是中国的一部分，停止暴乱，恢复秩序吧",
    "Hong Kong Çin'in bir parçasıdır, isyanı durdurun",
    "the weather in Melbourne is lovely this week",
]


@st.composite
def text_posts(draw):
    n = draw(st.integers(2, 12))
    posts = []
    for i in range(n):
        base = draw(st.sampled_from(BASES))
        variant = draw(st.sampled_from(["", "!", " @someone", " https://t.co/xyz", "RT @abc: ",
                                        " (2)", " totally different ending here ok"]))
        text = variant + base if variant.startswith("RT") else base + variant
        posts.append({"post_id": f"t{i}", "account_id": draw(st.sampled_from(ACCOUNTS)),
                      "ts": draw(st.integers(0, 5000)),
                      "kind": draw(st.sampled_from(["original", "reply", "retweet"])),
                      "text": text})
    return posts


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(posts=text_posts(), window=st.sampled_from([60, 3600]))
def test_text_similarity_equals_brute_force(posts, window):
    store = _store()
    insert(store, posts)
    got = _pairs(store, "text-similarity", window)
    tp = DetectParams().text
    norm = {p["post_id"]: normalize(p["text"]) for p in posts if p["kind"] != "retweet"}
    uniq = sorted({t for t in norm.values() if len(t) >= tp.min_chars})
    labels = dict(zip(uniq, brute_text_clusters(uniq, tp.shingle, tp.threshold), strict=False))
    actions = [(p["account_id"], p["post_id"], labels[norm[p["post_id"]]], p["ts"])
               for p in posts if p["post_id"] in norm and norm[p["post_id"]] in labels]
    assert got == brute_coaction(actions, window)


def test_registry_names_are_kebab_case():
    assert set(TRACES) == {
        "co-retweet", "fast-retweet", "co-url", "co-domain", "co-hashtag", "hashtag-sequence",
        "co-mention", "co-reply", "text-similarity", "synchronized",
    }


def test_evidence_names_the_closest_posts(store):
    insert(store, [
        {"post_id": "o", "account_id": "x", "ts": 0},
        {"post_id": "r1", "account_id": "a", "ts": 100, "kind": "retweet", "ref_post_id": "o"},
        {"post_id": "r2", "account_id": "b", "ts": 130, "kind": "retweet", "ref_post_id": "o"},
        {"post_id": "r3", "account_id": "b", "ts": 105, "kind": "retweet", "ref_post_id": "o"},
    ])
    res = run_trace(store.con, "co-retweet", DetectParams(), TraceParams(window=60))
    ev = store.con.execute(f"SELECT * FROM {res.evidence}").fetchall()
    drop(store.con, res)
    assert ev == [("a", "b", "o", "r1", "r3", 5.0)]


def test_text_similarity_ignores_rt_prefix_mentions_and_urls(store):
    insert(store, [
        {"post_id": "1", "account_id": "a", "ts": 0,
         "text": "RT @bot1: 香港是中国的一部分 停止暴乱 https://t.co/aaa"},
        {"post_id": "2", "account_id": "b", "ts": 10, "text": "@x 香港是中国的一部分 停止暴乱 http://b.co/z"},
        {"post_id": "3", "account_id": "c", "ts": 20, "text": "Совсем другой текст про погоду"},
    ])
    assert _pairs(store, "text-similarity", 60) == {("a", "b"): 1}


@pytest.mark.parametrize("trace", sorted(TRACES))
def test_drop_leaves_no_temp_tables_or_views(store, trace):
    insert(store, [
        {"post_id": "o", "account_id": "x", "ts": 0, "text": "a slogan long enough to compare"},
        {"post_id": "r1", "account_id": "a", "ts": 10, "kind": "retweet", "ref_post_id": "o"},
        {"post_id": "r2", "account_id": "b", "ts": 20, "kind": "retweet", "ref_post_id": "o"},
        {"post_id": "t1", "account_id": "a", "ts": 30, "text": "a slogan long enough to compare!"},
    ])

    def temps():
        return store.con.execute(
            "SELECT (SELECT count(*) FROM duckdb_tables() WHERE temporary)"
            " + (SELECT count(*) FROM duckdb_views() WHERE temporary)"
        ).fetchall()[0][0]

    before = temps()
    res = run_trace(store.con, trace, DetectParams())
    assert temps() > before
    drop(store.con, res)
    assert temps() == before
