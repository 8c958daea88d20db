"""Detection depends on behaviour, not on ids, names or row order.

A tiny simulated world is ingested; a copy gets every account id and screen
name replaced by a keyed hash and every table shuffled. The same seed must
give the same partition into networks, up to the relabelling.
"""

from __future__ import annotations

import pytest

from infoops.detect.params import DetectParams
from infoops.detect.pipeline import detect
from infoops.store import Store

pytestmark = pytest.mark.slow

TRACES = ["co-retweet", "fast-retweet", "co-url", "co-reply", "synchronized"]


def _relabel_copy(src: Store, dst: Store) -> None:
    con = dst.con
    con.execute(f"ATTACH '{src.path}' AS src (READ_ONLY)")
    con.execute("SELECT setseed(0.42)")
    ids = "'x' || md5(CAST({} AS VARCHAR) || 'k3y')"
    con.execute(
        f"""
        INSERT INTO accounts (account_id, screen_name, display_name, created_at, followers,
                              following, language, description)
        SELECT {ids.format('account_id')}, md5(screen_name || 'k3y'), NULL, created_at,
               followers, following, language, NULL
        FROM src.accounts ORDER BY random()
        """
    )
    con.execute(
        f"""
        INSERT INTO posts (post_id, account_id, created_at, kind, text, language, ref_post_id,
                           ref_account_id, reply_to_post_id, reply_to_account_id)
        SELECT post_id, {ids.format('account_id')}, created_at, kind, text, language,
               ref_post_id, CASE WHEN ref_account_id IS NOT NULL
                                 THEN {ids.format('ref_account_id')} END,
               reply_to_post_id, CASE WHEN reply_to_account_id IS NOT NULL
                                      THEN {ids.format('reply_to_account_id')} END
        FROM src.posts ORDER BY random()
        """
    )
    con.execute("INSERT INTO post_urls SELECT * FROM src.post_urls ORDER BY random()")
    con.execute("INSERT INTO post_hashtags SELECT * FROM src.post_hashtags ORDER BY random()")
    con.execute(
        f"INSERT INTO post_mentions SELECT post_id, {ids.format('account_id')} "
        "FROM src.post_mentions ORDER BY random()"
    )
    con.execute("DETACH src")


def _partition(store: Store, run_id: str, rename=None) -> set[frozenset[str]]:
    nets: dict[str, set[str]] = {}
    for net, acc in store.con.execute(
        "SELECT network_id, account_id FROM members WHERE run_id = ?", [run_id]
    ).fetchall():
        nets.setdefault(net, set()).add(rename(acc) if rename else acc)
    return {frozenset(v) for v in nets.values()}


def test_relabelled_shuffled_world_gives_the_same_partition(tmp_path):
    from infoops.ingest import ingest
    from infoops.simulate import simulate

    world = tmp_path / "world"
    simulate(world, seed=5, scale="tiny")
    a = Store(tmp_path / "a.duckdb")
    ingest(a, [world / "tweets.csv", world / "users.csv"])
    a.close()
    b = Store(tmp_path / "b.duckdb")
    _relabel_copy(a, b)
    a = Store(tmp_path / "a.duckdb")
    params = DetectParams().with_overrides(only=TRACES)
    run_a = detect(a, params, seed=3)
    run_b = detect(b, params, seed=3)
    back = {
        new: old for old, new in a.con.execute(
            "SELECT account_id, 'x' || md5(account_id || 'k3y') FROM accounts"
        ).fetchall()
    }
    part_a = _partition(a, run_a)
    assert part_a, "the tiny world should contain at least one network"
    assert _partition(b, run_b, back.get) == part_a
    a.close()
    b.close()
