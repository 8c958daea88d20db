"""DuckDB vs Spark local: time and peak memory of every trace, and what comes back.

Usage::

    infoops simulate --out w --seed 1 --scale medium
    infoops ingest w --db w.duckdb
    infoops export parquet --db w.duckdb --out w-parquet
    python benchmarks/spark_vs_duckdb.py --db w.duckdb --parquet w-parquet \\
        [--master 'local[2]'] [--driver-memory 6g] [--partitions 8] [--json out.json]

Runs every trace on DuckDB, then every trace on Spark (in that order, in one
process, so the two share the machine's state), and prints per trace and
engine the seconds and raw pairs; for Spark also the rows that came back to
the driver before the null model (pairs and account degrees, and text
similarity's verified text pairs) and the evidence rows fetched after it
(the closest co-actions of significant pairs; its time is in the trace's),
and, for both, the edges that survive the null model. Peak memory is sampled (psutil, the ``bench`` extra) every
0.2 s per phase: this process (DuckDB runs in it) and its children (the
Spark JVM and its Python workers).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from typing import Any, Self

import psutil

from infoops.detect.coaction import drop
from infoops.detect.nullmodel import significant_edges
from infoops.detect.params import DetectParams
from infoops.detect.spark_engine import SPARK_TRACES, SparkEngine
from infoops.detect.traces import run_trace
from infoops.store import Store


class PeakRSS:
    """Peak resident memory of this process and of its children, sampled."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.me = psutil.Process()
        self.peak_self = 0
        self.peak_children = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                kids = sum(c.memory_info().rss for c in self.me.children(recursive=True))
            except psutil.Error:
                kids = 0
            self.peak_self = max(self.peak_self, self.me.memory_info().rss)
            self.peak_children = max(self.peak_children, kids)
            self._stop.wait(self.every)

    def __enter__(self) -> Self:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def _phase(label: str, con: Any, fn: Any, params: DetectParams) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    with PeakRSS() as mem:
        t_all = time.perf_counter()
        for name in SPARK_TRACES:
            t0 = time.perf_counter()
            res = fn(con, name, params)
            n = con.execute(f"SELECT count(*) FROM {res.pairs}").fetchall()[0][0]
            dt = time.perf_counter() - t0
            mw = params.traces[name].min_weight
            t1 = time.perf_counter()
            sig = significant_edges(con, res, mw, params.alpha)
            t_null = time.perf_counter() - t1
            sig = sig[sig["significant"]] if len(sig) else sig
            t1 = time.perf_counter()
            if res.fetch_evidence is not None:  # as the pipeline does, after the null model
                res.fetch_evidence(con, sig[["a", "b"]])
            dt += time.perf_counter() - t1
            kept = len(sig)
            back = res.stats.get("returned_rows")
            ev = res.stats.get("evidence_rows")
            rows[name] = {"seconds": dt, "null_model_seconds": t_null, "pairs": int(n),
                          "significant": kept, "returned_rows": back, "evidence_rows": ev,
                          "verified_pairs": res.stats.get("verified_pairs")}
            print(f"{name:<18}{label:<8}{dt:>9.2f} s{n:>10} pairs{kept:>8} significant"
                  + (f"{back:>10} rows back, then {ev} evidence rows" if back is not None
                     else ""), flush=True)
            drop(con, res)
        total = time.perf_counter() - t_all
    return {"traces": rows, "seconds": total, "peak_self_mib": mem.peak_self / 2**20,
            "peak_children_mib": mem.peak_children / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--parquet", required=True)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="6g")
    ap.add_argument("--partitions", default="8", help="spark.sql.shuffle.partitions")
    ap.add_argument("--max-result", default="4g", help="spark.driver.maxResultSize (the "
                    "pairs come back whole: 14M co-retweet pairs pass 1 GiB)")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    params = DetectParams()
    engine = SparkEngine(args.parquet, master=args.master,
                         conf={"spark.sql.shuffle.partitions": args.partitions,
                               "spark.driver.memory": args.driver_memory,
                               "spark.driver.maxResultSize": args.max_result,
                               "spark.ui.showConsoleProgress": "false"})
    out: dict[str, Any] = {"master": args.master, "driver_memory": args.driver_memory,
                           "partitions": args.partitions}
    with Store(args.db) as store:
        con = store.con
        out["posts"] = store.count("posts")
        out["duckdb"] = _phase("duckdb", con, run_trace, params)
        t0 = time.perf_counter()
        engine.prepare(store)  # start the JVM and register the Parquet views
        out["spark_start_seconds"] = time.perf_counter() - t0
        out["spark"] = _phase("spark", con, engine.run_trace, params)
        engine.spark.stop()
    d, s = out["duckdb"], out["spark"]
    print(f"posts {out['posts']:,}; Spark session start {out['spark_start_seconds']:.1f} s "
          "(not in the totals)")
    print(f"total duckdb {d['seconds']:.1f} s, spark {s['seconds']:.1f} s, "
          f"ratio {s['seconds'] / max(d['seconds'], 1e-9):.2f}x")
    print(f"peak RSS: duckdb phase {d['peak_self_mib']:.0f} MiB (this process); spark phase "
          f"{s['peak_self_mib']:.0f} MiB this process + {s['peak_children_mib']:.0f} MiB "
          "JVM and Python workers")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
