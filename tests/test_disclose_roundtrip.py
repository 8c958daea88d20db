"""End to end: a simulated world's PRC-like network is released, checks clean and reads back.

simulate → ingest → detect → ``infoops disclose`` → ``--check`` → ``infoops ingest``
of the release → detect again. The release store holds exactly the released
accounts (under their tokens), the same co-retweet graph (edge for edge, up to
the hashing), and detection on it finds the network again.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from disclose_fixtures import SECRET
from infoops.cli import cli
from infoops.detect.trace_edges import raw_edges
from infoops.disclose import Hasher
from infoops.store import Store


def _ok(runner: CliRunner, *args: str) -> str:
    res = runner.invoke(cli, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def _prc_network(db: Path, truth: Path) -> str:
    with open(truth, newline="", encoding="utf-8") as f:
        prc = {r["userid"] for r in csv.DictReader(f) if r["operation"] == "prc"}
    with Store(db, read_only=True) as s:
        rows = s.execute("SELECT network_id, account_id FROM members WHERE run_id = ?",
                         [s.latest_detect_run()]).fetchall()
    hits: dict[str, int] = {}
    for net, acc in rows:
        hits[net] = hits.get(net, 0) + (acc in prc)
    return max(hits, key=lambda k: hits[k])


@pytest.mark.slow
def test_prc_network_round_trip(tmp_path: Path, runner: CliRunner,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    world, db, rel, back = tmp_path / "w", tmp_path / "w.duckdb", tmp_path / "rel", tmp_path / "b.duckdb"
    _ok(runner, "simulate", "--scale", "tiny", "--seed", "7", "--out", str(world), "--quiet")
    _ok(runner, "ingest", str(world), "--db", str(db), "--quiet")
    _ok(runner, "detect", "--db", str(db), "--quiet")
    net = _prc_network(db, world / "truth.csv")
    monkeypatch.setenv("INFOOPS_DISCLOSE_SECRET", SECRET.decode())
    _ok(runner, "disclose", "--db", str(db), "--network", net, "--name", "china_052020",
        "--out", str(rel), "--quiet")
    assert "clean" in _ok(runner, "disclose", "--check", str(rel), "--db", str(db))

    _ok(runner, "ingest", str(rel), "--db", str(back), "--quiet")
    token = Hasher(SECRET).token
    with Store(db, read_only=True) as s:
        run = s.latest_detect_run()
        members = dict(s.execute(
            "SELECT m.account_id, coalesce(a.followers, 0) >= 5000 FROM members m "
            "JOIN accounts a USING (account_id) WHERE run_id = ? AND network_id = ?", [run, net]
        ).fetchall())
        released = {a: (a if public else token(a)) for a, public in members.items()}
        before = raw_edges(s, "co-retweet", None, 1, max_burst=0)
    with Store(back) as b:
        stored = {r[0] for r in b.execute("SELECT account_id FROM accounts WHERE NOT is_stub").fetchall()}
        assert stored == set(released.values())
        after = raw_edges(b, "co-retweet", None, 1, max_burst=0)
    expected = {
        (*sorted((released[x], released[y])), w)
        for x, y, w in before[["account_a", "account_b", "weight"]].itertuples(index=False)
        if x in released and y in released
    }
    got = set(after[["account_a", "account_b", "weight"]].itertuples(index=False, name=None))
    assert expected and got == expected

    _ok(runner, "detect", "--db", str(back), "--quiet")
    with Store(back, read_only=True) as b:
        found = {r[0] for r in b.execute(
            "SELECT account_id FROM members WHERE run_id = ?", [b.latest_detect_run()]).fetchall()}
    assert found == set(released.values())
