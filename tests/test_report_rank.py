"""The ranked table orders networks by coordination evidence, not by the detector's score
(#12): an established-persona operation scores low (no account signals) but its
coordination is overwhelming, and it must not come last."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from infoops.report.build import ranked_networks
from infoops.store import Store


def _network(con, nid: str, score: float, accounts: list[str]) -> None:  # type: ignore[no-untyped-def]
    con.execute("INSERT INTO networks (run_id, network_id, score, n_accounts, n_core, n_amplifier, "
                "traces) VALUES ('r', ?, ?, ?, 0, 0, 'co-retweet')", [nid, score, len(accounts)])
    for a in accounts:
        con.execute("INSERT INTO members (run_id, network_id, account_id) VALUES ('r', ?, ?)", [nid, a])


def _edge(con, trace: str, a: str, b: str, significant: bool = True) -> None:  # type: ignore[no-untyped-def]
    con.execute("INSERT INTO edges (run_id, trace, a, b, weight, p_value, significant) "
                "VALUES ('r', ?, ?, ?, 1.0, 0.0, ?)", [trace, a, b, significant])


def test_rank_follows_coordinated_pairs_not_score(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    con = store.con
    personas = [f"p{i}" for i in range(8)]
    fresh = [f"f{i}" for i in range(4)]
    _network(con, "N1", 0.95, fresh)        # high score (burst-created, zero followers), few pairs
    _network(con, "N2", 0.41, personas)     # low score (established personas), dense coordination
    for a, b in combinations(personas, 2):
        _edge(con, "fused", a, b)
        _edge(con, "co-retweet", a, b)
        _edge(con, "fast-retweet", a, b, significant=False)   # not significant: not a link
    for a, b in [("f0", "f1"), ("f2", "f3")]:
        _edge(con, "fused", a, b)
        _edge(con, "co-retweet", a, b)
    _edge(con, "fused", "p0", "f0")         # an edge across two networks counts for neither
    _edge(con, "fused", "f0", "x9")         # nor does an edge to a non-member
    nets = ranked_networks(con, "r")
    assert [n["network_id"] for n in nets] == ["N2", "N1"]
    assert [n["rank"] for n in nets] == [1, 2]
    assert [(n["pairs"], n["links"]) for n in nets] == [(28, 28), (2, 2)]
    store.close()


def test_equal_evidence_falls_back_to_score_then_size(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    con = store.con
    _network(con, "N1", 0.5, ["a", "b"])
    _network(con, "N2", 0.9, ["c", "d"])
    _network(con, "N3", 0.9, ["e", "f", "g"])
    for a, b in [("a", "b"), ("c", "d"), ("e", "f")]:
        _edge(con, "fused", a, b)
    assert [n["network_id"] for n in ranked_networks(con, "r")] == ["N3", "N2", "N1"]
    store.close()
