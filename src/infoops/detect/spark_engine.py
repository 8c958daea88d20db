"""The Spark engine: the same trace definitions on Apache Spark (PySpark).

The co-action traces read the Parquet export (:mod:`infoops.export.parquet`)
and run on Spark SQL — ``local[*]`` or any cluster by master URL. The actions
query of each trace comes from the same template as on DuckDB
(:func:`infoops.detect.traces.actions_sql`, ``fast_retweet_sql``,
``synchronized_actions_sql``), only the dialect's two expressions differ.

The co-action join itself (time buckets of ``window`` width, earliest and
latest action per (account, object, bucket), crowded cells skipped, the
equi-join on (object, bucket) and the adjacent bucket, the closest pair per
(pair, object)) is the definition of :func:`infoops.detect.coaction.run_coaction`
written a second time in Spark SQL: DuckDB's version numbers rows with
``rowid`` and integer keys for speed, which Spark has no equivalent of. The
parity tests (``tests/test_spark_engine.py``) hold the two to the same edges.

What comes back to the one machine is the null model's input: per trace,
the pairs (weight, TF-IDF, delays; :data:`PAIRS_SQL` run on Spark), the
per-account degrees and the null model's moments. The evidence (one row per
pair and object) stays on Spark until the pipeline, after the null model,
asks for the closest co-actions of the significant pairs
(``TraceResult.fetch_evidence``). The rest of the pipeline (null model,
fusion, Leiden, roles, the store) is unchanged. Near-duplicate text (``text-similarity``) finds its clusters with
the MinHash/LSH steps of :mod:`infoops.detect.textsim` inside Spark tasks
(:mod:`infoops.detect.spark_text`), then runs the same co-action join.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from infoops.detect.coaction import TraceResult, temp_name
from infoops.detect.params import DetectParams, TraceParams, check_trace
from infoops.errors import DetectionError
from infoops.store.sql import quote_ident, registered

#: Traces this engine runs on Spark (all of them).
SPARK_TRACES = ("co-retweet", "fast-retweet", "co-url", "co-domain", "co-hashtag",
                "hashtag-sequence", "co-mention", "co-reply", "synchronized",
                "text-similarity")
#: The pairs of a co-action trace from its evidence ``{ev}`` (one row per pair
#: and object) and object degrees ``{od}``, ``{n}`` acting accounts: weight,
#: TF-IDF, closest and mean delay, as :func:`~infoops.detect.coaction.run_coaction`
#: computes them.
PAIRS_SQL = """
    SELECT e.a, e.b, count(*) AS weight,
           sum(ln(CAST({n} AS DOUBLE) / o.deg)) AS tfidf,
           min(e.delta_seconds) AS min_delta, avg(e.delta_seconds) AS mean_delta
    FROM {ev} e JOIN {od} o ON o.object = e.object
    GROUP BY e.a, e.b"""
#: The null model's timed second moment (``c`` times E^2): each object's
#: squared degree, weighted by the share of its account pairs that co-acted.
SQ_W_SQL = """
    SELECT sum(o.deg * o.deg * w.n / (o.deg * (o.deg - 1) / CAST(2 AS DOUBLE)))
    FROM (SELECT object, count(*) AS n FROM {ev} GROUP BY object) w
    JOIN {od} o ON o.object = w.object"""
#: Columns of a trace's evidence table.
EVIDENCE_COLUMNS = {"a": "VARCHAR", "b": "VARCHAR", "post_a": "VARCHAR", "post_b": "VARCHAR",
                    "object": "VARCHAR", "delta_seconds": "DOUBLE"}
#: Tables the traces read, as written by ``infoops export parquet``.
INPUT_TABLES = ("posts", "post_hashtags", "post_urls", "post_mentions")


def spark_session(master: str = "local[*]", conf: dict[str, str] | None = None) -> Any:
    """A SparkSession with the settings the engine needs (UTC session time zone).

    ``conf`` adds or overrides Spark settings, e.g. ``spark.driver.memory``.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise DetectionError(
            "the Spark engine needs PySpark: pip install 'infoops[spark]' (and Java 17)"
        ) from exc
    if master.startswith("local"):
        # Python workers (text-similarity runs in them) start from the driver's
        # interpreter, which has infoops and its dependencies; on a cluster,
        # PYSPARK_PYTHON names the executors' interpreter (docs/spark.md).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName("infoops-detect")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.ui.enabled", "false"))
    for k, v in (conf or {}).items():
        builder = builder.config(k, v)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start (no java, bad master URL)
        raise DetectionError(f"cannot start Spark at {master!r}: {exc}; is Java 17 on PATH?"
                             ) from exc


class SparkEngine:
    """Runs the co-action traces on Spark over a Parquet folder.

    Parameters
    ----------
    input_dir:
        Folder written by :func:`infoops.export.parquet.export_parquet` (a
        local path, or any URL Spark reads: ``hdfs://``, ``s3a://``). When
        None, the store is exported to a temporary folder first (local runs).
    master:
        Spark master URL (``local[*]``, ``spark://host:7077``, ``yarn``...).
    spark:
        An existing SparkSession to use instead of starting one.
    conf:
        Further Spark settings.
    """

    def __init__(self, input_dir: str | None = None, master: str = "local[*]",
                 spark: Any = None, conf: dict[str, str] | None = None) -> None:
        self.input_dir = input_dir
        self.master = master
        self.conf = conf or {}
        self._spark = spark
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._registered = False

    # -- set-up -----------------------------------------------------------
    def prepare(self, store: Any) -> None:
        """Export the store when no input folder was given; register the views."""
        if self.input_dir is None:
            from infoops.export.parquet import export_parquet

            self._tmp = tempfile.TemporaryDirectory(prefix="infoops-parquet-")
            export_parquet(store, self._tmp.name)
            self.input_dir = self._tmp.name
        self._register()

    @property
    def spark(self) -> Any:
        if self._spark is None:
            self._spark = spark_session(self.master, self.conf)
        return self._spark

    def _register(self) -> None:
        if self._registered:
            return
        if self.input_dir is None:
            raise DetectionError("the Spark engine needs --input DIR (from `infoops export "
                                 "parquet`) or a store to export")
        root = str(self.input_dir).rstrip("/")
        local = "://" not in root
        for table in INPUT_TABLES:
            path = f"{root}/posts" if table == "posts" else f"{root}/{table}.parquet"
            if local and not Path(path).exists():
                raise DetectionError(f"{path}: missing; write the folder with "
                                     "`infoops export parquet --out DIR`")
            reader = self.spark.read
            if table == "posts":
                reader = reader.option("basePath", path)
            df = reader.parquet(path)
            if table == "posts":
                df = df.drop("day")
            df.createOrReplaceTempView(table)
        self._registered = True

    def close(self) -> None:
        """Drop the temporary export (the session is left running for reuse)."""
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -- traces -----------------------------------------------------------
    def run_trace(self, con: duckdb.DuckDBPyConnection, name: str,
                  params: DetectParams | None = None, tp: TraceParams | None = None,
                  seed: int = 0) -> TraceResult:
        """Run one trace; Spark where it can, DuckDB otherwise. Same result shape
        and the same temp tables on ``con`` as :func:`infoops.detect.traces.run_trace`."""
        from infoops.detect import traces

        params = params or DetectParams()
        check_trace(name)
        tp = tp or params.traces[name]
        if name not in SPARK_TRACES:
            return traces.run_trace(con, name, params, tp, seed)
        self._register()
        k = params.evidence_per_pair
        if name == "fast-retweet":
            return self._fast_retweet(con, tp, k)
        if name == "text-similarity":
            return self._text_similarity(con, tp, params, seed)
        if name == "synchronized":
            sql = traces.synchronized_actions_sql(tp.window, "spark")
            return self._coaction(con, name, sql, 0.0, tp.max_burst, k)
        return self._coaction(con, name, traces.actions_sql(name, "spark"), tp.window,
                              tp.max_burst, k)

    def _to_duckdb(self, con: duckdb.DuckDBPyConnection, df: Any, table: str,
                   columns: dict[str, str], insert: bool = False) -> int:
        """Collect a Spark frame into a DuckDB temp table (new, or ``insert``
        into an existing one) with the given column types."""
        pdf = df.toPandas()
        with registered(con, temp_name("spark_in"), pdf) as view:
            select = ", ".join(f"CAST({quote_ident(c)} AS {t}) AS {quote_ident(c)}" for c, t in columns.items())
            into = f"INSERT INTO {table}" if insert else f"CREATE TEMP TABLE {table} AS"
            con.execute(f"{into} SELECT {select} FROM {view}")
        return len(pdf)

    def _coaction(self, con: duckdb.DuckDBPyConnection, name: str, actions_sql: str,
                  window: float, max_burst: int, k: int) -> TraceResult:
        """:func:`infoops.detect.coaction.run_coaction` on Spark (see module docstring)."""
        spark = self.spark
        width = float(window) if window >= 1 else 1.0
        w = float(window)
        cap = int(max_burst) if max_burst and max_burst > 0 else 2**62
        v = temp_name(f"sp_{name}")
        raw, deg, ev = self._coaction_views(v, actions_sql, width, w, cap)
        objects, e_total, sq = spark.sql(
            f"SELECT count(*), sum(deg), sum(deg * deg) FROM {v}_deg").collect()[0]
        hubs = spark.sql(f"SELECT count(*) FROM {v}_busy").collect()[0][0]
        degs, pairs, ev_t = (temp_name(f"{name}_{s}") for s in ("d", "p", "ev"))
        back = self._to_duckdb(con, spark.sql(
            f"SELECT account_id, count(DISTINCT object) AS d FROM {v}_raw GROUP BY account_id"),
            degs, {"account_id": "VARCHAR", "d": "BIGINT"})
        n_accounts = back
        sq_w = spark.sql(SQ_W_SQL.format(ev=f"{v}_ev", od=f"{v}_deg")).collect()[0][0]
        back += self._to_duckdb(
            con, spark.sql(PAIRS_SQL.format(ev=f"{v}_ev", od=f"{v}_deg",
                                            n=max(int(n_accounts), 1))), pairs,
            {"a": "VARCHAR", "b": "VARCHAR", "weight": "BIGINT", "tfidf": "DOUBLE",
             "min_delta": "DOUBLE", "mean_delta": "DOUBLE"})
        for t in ("raw", "deg", "ends", "busy", "act", "ev"):
            spark.catalog.dropTempView(f"{v}_{t}")
        raw.unpersist()
        deg.unpersist()
        stats = {
            "degrees": degs,
            "edges_total": int(e_total or 0),
            "c": (float(sq_w or 0.0) / (e_total * e_total)) if e_total else 0.0,
            "c_untimed": (int(sq or 0) / (e_total * e_total)) if e_total else 0.0,
            "crowded_cells": int(hubs or 0),
            "objects": int(objects or 0),
            "accounts": int(n_accounts),
            "window": w,
            "max_burst": int(max_burst),
            "engine": "spark",
            "returned_rows": back,  # what came back to this machine before the null model
        }
        res = TraceResult(name=name, pairs=pairs, evidence=ev_t, stats=stats)
        self._remote_evidence(con, res, ev, k, [ev])
        return res

    def _coaction_views(self, v: str, actions_sql: str, width: float, w: float,
                        cap: int) -> tuple[Any, Any, Any]:
        """The Spark temp views ``{v}_raw, _deg, _ends, _busy, _act, _ev`` of one co-action
        trace; returns the cached raw actions, object degrees and evidence frames."""
        spark = self.spark
        raw = spark.sql(f"""
            SELECT CAST(account_id AS STRING) AS account_id, CAST(post_id AS STRING) AS post_id,
                   CAST(object AS STRING) AS object, CAST(ts AS DOUBLE) AS ts
            FROM ({actions_sql}) q
            WHERE account_id IS NOT NULL AND object IS NOT NULL AND ts IS NOT NULL""")
        raw.cache().createOrReplaceTempView(f"{v}_raw")
        deg = spark.sql(f"SELECT object, count(DISTINCT account_id) AS deg FROM {v}_raw "
                        "GROUP BY object")
        deg.cache().createOrReplaceTempView(f"{v}_deg")
        spark.sql(f"""
            SELECT r.account_id AS acc, r.object, CAST(floor(r.ts / {width}) AS BIGINT) AS bkt,
                   min(r.ts) AS t0, min_by(r.post_id, r.ts) AS p0,
                   max(r.ts) AS t1, max_by(r.post_id, r.ts) AS p1
            FROM {v}_raw r JOIN {v}_deg o ON o.object = r.object
            WHERE o.deg >= 2
            GROUP BY r.account_id, r.object, CAST(floor(r.ts / {width}) AS BIGINT)
        """).cache().createOrReplaceTempView(f"{v}_ends")
        spark.sql(f"SELECT object, bkt FROM {v}_ends GROUP BY object, bkt "
                  f"HAVING count(*) > {cap}").cache().createOrReplaceTempView(f"{v}_busy")
        spark.sql(f"""
            WITH kept AS (
                SELECT e.* FROM {v}_ends e LEFT ANTI JOIN {v}_busy b
                ON b.object = e.object AND b.bkt = e.bkt
            )
            SELECT acc, object, bkt, t0 AS ts, p0 AS post_id FROM kept
            UNION ALL
            SELECT acc, object, bkt, t1 AS ts, p1 AS post_id FROM kept WHERE t1 > t0
        """).createOrReplaceTempView(f"{v}_act")
        ev = spark.sql(f"""
            WITH y AS (
                SELECT acc, object, bkt AS jb, ts, post_id, TRUE AS same FROM {v}_act
                UNION ALL
                SELECT acc, object, bkt - 1 AS jb, ts, post_id, FALSE AS same FROM {v}_act
            ),
            hits AS (
                SELECT least(x.acc, y.acc) AS a, greatest(x.acc, y.acc) AS b, x.object,
                       CASE WHEN x.acc < y.acc THEN x.post_id ELSE y.post_id END AS post_a,
                       CASE WHEN x.acc < y.acc THEN y.post_id ELSE x.post_id END AS post_b,
                       abs(y.ts - x.ts) AS delta_seconds
                FROM {v}_act x JOIN y ON x.object = y.object AND x.bkt = y.jb
                WHERE x.acc <> y.acc AND abs(y.ts - x.ts) <= {w}
                  AND (NOT y.same OR x.acc < y.acc)
            )
            SELECT a, b, object, min_by(post_a, delta_seconds) AS post_a,
                   min_by(post_b, delta_seconds) AS post_b, min(delta_seconds) AS delta_seconds
            FROM hits GROUP BY a, b, object
        """).cache()
        ev.createOrReplaceTempView(f"{v}_ev")
        return raw, deg, ev

    def _remote_evidence(self, con: duckdb.DuckDBPyConnection, res: TraceResult, ev: Any,
                         k: int, cached: list[Any]) -> None:
        """Leave the evidence on Spark: ``res.evidence`` starts empty and
        ``res.fetch_evidence`` brings back the ``k`` closest co-actions of the
        pairs asked for (the pipeline asks for the significant ones), in the
        order the pipeline keeps them (``delta_seconds, object, post_a``)."""
        cols = ", ".join(f"{c} {t}" for c, t in EVIDENCE_COLUMNS.items())
        con.execute(f"CREATE TEMP TABLE {res.evidence} ({cols})")
        spark = self.spark

        def fetch(con: duckdb.DuckDBPyConnection, pairs: Any) -> None:
            if len(pairs) == 0:
                return
            asked = spark.createDataFrame(pairs[["a", "b"]].astype(str), "a string, b string")
            from pyspark.sql import Window
            from pyspark.sql import functions as F

            order = Window.partitionBy("a", "b").orderBy("delta_seconds", "object", "post_a")
            top = (ev.join(asked, ["a", "b"], "left_semi")
                   .withColumn("rn", F.row_number().over(order)).where(F.col("rn") <= k)
                   .select(*EVIDENCE_COLUMNS))
            n = self._to_duckdb(con, top, res.evidence, EVIDENCE_COLUMNS, insert=True)
            res.stats["evidence_rows"] = res.stats.get("evidence_rows", 0) + n

        def release() -> None:
            for f in cached:
                f.unpersist()

        res.fetch_evidence = fetch
        res.release = release

    def _text_similarity(self, con: duckdb.DuckDBPyConnection, tp: TraceParams,
                         params: DetectParams, seed: int) -> TraceResult:
        """:func:`infoops.detect.textsim.text_similarity` on Spark: the clusters
        by :func:`infoops.detect.spark_text.text_actions`, then the co-action."""
        from infoops.detect.spark_text import text_actions

        view = temp_name("sp_text_actions")
        stats, frames = text_actions(self.spark, params.text, seed, view)
        try:
            res = self._coaction(con, "text-similarity",
                                 f"SELECT account_id, post_id, object, ts FROM {view}",
                                 tp.window, tp.max_burst, params.evidence_per_pair)
        finally:
            self.spark.catalog.dropTempView(view)
            for f in frames:
                f.unpersist()
        res.stats.update(stats)
        res.stats["returned_rows"] += stats["verified_pairs"]
        return res

    def _fast_retweet(self, con: duckdb.DuckDBPyConnection, tp: TraceParams,
                      k: int) -> TraceResult:
        from infoops.detect.traces import fast_retweet_sql

        spark = self.spark
        w = float(tp.window)
        sql = fast_retweet_sql(w, "spark")
        rt = temp_name("sp_fast_retweet_rt")
        rt_df = spark.sql(sql["rt"]).cache()
        rt_df.createOrReplaceTempView(rt)
        pairs, ev = (temp_name(f"fast_retweet_{s}") for s in ("p", "ev"))
        back = self._to_duckdb(con, spark.sql(sql["pairs"].format(rt=rt)), pairs,
                               {"a": "VARCHAR", "b": "VARCHAR", "weight": "BIGINT",
                                "n_retweets": "BIGINT", "a_to_b": "BIGINT", "b_to_a": "BIGINT",
                                "min_delta": "DOUBLE"})
        fast, total, pairs_any = (int(x or 0) for x in
                                  spark.sql(sql["stats"].format(rt=rt)).collect()[0])
        ev_df = spark.sql(sql["evidence"].format(rt=rt))
        spark.catalog.dropTempView(rt)
        stats = {"fast": fast, "retweets": total, "q": (fast / total) if total else 0.0,
                 "pairs_any": pairs_any, "window": w, "engine": "spark", "returned_rows": back}
        res = TraceResult("fast-retweet", pairs, ev, stats, model="binomial")
        self._remote_evidence(con, res, ev_df, k, [rt_df])
        return res

