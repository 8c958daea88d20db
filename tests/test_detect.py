"""The detect pipeline: networks, stored runs, atomicity, reproducibility, CLI."""

from __future__ import annotations

import csv
import json
import random

import pytest

from detect_fixtures import insert, scenario, scenario_profiles
from infoops.cli import cli
from infoops.detect import pipeline
from infoops.detect.params import DetectParams
from infoops.detect.pipeline import detect, run_summary
from infoops.errors import DetectionError, NotFoundError
from infoops.export.flagged import write_flagged
from infoops.store import Store


def _group(acc: str) -> str:
    return "".join(ch for ch in acc if not ch.isdigit()).removeprefix("x")


def _partition(store: Store, run_id: str) -> set[frozenset[str]]:
    rows = store.con.execute(
        "SELECT network_id, account_id FROM members WHERE run_id = ?", [run_id]
    ).fetchall()
    nets: dict[str, set[str]] = {}
    for net, acc in rows:
        nets.setdefault(net, set()).add(acc)
    return {frozenset(v) for v in nets.values()}


@pytest.fixture
def world_store(store):
    insert(store, *scenario(seed=1))
    scenario_profiles(store, seed=1)
    return store


@pytest.fixture(scope="module")
def detected(tmp_path_factory):
    """One detect run on the scenario, shared by the read-only tests below."""
    s = Store(tmp_path_factory.mktemp("detected") / "w.duckdb")
    insert(s, *scenario(seed=1))
    scenario_profiles(s, seed=1)
    run_id = detect(s, seed=0)
    yield s, run_id
    s.close()


def test_detect_finds_the_operation_and_nothing_else(detected):
    world_store, run_id = detected
    nets = _partition(world_store, run_id)
    assert len(nets) == 1
    (members,) = nets
    assert {_group(a) for a in members} <= {"core", "amp"}
    assert len(members) >= 12
    row = world_store.con.execute(
        "SELECT status, params, summary FROM detect_runs WHERE run_id = ?", [run_id]
    ).fetchall()[0]
    assert row[0] == "completed"
    params = json.loads(row[1])
    default = DetectParams().traces["co-retweet"].window
    assert params["seed"] == 0 and params["traces"]["co-retweet"]["window"] == default
    summary = json.loads(row[2])
    assert summary["traces"]["co-retweet"]["significant"] > 0
    assert summary["traces"]["co-retweet"]["pairs"] >= summary["traces"]["co-retweet"]["tested"]
    net = world_store.con.execute(
        "SELECT traces, score FROM networks WHERE run_id = ?", [run_id]
    ).fetchall()[0]
    assert "co-retweet" in net[0] and 0 <= net[1] <= 1


def test_edges_and_evidence_are_stored_with_posts_by_each_side(detected):
    world_store, run_id = detected
    bad = world_store.con.execute(
        """
        SELECT count(*) FROM evidence e
        LEFT JOIN posts pa ON pa.post_id = e.post_a LEFT JOIN posts pb ON pb.post_id = e.post_b
        WHERE e.run_id = ? AND e.trace <> 'fast-retweet'
          AND (pa.account_id <> e.a OR pb.account_id <> e.b OR e.a >= e.b)
        """, [run_id]).fetchall()[0][0]
    assert bad == 0
    n_ev, n_sig = world_store.con.execute(
        """
        SELECT (SELECT count(DISTINCT (trace, a, b)) FROM evidence WHERE run_id = $r),
               (SELECT count(*) FROM edges WHERE run_id = $r AND significant AND trace <> 'fused')
        """, {"r": run_id}).fetchall()[0]
    assert n_ev == n_sig > 0
    assert world_store.con.execute(
        "SELECT count(*) FROM edges WHERE run_id = ? AND a >= b", [run_id]
    ).fetchall()[0][0] == 0


def test_same_seed_same_result_and_relabelling_does_not_change_the_partition(store, tmp_path):
    posts, tags, urls, mentions = scenario(seed=2)
    insert(store, posts, tags, urls, mentions)
    scenario_profiles(store, seed=2)
    run1 = detect(store, seed=7)
    run2 = detect(store, seed=7)
    assert _partition(store, run1) == _partition(store, run2)
    assert len(_partition(store, run1)) == 1

    rng = random.Random(11)
    accounts = sorted({p["account_id"] for p in posts})
    names = [f"x{i:05d}" for i in rng.sample(range(10**5), len(accounts))]
    relabel = dict(zip(accounts, names, strict=False))
    shuffled = [dict(p, account_id=relabel[p["account_id"]],
                     ref_account_id=relabel.get(p.get("ref_account_id"))) for p in posts]
    rng.shuffle(shuffled)
    other = Store(tmp_path / "relabelled.duckdb")
    insert(other, shuffled, tags, urls, mentions)
    profiles = store.table("accounts").sample(frac=1.0, random_state=3)
    profiles["account_id"] = [relabel.get(a, a) for a in profiles["account_id"]]
    with other.registered("_acc", profiles):
        other.execute("INSERT INTO accounts SELECT * FROM _acc")
    run3 = detect(other, seed=7)
    back = {v: k for k, v in relabel.items()}
    mapped = {frozenset(back[a] for a in net) for net in _partition(other, run3)}
    assert mapped == _partition(store, run1)
    other.close()


def test_a_failing_run_is_marked_failed_and_leaves_no_rows(world_store, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "cluster", boom)
    with pytest.raises(RuntimeError):
        detect(world_store)
    status = world_store.con.execute("SELECT status, summary FROM detect_runs").fetchall()
    assert [s for s, _ in status] == ["failed"] and "disk full" in status[0][1]
    assert world_store.count("edges") == 0 and world_store.count("evidence") == 0
    with pytest.raises(NotFoundError):
        world_store.latest_detect_run()


def test_empty_store_and_bad_parameters_raise_clear_errors(store):
    with pytest.raises(DetectionError, match="no posts"):
        detect(store)
    with pytest.raises(DetectionError, match="unknown trace"):
        DetectParams().with_overrides(windows={"co-tweet": 10})
    with pytest.raises(DetectionError, match="window"):
        DetectParams().with_overrides(windows={"co-url": -1})


def test_params_round_trip():
    p = DetectParams().with_overrides(windows={"co-url": 30}, only=["co-url", "co-retweet"])
    q = DetectParams.from_json(p.to_json())
    assert q == p and q.enabled() == ["co-retweet", "co-url"]


def test_flagged_csv(detected, tmp_path):
    world_store, run_id = detected
    out = tmp_path / "flagged.csv"
    n = write_flagged(world_store, run_id, out)
    with out.open() as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["account_id", "network_id", "role", "score"]
    assert len(rows) - 1 == n > 0
    assert {r[2] for r in rows[1:]} <= {"core", "amplifier"}
    assert all(0 <= float(r[3]) <= 1 for r in rows[1:])
    with pytest.raises(NotFoundError):
        write_flagged(world_store, "nope", out)


def test_cli_detect(runner, db_path, tmp_path):
    s = Store(db_path)
    insert(s, *scenario(seed=1))
    scenario_profiles(s, seed=1)
    s.close()
    out = tmp_path / "f.csv"
    res = runner.invoke(cli, ["detect", "--db", str(db_path), "--out", str(out), "-q",
                              "--window", "co-retweet=90", "--seed", "3",
                              "--role", "min_network_score=0.35"])
    assert res.exit_code == 0, res.output
    assert "networks" in res.output and "co-retweet" in res.output
    assert out.read_text().splitlines()[0] == "account_id,network_id,role,score"
    with Store(db_path) as s2:
        summary = run_summary(s2, s2.latest_detect_run())
        params = json.loads(s2.con.execute("SELECT params FROM detect_runs").fetchall()[0][0])
    assert summary["status"] == "completed" and params["traces"]["co-retweet"]["window"] == 90
    assert params["roles"]["min_network_score"] == 0.35
    bad = runner.invoke(cli, ["detect", "--db", str(db_path), "--window", "co-retweet"])
    assert bad.exit_code != 0 and "TRACE=VALUE" in bad.output


def test_roles_false_keeps_the_raw_clusters(world_store):
    run_id = detect(world_store, seed=0, roles=False)
    summary = run_summary(world_store, run_id)
    assert summary["status"] == "completed" and summary["roles"].startswith("skipped")
    roles = world_store.sql("SELECT DISTINCT role FROM members WHERE run_id = ?", [run_id])
    assert roles["role"].isna().all()  # clusters only: no roles, nothing dropped or merged
    assert summary["networks"] >= 1
