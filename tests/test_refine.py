"""The after-clustering stage on the failure modes seen on worlds it was not tuned to.

Each test builds a small case of one real-world phenomenon on top of the
hand-made world of :mod:`test_roles` (an operation of 4 cores and 16
amplifiers, 60 organic accounts, a celebrity) and checks the decision.
Every one of them failed before membership became an account-level
decision, replies stopped counting as ownership, self-amplification stopped
counting on its own and recruitment stopped being able to sink a network.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from infoops.cli import cli
from infoops.detect.params import DetectParams, RoleParams
from infoops.detect.recruit import find_amplifiers, find_sources
from infoops.detect.refine import refine
from infoops.detect.scoring import keep_networks, member_scores, network_scores
from infoops.errors import DetectionError, NotFoundError
from infoops.store import Store
from test_roles import RUN, build_world, roles_by_name

T0 = datetime(2020, 1, 1)


def _rows(store: Store, table: str, rows: list[dict]) -> None:
    with store.registered("_rows", pd.DataFrame(rows)):
        store.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")


def _account(aid: str, created: datetime, followers: int, verified: bool = False) -> dict:
    return {"account_id": aid, "screen_name": f"sn_{aid}", "created_at": created,
            "followers": followers, "following": 50, "verified": verified, "is_stub": False}


def _post(pid: str, aid: str, t: datetime, kind: str = "original", ref: tuple | None = None) -> dict:
    row = {"post_id": pid, "account_id": aid, "created_at": t, "kind": kind, "text": f"text {pid}"}
    if ref and kind == "reply":
        row.update(reply_to_post_id=ref[0], reply_to_account_id=ref[1])
    elif ref:
        row.update(ref_post_id=ref[0], ref_account_id=ref[1])
    return row


def _core_posts(store: Store, names: dict[str, str], core: str = "core0") -> list[str]:
    return store.sql("SELECT post_id FROM posts WHERE account_id = $a ORDER BY created_at",
                     {"a": names[core]})["post_id"].tolist()


def _flagged(store: Store) -> set[str]:
    return set(store.sql("SELECT account_id FROM members WHERE run_id = $r", {"r": RUN})["account_id"])


# --- the maths, on hand-made rows ------------------------------------------------------------

def _features(n: int, owned_cores: int, network: str = "N1") -> pd.DataFrame:
    rows = []
    for i in range(n):
        core = i < owned_cores
        rows.append({"network_id": network, "account_id": f"{network}-{i}", "role": "core" if core else "amplifier",
                     "n_posts": 10, "n_partners": 4, "n_amp_targets": 0 if core else 2,
                     "n_amplifiers": 5 if core else 0, "received": 50 if core else 0,
                     "received_internal": 50 if core else 0, "traces": "co-retweet,fast-retweet",
                     "n_tied": 10, "n_tied_acting": 10, "created_at": T0, "followers": 100})
    return pd.DataFrame(rows)


def test_self_amplification_alone_flags_nothing() -> None:
    params = RoleParams()
    feats = _features(10, owned_cores=3)
    none = pd.DataFrame({"creation_burst": [False] * 10})
    out = network_scores(feats, none, params).loc["N1"]
    assert out["self_amplification"] == 1.0 and out["score"] == 0.0
    # half the members created in a burst: S = 0.6 * 0.5 = 0.3, and self-amplification
    # strengthens it: 0.3 + 0.7 * 0.6 * 1.0 * 0.3 = 0.426
    half = pd.DataFrame({"creation_burst": [True] * 5 + [False] * 5})
    out = network_scores(feats, half, params).loc["N1"]
    assert out["signal_evidence"] == pytest.approx(0.3)
    assert out["score"] == pytest.approx(0.426)
    keep, reason = keep_networks(network_scores(feats, none, params), params)
    assert not keep.iloc[0] and "self-amplification alone flags nothing" in reason.iloc[0]


def test_behaviour_counts_without_any_account_signal() -> None:
    params = RoleParams()
    feats = _features(10, owned_cores=0)
    feats["traces"] = "co-retweet,text-similarity,co-hashtag"
    out = network_scores(feats, pd.DataFrame({"low_followers": [False] * 10}), params).loc["N1"]
    # every member posts near-copies (0.6) on three traces (0.4): 1 - 0.4 * 0.6
    assert out["behaviour_evidence"] == pytest.approx(0.76) and out["score"] == pytest.approx(0.76)


def test_cores_that_boost_each_other_are_behaviour_hubs_that_do_not_are_not() -> None:
    params = RoleParams()
    feats = _features(10, owned_cores=3)
    none = pd.DataFrame({"creation_burst": [False] * 10})

    def pairs(*links: tuple[int, int]) -> pd.DataFrame:
        rows = [("N1", f"N1-{a}", f"N1-{b}") for x, y in links for a, b in ((x, y), (y, x))]
        return pd.DataFrame(rows, columns=["network_id", "a", "b"])

    # every core reposts another core both ways: B = 0.5 * 1.0; A = 1 strengthens it:
    # 0.5 + 0.5 * 0.6 * 1.0 * 0.5 = 0.65
    out = network_scores(feats, none, params, pairs((0, 1), (1, 2))).loc["N1"]
    assert out["share:mutual_cores"] == 1.0 and out["behaviour_evidence"] == pytest.approx(0.5)
    assert out["score"] == pytest.approx(0.65)
    # a hub and one of its fans trading reposts is an audience, not cores boosting each other
    out = network_scores(feats, none, params, pairs((0, 5), (1, 6))).loc["N1"]
    assert out["share:mutual_cores"] == 0.0 and out["score"] == 0.0
    # two organisers boosting each other is ordinary: fewer than min_mutual_cores (3) count 0
    out = network_scores(feats, none, params, pairs((0, 1))).loc["N1"]
    assert out["share:mutual_cores"] == 0.0 and out["score"] == 0.0
    # one core cannot boost "one another": a single-hub network shows nothing
    one = _features(10, owned_cores=1)
    assert network_scores(one, none, params, pairs((0, 5))).loc["N1", "score"] == 0.0


def test_engaging_with_the_same_posts_three_ways_is_one_kind_of_trace() -> None:
    params = RoleParams()
    feats = _features(10, owned_cores=0)
    none = pd.DataFrame({"low_followers": [False] * 10})
    # an organisation's staff retweet, fast-retweet and reply to its account: one kind
    feats["traces"] = "co-reply,co-retweet,fast-retweet"
    assert network_scores(feats, none, params).loc["N1", "share:multi_trace"] == 0.0
    # the same posts, the same links, the same hashtags: three kinds
    feats["traces"] = "co-domain,co-retweet,co-url,hashtag-sequence"
    assert network_scores(feats, none, params).loc["N1", "share:multi_trace"] == 1.0


def test_member_scores_exact_values() -> None:
    params = RoleParams()
    feats = pd.DataFrame({"n_partners": [10, 0], "n_amp_targets": [0, 0], "n_amplifiers": [0, 0]})
    values = pd.DataFrame({"low_followers": [0.0, 1.0], "hijacked": [0.0, 0.5]})
    out = member_scores(feats, values, params)
    assert out["coordination"].tolist() == pytest.approx([1 - np.exp(-1), 0.0])
    assert out["signal_strength"].tolist() == pytest.approx([0.0, 1 - 0.6 * 0.65])
    assert out["score"].tolist() == pytest.approx([1 - np.exp(-1), 1 - 0.6 * 0.65])


def test_role_params_are_validated_and_recorded() -> None:
    with pytest.raises(DetectionError, match="min_member_share"):
        RoleParams(min_member_share=1.5)
    with pytest.raises(DetectionError, match="min_members"):
        RoleParams(min_members=0)
    with pytest.raises(DetectionError, match="unknown signal"):
        RoleParams(signal_weights={"zodiac": 0.5})
    with pytest.raises(DetectionError, match="unknown role setting"):
        RoleParams().with_overrides({"min_score": "0.5"})
    p = RoleParams().with_overrides({"min_network_score": "0.5", "signal_weights.hijacked": "0.2",
                                     "merge_similarity": "none", "recruit": "false"})
    assert (p.min_network_score, p.signal_weights["hijacked"], p.merge_similarity, p.recruit) == (
        0.5, 0.2, None, False)
    params = DetectParams(roles=p)
    assert DetectParams.from_json(params.to_json()).roles == p
    assert json.loads(params.to_json())["roles"]["min_network_score"] == 0.5


# --- failure modes, end to end through refine() -------------------------------------------------

def test_operations_talk_to_ordinary_people_without_owning_them(store: Store) -> None:
    names = build_world(store)
    amps = [names[f"amp{i}"] for i in range(6)]
    # An ordinary account whose three posts six members reply to (leading questions,
    # conversation): twelve replies, all from members, every post covered.
    _rows(store, "accounts", [_account("chat", datetime(2014, 3, 1), 60)])
    posts = [_post(f"chat-{k}", "chat", T0 + timedelta(days=70 + k)) for k in range(3)]
    posts += [_post(f"re-{a}-{k}", a, T0 + timedelta(days=70 + k, minutes=5), "reply", (f"chat-{k}", "chat"))
              for a in amps for k in range(2)]
    # Ordinary users answering the operation's questions: three replies to cores, one post of their own.
    core_posts = _core_posts(store, names)
    for u in range(5):
        aid = f"answer{u}"
        _rows(store, "accounts", [_account(aid, datetime(2015, 1, 1), 120)])
        posts += [_post(f"ans-{u}-{k}", aid, T0 + timedelta(days=80 + k), "reply",
                        (core_posts[k], names["core0"])) for k in range(3)]
        posts.append(_post(f"own-{u}", aid, T0 + timedelta(days=90)))
    _rows(store, "posts", posts)
    assert "chat" not in set(find_sources(store, RUN)["account_id"])
    assert not set(find_amplifiers(store, RUN)["account_id"]) & {f"answer{u}" for u in range(5)}
    refine(store, RUN)
    assert not _flagged(store) & {"chat", *(f"answer{u}" for u in range(5))}
    assert len(_flagged(store)) == 20


def test_an_ordinary_user_who_agrees_is_not_a_member(store: Store) -> None:
    names = build_world(store)
    core_posts = _core_posts(store, names)
    # 200 posts of its own life and five retweets of the operation's cores, close in
    # time to the amplifiers': coordination edges with eight of them.
    _rows(store, "accounts", [_account("patriot", datetime(2013, 5, 1), 800)])
    posts = [_post(f"life-{k}", "patriot", T0 + timedelta(hours=7 * k)) for k in range(200)]
    posts += [_post(f"agree-{k}", "patriot", T0 + timedelta(days=61 + k, hours=3), "retweet",
                    (core_posts[k], names["core0"])) for k in range(5)]
    _rows(store, "posts", posts)
    amps = sorted(names[f"amp{i}"] for i in range(8))
    _rows(store, "edges", [{"run_id": RUN, "trace": "co-retweet", "a": min(a, "patriot"),
                            "b": max(a, "patriot"), "weight": 5.0, "p_value": 1e-4,
                            "significant": True} for a in amps])
    _rows(store, "members", [{"run_id": RUN, "network_id": "net-1", "account_id": "patriot"}])
    refine(store, RUN)
    assert "patriot" not in _flagged(store)
    why = store.sql("SELECT role, reason FROM rejected_members WHERE account_id = 'patriot'")
    assert why["role"].tolist() == ["outsider"] and "of its 205 posts" in why["reason"][0]


def test_a_broadcaster_the_operation_amplifies_is_its_target(store: Store) -> None:
    names = build_world(store)
    rng = np.random.default_rng(5)
    # A state broadcaster: 1M followers, 40 posts, retweeted by 60 organic accounts
    # and by the amplifiers; it shares two hashtag moments with two amplifiers.
    _rows(store, "accounts", [_account("broadcaster", datetime(2009, 1, 1), 1_000_000, verified=True)])
    posts = [_post(f"bc-{k}", "broadcaster", T0 + timedelta(days=60 + 2 * k)) for k in range(40)]
    organic = [names[f"org{i}"] for i in range(60)]
    posts += [_post(f"bc-rt-{i}-{k}", organic[i], T0 + timedelta(days=60 + 2 * int(k), hours=1),
                    "retweet", (f"bc-{k}", "broadcaster"))
              for i in range(60) for k in rng.choice(40, 8, replace=False)]
    posts += [_post(f"bc-amp-{i}-{k}", names[f"amp{i}"], T0 + timedelta(days=60 + 2 * k, minutes=3),
                    "retweet", (f"bc-{k}", "broadcaster")) for i in range(16) for k in range(3)]
    _rows(store, "posts", posts)
    edges, evidence = [], []
    for i in (0, 1):
        a, b = sorted((names[f"amp{i}"], "broadcaster"))
        edges.append({"run_id": RUN, "trace": "co-hashtag", "a": a, "b": b, "weight": 3.0,
                      "p_value": 1e-3, "significant": True})
        evidence.append({"run_id": RUN, "trace": "co-hashtag", "a": a, "b": b,
                         "post_a": "bc-0" if a == "broadcaster" else f"bc-amp-{i}-0",
                         "post_b": "bc-0" if b == "broadcaster" else f"bc-amp-{i}-0",
                         "object": "tag", "delta_seconds": 180.0})
    _rows(store, "edges", edges)
    _rows(store, "evidence", evidence)
    _rows(store, "members", [{"run_id": RUN, "network_id": "net-1", "account_id": "broadcaster"}])
    refine(store, RUN)
    assert "broadcaster" not in _flagged(store)
    assert len(_flagged(store)) == 20


def test_established_personas_are_found_on_behaviour(store: Store) -> None:
    names = build_world(store, copypasta=True, persona=True)
    refine(store, RUN)
    net = store.sql("SELECT score, reason, detail FROM networks WHERE run_id = $r", {"r": RUN})
    assert len(net) == 1 and net["score"][0] >= RoleParams().min_network_score
    detail = json.loads(net["detail"][0])["roles"]
    assert detail["signal_evidence"] < 0.2  # ordinary profiles, no bursts
    assert detail["behaviour_shares"]["copied_text"] == 1.0
    assert "near-copies" in net["reason"][0]
    assert set(roles_by_name(store, names)) == {f"core{i}" for i in range(4)} | {
        f"amp{i}" for i in range(16)}


def test_established_personas_that_boost_each_other_are_found_without_copies(store: Store) -> None:
    names = build_world(store, persona=True)
    cores = [names[f"core{i}"] for i in range(4)]
    posts = {c: _core_posts(store, names, f"core{i}") for i, c in enumerate(cores)}
    # each core reposts the next one's posts three times, and is reposted back: no copies,
    # no synchronised minutes, ordinary profiles — only the originators trading reposts
    boosts = [_post(f"boost-{i}-{j}-{k}", a, T0 + timedelta(days=100 + k, hours=i), "retweet",
                    (posts[b][k], b))
              for i, (a, b) in enumerate(zip(cores, cores[1:] + cores[:1], strict=False))
              for j, (a, b) in enumerate(((a, b), (b, a))) for k in range(3)]
    _rows(store, "posts", boosts)
    refine(store, RUN)
    net = store.sql("SELECT score, reason, detail FROM networks WHERE run_id = $r", {"r": RUN})
    assert len(net) == 1 and net["score"][0] >= RoleParams().min_network_score
    detail = json.loads(net["detail"][0])["roles"]
    assert detail["signal_evidence"] < 0.2 and detail["behaviour_shares"]["copied_text"] == 0.0
    assert detail["behaviour_shares"]["mutual_cores"] == 1.0
    assert "cores repost one another" in net["reason"][0]


def test_the_same_personas_without_mutual_boosting_are_rejected_with_the_reason(store: Store) -> None:
    build_world(store, persona=True)
    refine(store, RUN)
    assert _flagged(store) == set()
    why = store.sql("SELECT reason FROM rejected_networks WHERE run_id = $r", {"r": RUN})
    assert len(why) == 1 and "below 0.40" in why["reason"][0]


def _feed_network(store: Store, one_link: bool, answers: bool = False) -> set[str]:
    """Six established accounts posting the same 20 items (same text) within the same minute.

    ``one_link``: each item carries the same URL for every account (feed bots relaying a
    news feed); otherwise each account's copy links somewhere of its own (a message copied).
    ``answers``: each item is a reply to the same question of an outside account (people
    answering a leading question alike).
    """
    bots = [f"feed{i}" for i in range(6)]
    _rows(store, "accounts", [_account(b, datetime(2014, 2, 1) + timedelta(days=40 * i), 900)
                              for i, b in enumerate(bots)])
    posts, urls, edges, evidence = [], [], [], []
    for k in range(20):
        for i, b in enumerate(bots):
            pid = f"{b}-item{k}"
            post = _post(pid, b, T0 + timedelta(days=60 + k, seconds=5 * i),
                         *(("reply", (f"question{k}", "asker")) if answers else ()))
            post["text"] = f"Minister resigns after budget vote, item {k}"
            posts.append(post)
            url = f"https://feed.example/{k}" if one_link else f"https://site{i}.example/{k}"
            urls.append({"post_id": pid, "url": url, "domain": url.split("/")[2]})
    for i, a in enumerate(bots):
        for b in bots[i + 1:]:
            for trace in ("text-similarity", "synchronized", "co-url"):
                if trace == "co-url" and not one_link:
                    continue
                edges.append({"run_id": RUN, "trace": trace, "a": a, "b": b, "weight": 20.0,
                              "p_value": 1e-9, "significant": True})
                evidence += [{"run_id": RUN, "trace": trace, "a": a, "b": b,
                              "post_a": f"{a}-item{k}", "post_b": f"{b}-item{k}",
                              "object": f"o{k}", "delta_seconds": 5.0} for k in range(5)]
    if answers:
        _rows(store, "accounts", [_account("asker", datetime(2012, 1, 1), 3000)])
        posts += [_post(f"question{k}", "asker", T0 + timedelta(days=60 + k, minutes=-5))
                  for k in range(20)]
    _rows(store, "posts", posts)
    _rows(store, "post_urls", urls)
    _rows(store, "edges", edges)
    _rows(store, "evidence", evidence)
    _rows(store, "members", [{"run_id": RUN, "network_id": "net-feed", "account_id": b} for b in bots])
    _rows(store, "networks", [{"run_id": RUN, "network_id": "net-feed", "n_accounts": len(bots)}])
    return set(bots)


def test_feed_bots_sharing_one_link_are_not_copying(store: Store) -> None:
    build_world(store)
    bots = _feed_network(store, one_link=True)
    refine(store, RUN)
    assert not _flagged(store) & bots and len(_flagged(store)) == 20  # the operation still is
    why = store.sql("SELECT reason FROM rejected_networks WHERE run_id = $r", {"r": RUN})
    assert len(why) == 1 and "behaviour 0.00" in why["reason"][0]


def test_people_answering_one_question_alike_are_not_copying(store: Store) -> None:
    build_world(store)
    bots = _feed_network(store, one_link=False, answers=True)
    refine(store, RUN)
    assert not _flagged(store) & bots and len(_flagged(store)) == 20
    why = store.sql("SELECT reason FROM rejected_networks WHERE run_id = $r", {"r": RUN})
    assert len(why) == 1 and "behaviour 0.00" in why["reason"][0]


def test_the_same_texts_without_a_shared_link_are_copying(store: Store) -> None:
    build_world(store)
    bots = _feed_network(store, one_link=False)
    refine(store, RUN)
    assert bots <= _flagged(store)
    net = store.sql("SELECT reason FROM networks WHERE run_id = $r AND network_id = 'net-feed'",
                    {"r": RUN})
    assert "near-copies" in net["reason"][0] and "same minutes" in net["reason"][0]


def test_quiet_amplifiers_join_on_association_and_account_signals(store: Store) -> None:
    names = build_world(store)
    core_posts = _core_posts(store, names)
    burst = datetime(2019, 11, 4)
    quiet = [_account(f"quiet{i}", burst + timedelta(hours=5 * i), 0) for i in range(3)]
    plain = [_account("plain", datetime(2015, 6, 1), 300)]
    _rows(store, "accounts", quiet + plain)
    _rows(store, "posts", [_post(f"q-{a['account_id']}-{k}", a["account_id"],
                                 T0 + timedelta(days=62 + k, hours=2), "retweet",
                                 (core_posts[k], names["core0"]))
                           for a in quiet + plain for k in range(2)])
    refine(store, RUN)
    flagged = _flagged(store)
    assert {"quiet0", "quiet1", "quiet2"} <= flagged and "plain" not in flagged
    roles = store.sql("SELECT role FROM members WHERE account_id LIKE 'quiet%'")["role"]
    assert set(roles) == {"amplifier"}


def test_a_kept_network_is_never_lost_to_recruitment(store: Store) -> None:
    names = build_world(store)
    by_core = {c: _core_posts(store, names, c) for c in ("core0", "core1", "core2", "core3")}
    # 80 ordinary accounts that mostly retweet the cores: recruited as amplifiers,
    # they would dilute the operation's signals under the threshold.
    rows, posts = [], []
    for u in range(80):
        aid = f"fanboy{u}"
        core = f"core{u % 4}"
        rows.append(_account(aid, datetime(2012, 1, 1) + timedelta(days=11 * u), 400 + u))
        posts += [_post(f"fb-{u}-{k}", aid, T0 + timedelta(days=64 + k, hours=5), "retweet",
                        (by_core[core][k], names[core])) for k in range(4)]
        posts += [_post(f"fbo-{u}-{k}", aid, T0 + timedelta(days=100 + k)) for k in range(2)]
    _rows(store, "accounts", rows)
    _rows(store, "posts", posts)
    summary = refine(store, RUN)
    assert summary["recruited"] >= 80
    assert len(_flagged(store)) == 20
    assert store.sql("SELECT score FROM networks")["score"][0] >= RoleParams().min_network_score
    sent_back = store.sql("SELECT count(*) AS n FROM rejected_members WHERE role = 'recruit'")["n"][0]
    assert sent_back >= 80


def test_rejected_networks_are_shown_with_their_reason(tmp_path) -> None:
    db = tmp_path / "r.duckdb"
    with Store(db) as store:
        names = build_world(store, persona=True)  # retweets only, ordinary profiles: no evidence
        refine(store, RUN)
        assert store.count("networks") == 0
        rej = store.sql("SELECT network_id, n_accounts, reason FROM rejected_networks")
        assert rej["network_id"].tolist() == ["net-1"] and "below" in rej["reason"][0]
        assert store.sql("SELECT count(*) AS n FROM rejected_members WHERE network_id = 'net-1'"
                         )["n"][0] >= 20
        assert names
    res = CliRunner().invoke(cli, ["show", "--rejected", "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "net-1" in res.output and "below" in res.output
    res = CliRunner().invoke(cli, ["show", "--network", "net-1", "--db", str(db)])
    assert isinstance(res.exception, NotFoundError) and "was rejected" in str(res.exception)
