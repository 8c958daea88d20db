"""Recruiting missed cores and amplifiers, merging networks, and operations without new accounts."""

from __future__ import annotations

import json

import pandas as pd

from infoops.detect.campaigns import similar_networks
from infoops.detect.params import RoleParams
from infoops.detect.recruit import find_amplifiers, find_sources, merge_plan
from infoops.detect.refine import refine
from infoops.store import Store
from test_roles import RUN, build_world, roles_by_name


def test_missed_cores_and_amplifier_are_recruited_and_teams_merge(store: Store) -> None:
    names = build_world(store, teams=True)
    sources = find_sources(store, RUN)
    assert set(sources["account_id"]) == {names[f"core{i}"] for i in range(4)}
    assert set(sources["network_id"]) == {"net-1", "net-2"}
    assert names["celeb"] not in set(sources["account_id"])  # most of its engagement is organic
    refine(store, RUN, RoleParams(merge_similarity=None))
    roles = roles_by_name(store, names)
    assert {n for n, r in roles.items() if r == "core"} == {f"core{i}" for i in range(4)}
    assert {n for n, r in roles.items() if r == "amplifier"} == {f"amp{i}" for i in range(16)}
    nets = store.sql("SELECT network_id, n_accounts, detail FROM networks WHERE run_id = $r", {"r": RUN})
    assert nets["network_id"].tolist() == ["net-1"] and nets["n_accounts"].tolist() == [20]
    assert json.loads(nets["detail"][0])["roles"]["merged"] == ["net-2"]


def test_without_recruitment_the_teams_stay_apart(store: Store) -> None:
    names = build_world(store, teams=True)
    refine(store, RUN, RoleParams(recruit=False, merge_similarity=None))
    roles = roles_by_name(store, names)
    assert "core0" not in roles and "amp15" not in roles
    assert set(roles.values()) == {"amplifier"}  # reposters in a network without internal amplification
    assert store.sql("SELECT count(*) AS n FROM networks")["n"][0] == 2


def test_find_amplifiers_needs_most_posts_aimed_at_members(store: Store) -> None:
    names = build_world(store)
    # everyone in the op is a member except amp15: it retweets the cores (members) only
    store.execute("DELETE FROM members WHERE account_id = ?", [names["amp15"]])
    amps = find_amplifiers(store, RUN)
    assert amps["account_id"].tolist() == [names["amp15"]]
    assert find_amplifiers(store, RUN, min_share=1.01).empty


def test_merge_plan_joins_networks_through_shared_sources() -> None:
    sources = pd.DataFrame({
        "account_id": ["s1", "s1", "s2", "s2", "s3", "s4"],
        "network_id": ["A", "B", "A", "B", "B", "C"],
        "n_amplifiers": [4, 4, 3, 5, 3, 2],
        "from_network": [10, 10, 4, 8, 6, 5],
        "from_members": [20, 20, 12, 12, 6, 5],
    })
    renames, recruits = merge_plan(sources, {"A": 5, "B": 9, "C": 2})
    assert renames == {"A": "B"}
    assert dict(zip(recruits["account_id"], recruits["network_id"], strict=False)) == {
        "s1": "B", "s2": "B", "s3": "B", "s4": "C"}


def test_merge_plan_needs_more_than_one_shared_source() -> None:
    """Two operations whose cover activity lands on the same small organic
    account share that account only: no merge, and no chain through it."""
    sources = pd.DataFrame({
        "account_id": ["o1", "o1", "o2", "o2"],
        "network_id": ["PRC", "TR1", "TR1", "TR2"],
        "n_amplifiers": [3, 7, 4, 5],
        "from_network": [5, 8, 6, 6],
        "from_members": [13, 13, 12, 12],
    })
    renames, recruits = merge_plan(sources, {"PRC": 900, "TR1": 19, "TR2": 20})
    assert renames == {}
    assert dict(zip(recruits["account_id"], recruits["network_id"], strict=False)) == {"o1": "TR1", "o2": "TR1"}
    assert merge_plan(sources, {"PRC": 900, "TR1": 19, "TR2": 20}, min_shared=1)[0] == {
        "TR1": "PRC", "TR2": "PRC"}


def test_similar_networks_by_campaign_vectors() -> None:
    vectors = pd.DataFrame({
        "network_id": ["A", "A", "B", "B", "C"],
        "token": ["#milli", "#guc", "#milli", "#guc", "#香港"],
        "weight": [2.0, 1.0, 1.8, 1.2, 3.0],
    })
    pairs = similar_networks(vectors, 0.6)
    assert [(a, b) for a, b, _ in pairs] == [("A", "B")]
    assert pairs[0][2] > 0.98
    assert similar_networks(vectors.iloc[:0]) == []


def test_campaign_merge_in_refine(store: Store) -> None:
    names = build_world(store, teams=True)
    # the two teams push the same hashtags; no recruitment, so only the campaign links them
    store.execute(
        "INSERT INTO post_hashtags SELECT post_id, '香港加油' FROM posts WHERE account_id IN "
        "(SELECT account_id FROM members)"
    )
    refine(store, RUN, RoleParams(recruit=False))
    nets = store.sql("SELECT network_id, n_accounts FROM networks WHERE run_id = $r", {"r": RUN})
    assert nets["network_id"].tolist() == ["net-1"] and nets["n_accounts"].tolist() == [15]
    assert len(roles_by_name(store, names)) == 15


def test_hijacked_only_operation_is_kept_and_explained(store: Store) -> None:
    names = build_world(store, hijacked=True)
    refine(store, RUN)
    roles = roles_by_name(store, names)
    assert {n for n, r in roles.items() if r == "core"} == {f"core{i}" for i in range(4)}
    assert len(roles) == 20
    m = store.sql("SELECT account_id, signals, reason FROM members").set_index("account_id")
    sig = json.loads(m.loc[names["amp2"], "signals"])
    assert sig["hijacked"]["flagged"] and not sig["creation_burst"]["flagged"]
    assert "posts switched from en to zh" in m.loc[names["amp2"], "reason"]
    net = store.sql("SELECT score, reason FROM networks").iloc[0]
    assert net.score >= 0.4 and "show a change of owner" in net.reason


def test_merge_plan_ignores_a_network_that_barely_touches_a_source() -> None:
    sources = pd.DataFrame({
        "account_id": ["s1", "s1", "s1", "s2", "s2", "s3", "s3"],
        "network_id": ["A", "B", "C", "A", "B", "A", "B"],
        "n_amplifiers": [12, 2, 1, 5, 6, 4, 4],
        "from_network": [90, 4, 6, 40, 35, 20, 20],
        "from_members": [100, 100, 100, 75, 75, 40, 40],
    })
    renames, recruits = merge_plan(sources, {"A": 50, "B": 40, "C": 30})
    # s1: B gives 4 % of the members' engagement, C has one amplifier: neither takes part;
    # s2 and s3: A and B both take a real part in two sources, so they are one operation
    assert renames == {"B": "A"}
    assert dict(zip(recruits["account_id"], recruits["network_id"], strict=False)) == {
        "s1": "A", "s2": "A", "s3": "A"}
    assert merge_plan(sources, {"A": 50, "B": 40, "C": 30}, min_share=0.5)[0] == {}
