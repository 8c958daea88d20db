"""Roles, bystander removal, scores and reasons on a hand-built world.

The world: 60 organic accounts (created over five years, followed, posting
at all hours, some retweeting a verified celebrity), and an operation of 4
cores and 16 amplifiers created within three days with no followers; cores
post in Beijing office hours, amplifiers retweet them within minutes and
also retweet the celebrity. The detection results (edges, one network with
the operation plus the celebrity) are written by hand so these tests do not
depend on the detection pipeline.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from infoops.detect.refine import refine
from infoops.detect.roles import RoleClassifier, role_features
from infoops.errors import DetectionError
from infoops.store import Store

RUN = "run-test"


def _insert(store: Store, table: str, frame: pd.DataFrame) -> None:
    store.con.register("_df", frame)
    try:
        store.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _df")
    finally:
        store.con.unregister("_df")


def build_world(store: Store, seed: int = 0, rename=None, shuffle: bool = False,
                copypasta: bool = False, hijacked: bool = False, teams: bool = False,
                persona: bool = False) -> dict[str, str]:
    """Fill ``store`` with the world; return ``{logical name: account id}``.

    ``rename`` maps a logical name to the id used in the store (to test that
    nothing depends on ids); ``shuffle`` permutes every table's rows;
    ``copypasta`` makes an operation that never retweets (cores and
    amplifiers all post the same texts side by side); ``hijacked`` makes
    every operation account an old, followed account with an earlier life
    in English, taken over after a silence (no new accounts); ``teams``
    makes detection find only the amplifiers, as two networks (amp0–7,
    amp8–14), and miss amp15 and the cores; ``persona`` makes every operation
    account an established persona (old, followed, never silent, posting at
    all hours: the IRA's accounts had no creation bursts).
    """
    rng = np.random.default_rng(seed)
    rename = rename or (lambda s: s)
    names: dict[str, str] = {}
    accounts, posts = [], []
    t0 = datetime(2020, 1, 1)

    def add_account(name: str, created: datetime, followers: int, verified: bool = False) -> str:
        aid = rename(name)
        names[name] = aid
        accounts.append({"account_id": aid, "screen_name": rename(name + "_sn"), "display_name": name.upper(),
                         "created_at": created, "followers": followers, "following": 10,
                         "language": "en", "verified": verified, "is_stub": False})
        return aid

    pid = iter(range(10**6))

    def add_post(aid: str, t: datetime, kind: str, text: str = "", ref: tuple[str, str] | None = None,
                 lang: str = "en") -> str:
        post_id = rename(f"post{next(pid)}")
        posts.append({"post_id": post_id, "account_id": aid, "created_at": t, "kind": kind, "text": text,
                      "language": lang, "client": "Twitter Web App",
                      "ref_post_id": ref[0] if ref and kind != "reply" else None,
                      "ref_account_id": ref[1] if ref and kind != "reply" else None,
                      "reply_to_post_id": ref[0] if ref and kind == "reply" else None,
                      "reply_to_account_id": ref[1] if ref and kind == "reply" else None})
        return post_id

    celeb = add_account("celeb", datetime(2010, 5, 1), 2_000_000, verified=True)
    celeb_posts = [add_post(celeb, t0 + timedelta(days=int(d), hours=15), "original", "hello fans")
                   for d in rng.integers(0, 150, 10)]
    organic = [add_account(f"org{i}", datetime(2013, 1, 1) + timedelta(days=int(rng.integers(0, 1800))),
                           int(rng.integers(20, 5000))) for i in range(60)]
    for aid in organic:
        for _ in range(25):
            t = t0 + timedelta(minutes=int(rng.integers(0, 170 * 1440)))
            if rng.random() < 0.2:
                cp = celeb_posts[int(rng.integers(0, len(celeb_posts)))]
                add_post(aid, t, "retweet", "", (cp, celeb))
            else:
                add_post(aid, t, "original", f"organic thought {rng.integers(0, 10**6)}")
    burst = datetime(2019, 11, 3)
    copies: list[tuple[str, str, str, str]] = []  # (core, its post, amplifier, the copy)
    if persona:
        cores = [add_account(f"core{i}", datetime(2011, 1, 1) + timedelta(days=int(rng.integers(0, 2000))),
                             int(rng.integers(300, 5000))) for i in range(4)]
        amps = [add_account(f"amp{i}", datetime(2011, 1, 1) + timedelta(days=int(rng.integers(0, 2000))),
                            int(rng.integers(300, 5000))) for i in range(16)]
    elif hijacked:
        cores = [add_account(f"core{i}", datetime(2012, 1, 1) + timedelta(days=int(rng.integers(0, 900))),
                             int(rng.integers(100, 900))) for i in range(4)]
        amps = [add_account(f"amp{i}", datetime(2012, 1, 1) + timedelta(days=int(rng.integers(0, 900))),
                            int(rng.integers(100, 900))) for i in range(16)]
        for aid in cores + amps:  # an earlier, English life in the first weeks, then silence
            for k in range(12):
                add_post(aid, t0 + timedelta(days=int(rng.integers(0, 20)), hours=int(rng.integers(12, 23))),
                         "original", f"my weekend {k}", lang="en")
    else:
        cores = [add_account(f"core{i}", burst + timedelta(days=int(rng.integers(0, 3))), 0) for i in range(4)]
        amps = [add_account(f"amp{i}", burst + timedelta(days=int(rng.integers(0, 3))),
                            int(rng.integers(0, 2))) for i in range(16)]
    for day in range(60, 140):
        t_day = t0 + timedelta(days=day)
        if t_day.weekday() >= 5:
            continue
        for j, core in enumerate(cores):
            # 09:00–18:00 Beijing = 01:00–10:00 UTC (personas: any hour)
            t = t_day + timedelta(hours=int(rng.integers(0, 24)) if persona else 1 + int(rng.integers(0, 8)),
                                  minutes=int(rng.integers(0, 60)))
            text = f"香港 暴徒 {day} 口号" if copypasta else f"香港 {day} 第{j}条"
            post = add_post(core, t, "original", text, lang="zh")
            for amp in amps:
                if copypasta:
                    if rng.random() < 0.5:
                        copy = add_post(amp, t + timedelta(minutes=int(rng.integers(0, 5))),
                                        "original", text, lang="zh")
                        copies.append((core, post, amp, copy))
                elif rng.random() < 0.5:
                    add_post(amp, t + timedelta(minutes=int(rng.integers(1, 6))), "retweet", "", (post, core),
                             lang="zh")
        if not copypasta:
            for amp in amps:
                if rng.random() < 0.05:
                    cp = celeb_posts[int(rng.integers(0, len(celeb_posts)))]
                    add_post(amp, t_day + timedelta(hours=3), "retweet", "", (cp, celeb))
    acc = pd.DataFrame(accounts)
    pst = pd.DataFrame(posts)
    # Detection results, by hand: co-retweet among amplifiers, fast-retweet amplifier → core,
    # fast-retweet amplifier → celebrity (the celebrity only being retweeted).
    edges = []

    def edge(trace: str, x: str, y: str, x_to_y: int, y_to_x: int) -> None:
        a, b = sorted((x, y))
        a_to_b, b_to_a = (x_to_y, y_to_x) if a == x else (y_to_x, x_to_y)
        weight = 20.0 if trace == "fast-retweet" else 10.0
        edges.append({"run_id": RUN, "trace": trace, "a": a, "b": b, "weight": weight, "p_value": 1e-6,
                      "significant": True, "detail": json.dumps({"a_to_b": a_to_b, "b_to_a": b_to_a})})

    if teams:
        team = {a: ("net-1" if i < 8 else "net-2") for i, a in enumerate(amps[:15])}
        for x, tx in team.items():
            for y, ty in team.items():
                if x < y and tx == ty:
                    edge("co-retweet", x, y, 1, 1)
        members = pd.DataFrame({"run_id": RUN, "network_id": list(team.values()), "account_id": list(team)})
        networks = ["net-1", "net-2"]
    else:
        for i, x in enumerate(amps):
            for y in amps[i + 1:]:
                edge("text-similarity" if copypasta else "co-retweet", x, y, 1, 1)
            for core in cores:
                edge("text-similarity" if copypasta else "fast-retweet", x, core, 5, 0 if not copypasta else 5)
            if not copypasta:
                edge("fast-retweet", x, celeb, 3, 0)
        for i, x in enumerate(cores):
            for y in cores[i + 1:]:
                edge("synchronized", x, y, 1, 1)
        members = pd.DataFrame({"run_id": RUN, "network_id": "net-1", "account_id": cores + amps + [celeb]})
        networks = ["net-1"]
    # the posts behind each near-duplicate pair (what detection keeps as evidence)
    evidence = pd.DataFrame(
        [{"run_id": RUN, "trace": "text-similarity", "a": min(c, a), "b": max(c, a),
          "post_a": cp if c < a else ap, "post_b": ap if c < a else cp,
          "object": cp, "delta_seconds": 60.0} for c, cp, a, ap in copies],
        columns=["run_id", "trace", "a", "b", "post_a", "post_b", "object", "delta_seconds"])
    if shuffle:
        acc, pst, members = (f.sample(frac=1.0, random_state=seed) for f in (acc, pst, members))
        edges = list(np.random.default_rng(seed).permutation(edges))
    _insert(store, "accounts", acc)
    _insert(store, "posts", pst)
    store.execute(f"INSERT INTO detect_runs VALUES ('{RUN}', now(), now(), 'completed', NULL, NULL)")
    _insert(store, "edges", pd.DataFrame(list(edges)))
    _insert(store, "networks", pd.DataFrame({"run_id": RUN, "network_id": networks}))
    _insert(store, "members", members)
    if len(evidence):
        _insert(store, "evidence", evidence)
    return names


def roles_by_name(store: Store, names: dict[str, str]) -> dict[str, str]:
    back = {v: k for k, v in names.items()}
    m = store.sql("SELECT account_id, role FROM members WHERE run_id = $r", {"r": RUN})
    return {back[a]: r for a, r in zip(m["account_id"], m["role"], strict=False)}


def test_cores_amplifiers_and_the_celebrity_is_removed(store: Store) -> None:
    names = build_world(store)
    refine(store, RUN)
    roles = roles_by_name(store, names)
    assert "celeb" not in roles
    assert {n for n, r in roles.items() if r == "core"} == {f"core{i}" for i in range(4)}
    assert {n for n, r in roles.items() if r == "amplifier"} == {f"amp{i}" for i in range(16)}
    net = store.sql("SELECT * FROM networks WHERE run_id = $r", {"r": RUN}).iloc[0]
    assert (net.n_accounts, net.n_core, net.n_amplifier) == (20, 4, 16)
    assert 0.8 <= net.score <= 1.0
    assert "created in bursts" in net.reason and "UTC+8" in net.reason


def test_member_scores_reasons_and_signals(store: Store) -> None:
    names = build_world(store)
    refine(store, RUN)
    m = store.sql("SELECT * FROM members WHERE run_id = $r", {"r": RUN}).set_index("account_id")
    assert m["score"].between(0, 1).all() and (m["score"] > 0.8).all()
    amp = m.loc[names["amp3"]]
    assert "reposts/replies of 4 network members" in amp.reason
    assert "min after the original" in amp.reason
    assert "created within 3 days of" in amp.reason
    signals = json.loads(amp.signals)
    assert signals["creation_burst"]["flagged"] is True
    assert signals["low_followers"]["flagged"] is True
    assert signals["behaviour"]["n_amp_targets"] == 4
    core = m.loc[names["core0"]]
    assert "amplified by 16 members" in core.reason
    assert json.loads(core.signals)["office_hours"]["utc_offset"] == 8
    assert "UTC+8" in core.reason


def test_roles_do_not_depend_on_ids_names_or_row_order(tmp_path) -> None:
    plain = Store(tmp_path / "a.duckdb")
    names_a = build_world(plain, seed=3)
    refine(plain, RUN)
    other = Store(tmp_path / "b.duckdb")
    # Relabel every id and name (reversing their sort order) and shuffle every table.
    rng = np.random.default_rng(7)
    salt = {}

    def rename(s: str) -> str:
        if s not in salt:
            salt[s] = f"z{rng.integers(10**9):09d}"
        return salt[s]

    names_b = build_world(other, seed=3, rename=rename, shuffle=True)
    refine(other, RUN)
    assert roles_by_name(plain, names_a) == roles_by_name(other, names_b)
    sa = plain.sql("SELECT account_id, score FROM members").set_index("account_id")["score"]
    sb = other.sql("SELECT account_id, score FROM members").set_index("account_id")["score"]
    back_a = {v: k for k, v in names_a.items()}
    back_b = {v: k for k, v in names_b.items()}
    assert sa.rename(back_a).sort_index().round(9).equals(sb.rename(back_b).sort_index().round(9))


def test_copypasta_operation_without_retweets_cores_post_first(store: Store) -> None:
    names = build_world(store, copypasta=True)
    refine(store, RUN)
    roles = roles_by_name(store, names)
    # no retweets at all: the originators are the members whose copies come first
    assert {n for n, r in roles.items() if r == "core"} == {f"core{i}" for i in range(4)}
    assert len(roles) == 20  # the celebrity is not in this network's interactions; nothing removed
    assert store.sql("SELECT count(*) AS n FROM networks")["n"][0] == 1


def test_weak_and_small_networks_are_dropped(store: Store) -> None:
    build_world(store)
    # A second "network" of two organic accounts with one co-hashtag edge: too small.
    store.execute(
        f"INSERT INTO networks (run_id, network_id) VALUES ('{RUN}', 'net-2');"
        f"INSERT INTO members (run_id, network_id, account_id) VALUES ('{RUN}', 'net-2', 'org1'),"
        f" ('{RUN}', 'net-2', 'org2');"
        f"INSERT INTO edges VALUES ('{RUN}', 'co-hashtag', 'org1', 'org2', 3, 0.01, TRUE, NULL)"
    )
    refine(store, RUN)
    assert store.sql("SELECT network_id FROM networks")["network_id"].tolist() == ["net-1"]
    assert not store.sql("SELECT * FROM members WHERE network_id = 'net-2'").shape[0]


def test_features_and_classifier_conventions(store: Store) -> None:
    build_world(store)
    feats = role_features(store, RUN)
    assert len(feats) == 21
    celeb = feats.set_index("account_id").loc["celeb"]
    assert celeb.n_active_partners == 0 and celeb.n_partners == 16
    clf = RoleClassifier(min_amplifiers=2)
    assert clf.fit(feats) is clf and clf.amplifying_networks_ == frozenset({"net-1"})
    with pytest.raises(DetectionError, match="fit"):
        RoleClassifier().predict(feats)
    with pytest.raises(DetectionError, match="lack"):
        RoleClassifier().fit(feats.drop(columns=["n_posts"]))


def test_single_edge_members_without_amplification_are_peripheral(store: Store) -> None:
    build_world(store)
    feats = role_features(store, RUN)
    clf = RoleClassifier().fit(feats)
    assert not clf.bystanders(feats)[feats["account_id"].str.startswith("amp").to_numpy()].any()
    lone = feats[feats["account_id"].str.startswith("amp")].iloc[[0]].copy()
    lone[["n_partners", "n_active_partners", "n_amp_internal", "n_amp_targets",
          "received_internal", "n_amplifiers"]] = [1, 1, 0, 0, 0, 0]
    assert clf.bystanders(lone).tolist() == [True]
    lone["n_partners"] = 2  # two partners: a member
    assert clf.bystanders(lone).tolist() == [False]
    lone[["n_partners", "n_amp_internal"]] = [1, 3]  # one partner, but it amplifies members
    assert clf.bystanders(lone).tolist() == [False]


def test_empty_run_is_a_no_op(store: Store) -> None:
    store.execute(f"INSERT INTO detect_runs VALUES ('{RUN}', now(), now(), 'completed', NULL, NULL)")
    refine(store, RUN)
    assert store.count("members") == 0
