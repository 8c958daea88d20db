"""Co-retweet parity with coordination-network-toolkit 1.5.2 on the CooRTweet sample."""

from __future__ import annotations

import contextlib
import csv
import io
import sqlite3

import pytest

from conftest import shared
from infoops.cli import cli

pytestmark = pytest.mark.slow


def test_coretweet_pairs_equal_cnt_at_60_seconds(runner, db_path, tmp_path):
    pytest.importorskip("coordination_network_toolkit")
    from coordination_network_toolkit.compute_networks import compute_co_retweet_parallel
    from coordination_network_toolkit.preprocess import preprocess_data

    sample = shared("coortweet", "russian_coord_tweets.csv")
    res = runner.invoke(cli, ["ingest", str(sample), "--db", str(db_path), "--format",
                              "coortweet"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "edges.csv"
    res = runner.invoke(cli, ["network", "--db", str(db_path), "--trace", "co-retweet",
                              "--window", "60", "--min-weight", "1", "--max-burst", "0",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    ours = {(r["account_a"], r["account_b"]) for r in csv.DictReader(out.open())}

    # CNT keeps the first row of a duplicated message id, as infoops' ingest does
    with sample.open() as f:
        rows = [(r["content_id"], r["account_id"], r["account_id"], r["object_id"], "", "",
                 float(r["timestamp_share"]), []) for r in csv.DictReader(f)]
    cnt_db = str(tmp_path / "cnt.sqlite")
    with contextlib.redirect_stdout(io.StringIO()):
        preprocess_data(cnt_db, rows)
        compute_co_retweet_parallel(cnt_db, 60, n_threads=1, min_edge_weight=1)
    con = sqlite3.connect(cnt_db)
    theirs = {(min(a, b), max(a, b)) for a, b in
              con.execute("SELECT user_1, user_2 FROM co_retweet_network WHERE user_1 <> user_2")}
    con.close()
    assert len(ours) > 6000
    assert ours == theirs
