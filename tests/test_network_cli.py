"""``infoops network``: raw trace edges as CSV / GEXF / GraphML."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest

from detect_fixtures import insert
from infoops.cli import cli
from infoops.detect.trace_edges import raw_edges
from infoops.errors import DetectionError
from infoops.store import Store

POSTS = [
    {"post_id": "o1", "account_id": "src", "ts": 0},
    {"post_id": "o2", "account_id": "src", "ts": 0},
    {"post_id": "r1", "account_id": "b<&\"", "ts": 10, "kind": "retweet", "ref_post_id": "o1"},
    {"post_id": "r2", "account_id": "a", "ts": 30, "kind": "retweet", "ref_post_id": "o1"},
    {"post_id": "r3", "account_id": "c", "ts": 200, "kind": "retweet", "ref_post_id": "o1"},
    {"post_id": "r4", "account_id": "a", "ts": 500, "kind": "retweet", "ref_post_id": "o2"},
    {"post_id": "r5", "account_id": "b<&\"", "ts": 505, "kind": "retweet", "ref_post_id": "o2"},
]


@pytest.fixture
def db(db_path):
    s = Store(db_path)
    insert(s, POSTS)
    s.close()
    return db_path


def test_csv_header_order_and_weights(runner, db, tmp_path):
    out = tmp_path / "edges.csv"
    res = runner.invoke(cli, ["network", "--db", str(db), "--trace", "co-retweet",
                              "--window", "60", "--min-weight", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(out.open()))
    assert rows[0][:3] == ["account_a", "account_b", "weight"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [("a", 'b<&"', "2")]
    res = runner.invoke(cli, ["network", "--db", str(db), "--trace", "co-retweet",
                              "--window", "200", "--out", str(out)])
    pairs = {(r[0], r[1]): r[2] for r in list(csv.reader(out.open()))[1:]}
    assert pairs == {("a", 'b<&"'): "2", ("a", "c"): "1", ('b<&"', "c"): "1"}
    assert all(a < b for a, b in pairs)


def test_min_weight_filters(db):
    with Store(db, read_only=True) as s:
        assert len(raw_edges(s, "co-retweet", 200, 2)) == 1
        with pytest.raises(DetectionError, match="unknown trace"):
            raw_edges(s, "co-retweets", 60, 1)


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_gephi_files_parse_and_escape(runner, db, tmp_path, suffix):
    out = tmp_path / f"edges{suffix}"
    res = runner.invoke(cli, ["network", "--db", str(db), "--trace", "co-retweet",
                              "--window", "200", "--out", str(out)])
    assert res.exit_code == 0, res.output
    root = ET.parse(out).getroot()
    ids = {n.get("id") for n in root.iter() if n.tag.endswith("node")}
    assert ids == {"a", 'b<&"', "c"}
    assert sum(1 for e in root.iter() if e.tag.endswith("}edge")) == 3


def test_graphml_reads_in_igraph(runner, db, tmp_path):
    ig = pytest.importorskip("igraph")
    out = tmp_path / "e.graphml"
    runner.invoke(cli, ["network", "--db", str(db), "--trace", "co-retweet", "--window", "200",
                        "--out", str(out)])
    g = ig.Graph.Read_GraphML(str(out))
    assert g.vcount() == 3 and g.ecount() == 3 and sorted(g.es["weight"]) == [1, 1, 2]


def test_errors(runner, db, tmp_path):
    res = runner.invoke(cli, ["network", "--db", str(db), "--trace", "nope", "--out",
                              str(tmp_path / "x.csv")])
    assert res.exit_code != 0 and "unknown trace" in str(res.exception or res.output)
    res = runner.invoke(cli, ["network", "--db", str(db), "--trace", "co-url", "--out",
                              str(tmp_path / "x.txt")])
    assert res.exit_code != 0 and "unknown output format" in str(res.exception or res.output)
    res = runner.invoke(cli, ["network", "--db", str(tmp_path / "missing.duckdb"), "--trace",
                              "co-url", "--out", str(tmp_path / "x.csv")])
    assert res.exit_code != 0 and "no such store" in str(res.exception or res.output)
