"""``infoops status``: what the store holds."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from infoops.cli import cli
from infoops.ingest import ingest, store_status
from infoops.store import Store

FIX = Path(__file__).parent / "fixtures" / "ingest"


def test_status_of_an_empty_store(store: Store) -> None:
    s = store_status(store)
    assert s["posts"] == 0 and s["accounts"] == 0 and s["ingest_runs"] == 0 and s["last_ingest"] is None


def test_status_counts(store: Store) -> None:
    ingest(store, [FIX / "io_tweets_31.csv", FIX / "bad_tweets.csv", FIX / "profile_changes.csv"])
    store.execute("INSERT INTO detect_runs (run_id, started_at, status) VALUES ('d1', now(), 'completed')")
    s = store_status(store)
    assert s["posts"] == 9
    assert s["posts_by_kind"] == {"original": 4, "retweet": 3, "quote": 1, "reply": 1}
    assert (s["hashtags"], s["urls"], s["mentions"]) == (4, 2, 2)
    assert s["profile_changes"] == 3 and s["quarantined"] == 4
    assert s["stub_accounts"] == 2  # @unknown_guy and NewGuy=
    assert s["accounts"] == 6
    assert s["ingest_runs"] == 1 and s["detect_runs"] == 1
    assert s["last_ingest"]["status"] == "completed" and s["last_ingest"]["rows_read"] == 17


def test_status_cli_text_and_json(runner: CliRunner, db_path: Path) -> None:
    assert runner.invoke(cli, ["ingest", str(FIX / "io_tweets_31.csv"), "--db", str(db_path), "-q"]).exit_code == 0
    res = runner.invoke(cli, ["status", "--db", str(db_path)])
    assert res.exit_code == 0, res.output
    assert "posts            6 (original 1, retweet 3, quote 1, reply 1)" in res.output
    assert "detect runs      0" in res.output
    res = runner.invoke(cli, ["status", "--db", str(db_path), "--json"])
    data = json.loads(res.output)
    assert data["posts_by_kind"]["retweet"] == 3 and data["quarantined"] == 0


def test_status_of_missing_store_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(cli, ["status", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code != 0
    assert not (tmp_path / "none.duckdb").exists()
