"""Parity of the Spark engine with DuckDB: every trace's edges, and the networks.

Runs Spark in local mode (one JVM for the module). Skips only when Java is
missing; ``make test`` installs PySpark (the ``test`` extra includes
``infoops[spark]``).
"""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pytest

from detect_fixtures import insert, scenario, scenario_profiles
from infoops.cli import cli
from infoops.detect.coaction import drop
from infoops.detect.nullmodel import significant_edges
from infoops.detect.params import DetectParams
from infoops.detect.pipeline import detect
from infoops.detect.traces import run_trace
from infoops.errors import DetectionError, StoreError
from infoops.export.parquet import export_parquet
from infoops.store import Store

if shutil.which("java") is None:
    pytest.skip("Java is not installed: the Spark engine needs Java 17 on PATH",
                allow_module_level=True)
pyspark = pytest.importorskip("pyspark", reason="PySpark missing: pip install 'infoops[spark]'")

from infoops.detect.spark_engine import SPARK_TRACES, SparkEngine, spark_session


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[2]", {"spark.sql.shuffle.partitions": "1",
                                         "spark.default.parallelism": "2",
                                         "spark.driver.memory": "1g"})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def world(tmp_path_factory, spark):
    """The detect scenario plus hashtag combinations (for ``hashtag-sequence``)
    mentions, a domain and replies; its store and its Parquet export."""
    root = tmp_path_factory.mktemp("spark")
    s = Store(root / "w.duckdb")
    insert(s, *scenario(seed=1))
    scenario_profiles(s, seed=1)
    s.con.execute(
        "INSERT INTO post_hashtags SELECT post_id, t FROM posts, "
        "(SELECT unnest(['HK', 'peace', 'Motherland']) AS t) WHERE kind <> 'retweet' "
        "AND (account_id LIKE 'core%' OR account_id LIKE 'bg1%')")
    s.con.execute(
        "INSERT INTO post_mentions SELECT post_id, 'celebrity' FROM posts "
        "WHERE kind <> 'retweet' AND account_id LIKE 'core%'")
    s.con.execute(
        "INSERT INTO post_urls SELECT post_id, 'https://op.example/a/' || post_id, "
        "'Op.Example' FROM posts WHERE kind <> 'retweet' AND account_id LIKE 'core%'")
    # replies to the same posts, minutes apart
    s.con.execute(
        "INSERT INTO posts (post_id, account_id, created_at, kind, text, reply_to_post_id) "
        "SELECT 'r' || p.post_id || a.i, 'amp' || a.i, p.created_at + INTERVAL (a.i) MINUTE, "
        "'reply', 'agree', p.post_id FROM posts p, (SELECT unnest(range(4)) AS i) a "
        "WHERE p.kind = 'original' AND p.account_id LIKE 'core%'")
    # a copy-paste campaign: 30 accounts post edited copies of four messages
    # within minutes (over 16 distinct texts per message: LSH's big buckets)
    rng = np.random.default_rng(5)
    messages = ["Stop the violence now, Hong Kong needs peace and order for every family",
                "The West is lying about the virus and the people know the real truth",
                "香港的未来与祖国紧密相连，暴力必须立即停止，市民需要和平与秩序",
                "Запад лжёт о вирусе, и люди знают настоящую правду об этом"]
    rows = []
    for m, text in enumerate(messages):
        for i in range(30):
            words = text.split(" ")
            if len(words) > 1:
                words[int(rng.integers(len(words)))] += "!" * int(rng.integers(1, 4))
            rows.append((f"cp{m}_{i}", f"{'amp' if i < 12 else 'user'}{i % 12 if i < 12 else i}",
                         f"2024-03-0{m + 1} 10:{int(rng.integers(0, 40)):02d}:00",
                         " ".join(words) + f" #{i % 5}" * (i % 2)))
    s.con.executemany("INSERT INTO posts (post_id, account_id, created_at, kind, text) "
                      "VALUES (?, ?, CAST(? AS TIMESTAMP), 'original', ?)", rows)
    export_parquet(s, root / "pq")
    yield s, root / "pq"
    s.close()


@pytest.mark.parametrize("name", SPARK_TRACES)
def test_every_trace_has_the_same_edges_weights_and_p_values(world, spark, name):
    store, pq = world
    params = DetectParams()
    engine = SparkEngine(str(pq), spark=spark)
    con = store.con
    r1 = run_trace(con, name, params)
    r2 = engine.run_trace(con, name, params)
    try:
        d1 = significant_edges(con, r1, 1, params.alpha)
        d2 = significant_edges(con, r2, 1, params.alpha)
        assert len(d1) > 0, f"{name}: the world should give this trace some pairs"
        assert d1[["a", "b"]].values.tolist() == d2[["a", "b"]].values.tolist()
        assert d1["weight"].tolist() == d2["weight"].tolist()
        np.testing.assert_allclose(d2["p_value"], d1["p_value"], rtol=0, atol=1e-9)
        assert d1["significant"].tolist() == d2["significant"].tolist()
        for col in ("tfidf", "min_delta", "mean_delta", "n_retweets", "a_to_b", "b_to_a"):
            if col in d1:
                np.testing.assert_allclose(d2[col].astype(float), d1[col].astype(float),
                                           rtol=1e-12, atol=1e-12)
        # Spark keeps the evidence until asked: the k closest co-actions per pair
        assert r2.fetch_evidence is not None
        r2.fetch_evidence(con, con.sql(f"SELECT a, b FROM {r2.pairs}").df())
        ev = f"""SELECT a, b, object, post_a, post_b, delta_seconds FROM (
            SELECT *, row_number() OVER (PARTITION BY a, b
                ORDER BY delta_seconds, object, post_a) AS rn FROM {{}})
            WHERE rn <= {params.evidence_per_pair} ORDER BY ALL"""
        assert con.sql(ev.format(r1.evidence)).fetchall() == \
            con.sql(ev.format(r2.evidence)).fetchall()
        assert r2.stats["evidence_rows"] == con.sql(
            f"SELECT count(*) FROM {r2.evidence}").fetchall()[0][0]
        assert r2.stats["engine"] == "spark" and r2.stats["returned_rows"] > 0
        if name == "text-similarity":  # its clusters on Spark, not DuckDB's
            assert 0 < r2.stats["verified_pairs"] <= r2.stats["candidate_pairs"]
            assert r2.stats["clusters"] < r2.stats["texts"]
        for k, v in r1.stats.items():
            if k in ("degrees", "evidence_rows"):
                continue
            assert r2.stats[k] == pytest.approx(v, rel=1e-12), k
    finally:
        drop(con, r1)
        drop(con, r2)


def _networks(store: Store, run_id: str) -> list[tuple]:
    return store.con.execute(
        "SELECT network_id, account_id, role, round(score, 9) FROM members WHERE run_id = ? "
        "ORDER BY ALL", [run_id]).fetchall()


def _edges(store: Store, run_id: str) -> tuple[list[tuple], np.ndarray]:
    rows = store.con.execute(
        "SELECT trace, a, b, round(weight, 9), p_value FROM edges WHERE run_id = ? "
        "ORDER BY trace, a, b", [run_id]).fetchall()
    return [r[:4] for r in rows], np.array([r[4] for r in rows], dtype=float)


def test_the_final_networks_are_identical(world, spark):
    store, pq = world
    base = detect(store, seed=0)
    other = detect(store, seed=0, engine=SparkEngine(str(pq), spark=spark))
    assert _networks(store, base), "the scenario's operation should be found"
    assert _networks(store, other) == _networks(store, base)
    (e1, p1), (e2, p2) = _edges(store, base), _edges(store, other)
    assert e2 == e1
    np.testing.assert_allclose(p2, p1, rtol=0, atol=1e-9)
    recorded = store.con.execute("SELECT params FROM detect_runs WHERE run_id = ?",
                                 [other]).fetchall()[0][0]
    assert '"engine": "SparkEngine"' in recorded


def test_cli_export_then_detect_on_spark(runner, tmp_path, world, spark):
    del world  # only for the shared Spark session and its set-up
    db = tmp_path / "cli.duckdb"
    s = Store(db)
    insert(s, *scenario(seed=2))
    scenario_profiles(s, seed=2)
    s.close()
    out = tmp_path / "pq"
    r = runner.invoke(cli, ["export", "parquet", "--db", str(db), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "posts" in r.output and (out / "posts").is_dir()
    assert any(p.name.startswith("day=") for p in (out / "posts").iterdir())
    flagged = {}
    for engine in ("duckdb", "spark"):
        args = ["detect", "--db", str(db), "--quiet", "--out", str(tmp_path / f"{engine}.csv"),
                "--engine", engine]
        if engine == "spark":
            args += ["--input", str(out), "--spark-master", "local[2]"]
        r = runner.invoke(cli, args)
        assert r.exit_code == 0, r.output
        flagged[engine] = (tmp_path / f"{engine}.csv").read_text()
    assert flagged["spark"] == flagged["duckdb"]
    assert flagged["duckdb"].count("\n") > 1


def test_parquet_export_round_trips_in_duckdb(world, tmp_path):
    store, _ = world
    counts = export_parquet(store, tmp_path / "x")
    con = duckdb.connect()
    n = con.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning=true)",
                    [str(tmp_path / "x" / "posts" / "**" / "*.parquet")]).fetchall()[0][0]
    assert n == counts["posts"] == store.count("posts")
    same = con.execute(
        "SELECT count(*) FROM read_parquet(?) t", [str(tmp_path / "x" / "post_urls.parquet")]
    ).fetchall()[0][0]
    assert same == store.count("post_urls")


def test_bad_inputs_give_clear_errors(world, spark, tmp_path, runner):
    store, _ = world
    with pytest.raises(DetectionError, match="export parquet"):
        SparkEngine(str(tmp_path / "missing"), spark=spark).run_trace(store.con, "co-url")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="not a folder"):
        export_parquet(store, tmp_path / "file")
    r = runner.invoke(cli, ["detect", "--db", str(tmp_path / "n.duckdb"), "--input", "x"])
    assert r.exit_code != 0


def test_the_spark_dialect_differs_only_in_its_two_expressions():
    from infoops.detect import traces

    for name in traces.ACTION_TEMPLATES:
        duck, spk = traces.actions_sql(name, "duckdb"), traces.actions_sql(name, "spark")
        for d in ("duckdb",):
            duck = duck.replace(traces.TS_BY_DIALECT[d], "TS").replace(
                traces.SEQ_BY_DIALECT[d], "SEQ")
        spk = spk.replace(traces.TS_BY_DIALECT["spark"], "TS").replace(
            traces.SEQ_BY_DIALECT["spark"], "SEQ")
        assert duck == spk
    spark_sql = " ".join(traces.fast_retweet_sql(60, "spark").values())
    assert "epoch(" not in spark_sql and "unix_micros" in spark_sql
    assert "epoch(" not in traces.synchronized_actions_sql(60, "spark")
