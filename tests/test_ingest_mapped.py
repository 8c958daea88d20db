"""Presets (CooRTweet, coordination-network-toolkit, users layouts), mappings, Parquet."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import shared
from infoops.errors import MappingError
from infoops.ingest import ingest
from infoops.store import Store

FIX = Path(__file__).parent / "fixtures" / "ingest"


def test_coortweet_shared_csv(store: Store) -> None:
    path = shared("coortweet", "russian_coord_tweets.csv")
    r = ingest(store, path)
    assert r.sources[0].format == "coortweet"
    # 35,125 shares; 40 repeat a content_id already seen
    assert (r.rows_read, r.rows_stored, r.rows_quarantined, r.rows_duplicate) == (35125, 35085, 0, 40)
    assert store.sql("SELECT count(DISTINCT kind) FROM posts").iloc[0, 0] == 1
    row = store.sql(
        "SELECT * FROM posts WHERE post_id = '114e22f1b2b648528277b76f0b0224e7'").iloc[0]
    assert (row["kind"], row["ref_post_id"], row["account_id"]) == (
        "retweet", "85d2d12251a735ce05255061f7f231e2", "0fb4232d1b7b37069c13ee17579bd10e")
    assert str(row["created_at"]) == "2021-06-16 22:04:51"  # 1623881091.0, unix seconds
    assert store.sql("SELECT count(*) FROM accounts").iloc[0, 0] == 9509


def test_german_elections_multi_layout(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "german_eighth.csv"  # an eighth of the posts keeps the test fast
    duckdb.execute(
        f"COPY (SELECT * FROM read_csv('{shared('coortweet', 'german_elections.csv')}', all_varchar=true) "
        f"WHERE post_id IS NULL OR CAST(post_id AS BIGINT) % 8 = 0) TO '{path}' (HEADER)")
    r = ingest(store, path)
    assert r.sources[0].format == "coortweet-multi"
    assert r.reconciles and r.rows_quarantined == 3
    expect = duckdb.sql(
        f"SELECT count(DISTINCT post_id), count(*) FILTER (WHERE post_id IS NULL), "
        f"count(DISTINCT (post_id, phash_id)) FILTER (WHERE phash_id IS NOT NULL) "
        f"FROM read_csv('{path}', all_varchar=true)").fetchall()[0]
    assert (store.count("posts"), r.rows_quarantined, store.count("post_media")) == expect
    # one row per post and entity: every image hash of a post is kept
    top, n = duckdb.sql(
        f"SELECT post_id, count(DISTINCT phash_id) n FROM read_csv('{path}', all_varchar=true) "
        "GROUP BY 1 ORDER BY n DESC, post_id LIMIT 1").fetchall()[0]
    assert n > 1
    assert store.sql("SELECT count(*) FROM post_media WHERE post_id = ?", [top]).iloc[0, 0] == n
    assert n == 4
    row = store.sql("SELECT url, domain FROM post_urls WHERE post_id = '84444'")
    assert [tuple(v) for v in row.values.tolist()] == duckdb.sql(
        f"SELECT url_id, domain_id FROM read_csv('{path}', all_varchar=true) WHERE post_id = '84444'"
    ).fetchall()  # url and domain are CooRTweet's integer codes
    again = ingest(store, path)
    assert again.rows_stored == 0 and store.count("post_media") == expect[2]


def test_cnt_preset_detected_and_positional(store: Store) -> None:
    r = ingest(store, FIX / "cnt.csv")
    assert r.sources[0].format == "cnt" and r.rows_stored == 3
    kinds = dict(store.sql("SELECT post_id, kind FROM posts").values.tolist())
    assert kinds == {"m1": "original", "m2": "retweet", "m3": "reply"}
    urls = store.sql("SELECT url FROM post_urls ORDER BY url")["url"].tolist()
    assert urls == ["https://a.com/x", "https://b.org/y"]  # space-separated list
    assert str(store.sql("SELECT created_at FROM posts WHERE post_id = 'm3'").iloc[0, 0]) == \
        "2020-09-13 12:28:20"
    assert store.sql("SELECT screen_name FROM accounts WHERE account_id = 'u1'").iloc[0, 0] == "alice"
    # any header names: --format cnt reads the 8 columns by position
    other = ingest(store, FIX / "cnt_otherheader.csv", format="cnt")
    assert other.rows_duplicate == 1


@pytest.mark.parametrize("parts, fmt, n", [
    (("hongkong2019", "hkio_users.csv"), "hkio-users", 940),
    (("nbc_ira", "users.csv"), "twitter-users", 454),
    (("cresci2017", "spam_user.csv"), "twitter-users", 991),
])
def test_users_layouts_detected(store: Store, parts: tuple[str, str], fmt: str, n: int) -> None:
    r = ingest(store, shared(*parts))
    assert r.sources[0].format == fmt and r.rows_read == n and r.reconciles
    assert store.count("accounts") == r.rows_stored


def test_users_profiles_parsed(store: Store) -> None:
    ingest(store, [shared("hongkong2019", "hkio_users.csv"), shared("nbc_ira", "users.csv")])
    hk = store.sql("SELECT * FROM accounts WHERE account_id = '747292706536226816'").iloc[0]
    assert (hk["screen_name"], hk["followers"], hk["language"]) == ("gurevadona88", 23949, "zh-cn")
    assert str(hk["created_at"]) == "2016-06-27 00:00:00"
    ira = store.sql("SELECT * FROM accounts WHERE account_id = '18710816'").iloc[0]
    assert (ira["screen_name"], ira["following"], ira["statuses_count"], bool(ira["verified"])) == (
        "RobbyDelaware", 670, 11484, False)
    assert str(ira["created_at"]) == "2009-01-07 04:38:02"
    # NBC rows with only a screen name have no id: quarantined, not invented
    assert store.sql("SELECT count(*) FROM quarantine WHERE reason LIKE 'missing account_id%'").iloc[0, 0] == 61


def test_parquet_with_mapping_and_list_column(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "posts.data"
    pq.write_table(pa.table({
        "pid": ["p1", "p2"], "uid": ["a", "b"], "ts": pa.array([1_600_000_000, 1_600_000_060], pa.int64()),
        "tags": [["x", "#y"], []], "txt": ["hi", "RT @a: hi"],
    }), path)
    mapping = {"post_id": "pid", "account_id": "uid", "created_at": "ts", "hashtags": "tags", "text": "txt"}
    r = ingest(store, path, mapping=mapping)
    assert (r.rows_read, r.rows_stored) == (2, 2)
    assert store.sql("SELECT list(tag ORDER BY tag) FROM post_hashtags").iloc[0, 0].tolist() == ["x", "y"]
    assert str(store.sql("SELECT created_at FROM posts WHERE post_id = 'p2'").iloc[0, 0]) == "2020-09-13 12:27:40"


def test_mapping_errors_name_the_fix(store: Store) -> None:
    with pytest.raises(MappingError, match="lacks required field"):
        ingest(store, FIX / "custom.csv", mapping={"post_id": "id", "account_id": "user"})
    with pytest.raises(MappingError, match="unknown field"):
        ingest(store, FIX / "custom.csv", mapping={"post_id": "id", "account_id": "user",
                                                    "created_at": "when", "colour": "body"})
    with pytest.raises(MappingError, match="unknown format"):
        ingest(store, FIX / "custom.csv", format="nope")
