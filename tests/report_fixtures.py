"""A tiny, hand-built world and a fake-but-valid detect run for the report tests.

Network "1" imitates the 2020 PRC network: 6 core accounts posting Chinese text
in Beijing office hours (about Hong Kong, then COVID-19), 12 zero-follower
amplifiers created in one month retweeting them within minutes, and one old
account repurposed (profile changes, English→Chinese, Android→Web, dormancy, a
"test new owner" post). Network "2" is four Russian accounts pushing one URL.
Network "3" has two members and no posts. Thirty background accounts post
organic English text and some retweet the network. Hostile strings are planted
in text, names, hashtags, URLs and locations.

Everything is kept in Python lists on :class:`World` so tests can compute the
expected numbers independently of the report code.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from infoops.store import Store

T0 = datetime(2020, 3, 2)  # a Monday
SCRIPT = '<script>alert("pwned")</script>'
BIDI = "\u202egnp.exe\u202c"
LONG = "长" * 100_000
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_TAG = "<b>bold</b>"
HOSTILE_URL = 'javascript:alert(1)//"><script>alert(3)</script>'
HOSTILE_LOCATION = '"><script>alert(2)</script>'

HK = ["香港暴徒破坏法治，支持香港警察严正执法", "香港的繁荣稳定不容破坏，暴徒必须受到惩罚",
      "支持香港警察，反对暴力，守护香港", "香港暴徒的行为令人愤怒，法治必须维护"]
COVID = ["美国应该为新冠病毒的传播负责，真相必须公开", "新冠病毒源头调查应该关注美国实验室",
         "中国抗疫成功，美国政府应对新冠失败", "新冠疫情中美国政客甩锅中国，无耻"]
RU = ["Запад лжёт о России, читайте правду", "Правда о санкциях против России здесь",
      "Россия не угрожает никому, Запад лжёт", "Читайте правду о России и Западе"]
EN = ["lovely weather in the park today", "what a match last night, great goal",
      "coffee and a good book this morning", "traffic is terrible on the ring road again",
      "new recipe tried tonight, pasta with lemon"]


@dataclass
class World:
    accounts: list[dict] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    hashtags: list[tuple[str, str]] = field(default_factory=list)
    urls: list[tuple[str, str, str]] = field(default_factory=list)
    mentions: list[tuple[str, str]] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    networks: list[dict] = field(default_factory=list)
    run_id: str = "run-2"

    def member_ids(self, network: str) -> set[str]:
        return {m["account_id"] for m in self.members if m["network_id"] == network}

    def posts_of(self, network: str) -> list[dict]:
        ids = self.member_ids(network)
        return [p for p in self.posts if p["account_id"] in ids]


def _account(w: World, aid: str, created: datetime | None, followers: int, following: int,
             language: str, location: str = "", display: str | None = None) -> None:
    w.accounts.append({
        "account_id": aid, "screen_name": f"{aid}_name", "display_name": display or aid.upper(),
        "created_at": created, "followers": followers, "following": following,
        "language": language, "location": location, "description": "", "profile_url": None,
        "verified": False, "statuses_count": 0, "is_stub": False, "source": "fixture",
    })


def _post(w: World, pid: str, aid: str, at: datetime, kind: str, text: str, language: str,
          client: str, ref: tuple[str, str] | None = None, likes: int = 0, media: bool = False,
          reply_to: tuple[str, str] | None = None) -> dict:
    p = {
        "post_id": pid, "account_id": aid, "created_at": at, "kind": kind, "text": text,
        "language": language, "client": client,
        "ref_post_id": ref[0] if ref else None, "ref_account_id": ref[1] if ref else None,
        "reply_to_post_id": reply_to[0] if reply_to else None,
        "reply_to_account_id": reply_to[1] if reply_to else None,
        "like_count": likes, "retweet_count": 0, "reply_count": 0, "quote_count": 0,
        "has_media": media, "latitude": None, "longitude": None, "source": "fixture",
    }
    w.posts.append(p)
    return p


def build_world(seed: int = 3) -> World:
    """The world described in the module docstring (deterministic for a seed)."""
    rng = random.Random(seed)
    w = World()
    # -- background ------------------------------------------------------------
    for i in range(30):
        created = datetime(2012 + (i * 3) // 12, (i * 3) % 12 + 1, 10)
        _account(w, f"bg{i:02d}", created, 50 + 37 * i, 100 + i, "en", "London")
        for k in range(5):
            at = T0 + timedelta(days=rng.randrange(28), hours=rng.randrange(24),
                                minutes=rng.randrange(60))
            _post(w, f"bgp{i:02d}_{k}", f"bg{i:02d}", at, "original", EN[(i + k) % 5], "en",
                  "Twitter for iPhone", likes=rng.randrange(5))
    # -- network 1: core + amplifiers -----------------------------------------
    core = [f"c{i}" for i in range(6)]
    amps = [f"a{i:02d}" for i in range(12)]
    c_followers = [1200, 0, 3, 15, 0, 40]
    _account(w, "c0", datetime(2013, 5, 20), c_followers[0], 300, "zh", "Beijing")
    for i in range(1, 6):
        _account(w, core[i], datetime(2020, 1, 3 + i), c_followers[i], 2, "zh",
                 HOSTILE_LOCATION if i == 3 else "Beijing")
    for i, a in enumerate(amps):
        _account(w, a, datetime(2020, 1, 8 + i), 0, i % 3, "zh",
                 "New York" if i < 4 else "", HOSTILE_NAME if a == "a02" else None)
    # the repurposed account's old life: English from an Android phone, in early 2019
    for k in range(6):
        _post(w, f"old{k}", "c0", datetime(2019, 1, 7 + k, 15), "original",
              f"morning run number {k} done", "en", "Twitter for Android")
    w.changes += [
        {"account_id": "c0", "changed_at": datetime(2020, 1, 10), "field": "language",
         "old_value": "en", "new_value": "zh"},
        {"account_id": "c0", "changed_at": datetime(2020, 1, 10), "field": "screen_name",
         "old_value": "jogger_mike", "new_value": "c0_name"},
    ]
    _post(w, "owner0", "c0", datetime(2020, 2, 28, 2), "original", "test new owner", "en",
          "Twitter Web App")
    seq = 0
    for day in range(28):
        at_day = T0 + timedelta(days=day)
        if at_day.weekday() >= 5:
            continue
        texts = HK if day < 14 else COVID
        for ci, c in enumerate(core):
            at = at_day + timedelta(hours=1 + (ci + day) % 9, minutes=(7 * ci) % 60)
            text = texts[(ci + day) % 4] + f" #{'香港' if day < 14 else '新冠'}"
            if c == "c2" and day == 0:
                text = SCRIPT + BIDI + LONG
            pid = f"p{seq:04d}"
            seq += 1
            _post(w, pid, c, at, "original", text, "zh", "Twitter Web App", likes=2,
                  media=(seq % 4 == 0))
            w.hashtags.append((pid, "香港" if day < 14 else "新冠"))
            if seq % 3 == 0:
                w.hashtags.append((pid, HOSTILE_TAG))
            if seq % 5 == 0:
                w.urls.append((pid, "http://news.example.cn/a", "news.example.cn"))
            if c == "c1" and day == 3:
                w.urls.append((pid, HOSTILE_URL, "evil.example"))
            # three amplifiers retweet every core post within minutes
            for j in range(3):
                a = amps[(ci * 2 + j + day) % 12]
                gap = 30 + 45 * j + ci
                rp = _post(w, f"r{pid}_{j}", a, at + timedelta(seconds=gap), "retweet",
                           f"RT @{c}_name: {text[:200]}", "zh", "Twitter for Android",
                           ref=(pid, c))
                w.mentions.append((rp["post_id"], c))
    # replies and a quote, and outside accounts retweeting the core
    _post(w, "rep1", "c3", T0 + timedelta(days=2, hours=3), "reply", "@bg01_name 你错了，香港很好",
          "zh", "Twitter Web App", reply_to=("bgp01_0", "bg01"))
    _post(w, "q1", "c4", T0 + timedelta(days=3, hours=4), "quote", "看看这个 香港真相", "zh",
          "Twitter Web App", ref=("bgp02_0", "bg02"))
    w.mentions.append(("rep1", "bg01"))
    for i in range(5):
        _post(w, f"out{i}", f"bg{i:02d}", T0 + timedelta(days=1, hours=12), "retweet",
              "RT @c1_name: 支持香港警察", "zh", "Twitter for iPhone", ref=("p0001", "c1"))
    # -- network 2: Russian URL pushers -----------------------------------------
    for i in range(4):
        _account(w, f"r{i}", datetime(2016, 2 + i, 1), 100 + 60 * i, 80, "ru", "Moscow")
        for k in range(10):
            at = T0 + timedelta(days=2 * k + i % 2, hours=7 + (k + i) % 8)  # Moscow 10-18
            pid = f"ru{i}_{k}"
            _post(w, pid, f"r{i}", at, "original", RU[(i + k) % 4] + " https://pravda.example.ru/x",
                  "ru", "TweetDeck")
            w.urls.append((pid, "https://pravda.example.ru/x", "www.pravda.example.ru"))
    # -- network 3: two silent members -----------------------------------------
    for i in range(2):
        _account(w, f"s{i}", datetime(2018, 6, 1), 5, 5, "en")
    # -- detect results ---------------------------------------------------------
    w.networks = [
        {"network_id": "1", "score": 0.91, "n_accounts": 18, "n_core": 6, "n_amplifier": 12,
         "traces": "co-retweet,fast-retweet", "reason": "18 accounts retweet 6 cores within 2 min"},
        {"network_id": "2", "score": 0.55, "n_accounts": 4, "n_core": 4, "n_amplifier": 0,
         "traces": "co-url", "reason": "4 accounts share one URL " + SCRIPT},
        {"network_id": "3", "score": 0.2, "n_accounts": 2, "n_core": 1, "n_amplifier": 1,
         "traces": "co-hashtag", "reason": ""},
    ]
    for c in core:
        sig = {"hijacked": {"value": True, "evidence": "language switch"}} if c == "c0" else {}
        w.members.append({"network_id": "1", "account_id": c, "role": "core", "score": 0.9,
                          "signals": json.dumps(sig)})
    for a in amps:
        w.members.append({"network_id": "1", "account_id": a, "role": "amplifier", "score": 0.7,
                          "signals": json.dumps({"zero_followers": {"value": True}})})
    for i in range(4):
        w.members.append({"network_id": "2", "account_id": f"r{i}", "role": "core", "score": 0.5,
                          "signals": None})
    w.members += [{"network_id": "3", "account_id": "s0", "role": "core", "score": 0.2, "signals": None},
                  {"network_id": "3", "account_id": "s1", "role": "amplifier", "score": 0.2,
                   "signals": None}]
    # edges: core→amplifier fast retweets (with evidence), amplifier ring, one insignificant
    by_pair: dict[tuple[str, str], list[dict]] = {}
    for p in w.posts:
        if p["kind"] == "retweet" and p["account_id"] in amps:
            src = next(q for q in w.posts if q["post_id"] == p["ref_post_id"])
            key = (min(src["account_id"], p["account_id"]), max(src["account_id"], p["account_id"]))
            by_pair.setdefault(key, []).append(
                {"trace": "fast-retweet", "a": key[0], "b": key[1], "post_a": src["post_id"],
                 "post_b": p["post_id"], "object": src["post_id"],
                 "delta_seconds": (p["created_at"] - src["created_at"]).total_seconds()})
    for key, ev in sorted(by_pair.items()):
        w.edges.append({"trace": "fast-retweet", "a": key[0], "b": key[1], "weight": float(len(ev)),
                        "p_value": 0.001, "significant": True})
        w.evidence += ev
    for i in range(11):
        w.edges.append({"trace": "co-retweet", "a": amps[i], "b": amps[i + 1], "weight": 2.0,
                        "p_value": 0.01, "significant": True})
    w.edges.append({"trace": "co-retweet", "a": "c0", "b": "c1", "weight": 500.0, "p_value": 0.6,
                    "significant": False})
    w.edges.append({"trace": "co-retweet", "a": "a00", "b": "bg00", "weight": 400.0,
                    "p_value": 0.001, "significant": True})
    for i in range(3):
        w.edges.append({"trace": "co-url", "a": f"r{i}", "b": f"r{i + 1}", "weight": 10.0,
                        "p_value": 0.001, "significant": True})
    return w


def load_world(store: Store, w: World) -> None:
    """Insert the world and two detect runs (an older one the report must ignore)."""
    con = store.con

    def put(table: str, rows: list[dict] | pd.DataFrame) -> None:
        df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        if len(df):
            con.register("_fixture_df", df)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _fixture_df")
            con.unregister("_fixture_df")

    put("accounts", w.accounts)
    put("posts", w.posts)
    put("post_hashtags", pd.DataFrame(w.hashtags, columns=["post_id", "tag"]))
    put("post_urls", pd.DataFrame(w.urls, columns=["post_id", "url", "domain"]))
    put("post_mentions", pd.DataFrame(w.mentions, columns=["post_id", "account_id"]))
    put("profile_changes", w.changes)
    params = json.dumps({"window_seconds": 120, "traces": ["co-retweet", "fast-retweet", "co-url"],
                         "alpha": 0.01, "note": SCRIPT})
    con.execute("INSERT INTO detect_runs VALUES ('run-1', '2020-05-01 10:00', '2020-05-01 10:05', "
                "'completed', '{}', '{}')")
    con.execute("INSERT INTO networks VALUES ('run-1', 'old', 0.99, 2, 1, 1, 'x', 'stale', NULL)")
    con.execute("INSERT INTO detect_runs VALUES (?, '2020-06-01 10:00', '2020-06-01 10:07', "
                "'completed', ?, ?)", [w.run_id, params, json.dumps({"networks": 3})])
    put("networks", [{"run_id": w.run_id, **n} for n in w.networks])
    put("members", [{"run_id": w.run_id, "reason": "", **m} for m in w.members])
    put("edges", [{"run_id": w.run_id, "detail": None, **e} for e in w.edges])
    put("evidence", [{"run_id": w.run_id, **e} for e in w.evidence])
