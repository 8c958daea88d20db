"""The naive baselines: thresholded co-retweet components and the zero-followers rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from infoops.detect.baselines import naive_coretweet, zero_followers
from infoops.errors import DetectionError
from infoops.simulate import evaluate, simulate
from infoops.store import Store


def _post(
    store: Store,
    pid: str,
    acc: str,
    minute: int,
    second: int = 0,
    kind: str = "retweet",
    ref: str | None = None,
) -> None:
    store.execute(
        "INSERT INTO posts (post_id, account_id, created_at, kind, ref_post_id) "
        "VALUES (?, ?, TIMESTAMP '2020-03-02 10:00:00' + to_minutes(?) + to_seconds(?), ?, ?)",
        [pid, acc, minute, second, kind, ref],
    )


@pytest.fixture
def small_store(store: Store) -> Store:
    for acc, followers in [("x", 0), ("y", 0), ("z", 5), ("w", 0), ("u", 3), ("v", 3), ("c", 900)]:
        store.execute(
            "INSERT INTO accounts (account_id, followers) VALUES (?, ?)", [acc, followers]
        )
    for i in range(3):
        _post(store, f"p{i}", "c", 10 * i, kind="original")
        _post(store, f"x{i}", "x", 10 * i + 1, 0, ref=f"p{i}")
        _post(store, f"y{i}", "y", 10 * i + 1, 30, ref=f"p{i}")
        _post(store, f"z{i}", "z", 10 * i + 1, 50, ref=f"p{i}")
        _post(store, f"w{i}", "w", 10 * i + 5, ref=f"p{i}")  # minutes later: outside the window
    for i in range(2):  # only two co-retweets: below min_weight
        _post(store, f"u{i}", "u", 10 * i + 2, ref=f"p{i}")
        _post(store, f"v{i}", "v", 10 * i + 2, 20, ref=f"p{i}")
    _post(store, "c-rt", "c", 40, ref="p0")
    return store


def test_naive_coretweet_components(small_store: Store) -> None:
    df = naive_coretweet(small_store, window_s=60, min_weight=3)
    assert list(df.columns) == ["account_id", "network_id", "role", "score"]
    assert sorted(df["account_id"]) == ["x", "y", "z"]
    assert set(df["network_id"]) == {"naive-1"} and set(df["role"]) == {"amplifier"}
    assert df["score"].max() == 1.0 and (df["score"] > 0).all()
    wider = naive_coretweet(small_store, window_s=600, min_weight=2)
    assert {"u", "v", "w"} <= set(wider["account_id"])


def test_zero_followers(small_store: Store) -> None:
    df = zero_followers(small_store)
    assert sorted(df["account_id"]) == ["w", "x", "y"]
    assert set(df["network_id"]) == {"zero-followers"} and set(df["score"]) == {1.0}


def test_baselines_need_posts(store: Store) -> None:
    with pytest.raises(DetectionError, match="no posts"):
        naive_coretweet(store)
    with pytest.raises(DetectionError, match="no posts"):
        zero_followers(store)
    with pytest.raises(DetectionError):
        naive_coretweet(store, min_weight=0)


def test_simulated_world_ingests_cleanly_and_baselines_score(tmp_path: Path, store: Store) -> None:
    from infoops.ingest import ingest

    world = tmp_path / "world"
    summary = simulate(world, seed=21, scale="tiny")
    result = ingest(store, [world])
    by_name = {Path(s.source).name: s for s in result.sources}
    assert by_name["tweets.csv"].rows_read == by_name["tweets.csv"].rows_stored == summary.n_posts
    assert by_name["users.csv"].rows_stored == summary.n_accounts
    assert by_name["profile_changes.csv"].rows_stored == summary.n_profile_changes
    assert all(s.rows_quarantined == 0 for s in result.sources)
    assert "truth.csv" not in by_name  # ground truth is skipped, never ingested
    kinds = dict(store.con.execute("SELECT kind, count(*) FROM posts GROUP BY 1").fetchall())
    assert set(kinds) == {"original", "retweet", "reply", "quote"}
    # every retweet resolves its author, also those without retweet_userid (from the RT @name prefix)
    assert store.con.execute(
        "SELECT count(*) FROM posts WHERE kind = 'retweet' AND ref_account_id IS NULL"
    ).fetchone() == (0,)

    naive = evaluate(world / "truth.csv", flagged=naive_coretweet(store))
    # the naive trace catches operations but also flags the authentic crowds wholesale
    assert naive.recall > 0.4
    fans, n_fans = naive.hard_negative_flagged["fan_community"]
    assert fans > 0.8 * n_fans
    assert naive.precision < 0.8
    zero = evaluate(world / "truth.csv", flagged=zero_followers(store))
    assert zero.per_operation_recall["prc"] > 0.5 and zero.per_operation_recall["russia"] == 0.0
    assert zero.group_flagged["organic"][0] > 0  # organic users with no followers exist too
