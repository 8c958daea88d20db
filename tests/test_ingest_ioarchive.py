"""IO-archive tweets/users CSVs, profile history, folders and compressed inputs."""

from __future__ import annotations

import gzip
import shutil
import zipfile
from pathlib import Path

import pytest

from infoops.ingest import ingest
from infoops.store import Store

FIX = Path(__file__).parent / "fixtures" / "ingest"


def _post(store: Store, post_id: str) -> dict:
    df = store.sql("SELECT * FROM posts WHERE post_id = ?", [post_id])
    assert len(df) == 1, post_id
    return df.iloc[0].to_dict()


def test_31_column_tweets(store: Store) -> None:
    r = ingest(store, FIX / "io_tweets_31.csv")
    assert (r.rows_read, r.rows_stored, r.rows_quarantined, r.rows_duplicate) == (6, 6, 0, 0)
    assert r.sources[0].format == "ioarchive-tweets"
    kinds = dict(store.sql("SELECT post_id, kind FROM posts").values.tolist())
    assert kinds == {"1001": "original", "1002": "retweet", "1003": "retweet", "1004": "retweet",
                     "1005": "reply", "1006": "quote"}
    rt = _post(store, "1002")
    assert (rt["ref_post_id"], rt["ref_account_id"]) == ("1001", "Xq3+aa1=")
    assert str(rt["created_at"]) == "2019-08-10 01:02:30"  # HH:MM:SS accepted too
    # empty retweet_userid: resolved from "RT @NewsDaily:" via the known screen name
    assert _post(store, "1003")["ref_account_id"] == "Xq3+aa1="
    # unknown screen name: a stub keyed "@name"
    assert _post(store, "1004")["ref_account_id"] == "@unknown_guy"
    stub = store.sql("SELECT * FROM accounts WHERE account_id = '@unknown_guy'").iloc[0]
    assert bool(stub["is_stub"]) and stub["screen_name"] == "unknown_guy"
    reply = _post(store, "1005")
    assert (reply["reply_to_post_id"], reply["reply_to_account_id"]) == ("1002", "Bb7/xyz=")
    assert reply["text"] == "@amp_one thanks\nsecond line, with comma"
    assert _post(store, "1006")["ref_post_id"] == "1001"
    first = _post(store, "1001")
    assert (first["like_count"], first["retweet_count"], first["client"]) == (3, 2, "Twitter Web App")


def test_list_strings_become_entities(store: Store) -> None:
    ingest(store, FIX / "io_tweets_31.csv")
    tags = store.sql("SELECT tag FROM post_hashtags WHERE post_id = '1001' ORDER BY tag")["tag"].tolist()
    assert tags == sorted(["HongKong", "香港"])
    urls = store.sql("SELECT url, domain FROM post_urls WHERE post_id = '1001' ORDER BY url").values.tolist()
    assert urls == [["https://news.cn/it's", "news.cn"], ["https://www.Example.com/a?x=1,2", "example.com"]]
    mentions = store.sql("SELECT post_id, account_id FROM post_mentions ORDER BY post_id").values.tolist()
    assert mentions == [["1002", "Xq3+aa1="], ["1005", "Bb7/xyz="]]  # quoted and unquoted lists


def test_author_profiles_latest_wins_and_users_file_enriches(store: Store) -> None:
    ingest(store, FIX / "io_tweets_31.csv")
    amp2 = store.sql("SELECT * FROM accounts WHERE account_id = 'Cc9='").iloc[0]
    assert amp2["followers"] == 2  # the later tweet's profile (1004) wins
    assert str(amp2["created_at"]) == "2019-08-02 00:00:00"
    r = ingest(store, FIX / "io_users.csv")
    assert (r.rows_read, r.rows_stored, r.rows_quarantined) == (3, 2, 1)
    amp1 = store.sql("SELECT * FROM accounts WHERE account_id = 'Bb7/xyz='").iloc[0]
    assert (amp1["followers"], amp1["language"], bool(amp1["is_stub"])) == (5, "en", False)
    bad = store.sql("SELECT line, reason FROM quarantine").values.tolist()
    assert bad[0][0] == 4 and "account_creation_date" in bad[0][1]
    again = ingest(store, FIX / "io_users.csv")
    assert (again.rows_stored, again.rows_duplicate, again.rows_quarantined) == (0, 2, 1)


def test_stub_accounts_are_enriched_later(store: Store) -> None:
    ingest(store, FIX / "io_tweets_30.csv")  # mentions and replies to Xq3+aa1=
    row = store.sql("SELECT is_stub FROM accounts WHERE account_id = 'Xq3+aa1='")
    assert bool(row.iloc[0, 0]) is True
    ingest(store, FIX / "io_tweets_31.csv")
    row = store.sql("SELECT is_stub, screen_name FROM accounts WHERE account_id = 'Xq3+aa1='").iloc[0]
    assert (bool(row["is_stub"]), row["screen_name"]) == (False, "newsdaily")


def test_30_column_variant_matched_by_name(store: Store) -> None:
    r = ingest(store, FIX / "io_tweets_30.csv")
    assert (r.rows_read, r.rows_stored, r.rows_duplicate) == (3, 2, 1)  # an exact repeat row
    reply = _post(store, "2002")
    assert (reply["kind"], reply["reply_to_post_id"], reply["reply_to_account_id"]) == (
        "reply", "1001", "Xq3+aa1=")


def test_profile_history(store: Store) -> None:
    r = ingest(store, FIX / "profile_changes.csv")
    assert (r.rows_read, r.rows_stored, r.rows_duplicate) == (4, 3, 1)
    assert r.sources[0].format == "profile-changes"
    row = store.sql("SELECT * FROM profile_changes WHERE account_id = 'NewGuy='").iloc[0]
    assert (row["field"], row["new_value"], row["old_value"]) == ("display_name", "New, Guy", None)
    assert store.sql("SELECT is_stub FROM accounts WHERE account_id = 'NewGuy='").iloc[0, 0]


def test_simulated_world_folder_skips_truth(store: Store) -> None:
    r = ingest(store, FIX / "world")
    assert [s.format for s in r.sources] == ["ioarchive-users", "ioarchive-tweets", "profile-changes"]
    assert [Path(s.source).name for s in r.skipped] == ["truth.csv"]
    assert "ground truth" in r.skipped[0].note
    assert store.count("posts") == 2 and store.count("profile_changes") == 1
    assert "operation" not in store.table("accounts").columns


def test_gzip_and_zip_inputs(store: Store, tmp_path: Path) -> None:
    gz = tmp_path / "tweets.bin"  # the name says nothing; the content does
    gz.write_bytes(gzip.compress((FIX / "io_tweets_31.csv").read_bytes()))
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIX / "io_users.csv", "users.csv")
        z.write(FIX / "io_tweets_30.csv", "dir/tweets30.csv")
    r = ingest(store, [gz, archive])
    assert r.reconciles
    assert {s.format for s in r.sources} == {"ioarchive-tweets", "ioarchive-users"}
    assert any(s.source.endswith("bundle.zip!dir/tweets30.csv") for s in r.sources)
    assert store.count("posts") == 8


def test_reingest_stores_nothing_new(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(FIX / "world", folder)
    shutil.copy(FIX / "io_tweets_31.csv", folder / "more.csv")
    first = ingest(store, folder)
    before = {t: store.count(t) for t in ("posts", "accounts", "post_hashtags", "post_urls",
                                          "post_mentions", "profile_changes", "quarantine")}
    second = ingest(store, folder)
    after = {t: store.count(t) for t in before}
    assert before == after
    assert second.rows_stored == 0 and second.rows_duplicate == first.rows_read
    assert store.count("ingest_runs") == 2


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_batch_size_does_not_change_the_result(tmp_path: Path, batch_size: int) -> None:
    with Store(tmp_path / f"b{batch_size}.duckdb") as s:
        r = ingest(s, [FIX / "io_tweets_31.csv", FIX / "bad_tweets.csv"], batch_size=batch_size)
        assert (r.rows_read, r.rows_stored, r.rows_quarantined) == (13, 9, 4)
        lines = s.sql("SELECT line FROM quarantine ORDER BY line")["line"].tolist()
        assert lines == [5, 6, 7, 9]
        refs = s.sql("SELECT ref_account_id FROM posts WHERE post_id = '1003'").iloc[0, 0]
        assert refs == "Xq3+aa1="
