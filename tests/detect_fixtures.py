"""Helpers for the detection tests: tiny hand-built stores and brute-force references."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pandas as pd

from infoops.store import Store

T0 = datetime(2021, 1, 1, tzinfo=UTC).replace(tzinfo=None)

POST_COLS = ["post_id", "account_id", "created_at", "kind", "text", "ref_post_id",
             "ref_account_id", "reply_to_post_id", "reply_to_account_id"]


def clear(store: Store) -> None:
    for t in ("posts", "post_hashtags", "post_urls", "post_mentions", "accounts"):
        store.con.execute(f"DELETE FROM {t}")


def insert(store: Store, posts: list[dict], hashtags=(), urls=(), mentions=()) -> None:
    """Insert posts (dicts with ``ts`` seconds after T0) and their entities."""
    rows = []
    for p in posts:
        rows.append({
            "post_id": p["post_id"], "account_id": p["account_id"],
            "created_at": T0 + timedelta(seconds=p["ts"]) if p.get("ts") is not None else None,
            "kind": p.get("kind", "original"), "text": p.get("text"),
            "ref_post_id": p.get("ref_post_id"), "ref_account_id": p.get("ref_account_id"),
            "reply_to_post_id": p.get("reply_to_post_id"),
            "reply_to_account_id": p.get("reply_to_account_id"),
        })
    df = pd.DataFrame(rows, columns=POST_COLS)
    con = store.con
    if len(df):
        con.register("_p", df)
        con.execute(f"INSERT INTO posts ({', '.join(POST_COLS)}) SELECT * FROM _p")
        con.unregister("_p")
    for table, cols, data in (("post_hashtags", ["post_id", "tag"], hashtags),
                              ("post_urls", ["post_id", "url", "domain"], urls),
                              ("post_mentions", ["post_id", "account_id"], mentions)):
        if data:
            d = pd.DataFrame(list(data), columns=cols)
            con.register("_e", d)
            con.execute(f"INSERT INTO {table} SELECT * FROM _e")
            con.unregister("_e")


# --- brute-force references ---------------------------------------------------------------

def brute_coaction(actions, window: float, cap: int = 0) -> dict[tuple[str, str], int]:
    """All pairs of actions on the same object within the window, by direct enumeration.

    With ``cap``, actions in a crowded cell (object, floor(ts / width)) — more
    than ``cap`` distinct accounts — are left out first.
    """
    width = max(window, 1)
    cell = defaultdict(set)
    for acc, _post, obj, ts in actions:
        cell[(obj, ts // width)].add(acc)
    if cap:
        actions = [x for x in actions if len(cell[(x[2], x[3] // width)]) <= cap]
    hits = defaultdict(set)
    for (a1, _p1, o1, t1), (a2, _p2, o2, t2) in itertools.combinations(actions, 2):
        if o1 != o2 or a1 == a2 or abs(t1 - t2) > window:
            continue
        hits[tuple(sorted((a1, a2)))].add(o1)
    return {k: len(v) for k, v in hits.items()}


def brute_actions(trace: str, posts: list[dict], hashtags, urls, mentions, window: float):
    """The actions of a trace computed from raw rows in plain Python."""
    by_id = {p["post_id"]: p for p in posts}
    own = [p for p in posts if p.get("kind", "original") != "retweet" and p.get("ts") is not None]
    own_ids = {p["post_id"] for p in own}
    if trace == "co-retweet":
        return [(p["account_id"], p["post_id"], p["ref_post_id"], p["ts"]) for p in posts
                if p.get("kind") == "retweet" and p.get("ref_post_id") and p.get("ts") is not None]
    if trace == "co-reply":
        return [(p["account_id"], p["post_id"], p["reply_to_post_id"], p["ts"]) for p in posts
                if p.get("kind") == "reply" and p.get("reply_to_post_id")
                and p.get("ts") is not None]
    if trace == "co-hashtag":
        return [(by_id[pid]["account_id"], pid, tag.lower(), by_id[pid]["ts"])
                for pid, tag in hashtags if pid in own_ids]
    if trace == "hashtag-sequence":
        tags = defaultdict(set)
        for pid, tag in hashtags:
            tags[pid].add(tag.lower())
        return [(by_id[pid]["account_id"], pid, " ".join(sorted(t)), by_id[pid]["ts"])
                for pid, t in tags.items() if pid in own_ids and len(t) >= 3]
    if trace == "co-url":
        return [(by_id[pid]["account_id"], pid, url, by_id[pid]["ts"])
                for pid, url, _d in urls if pid in own_ids]
    if trace == "co-domain":
        return [(by_id[pid]["account_id"], pid, d.lower(), by_id[pid]["ts"])
                for pid, _u, d in urls if pid in own_ids and d]
    if trace == "co-mention":
        return [(by_id[pid]["account_id"], pid, acc, by_id[pid]["ts"])
                for pid, acc in mentions if pid in own_ids and acc != by_id[pid]["account_id"]]
    if trace == "synchronized":
        width = max(window, 1)
        seen = {}
        for p in own:
            b = int(p["ts"] // width)
            seen.setdefault((p["account_id"], b), p["post_id"])
        return [(acc, pid, b, b * width) for (acc, b), pid in seen.items()]
    raise ValueError(trace)


def brute_fast_retweet(posts: list[dict], window: float) -> dict[tuple[str, str], int]:
    by_id = {p["post_id"]: p for p in posts}
    out: dict[tuple[str, str], int] = defaultdict(int)
    for p in posts:
        o = by_id.get(p.get("ref_post_id") or "")
        if p.get("kind") != "retweet" or o is None or o["account_id"] == p["account_id"]:
            continue
        if p.get("ts") is None or o.get("ts") is None:
            continue
        if 0 <= p["ts"] - o["ts"] <= window:
            out[tuple(sorted((p["account_id"], o["account_id"])))] += 1
    return dict(out)


_RT = re.compile(r"^\s*RT\s+@[\w.]+:?\s*", re.IGNORECASE)


def _cjk(ch: str) -> bool:
    c = ord(ch)
    return any(lo <= c <= hi for lo, hi in ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
                                            (0xAC00, 0xD7AF), (0xF900, 0xFAFF)))


def shingle_set(t: str, k: int) -> set[str]:
    """k-grams without CJK characters, plus each CJK character alone."""
    grams = {t[i:i + k] for i in range(len(t) - k + 1) if not any(_cjk(c) for c in t[i:i + k])}
    return grams | {c for c in t if _cjk(c)}


def brute_text_clusters(texts: list[str], k: int, threshold: float) -> list[int]:
    """Connected components of the exact shingle-Jaccard >= threshold graph."""
    sets = [shingle_set(t, k) for t in texts]
    parent = list(range(len(texts)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in itertools.combinations(range(len(texts)), 2):
        if len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= threshold:
            parent[find(i)] = find(j)
    return [find(i) for i in range(len(texts))]


def scenario(seed: int = 0, prefix: str = "") -> tuple[list[dict], list, list, list]:
    """A small world: one operation, a fan community, a news burst and background users.

    * operation: 3 cores post 25 originals over 5 days; 12 amplifiers retweet
      most of them 5-50 s after posting, and cores share the same URL-less
      slogans with small edits;
    * fans: 80 accounts each retweet ~35% of a celebrity's 40 posts at organic
      delays (minutes to hours, heavy-tailed);
    * news burst: 60 accounts share one breaking-news URL within 10 minutes;
    * background: 60 accounts posting and retweeting at random.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    posts: list[dict] = []
    hashtags: list = []
    urls: list = []
    n = itertools.count()

    def pid() -> str:
        return f"{prefix}p{next(n)}"

    day = 86400
    cores = [f"{prefix}core{i}" for i in range(3)]
    amps = [f"{prefix}amp{i}" for i in range(12)]
    slogans = ["Hong Kong's future lies with the motherland, stop the violence",
               "The rioters are hurting ordinary families in Hong Kong every day",
               "Guo Wengui is a fugitive lying to the world about China"]
    for j in range(25):
        c = cores[j % 3]
        t = float(rng.uniform(0, 5 * day))
        o = pid()
        text = slogans[j % 3] + (" " + "!" * int(rng.integers(0, 3)))
        posts.append({"post_id": o, "account_id": c, "ts": t, "text": text})
        hashtags += [(o, "HongKong"), (o, "China"), (o, "StopViolence")]
        for a in amps:
            if rng.random() < 0.8:
                posts.append({"post_id": pid(), "account_id": a, "ts": t + float(rng.uniform(5, 50)),
                              "kind": "retweet", "ref_post_id": o, "ref_account_id": c})
    celeb = f"{prefix}celebrity"
    fans = [f"{prefix}fan{i}" for i in range(80)]
    for j in range(40):
        t = float(rng.uniform(0, 5 * day))
        o = pid()
        posts.append({"post_id": o, "account_id": celeb, "ts": t, "text": f"concert news number {j}"})
        for f in fans:
            if rng.random() < 0.35:
                posts.append({"post_id": pid(), "account_id": f,
                              "ts": t + float(rng.lognormal(7, 1.5)),
                              "kind": "retweet", "ref_post_id": o, "ref_account_id": celeb})
    news = [f"{prefix}reader{i}" for i in range(60)]
    t_news = 2.5 * day
    for r in news:
        p = pid()
        posts.append({"post_id": p, "account_id": r, "ts": t_news + float(rng.uniform(0, 600)),
                      "text": f"wow {r[-3:]} look at this"})
        urls.append((p, "https://news.example/breaking", "news.example"))
    bg = [f"{prefix}user{i}" for i in range(60)]
    originals = [p for p in posts if p.get("kind", "original") == "original"]
    for u in bg:
        for _ in range(int(rng.integers(3, 15))):
            t = float(rng.uniform(0, 5 * day))
            if rng.random() < 0.5:
                o = originals[int(rng.integers(len(originals)))]
                posts.append({"post_id": pid(), "account_id": u,
                              "ts": o["ts"] + float(rng.lognormal(8, 1.5)),
                              "kind": "retweet", "ref_post_id": o["post_id"],
                              "ref_account_id": o["account_id"]})
            else:
                posts.append({"post_id": pid(), "account_id": u, "ts": t,
                              "text": f"random thought {int(rng.integers(10**6))} about life"})
    return posts, hashtags, urls, []


def scenario_profiles(store: Store, seed: int = 0, prefix: str = "") -> None:
    """Profiles for :func:`scenario`'s accounts, as the 2020 PRC network had them.

    The operation's 15 accounts were created within four days of each other
    and have no followers; everyone else was created over six years and has
    an ordinary audience. (Without profiles the operation is only a cluster
    amplifying its own cores — which an authentic community with update
    accounts also is — and detection rejects it with that reason.)
    """
    import numpy as np

    rng = np.random.default_rng(seed + 1000)
    ids = [r[0] for r in store.con.execute(
        "SELECT DISTINCT account_id FROM posts ORDER BY 1").fetchall()]
    rows = []
    for aid in ids:
        name = aid.removeprefix(prefix)
        op = name.startswith(("core", "amp"))
        created = (datetime(2019, 11, 3) + timedelta(days=int(rng.integers(0, 4))) if op
                   else datetime(2013, 1, 1) + timedelta(days=int(rng.integers(0, 2200))))
        rows.append({"account_id": aid, "screen_name": f"sn_{aid}", "created_at": created,
                     "followers": 0 if op else int(rng.integers(30, 5000)), "following": 20,
                     "is_stub": False})
    # a background of organic accounts, so that creation bursts have a base rate
    for i in range(300):
        rows.append({"account_id": f"{prefix}quiet{i}", "screen_name": f"sn_q{i}",
                     "created_at": datetime(2013, 1, 1) + timedelta(days=int(rng.integers(0, 2200))),
                     "followers": int(rng.integers(30, 5000)), "following": 20, "is_stub": False})
    df = pd.DataFrame(rows)
    store.con.register("_acc", df)
    try:
        store.con.execute("INSERT INTO accounts BY NAME SELECT * FROM _acc")
    finally:
        store.con.unregister("_acc")
