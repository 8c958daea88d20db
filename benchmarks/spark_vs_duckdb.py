"""DuckDB vs Spark local: time and peak memory of the Spark-capable traces.

Usage: python benchmarks/spark_vs_duckdb.py --db STORE.duckdb --parquet DIR [--master local[2]]
(write DIR with `infoops export parquet --db STORE.duckdb --out DIR`). Prints one
line per trace and engine: seconds, pairs; then the peak RSS of this process
and of the Spark JVM (psutil, from the `bench` extra).
"""

from __future__ import annotations

import argparse
import time

import psutil

from infoops.detect.coaction import drop
from infoops.detect.params import DetectParams
from infoops.detect.spark_engine import SPARK_TRACES, SparkEngine
from infoops.detect.traces import run_trace
from infoops.store import Store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--parquet", required=True)
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args()
    params = DetectParams()
    engine = SparkEngine(args.parquet, master=args.master,
                         conf={"spark.sql.shuffle.partitions": "8"})
    totals = {"duckdb": 0.0, "spark": 0.0}
    with Store(args.db) as store:
        con = store.con
        for name in SPARK_TRACES:
            for label, fn in (("duckdb", run_trace), ("spark", engine.run_trace)):
                t0 = time.perf_counter()
                res = fn(con, name, params)
                n = con.execute(f"SELECT count(*) FROM {res.pairs}").fetchall()[0][0]
                dt = time.perf_counter() - t0
                totals[label] += dt
                print(f"{name:<18}{label:<8}{dt:>9.2f} s{n:>10} pairs", flush=True)
                drop(con, res)
    me = psutil.Process()
    jvm = sum(c.memory_info().rss for c in me.children(recursive=True))
    print(f"total duckdb {totals['duckdb']:.1f} s, spark {totals['spark']:.1f} s, "
          f"ratio {totals['spark'] / max(totals['duckdb'], 1e-9):.1f}x")
    print(f"python peak RSS {me.memory_info().rss / 2**20:.0f} MiB, Spark JVM RSS "
          f"{jvm / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
