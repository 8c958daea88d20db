"""Twitter API v2 and v1.1 JSON / JSON Lines."""

from __future__ import annotations

from pathlib import Path

from infoops.ingest import ingest
from infoops.store import Store

FIX = Path(__file__).parent / "fixtures" / "ingest"


def _posts(store: Store) -> dict[str, dict]:
    df = store.sql("SELECT * FROM posts")
    return {r["post_id"]: r for r in df.to_dict("records")}


def test_v2_pages_and_single_tweets(store: Store) -> None:
    r = ingest(store, FIX / "v2.jsonl")
    assert r.sources[0].format == "twitter-json"
    assert (r.rows_read, r.rows_stored, r.rows_quarantined) == (7, 5, 2)
    p = _posts(store)
    assert {k: v["kind"] for k, v in p.items()} == {
        "101": "original", "102": "retweet", "103": "reply", "104": "quote", "105": "retweet"}
    assert (p["102"]["ref_post_id"], p["102"]["ref_account_id"]) == ("101", "11")  # via includes.tweets
    assert (p["103"]["reply_to_post_id"], p["103"]["reply_to_account_id"]) == ("101", "11")
    assert p["104"]["ref_post_id"] == "101" and bool(p["104"]["has_media"])
    assert str(p["101"]["created_at"]) == "2020-06-01 08:00:00"
    assert (p["101"]["like_count"], p["101"]["quote_count"], p["101"]["client"]) == (4, 1, "Twitter Web App")
    # no retweet author in the file: RT @core_acct resolves to the known account
    assert p["105"]["ref_account_id"] == "11"
    acc = store.sql("SELECT * FROM accounts WHERE account_id = '11'").iloc[0]
    assert (acc["screen_name"], acc["followers"], acc["statuses_count"], bool(acc["is_stub"])) == (
        "core_acct", 0, 10, False)
    assert store.sql("SELECT is_stub FROM accounts WHERE account_id = '33'").iloc[0, 0]
    assert store.sql("SELECT tag FROM post_hashtags WHERE post_id = '101'").iloc[0, 0] == "HK"
    assert store.sql("SELECT domain FROM post_urls WHERE post_id = '101'").iloc[0, 0] == "scmp.com"
    assert store.sql("SELECT account_id FROM post_mentions WHERE post_id = '101'").iloc[0, 0] == "22"
    q = store.sql("SELECT line, reason FROM quarantine ORDER BY line").values.tolist()
    assert q[0][0] == 2 and q[0][1].startswith("broken JSON line")
    assert q[1][0] == 5 and q[1][1].startswith("bad timestamp in column created_at")


def test_v1_tweets(store: Store) -> None:
    r = ingest(store, FIX / "v1.jsonl")
    assert (r.rows_read, r.rows_stored, r.rows_quarantined) == (5, 4, 1)
    assert "not a tweet" in store.sql("SELECT reason FROM quarantine").iloc[0, 0]
    p = _posts(store)
    assert {k: v["kind"] for k, v in p.items()} == {
        "9001": "original", "9002": "retweet", "9003": "quote", "9004": "reply"}
    assert (p["9002"]["ref_post_id"], p["9002"]["ref_account_id"]) == ("9001", "501")
    assert (p["9003"]["ref_post_id"], p["9003"]["ref_account_id"]) == ("9001", "501")
    assert p["9003"]["text"] == "so true, really so very true"  # extended_tweet
    assert (p["9004"]["reply_to_post_id"], p["9004"]["reply_to_account_id"]) == ("9001", "501")
    first = p["9001"]
    assert str(first["created_at"]) == "2016-11-07 10:00:00"
    assert first["client"] == "Twitter Web Client"
    assert (first["latitude"], first["longitude"]) == (40.7, -73.9)
    acc = store.sql("SELECT * FROM accounts WHERE account_id = '501'").iloc[0]
    assert (acc["screen_name"], acc["followers"], acc["following"]) == ("ira_one", 304, 670)
    assert str(acc["created_at"]) == "2009-01-07 04:38:02"
    assert store.sql("SELECT tag FROM post_hashtags WHERE post_id = '9003'").iloc[0, 0] == "MAGA"
    assert store.sql("SELECT domain FROM post_urls WHERE post_id = '9001'").iloc[0, 0] == "bit.ly"


def test_json_array_document_and_reingest(store: Store) -> None:
    ingest(store, FIX / "v1.jsonl")
    r = ingest(store, FIX / "v1_array.json")
    assert (r.rows_read, r.rows_stored, r.rows_duplicate) == (2, 0, 2)
    again = ingest(store, FIX / "v2.jsonl")
    assert again.reconciles and store.count("post_hashtags") == 3 + 2
    again = ingest(store, FIX / "v2.jsonl")
    assert again.rows_stored == 0 and store.count("post_hashtags") == 5
